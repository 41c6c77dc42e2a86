// The training-loop evaluator: batches added one by one give, in result(), the evaluation of all their
// results together, bit for bit (in any batch order, with an image split over two batches, with
// images no batch names); each add() counts the batch's TP / FP / FN at its IoU threshold as a
// brute-force reading of pycocotools' per-detection matches does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { CocoInputError } from "../../bindings/coco/errors.js";
import type { CocoSummary } from "../../bindings/coco/result.js";
import type { CocoParamsInput } from "../../bindings/coco/params.js";
import { createEvaluator } from "../../bindings/evaluator/evaluator.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { mulberry32 } from "../helpers/random.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const engine = await createEngine();
const readGz = (name: string) => JSON.parse(gunzipSync(readFileSync(join(LOCAL_FIXTURES, "synth_small", name))).toString("utf8"));
const GT = readGz("gt.json.gz") as { images: { id: number }[] };
const DT = { bbox: readGz("dt_bbox.json.gz"), segm: readGz("dt_segm.json.gz") } as Record<string, { image_id: number; score: number }[]>;

function expectIdentical(got: CocoSummary, want: CocoSummary, what: string): void {
  got.stats.forEach((v, i) => expect(Object.is(v, want.stats[i]), `${what}: stats[${i}] ${v} vs ${want.stats[i]}`).toBe(true));
  for (const key of ["precision", "recall", "scores"] as const) {
    let bad = -1;
    for (let i = 0; i < want[key].length && bad < 0; i++) if (!Object.is(got[key][i], want[key][i])) bad = i;
    expect(bad, `${what}: ${key} differs first at ${bad}`).toBe(-1);
  }
  expect(got.perCategory()).toEqual(want.perCategory());
}

/** The results of these images, in file order. */
const ofImages = (dt: { image_id: number }[], ids: Set<number>) => dt.filter((d) => ids.has(d.image_id));

/** Batches of `size` images in a seeded random order of the images. */
function batchesOf(dt: { image_id: number }[], size: number, seed: number) {
  const r = mulberry32(seed);
  const ids = GT.images.map((i) => i.id);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const out: { image_id: number }[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ofImages(dt, new Set(ids.slice(i, i + size))));
  return out;
}

describe("createEvaluator: result() equals one evaluation of every batch", () => {
  for (const iouType of ["bbox", "segm"] as const) {
    it(`synth_small ${iouType}: 16-image batches in random orders, both backends`, () => {
      const gt = parseCocoDataset(GT);
      for (const geometry of [engine, new ReferenceGeometry()]) {
        const want = evaluateCoco(geometry, gt, parseCocoResults(DT[iouType]!, gt), { iouType });
        for (const seed of [1, 2]) {
          const ev = createEvaluator(gt, { engine: geometry, iouType });
          const batches = batchesOf(DT[iouType]!, 16, seed);
          for (const b of batches) ev.add(b);
          expect(ev.batches).toBe(batches.length);
          expectIdentical(ev.result(), want, `${iouType} seed ${seed}`);
        }
      }
    });
  }

  it("an image split over two batches is evaluated with all its results, in arrival order", () => {
    const gt = parseCocoDataset(GT);
    const dt = DT.bbox!;
    // the first half of every image's results, then the second half
    const seen = new Map<number, number>();
    const counts = new Map<number, number>();
    for (const d of dt) counts.set(d.image_id, (counts.get(d.image_id) ?? 0) + 1);
    const first: typeof dt = [];
    const second: typeof dt = [];
    for (const d of dt) {
      const k = seen.get(d.image_id) ?? 0;
      seen.set(d.image_id, k + 1);
      (k < counts.get(d.image_id)! / 2 ? first : second).push(d);
    }
    const ev = createEvaluator(gt, { engine, iouType: "bbox" });
    ev.add(first.slice(0, 300));
    ev.add(second);
    ev.add(first.slice(300));
    // one results list holding them in that order: per image, the first half then the second
    const want = evaluateCoco(engine, gt, parseCocoResults([...first.slice(0, 300), ...second, ...first.slice(300)], gt), { iouType: "bbox" });
    expectIdentical(ev.result(), want, "split images");
  });

  it("images no batch names count their labels as misses; result() works at any time, also before any batch", () => {
    const gt = parseCocoDataset(GT);
    const some = new Set(GT.images.slice(0, 50).map((i) => i.id));
    const ev = createEvaluator(gt, { engine, iouType: "bbox" });
    expectIdentical(ev.result(), evaluateCoco(engine, gt, parseCocoResults([], gt), { iouType: "bbox" }), "no batch");
    ev.add(ofImages(DT.bbox!, some));
    expectIdentical(ev.result(), evaluateCoco(engine, gt, parseCocoResults(ofImages(DT.bbox!, some), gt), { iouType: "bbox" }), "50 images");
    ev.add([]);
    expect(ev.batches).toBe(2);
  });

  it("parameters are pycocotools' Params (a subset of images and categories, thresholds, maxDets, no categories)", () => {
    const gt = parseCocoDataset(GT);
    const params: Omit<CocoParamsInput, "iouType">[] = [
      { imgIds: GT.images.slice(10, 90).map((i) => i.id), catIds: [1, 2, 4] },
      { iouThrs: [0.5, 0.6], maxDets: [2, 5], recThrs: [0, 0.5, 1] },
      { useCats: false },
    ];
    for (const p of params) {
      const ev = createEvaluator(gt, { engine, iouType: "bbox", ...p });
      for (const b of batchesOf(DT.bbox!, 16, 3)) ev.add(b);
      expectIdentical(ev.result(), evaluateCoco(engine, gt, parseCocoResults(DT.bbox!, gt), { iouType: "bbox", ...p }), JSON.stringify(p));
    }
  });
});

