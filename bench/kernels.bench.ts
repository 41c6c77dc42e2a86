// Geometry kernel benchmarks on synth_val (COCO val2017 scale): mask IoU blocks and the polygon
// rasteriser, wasm (release build, inlined) against the TypeScript reference.
// Run: npx tsx bench/kernels.bench.ts [--images N]   (needs ../shared/fixtures/synth_val)
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Bench } from "tinybench";
import { createEngine } from "../bindings/engine/engine.js";
import type { GeometryEngine, Rle } from "../bindings/geometry/types.js";
import { ReferenceGeometry } from "../bindings/geometry/reference.js";

const DIR = fileURLToPath(new URL("../../shared/fixtures/synth_val/", import.meta.url));
if (!existsSync(DIR)) {
  console.error(`bench/kernels.bench.ts: ${DIR} not found (the shared fixtures are needed)`);
  process.exit(1);
}
const argImages = process.argv.indexOf("--images");
const IOU_IMAGES = argImages > 0 ? Number(process.argv[argImages + 1]) : 500;

type Seg = number[][] | { counts: number[] | string; size: [number, number] };
interface Ann {
  image_id: number;
  category_id: number;
  iscrowd?: number;
  segmentation: Seg;
}
const load = <T>(f: string): T => JSON.parse(gunzipSync(readFileSync(DIR + f)).toString("utf8")) as T;

const wasm = await createEngine();
const ref = new ReferenceGeometry();

let t = performance.now();
const gt = load<{ images: { id: number; height: number; width: number }[]; annotations: Ann[] }>("gt.json.gz");
const dt = load<Ann[]>("dt_segm.json.gz");
const size = new Map(gt.images.map((im) => [im.id, [im.height, im.width] as const]));
const polygons = gt.annotations.filter((a) => Array.isArray(a.segmentation)).map((a) => [a.segmentation as number[][], ...size.get(a.image_id)!] as const);
console.log(`loaded synth_val: ${gt.images.length} images, ${gt.annotations.length} labels, ${dt.length} detections (${(performance.now() - t).toFixed(0)} ms)`);

// Blocks as COCOeval forms them: per (image, category), all detections against all labels.
function toRle(e: GeometryEngine, a: Ann): Rle {
  const s = a.segmentation;
  if (Array.isArray(s)) {
    const [h, w] = size.get(a.image_id)!;
    return e.rleFromPolygons(s, h, w);
  }
  return typeof s.counts === "string" ? e.rleFromString(s.counts, s.size[0], s.size[1]) : e.rleFromCounts(s.counts, s.size[0], s.size[1]);
}
interface Block {
  dt: Rle[];
  gt: Rle[];
  crowd: Uint8Array;
}
function blocks(imageLimit: number, byCategory = true): Block[] {
  const ids = new Set(gt.images.slice(0, imageLimit).map((im) => im.id));
  const map = new Map<string, { dt: Rle[]; gt: Rle[]; crowd: number[] }>();
  const get = (a: Ann) => {
    const k = byCategory ? `${a.image_id}/${a.category_id}` : `${a.image_id}`;
    let b = map.get(k);
    if (!b) map.set(k, (b = { dt: [], gt: [], crowd: [] }));
    return b;
  };
  for (const a of gt.annotations) {
    if (!ids.has(a.image_id)) continue;
    const b = get(a);
    b.gt.push(toRle(wasm, a));
    b.crowd.push(a.iscrowd ? 1 : 0);
  }
  for (const a of dt) if (ids.has(a.image_id)) get(a).dt.push(toRle(wasm, a));
  return [...map.values()].filter((b) => b.dt.length && b.gt.length).map((b) => ({ dt: b.dt, gt: b.gt, crowd: Uint8Array.from(b.crowd) }));
}
const iouBlocks = blocks(IOU_IMAGES);
const pairs = iouBlocks.reduce((s, b) => s + b.dt.length * b.gt.length, 0);
// Per image, all categories together (the any-class analysis mode): larger blocks, kernel-bound.
const IMAGE_BLOCKS = 100;
const imageBlocks = blocks(IMAGE_BLOCKS, false);
const imagePairs = imageBlocks.reduce((s, b) => s + b.dt.length * b.gt.length, 0);
const allIou = (e: GeometryEngine, bs: Block[]) => {
  for (const b of bs) e.maskIou(b.dt, b.gt, b.crowd);
};

