// Pair matrices in tiles (bindings/engine/tiles.ts) and the size checks that keep every size below 32
// bits: with the tiles shrunk to a few values (so that small inputs take many tiles), the wasm
// geometry, the COCO match kernel and analyze() give exactly what they give in one piece; sizes that
// cannot exist are refused with errors that name them, never wrapped.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../../bindings/analysis/analyze.js";
import type { AnalysisInput } from "../../bindings/analysis/types.js";
import { evaluateCoco, type CocoEvaluation } from "../../bindings/coco/evaluate.js";
import type { CocoParamsInput } from "../../bindings/coco/params.js";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { Arena, checkAllocation, engineKernels, MAX_ALLOCATION } from "../../bindings/engine/host.js";
import { TILES } from "../../bindings/engine/tiles.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { GeometryInputError, type Rle } from "../../bindings/geometry/types.js";
import { checkIouSize, MAX_IOU_VALUES, newIouMatrix } from "../../bindings/geometry/validate.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { Rng } from "../../bindings/synth/generate.js";
import { randomInput } from "../helpers/analysis.js";

const DEFAULT_TILES = { ...TILES };
let engine: Engine;
const reference = new ReferenceGeometry();
beforeAll(async () => {
  engine = await createEngine();
});
afterEach(() => {
  Object.assign(TILES, DEFAULT_TILES);
});

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length, `${what} length`).toBe(b.length);
  expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), what).toBe(true);
}

describe("size checks", () => {
  it("allocations: whole numbers up to MAX_ALLOCATION; anything else is a RangeError naming the size and the work", () => {
    expect(MAX_ALLOCATION).toBe(0xfffe0000);
    for (const ok of [0, 1, 2 ** 31, MAX_ALLOCATION]) expect(() => checkAllocation(ok, "x")).not.toThrow();
    expect(() => checkAllocation(2 ** 32 + 8, "COCO matching")).toThrow(
      new RangeError("engine.wasm: cannot allocate 4294967304 bytes (4.0 GiB) for COCO matching: a wasm32 engine addresses at most 4 GiB"),
    );
    for (const bad of [MAX_ALLOCATION + 16, 8 * 23171 * 23171, 8e10, -8, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkAllocation(bad, "x"), String(bad)).toThrow(RangeError);
    }
    // the arena of a kernel run refuses before the allocator sees a wrapped size
    const k = engineKernels(engine)!;
    expect(() => new Arena(k, "a test").take(2 ** 32 + 16)).toThrow(/cannot allocate 4294967312 bytes \(4\.0 GiB\) for a test/);
  });

  it("IoU matrices: at most MAX_IOU_VALUES values; larger ones are a GeometryInputError naming the sizes", () => {
    expect(MAX_IOU_VALUES).toBe(2 ** 32 - 1);
    expect(() => checkIouSize("boxIou", 65535, 65537)).not.toThrow(); // 2^32 - 1
    expect(() => checkIouSize("boxIou", 65536, 65536)).toThrow(GeometryInputError);
    expect(() => checkIouSize("maskIou", 100_000, 100_000)).toThrow(
      "maskIou: 100000 detections x 100000 labels = 10000000000 IoU values (80.0 GB as float64), more than the 4294967295 (2^32 - 1) an IoU matrix may hold",
    );
    expect(newIouMatrix("boxIou", 3, 4)).toEqual(new Float64Array(12));
  });

  it("boxIou / maskIou of 100,000 x 100,000 (80 GB) throw at once, in both engines", () => {
    const boxes = new Float64Array(4 * 100_000);
    for (let i = 0; i < 100_000; i++) boxes.set([i, i, 2, 2], 4 * i);
    for (const e of [engine, reference]) {
      expect(() => e.boxIou(boxes, boxes, null)).toThrow(/^boxIou: 100000 detections x 100000 labels = 10000000000 IoU values \(80\.0 GB as float64\)/);
    }
    const one: Rle = { h: 1, w: 1, counts: Uint32Array.of(0, 1) };
    const masks = Array.from({ length: 65_536 }, () => one);
    for (const e of [engine, reference]) {
      expect(() => e.maskIou(masks, masks, null)).toThrow(/^maskIou: 65536 detections x 65536 labels = 4294967296 IoU values \(34\.4 GB as float64\)/);
    }
  });
});

function randomBoxes(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) out.set([rng.int(40), rng.int(30), rng.int(20), rng.int(20) + (rng.float() < 0.5 ? 0.5 : 0)], 4 * i);
  return out;
}

function boxRle(e: Engine, b: Float64Array, i: number): Rle {
  return e.rleFromBox([b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!], 48, 64);
}

describe("GeometryEngine IoU in tiles", () => {
  it("boxIou and maskIou: any tile size gives the one-piece result (and the reference's)", () => {
    const rng = new Rng(11);
    for (const [m, n] of [
      [1, 1],
      [5, 3],
      [17, 9],
      [40, 1],
      [2, 33],
    ] as const) {
      const dt = randomBoxes(rng, m);
      const gt = randomBoxes(rng, n);
      const crowd = Uint8Array.from({ length: n }, () => (rng.float() < 0.3 ? 1 : 0));
      const dm = Array.from({ length: m }, (_, i) => boxRle(engine, dt, i));
      const gm = Array.from({ length: n }, (_, i) => boxRle(engine, gt, i));
      Object.assign(TILES, DEFAULT_TILES);
      const box = engine.boxIou(dt, gt, crowd);
      const mask = engine.maskIou(dm, gm, crowd);
      sameBits(box, reference.boxIou(dt, gt, crowd), `boxIou ${m}x${n} vs reference`);
      sameBits(mask, reference.maskIou(dm, gm, crowd), `maskIou ${m}x${n} vs reference`);
      for (const tile of [1, 2, 7, n, 3 * n + 1]) {
        TILES.iou = tile;
        sameBits(engine.boxIou(dt, gt, crowd), box, `boxIou ${m}x${n}, tile ${tile}`);
        sameBits(engine.maskIou(dm, gm, crowd), mask, `maskIou ${m}x${n}, tile ${tile}`);
      }
    }
  });
});

