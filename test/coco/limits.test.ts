// Parameters and sizes past 32 bits: maxDets of 2^31 and more mean "every detection" (as any maxDets
// above the detection count does in pycocotools), never a wrapped int32; one block whose IoU matrix
// is past 2^32 bytes (23,171 labels x 23,171 detections in one image and category) is matched in
// tiles, with the numbers of the same objects spread over many images.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { iouOffsets, MAX_EVALUATION_IOU_VALUES } from "../../bindings/coco/overlaps.js";
import type { CocoPlan } from "../../bindings/coco/types.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { Rng } from "../../bindings/synth/generate.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const DIR = join(LOCAL_FIXTURES, "synth_small");

function bits(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe("maxDets beyond int32", () => {
  it("maxDets of 2^31 - 1, 2^31, 2^32, 2^32 + 1, 2^53 and 1e300 give the numbers of maxDets 1e6 (wasm and TypeScript)", async () => {
    const engine = await createEngine();
    const run = async (maxDet: number, kernels: "auto" | "reference") => {
      const { gt, dt } = await loadCocoInputs(join(DIR, "gt.json.gz"), join(DIR, "dt_bbox.json.gz"));
      return evaluateCoco(engine, gt, dt, { iouType: "bbox", maxDets: [1, 10, maxDet] }, { kernels });
    };
    const want = await run(1e6, "reference");
    expect(want.stats[1]).toBeGreaterThan(0);
    for (const maxDet of [2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53, 1e300]) {
      for (const kernels of ["auto", "reference"] as const) {
        const ev = await run(maxDet, kernels);
        const what = `maxDets ${maxDet} (${kernels})`;
        expect(ev.stats, what).toEqual(want.stats);
        expect(bits(ev.precision).equals(bits(want.precision)), `${what} precision`).toBe(true);
        expect(bits(ev.recall).equals(bits(want.recall)), `${what} recall`).toBe(true);
        expect(bits(ev.scores).equals(bits(want.scores)), `${what} scores`).toBe(true);
        expect(ev.params.maxDets).toEqual([1, 10, maxDet]); // reported as given
      }
    }
  });
});

/**
 * G unit-box labels and D unit-box detections, the first `hits` detections on labels 0..hits-1 (IoU 1),
 * every other pair disjoint (IoU 0), distinct shuffled scores; all in image 1, or (spread) the hits in
 * image 1 and the rest dealt over `spread` more images, which matches every detection the same way.
 */
function disjointSet(G: number, D: number, hits: number, spread: number) {
  const rng = new Rng(5);
  const scores = Array.from({ length: D }, (_, i) => (i + 1) / (D + 1));
  for (let i = D - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [scores[i], scores[j]] = [scores[j]!, scores[i]!];
  }
  const imageOf = (i: number) => (spread === 0 || i < hits ? 1 : 2 + (i % spread));
  const images = Array.from({ length: spread + 1 }, (_, i) => ({ id: i + 1, width: 640, height: 480 }));
  const annotations = Array.from({ length: G }, (_, j) => ({ id: j + 1, image_id: imageOf(j), category_id: 1, bbox: [2 * j, 0, 1, 1], area: 1, iscrowd: 0 }));
  const results = Array.from({ length: D }, (_, i) => ({ image_id: imageOf(i), category_id: 1, bbox: i < hits ? [2 * i, 0, 1, 1] : [2 * i, 10, 1, 1], score: scores[i]! }));
  const gt = parseCocoDataset({ images, categories: [{ id: 1, name: "a" }], annotations });
  return { gt, dt: parseCocoResults(results, gt) };
}

describe("one block past 2^32 bytes of IoU", () => {
  it("23,171 x 23,171 in one image (maxDets above it): the numbers of the same objects over 101 images", async () => {
    const engine = await createEngine();
    const n = 23_171; // n * n * 8 bytes = 4,295,161,928 > 2^32
    expect(n * n * 8).toBeGreaterThan(2 ** 32);
    const params = { iouType: "bbox" as const, maxDets: [25_000, 30_000, 2 ** 31] }; // all above the detections of an image
    const spread = disjointSet(n, n, 100, 100);
    const want = evaluateCoco(engine, spread.gt, spread.dt, params);
    expect(want.stats[1]).toBeGreaterThan(0);
    const one = disjointSet(n, n, 100, 0);
    const got = evaluateCoco(engine, one.gt, one.dt, params);
    expect(got.stats).toEqual(want.stats);
    expect(bits(got.precision).equals(bits(want.precision)), "precision").toBe(true);
    expect(bits(got.recall).equals(bits(want.recall)), "recall").toBe(true);
    expect(bits(got.scores).equals(bits(want.scores)), "scores").toBe(true);
  }, 120_000);
});

describe("IoU kept for every block", () => {
  it("more than 2^31 - 1 values: a RangeError naming the total and the largest block", () => {
    const plan = (D: number, G: number) =>
      ({
        nBlocks: 2,
        blockGtStart: Int32Array.of(0, 10, 10 + G),
        blockDtStart: Int32Array.of(0, 10, 10 + D),
        blockImagePos: Int32Array.of(0, 1),
        blockK: Int32Array.of(0, 0),
        p: { imgIds: [4, 7], catIds: [3], useCats: true },
      }) as unknown as CocoPlan;
    expect(MAX_EVALUATION_IOU_VALUES).toBe(2 ** 31 - 1);
    expect(Array.from(iouOffsets(plan(46_340, 46_340)))).toEqual([0, 100, 100 + 46_340 * 46_340]);
    expect(() => iouOffsets(plan(50_000, 50_000))).toThrow(
      new RangeError(
        "evaluateCoco: the IoU matrices of the evaluation hold 2500000100 values (20.0 GB), more than the 2147483647 (2^31 - 1) that the per-detection matches and the TypeScript path keep; the largest is 50000 detections x 50000 labels (image id 7, category id 3)",
      ),
    );
  });
});
