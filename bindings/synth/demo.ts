// The demo data set behind `detection-eval demo` (npm start): the `demo` preset of bindings/synth/generate.ts
// (500 images, crowd regions, scores rounded to 2 decimals), generated on first use into the user's
// cache directory and reused afterwards.
import { homedir } from "node:os";
import { join } from "node:path";
import type { GeometryEngine } from "../geometry/types.js";
import type { CocoSetCounts } from "./generate.js";
import { cachedCocoSet } from "./write.js";

/** Bump when the generator's output changes, so stale caches are not reused. */
export const DEMO_CACHE_NAME = "demo-v1";

/** `$XDG_CACHE_HOME/detection-eval/demo-v1`, else `~/.cache/detection-eval/demo-v1`. */
export function demoCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "detection-eval", DEMO_CACHE_NAME);
}

export interface DemoDataset {
  dir: string;
  gtPath: string;
  /** Box results (use with iouType "bbox"). */
  dtPath: string;
  /** Mask results, compressed RLE without `bbox` keys (iouType "segm"). */
  dtSegmPath: string;
  counts: CocoSetCounts;
  /** True when this call generated the files. */
  generated: boolean;
}

export async function demoDataset(engine: GeometryEngine, options: { dir?: string } = {}): Promise<DemoDataset> {
  const set = await cachedCocoSet(() => engine, { preset: "demo" }, options.dir ?? demoCacheDir());
  return {
    dir: set.dir,
    gtPath: set.files.gt,
    dtPath: set.files.dtBbox,
    dtSegmPath: set.files.dtSegm!,
    counts: set.counts,
    generated: set.generated,
  };
}
