// pycocotools' details on small hand-made data, one test per quirk (see ../shared/spec/coco-parity.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_FIXTURES } from "../helpers/paths.js";
import { describe, expect, it } from "vitest";
import { CocoInputError } from "../../bindings/coco/errors.js";
import { evaluateCoco, type CocoEvaluation } from "../../bindings/coco/evaluate.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { formatFixed, linspace, npMean, npSum, pairwiseSum } from "../../bindings/coco/numeric.js";
import type { CocoParamsInput } from "../../bindings/coco/params.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";

const engine = new ReferenceGeometry();
// (a perfect AP reads 1 - 2e-16 in pycocotools: precision is tp / (tp + fp + eps))

type Box = [number, number, number, number];
interface G {
  id?: number | string;
  image: number | string;
  cat?: number;
  box: Box;
  area?: number;
  crowd?: number;
}
interface D {
  image: number | string;
  cat?: number;
  box: Box;
  score: number;
}

function dataset(images: (number | string)[], gts: G[], cats: number[] = [1]) {
  return {
    images: images.map((id) => ({ id, width: 200, height: 200 })),
    categories: cats.map((id) => ({ id, name: `c${id}` })),
    annotations: gts.map((g, i) => ({
      id: g.id ?? i + 1,
      image_id: g.image,
      category_id: g.cat ?? 1,
      bbox: g.box,
      area: g.area ?? g.box[2] * g.box[3],
      iscrowd: g.crowd ?? 0,
    })),
  };
}

function results(ds: D[]) {
  return ds.map((d) => ({ image_id: d.image, category_id: d.cat ?? 1, bbox: d.box, score: d.score }));
}

function run(images: (number | string)[], gts: G[], dts: D[], params: Partial<CocoParamsInput> = {}, cats?: number[]): CocoEvaluation {
  const gt = parseCocoDataset(dataset(images, gts, cats));
  const dt = parseCocoResults(results(dts), gt);
  return evaluateCoco(engine, gt, dt, { iouType: "bbox", ...params });
}

/** precision[t, r, k, a, m] */
function prec(ev: CocoEvaluation, t: number, r: number, k: number, a: number, m: number): number {
  const [, R, K, A, M] = ev.precisionShape;
  return ev.precision[(((t * R + r) * K + k) * A + a) * M + m]!;
}

describe("numerics", () => {
  it("linspace is numpy's (start + i*step, last value exactly stop)", () => {
    const t = linspace(0.5, 0.95, 10);
    expect(t[8]).toBe(0.8999999999999999);
    expect(t[9]).toBe(0.95);
    expect(t[5]).toBe(0.75);
    const r = linspace(0, 1, 101);
    expect(r[3]).toBe(0.03);
    expect(r[100]).toBe(1);
  });

  it("pairwise summation: 8 partial sums below 128, halves above", () => {
    const a = Array.from({ length: 20 }, (_, i) => 1 / (i + 3));
    const r = a.slice(0, 8);
    for (let i = 8; i < 16; i++) r[i - 8]! += a[i]!;
    let want = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (let i = 16; i < 20; i++) want += a[i]!;
    expect(pairwiseSum(a)).toBe(want);
  });

  it("np.add.reduce and np.mean as numpy computes them (numpy 2.x: one pairwise sum over the whole array)", () => {
    const { cases } = JSON.parse(readFileSync(join(LOCAL_FIXTURES, "numpy_sums.json"), "utf8")) as { cases: { n: number; sum: number; mean: number }[] };
    expect(cases.length).toBeGreaterThan(5);
    for (const { n, sum, mean } of cases) {
      const a = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 10007) / 997);
      expect(npSum(a), `n = ${n}`).toBe(sum);
      expect(npMean(a), `n = ${n}`).toBe(mean);
    }
  });

  it("formats like Python's '{:0.3f}' (exact ties to even)", () => {
    expect(formatFixed(0.0625, 3)).toBe("0.062");
    expect(formatFixed(0.1875, 3)).toBe("0.188");
    expect(formatFixed(-1, 3)).toBe("-1.000");
    expect(formatFixed(0.5, 2)).toBe("0.50");
    expect(formatFixed(0.875, 2)).toBe("0.88");
    expect(formatFixed(0.125, 2)).toBe("0.12");
    expect(formatFixed(0.38654343445745676, 3)).toBe("0.387");
  });
});