// Sanity: both give the same numbers before timing anything.
for (const b of [...iouBlocks.slice(0, 200), ...imageBlocks.slice(0, 20)]) {
  const x = wasm.maskIou(b.dt, b.gt, b.crowd);
  const y = ref.maskIou(b.dt, b.gt, b.crowd);
  if (x.some((v, i) => v !== y[i])) throw new Error("wasm and reference disagree");
}

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add(`maskIou wasm (${IOU_IMAGES} images, ${iouBlocks.length} blocks)`, () => allIou(wasm, iouBlocks))
  .add(`maskIou reference (${IOU_IMAGES} images, ${iouBlocks.length} blocks)`, () => allIou(ref, iouBlocks))
  .add(`maskIou wasm (${IMAGE_BLOCKS} per-image blocks)`, () => allIou(wasm, imageBlocks))
  .add(`maskIou reference (${IMAGE_BLOCKS} per-image blocks)`, () => allIou(ref, imageBlocks))
  .add(`rleFromPolygons wasm (${polygons.length} labels)`, () => {
    for (const [p, h, w] of polygons) wasm.rleFromPolygons(p, h, w);
  })
  .add(`rleFromPolygons reference (${polygons.length} labels)`, () => {
    for (const [p, h, w] of polygons) ref.rleFromPolygons(p, h, w);
  });
await bench.run();

const mean = (i: number): number => {
  const r = bench.tasks[i]!.result;
  if (!("latency" in r)) throw new Error(`benchmark ${bench.tasks[i]!.name} did not complete (${r.state})`);
  return r.latency.mean;
};
const rows = [
  { kernel: "maskIou (image, category) blocks", impl: "wasm", "ms / pass": mean(0), rate: `${((pairs / mean(0)) * 1000).toExponential(2)} pairs/s` },
  { kernel: "maskIou (image, category) blocks", impl: "reference", "ms / pass": mean(1), rate: `${((pairs / mean(1)) * 1000).toExponential(2)} pairs/s` },
  { kernel: "maskIou per-image blocks", impl: "wasm", "ms / pass": mean(2), rate: `${((imagePairs / mean(2)) * 1000).toExponential(2)} pairs/s` },
  { kernel: "maskIou per-image blocks", impl: "reference", "ms / pass": mean(3), rate: `${((imagePairs / mean(3)) * 1000).toExponential(2)} pairs/s` },
  { kernel: "rleFromPolygons", impl: "wasm", "ms / pass": mean(4), rate: `${Math.round((polygons.length / mean(4)) * 1000)} polygons/s` },
  { kernel: "rleFromPolygons", impl: "reference", "ms / pass": mean(5), rate: `${Math.round((polygons.length / mean(5)) * 1000)} polygons/s` },
].map((r) => ({ ...r, "ms / pass": Number(r["ms / pass"].toFixed(2)) }));
console.table(rows);
console.log(`maskIou speed-up wasm / reference, (image, category) blocks: ${(mean(1) / mean(0)).toFixed(2)}x (same run; ${pairs} pairs in ${iouBlocks.length} blocks)`);
console.log(`maskIou speed-up wasm / reference, per-image blocks: ${(mean(3) / mean(2)).toFixed(2)}x (same run; ${imagePairs} pairs in ${imageBlocks.length} blocks)`);
console.log(`rleFromPolygons speed-up wasm / reference: ${(mean(5) / mean(4)).toFixed(2)}x`);

// One full pass at COCO val2017 scale, timed once (geometry + IoU of every block).
t = performance.now();
const full = blocks(gt.images.length);
const tGeom = performance.now() - t;
t = performance.now();
allIou(wasm, full);
console.log(
  `full synth_val, wasm: decode + rasterise every mask ${tGeom.toFixed(0)} ms, maskIou of ${full.length} blocks ${(performance.now() - t).toFixed(0)} ms`,
);
