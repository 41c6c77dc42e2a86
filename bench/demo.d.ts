import type { GeometryEngine } from "../bindings/geometry-types.js";
import type { CocoSetCounts } from "./synth.js";
/** Bump when the generator's output changes, so stale caches are not reused. */
export declare const DEMO_CACHE_NAME = "demo-v1";
/** `$XDG_CACHE_HOME/detection-eval/demo-v1`, else `~/.cache/detection-eval/demo-v1`. */
export declare function demoCacheDir(): string;
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
export declare function demoDataset(engine: GeometryEngine, options?: {
    dir?: string;
}): Promise<DemoDataset>;