describe("pycocotools quirks", () => {
  it("ties across images keep sorted image-id order (stable mergesort)", () => {
    // image 9 sorts before image 10 (numerically): its false positive comes first at the tied score
    const gts: G[] = [{ image: 10, box: [0, 0, 50, 50] }];
    const dts: D[] = [
      { image: 10, box: [0, 0, 50, 50], score: 0.5 },
      { image: 9, box: [100, 100, 20, 20], score: 0.5 },
    ];
    const ev = run([10, 9], gts, dts);
    // order FP, TP: pr = [0, 0.5] -> every recall threshold reads 0.5
    expect(prec(ev, 0, 0, 0, 0, 2)).toBe(0.5);
    expect(prec(ev, 0, 100, 0, 0, 2)).toBe(0.5);
    expect(ev.stats[1]).toBe(0.5);
    // with the images the other way round, the TP comes first and AP50 is 1
    const ev2 = run([10, 11], [{ image: 10, box: [0, 0, 50, 50] }], [
      { image: 11, box: [100, 100, 20, 20], score: 0.5 },
      { image: 10, box: [0, 0, 50, 50], score: 0.5 },
    ]);
    expect(ev2.stats[1]).toBeCloseTo(1, 14);
  });

  it("ties within an image keep file order", () => {
    const gts: G[] = [{ image: 1, box: [0, 0, 50, 50] }];
    const fpFirst = run([1], gts, [
      { image: 1, box: [100, 100, 20, 20], score: 0.5 },
      { image: 1, box: [0, 0, 50, 50], score: 0.5 },
    ]);
    const tpFirst = run([1], gts, [
      { image: 1, box: [0, 0, 50, 50], score: 0.5 },
      { image: 1, box: [100, 100, 20, 20], score: 0.5 },
    ]);
    expect(fpFirst.stats[1]).toBe(0.5);
    expect(tpFirst.stats[1]).toBeCloseTo(1, 14);
    // maxDets=1 keeps only the first of the tie
    expect(fpFirst.stats[6]).toBe(0);
    expect(tpFirst.stats[6]).toBeCloseTo(1, 14);
  });

  it("IoU exactly equal to the threshold matches", () => {
    // IoU = 50 / 100 = 0.5 exactly
    const ev = run([1], [{ image: 1, box: [0, 0, 10, 10] }], [{ image: 1, box: [0, 0, 10, 5], score: 0.9 }]);
    expect(ev.matches.iou[0]).toBe(0.5);
    expect(ev.matches.dtMatch[0]).toBe(0); // a = all, t = .50: matched to annotation 0
    expect(ev.matches.dtMatch[1]).toBe(-1); // t = .55: unmatched
    expect(ev.stats[1]).toBeCloseTo(1, 14);
    expect(ev.stats[2]).toBe(0);
  });

  it("on equal IoU the later ground truth wins", () => {
    const ev = run(
      [1],
      [
        { image: 1, box: [0, 0, 10, 10] },
        { image: 1, box: [5, 0, 10, 10] },
      ],
      [{ image: 1, box: [2.5, 0, 10, 10], score: 0.9 }],
    );
    expect(ev.matches.iou[0]).toBe(ev.matches.iou[1]);
    expect(ev.matches.iou[0]).toBe(0.6);
    expect(ev.matches.dtMatch[0]).toBe(1);
    const { T } = ev.matches;
    expect(ev.matches.gtMatch[0 * T + 0]).toBe(-1); // first label, a=all t=.5
    expect(ev.matches.gtMatch[1]).toBe(0); // second label matched to result 0
  });

  it("a crowd region absorbs any number of detections, which are then ignored", () => {
    const ev = run(
      [1],
      [
        { image: 1, box: [0, 0, 100, 100], crowd: 1 },
        { image: 1, box: [150, 150, 40, 40] },
      ],
      [
        { image: 1, box: [0, 0, 10, 10], score: 0.9 },
        { image: 1, box: [20, 20, 10, 10], score: 0.8 },
        { image: 1, box: [50, 50, 10, 10], score: 0.7 },
        { image: 1, box: [150, 150, 40, 40], score: 0.6 },
      ],
    );
    const m = ev.matches;
    const nDt = m.dt.length;
    for (let t = 0; t < m.T; t++) {
      for (let d = 0; d < 3; d++) {
        expect(m.dtMatch[t * nDt + d]).toBe(0);
        expect(m.dtIgnore[t * nDt + d]).toBe(1);
      }
      expect(m.dtMatch[t * nDt + 3]).toBe(1);
      expect(m.gtMatch[t * m.gt.length + 0]).toBe(2); // the crowd keeps the last detection it absorbed
    }
    expect(ev.stats[0]).toBeCloseTo(1, 14); // ignored detections are no false positives
  });

  it("area exactly 1024 is both small and medium (inclusive ranges)", () => {
    const ev = run([1], [{ image: 1, box: [0, 0, 32, 32] }], [{ image: 1, box: [0, 0, 32, 32], score: 0.9 }]);
    const m = ev.matches;
    const n = m.gt.length;
    expect([m.gtIgnore[0 * n], m.gtIgnore[1 * n], m.gtIgnore[2 * n], m.gtIgnore[3 * n]]).toEqual([0, 0, 0, 1]);
    expect(ev.stats[3]).toBeCloseTo(1, 14); // small
    expect(ev.stats[4]).toBeCloseTo(1, 14); // medium
    expect(ev.stats[5]).toBe(-1); // large: no ground truth in range
    // the given area is used, not the box: area 9216 makes it medium and large
    const ev2 = run([1], [{ image: 1, box: [0, 0, 32, 32], area: 9216 }], [{ image: 1, box: [0, 0, 32, 32], score: 0.9 }]);
    expect(ev2.stats[3]).toBe(-1);
    expect(ev2.stats[4]).toBeCloseTo(1, 14);
    expect(ev2.stats[5]).toBeCloseTo(1, 14);
  });

  it("detections are cut to maxDets[-1] by score before IoU and matching", () => {
    const dts: D[] = Array.from({ length: 100 }, (_, i) => ({ image: 1, box: [100 + (i % 10), 100, 5, 5] as Box, score: 0.9 }));
    dts.push({ image: 1, box: [0, 0, 20, 20], score: 0.1 }); // the only true positive, 101st by score
    const ev = run([1], [{ image: 1, box: [0, 0, 20, 20] }], dts);
    expect(ev.matches.dt.length).toBe(100);
    expect(ev.matches.iou.length).toBe(100);
    expect(ev.stats[0]).toBe(0);
    expect(ev.stats[8]).toBe(0);
    const ev2 = run([1], [{ image: 1, box: [0, 0, 20, 20] }], dts, { maxDets: [1, 10, 101] });
    expect(ev2.stats[8]).toBeCloseTo(1, 14); // AR@101 finds it
  });

  it("categories without ground truth get -1", () => {
    const ev = run([1], [{ image: 1, box: [0, 0, 20, 20] }], [
      { image: 1, box: [0, 0, 20, 20], score: 0.9 },
      { image: 1, cat: 2, box: [50, 50, 20, 20], score: 0.8 },
    ], {}, [1, 2, 3]);
    const pc = ev.perCategory();
    expect(pc.map((c) => c.categoryId)).toEqual([1, 2, 3]);
    expect(pc[0]!.ap).toBeCloseTo(1, 14);
    for (const c of pc.slice(1)) expect([c.ap, c.ap50, c.ap75, c.ar100]).toEqual([-1, -1, -1, -1]);
    expect(prec(ev, 0, 0, 1, 0, 2)).toBe(-1);
    expect(ev.stats[0]).toBeCloseTo(1, 14); // -1 entries are left out of the means
  });

  it("annotation id 0: a detection matched to it counts as a false positive, with a warning", () => {
    const ev = run(
      [1],
      [
        { id: 0, image: 1, box: [0, 0, 20, 20] },
        { id: 1, image: 1, box: [50, 50, 20, 20] },
      ],
      [
        { image: 1, box: [0, 0, 20, 20], score: 0.9 },
        { image: 1, box: [50, 50, 20, 20], score: 0.8 },
      ],
    );
    expect(ev.matches.dtMatch[0]).toBe(0); // the match is made (the label is taken) ...
    expect(ev.stats[8]).toBe(0.5); // ... but only the id-1 label counts as recalled
    expect(ev.stats[1]).toBeCloseTo((0.5 * 51) / 101, 14); // FP then TP: precision 0.5 at the 51 recall thresholds 0..0.5
    expect(ev.warnings.some((w) => /id is 0/.test(w) && /false positives/.test(w))).toBe(true);
  });

  it("ignore is overwritten by iscrowd; user ignore flags have no effect", () => {
    const ds = dataset([1], [{ image: 1, box: [0, 0, 20, 20] }]);
    (ds.annotations[0] as Record<string, unknown>).ignore = 1;
    const gt = parseCocoDataset(ds);
    const ev = evaluateCoco(engine, gt, parseCocoResults(results([{ image: 1, box: [0, 0, 20, 20], score: 1 }]), gt), { iouType: "bbox" });
    expect(ev.stats[0]).toBeCloseTo(1, 14);
  });

  it("repeated annotation ids evaluate the last annotation with that id (pycocotools' anns dict), with a warning", () => {
    const ev = run(
      [1],
      [
        { id: 7, image: 1, box: [0, 0, 20, 20] },
        { id: 7, image: 1, box: [50, 50, 20, 20] },
      ],
      [
        { image: 1, box: [0, 0, 20, 20], score: 0.9 },
        { image: 1, box: [50, 50, 20, 20], score: 0.8 },
      ],
    );
    expect([...ev.matches.gt]).toEqual([1, 1]);
    expect(ev.stats[8]).toBe(0.5);
    expect(ev.warnings.some((w) => /repeated annotation ids/.test(w))).toBe(true);
  });

  it("results are renumbered and the first result decides the loadRes branch", () => {
    const gt = parseCocoDataset(dataset([1], [{ image: 1, box: [0, 0, 20, 20] }]));
    const dt = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 4], score: 1, area: 999, id: 55 }], gt);
    expect(dt.source).toBe("bbox");
    expect(dt.area[0]).toBe(40);
    const kp = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [], keypoints: [1, 2, 2, 5, 9, 2], score: 1 }], gt);
    expect(kp.source).toBe("keypoints");
    expect([...kp.box]).toEqual([1, 2, 4, 7]);
    expect(kp.area[0]).toBe(28);
  });

  it("segm results carrying a bbox use the box area, with a warning", () => {
    const gt = parseCocoDataset({
      images: [{ id: 1, width: 10, height: 10 }],
      categories: [{ id: 1, name: "a" }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 4, 4], area: 16, iscrowd: 0, segmentation: [[0, 0, 0, 4, 4, 4, 4, 0]] }],
    });
    const rle = engine.rleFromPolygon([0, 0, 0, 4, 4, 4, 4, 0], 10, 10);
    const seg = { size: [10, 10], counts: engine.rleToString(rle) };
    const withBox = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 40, 40], segmentation: seg, score: 1 }], gt);
    const ev = evaluateCoco(engine, gt, withBox, { iouType: "segm" });
    expect(withBox.area[0]).toBe(1600);
    expect(ev.warnings.some((w) => /drop "bbox"/.test(w))).toBe(true);
    expect(ev.stats[0]).toBeCloseTo(1, 14);
    const maskOnly = parseCocoResults([{ image_id: 1, category_id: 1, segmentation: seg, score: 1 }], gt);
    const ev2 = evaluateCoco(engine, gt, maskOnly, { iouType: "segm" });
    expect(maskOnly.area[0]).toBe(16);
    expect([...maskOnly.box]).toEqual([0, 0, 4, 4]);
    expect(ev2.warnings.some((w) => /drop "bbox"/.test(w))).toBe(false);
  });

  it("useCats = false pools the categories", () => {
    const ev = run([1], [{ image: 1, box: [0, 0, 20, 20] }], [{ image: 1, cat: 2, box: [0, 0, 20, 20], score: 0.9 }], { useCats: false }, [1, 2]);
    expect(ev.precisionShape[2]).toBe(1);
    expect(ev.stats[0]).toBeCloseTo(1, 14);
  });

  it("keypoints: OKS with visible keypoints, and the doubled box without", () => {
    const kps = [10, 10, 2, 20, 20, 2, 30, 30, 0];
    const gt = parseCocoDataset({
      images: [{ id: 1, width: 100, height: 100 }],
      categories: [{ id: 1, name: "p" }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [5, 5, 30, 30], area: 900, iscrowd: 0, keypoints: kps, num_keypoints: 2 }],
    });
    const dt = parseCocoResults([{ image_id: 1, category_id: 1, keypoints: [10, 11, 1, 20, 20, 1, 0, 0, 0], score: 0.9 }], gt);
    const sigmas = [0.5, 0.5, 0.5];
    const ev = evaluateCoco(engine, gt, dt, { iouType: "keypoints", kptOksSigmas: sigmas });
    const v = (0.5 * 2) ** 2;
    const e1 = 1 / v / (900 + 2.220446049250313e-16) / 2;
    expect(ev.matches.iou[0]).toBe((Math.exp(-e1) + Math.exp(-0)) / 2);
    expect(ev.stats).toHaveLength(10);
    expect(ev.summary().split("\n")[0]).toBe(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ] = 1.000");
  });
});