/** Random COCO sets with large blocks (few images and categories, many objects), keypoints included. */
function randomCoco(seed: number) {
  const rng = new Rng(seed);
  const nImg = 1 + rng.int(2);
  const nCat = 1 + rng.int(2);
  const images = Array.from({ length: nImg }, (_, i) => ({ id: i + 1, width: 64, height: 48 }));
  const categories = Array.from({ length: nCat }, (_, i) => ({ id: i + 1, name: `c${i}` }));
  const annotations: Record<string, unknown>[] = [];
  const results: Record<string, unknown>[] = [];
  const kps = (x: number, y: number, w: number, h: number, jitter: number) => {
    const out: number[] = [];
    for (let q = 0; q < 17; q++) out.push(x + rng.float() * w + jitter * (rng.float() - 0.5), y + rng.float() * h + jitter * (rng.float() - 0.5), rng.float() < 0.2 ? 0 : 2);
    return out;
  };
  let id = 1;
  for (const img of images) {
    const nG = 5 + rng.int(25);
    const mine: number[][] = [];
    for (let j = 0; j < nG; j++) {
      const b = [rng.int(40), rng.int(30), 2 + rng.int(20), 2 + rng.int(16)];
      mine.push(b);
      const k = kps(b[0]!, b[1]!, b[2]!, b[3]!, 0);
      annotations.push({
        id: id++,
        image_id: img.id,
        category_id: 1 + rng.int(nCat),
        bbox: b,
        segmentation: [[b[0]!, b[1]!, b[0]!, b[1]! + b[3]!, b[0]! + b[2]!, b[1]! + b[3]!, b[0]! + b[2]!, b[1]!]],
        area: rng.float() < 0.2 ? [0, 1024, 1e10][rng.int(3)]! : b[2]! * b[3]!,
        iscrowd: rng.float() < 0.1 ? 1 : 0,
        keypoints: k,
        num_keypoints: k.filter((_, q) => q % 3 === 2 && k[q]! > 0).length,
      });
    }
    const nD = 10 + rng.int(50);
    for (let j = 0; j < nD; j++) {
      const g = mine[rng.int(mine.length)]!;
      const b = rng.float() < 0.7 ? [g[0]! + rng.int(3) - 1, g[1]! + rng.int(3) - 1, g[2]!, g[3]! + rng.int(2)] : [rng.int(40), rng.int(30), 2 + rng.int(20), 2 + rng.int(16)];
      results.push({ image_id: img.id, category_id: 1 + rng.int(nCat), bbox: b, keypoints: kps(b[0]!, b[1]!, b[2]!, b[3]!, 3), score: Math.round(rng.float() * 20) / 20 });
    }
  }
  return { images, categories, annotations, results };
}

function sameEvaluation(a: CocoEvaluation, b: CocoEvaluation, what: string): void {
  sameBits(a.precision, b.precision, `${what} precision`);
  sameBits(a.recall, b.recall, `${what} recall`);
  sameBits(a.scores, b.scores, `${what} scores`);
  expect(a.stats, what).toEqual(b.stats);
}

describe("COCO match kernel in tiles", () => {
  it("any tile size gives the numbers of the TypeScript reference (bbox, segm, keypoints; maxDets past the block sizes)", () => {
    const variants: Partial<CocoParamsInput>[] = [{}, { maxDets: [1, 10, 1000] }, { useCats: false, maxDets: [5, 50, 500] }];
    for (let seed = 1; seed <= 12; seed++) {
      const s = randomCoco(seed);
      const gt = parseCocoDataset({ images: s.images, categories: s.categories, annotations: s.annotations });
      const dt = parseCocoResults(s.results, gt);
      for (const iouType of ["bbox", "segm", "keypoints"] as const) {
        for (const v of variants) {
          const params = { iouType, ...v };
          Object.assign(TILES, DEFAULT_TILES);
          const want = evaluateCoco(engine, gt, dt, params, { kernels: "reference" });
          for (const tile of [1, 3, 40]) {
            TILES.match = tile;
            sameEvaluation(evaluateCoco(engine, gt, dt, params), want, `seed ${seed} ${iouType} ${JSON.stringify(v)} tile ${tile}`);
          }
        }
      }
    }
  });
});

describe("analyze() in tiles", () => {
  it("any tile size gives the one-piece analysis (mask and box IoU)", () => {
    const keys = (a: ReturnType<typeof analyze>) => {
      const { timings: _t, ...rest } = a.p;
      return rest;
    };
    for (let seed = 1; seed <= 8; seed++) {
      for (const iou of ["mask", "box"] as const) {
        const input: AnalysisInput = randomInput(seed, { boxesOnly: iou === "box", images: 2 });
        Object.assign(TILES, DEFAULT_TILES);
        const want = keys(analyze(engine, input, { iou }));
        for (const tile of [1, 2, 5]) {
          TILES.analysis = tile;
          expect(keys(analyze(engine, input, { iou })), `seed ${seed} ${iou} tile ${tile}`).toEqual(want);
        }
      }
    }
  });
});