describe("add(): the batch's counts", () => {
  it("TP / FP / FN at the IoU threshold equal a brute-force reading of pycocotools' matches of those images", () => {
    const gt = parseCocoDataset(GT);
    const whole = evaluateCoco(new ReferenceGeometry(), gt, parseCocoResults(DT.bbox!, gt), { iouType: "bbox" });
    const m = whole.matches;
    const T = m.T;
    const score = parseCocoResults(DT.bbox!, gt).score;
    for (const [iou, confidence] of [[0.5, -Infinity], [0.75, 0.3]] as const) {
      const t = whole.params.iouThrs.indexOf(iou);
      const ev = createEvaluator(gt, { engine, iouType: "bbox", iou, confidence });
      for (const batch of batchesOf(DT.bbox!, 16, 4)) {
        const got = ev.add(batch);
        const images = new Set(batch.map((d) => gt.images.indexOf(d.image_id)));
        let tp = 0;
        let fp = 0;
        let labels = 0;
        let detections = 0;
        for (let b = 0; b < m.blockCount; b++) {
          if (!images.has(m.blockImage[b]!)) continue;
          for (let j = m.blockDtStart[b]!; j < m.blockDtStart[b + 1]!; j++) {
            detections++;
            if (j - m.blockDtStart[b]! >= 100 || !(score[m.dt[j]!]! >= confidence)) continue;
            const at = (0 * T + t) * m.dt.length + j; // area "all"
            if (m.dtIgnore[at]) continue;
            if (m.dtMatch[at]! >= 0 && !gt.annotations.idIsZero[m.dtMatch[at]!]) tp++;
            else fp++;
          }
          for (let g = m.blockGtStart[b]!; g < m.blockGtStart[b + 1]!; g++) if (!m.gtIgnore[g]) labels++;
        }
        expect(got).toMatchObject({ images: images.size, detections, tp, fp, fn: labels - tp });
        if (tp + fp > 0) expect(got.precision).toBe(tp / (tp + fp));
        if (labels > 0) expect(got.recall).toBe(tp / labels);
      }
    }
  }, 60_000);

  it("a hand-made batch: one TP, one FP (duplicate), one FN", () => {
    const gt = parseCocoDataset({
      images: [{ id: 1, width: 100, height: 100 }],
      categories: [{ id: 1, name: "a" }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 2, image_id: 1, category_id: 1, bbox: [50, 50, 10, 10], area: 100, iscrowd: 0 },
      ],
    });
    const ev = createEvaluator(gt, { engine, iouType: "bbox" });
    const c = ev.add([
      { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
      { image_id: 1, category_id: 1, bbox: [1, 0, 10, 10], score: 0.8 },
    ]);
    expect(c).toEqual({ images: 1, detections: 2, tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(ev.add([])).toMatchObject({ images: 0, tp: 0, fp: 0, fn: 0 });
    expect(Number.isNaN(ev.add([]).precision)).toBe(true);
  });
});

describe("createEvaluator: misuse and bad input", () => {
  const gt = parseCocoDataset(GT);
  it("no engine, a threshold not among iouThrs", () => {
    expect(() => createEvaluator(gt, { iouType: "bbox" } as never)).toThrow(/options\.engine must be an engine \(await createEngine\(\)\)/);
    expect(() => createEvaluator(gt, { engine, iouType: "bbox", iou: 0.42 })).toThrow(/iou 0\.42 is not one of the IoU thresholds/);
  });
  it("a bad result names the batch and the result; another kind of results is refused", () => {
    const ev = createEvaluator(GT, { engine, iouType: "bbox" });
    ev.add(DT.bbox!.slice(0, 5));
    const image = GT.images[0]!.id;
    const bad = () => ev.add([{ image_id: image, category_id: 1, bbox: [0, 0, "x", 1], score: 1 }]);
    expect(bad).toThrow(CocoInputError);
    expect(bad).toThrow(/^batch 2: results\[0\]\.bbox/);
    expect(() => ev.add([{ image_id: image, category_id: 1, segmentation: [[0, 0, 5, 0, 5, 5]], score: 1 }])).toThrow(/^batch 2: segm results, where the first batch held bbox results/);
    expect(() => ev.add('[{"image_id": 999999, "category_id": 1, "bbox": [0,0,1,1], "score": 1}]')).toThrow(/^batch 2: results: image ids not in the dataset/);
    // the refused batches changed nothing
    expect(ev.batches).toBe(1);
  });
});