describe("input errors name the JSON path", () => {
  it("missing area", () => {
    const ds = dataset([1], [{ image: 1, box: [0, 0, 5, 5] }]);
    delete (ds.annotations[0] as Record<string, unknown>).area;
    expect(() => parseCocoDataset(ds)).toThrow(/^annotations\[0\]\.area: missing/);
  });

  it("result image ids not in the dataset, string / number mix", () => {
    const gt = parseCocoDataset(dataset([1, 2], []));
    const bad = [
      { image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 1 },
      { image_id: "2", category_id: 1, bbox: [0, 0, 1, 1], score: 1 },
      { image_id: 3, category_id: 1, bbox: [0, 0, 1, 1], score: 1 },
    ];
    let msg = "";
    try {
      parseCocoResults(bad, gt);
    } catch (e) {
      expect(e).toBeInstanceOf(CocoInputError);
      msg = (e as Error).message;
    }
    expect(msg).toBe('results: image ids not in the dataset: "2" (string), 3 (number) (first at results[1].image_id); the dataset has 2 (number): use the same id type as the dataset\'s images');
    expect(msg.includes("\n")).toBe(false);
  });

  it("other malformed input", () => {
    const gt = parseCocoDataset(dataset([1], []));
    expect(() => parseCocoResults({ annotations: [] }, gt)).toThrow(/^results: expected a JSON array/);
    expect(() => parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }], gt)).toThrow(/^results\[0\]\.score: missing/);
    expect(() => parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }, { image_id: 1, category_id: 1, score: 1 }], gt)).toThrow(
      /^results\[1\]\.bbox: missing/,
    );
    expect(() => parseCocoDataset("{not json")).toThrow(/^dataset: invalid JSON/);
    expect(() => parseCocoDataset({ images: [], categories: [] })).toThrow(/^annotations: missing/);
    expect(() => parseCocoDataset({ images: [{ id: 1 }, { id: "a" }], annotations: [], categories: [] }) && 0).not.toThrow();
    const mixed = parseCocoDataset({ images: [{ id: 1 }, { id: "a" }], annotations: [], categories: [] });
    expect(() => evaluateCoco(engine, mixed, parseCocoResults([], mixed), { iouType: "bbox" })).toThrow(/^images: ids mix numbers and strings/);
  });
});
