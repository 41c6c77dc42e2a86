// Synthetic COCO sets for tests, the demo and benchmarks.
//   npx tsx bench/generate.ts --preset val --out DIR [--seed N] [--images N] [--engine auto|wasm|reference]
// Writes gt.json, dt_bbox.json and (demo, val) dt_segm.json, streamed, then prints the counts.
import { realpathSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { type EngineKind, loadEngine } from "./engine.js";
import { PRESETS, type PresetName } from "../bindings/synth/generate.js";
import { writeCocoSet } from "../bindings/synth/write.js";

export * from "../bindings/synth/generate.js";
export { writeCocoSet, type WrittenSet } from "../bindings/synth/write.js";

const USAGE =
  "usage: npx tsx bench/generate.ts --preset demo|val|dense|huge --out DIR [--seed N] [--images N] [--engine auto|wasm|reference]";

function fail(message: string): never {
  process.stderr.write(`generate: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function intArg(name: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 0) fail(`${name} needs a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function main(argv: string[]): Promise<void> {
  let preset: PresetName = "val";
  let out: string | undefined;
  let seed: number | undefined;
  let images: number | undefined;
  let engineKind: EngineKind = "auto";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--preset") {
      if (!v || !(v in PRESETS)) fail(`unknown preset ${JSON.stringify(v)}`);
      preset = v as PresetName;
    } else if (a === "--out") {
      if (!v) fail("--out needs a directory");
      out = v;
    } else if (a === "--seed") seed = intArg(a, v);
    else if (a === "--images") images = intArg(a, v);
    else if (a === "--engine") {
      if (v !== "auto" && v !== "wasm" && v !== "reference") fail(`--engine must be auto, wasm or reference`);
      engineKind = v;
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(USAGE + "\n");
      return;
    } else fail(`unknown argument ${JSON.stringify(a)}`);
    i++;
  }
  if (!out) fail("--out DIR is required");
  const { engine, kind } = await loadEngine(engineKind);
  const t0 = performance.now();
  const written = writeCocoSet(engine, { preset, seed, images }, out, (done, total) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} images`);
  });
  if (process.stderr.isTTY) process.stderr.write("\r");
  const seconds = (performance.now() - t0) / 1000;
  const { counts, files } = written;
  console.log(
    `${preset}: ${counts.images} images, ${counts.labels} labels (${counts.crowd} crowd), ${counts.detections} detections; ` +
      `${seconds.toFixed(1)} s with the ${kind} engine`,
  );
  for (const path of Object.values(files)) if (path) console.log(`  ${path}  ${mib(statSync(path).size)}`);
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`generate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
