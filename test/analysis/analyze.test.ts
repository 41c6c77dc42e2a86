// analyze().at() against the brute-force implementation of model-performance.md (test/analysis.bruteforce.ts)
// on seeded random data: boxes, rotated boxes, polygons, crowd labels, tied confidences, both candidate
// modes, IoU thresholds 0.1..0.95, confidence filters, class / image / prediction / label subsets.
import { describe, expect, it } from "vitest";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { fromCoco } from "../../bindings/analysis/coco-adapter.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { FN_REASONS } from "../../bindings/analysis/analysis.js";
import type { AnalysisInput } from "../../bindings/analysis/types.js";
import type { BruteQuery } from "../helpers/analysis-bruteforce.js";
import { bruteData, compareWithBrute, randomInput, rng } from "../helpers/analysis.js";

const engine = new ReferenceGeometry();
const THRESHOLDS = [0.1, 0.25, 0.3, 0.5, 0.55, 0.7, 0.75, 0.9, 0.95];
const CONFIDENCES = [-Infinity, 0.3, 0.5, 0.9];
const MODES = ["same-class", "any-class"] as const;

function subsets(input: AnalysisInput, seed: number): Omit<BruteQuery, "t" | "c" | "mode">[] {
  const r = rng(seed);
  const pick = (n: number) => new Set(Array.from({ length: n }, (_, i) => i).filter(() => r() < 0.5));
  const predMask = input.predictions.map(() => r() < 0.7);
  const labelMask = input.labels.map(() => r() < 0.7);
  return [
    {},
    { classes: pick(input.categories.length) },
    { images: pick(input.images.length) },
    { classes: pick(input.categories.length), images: pick(input.images.length) },
    { predKeep: (p) => predMask[p]! },
    { labelKeep: (l) => labelMask[l]! },
    { predKeep: (p) => predMask[p]!, labelKeep: (l) => labelMask[l]!, images: pick(input.images.length) },
  ];
}

describe("analysis: random data vs brute force", () => {
  for (const mode of MODES) {
    it(`mask IoU, ${mode}: 60 random sets`, () => {
      for (let seed = 1; seed <= 60; seed++) {
        const input = randomInput(seed);
        const a = analyze(engine, input, { candidates: mode });
        const d = bruteData(engine, input, "mask");
        const subs = subsets(input, seed * 7);
        for (const t of THRESHOLDS)
          for (const c of CONFIDENCES) {
            const sub = subs[(Math.round(t * 100) + (c > 0 ? c * 10 : 0)) % subs.length];
            compareWithBrute(a, input, d, { t, c, mode, ...sub }, { explorer: true });
          }
        for (const sub of subs) compareWithBrute(a, input, d, { t: 0.5, c: 0.3, mode, ...sub }, { explorer: true, ar: true });
      }
    });
    it(`box IoU, ${mode}: 40 random box-only sets`, () => {
      for (let seed = 1000; seed < 1040; seed++) {
        const input = randomInput(seed, { boxesOnly: true });
        const a = analyze(engine, input, { candidates: mode, iou: "box" });
        const d = bruteData(engine, input, "box");
        for (const t of THRESHOLDS) for (const c of [-Infinity, 0.5]) compareWithBrute(a, input, d, { t, c, mode }, { explorer: true });
        for (const sub of subsets(input, seed)) compareWithBrute(a, input, d, { t: 0.5, c: -Infinity, mode, ...sub }, { ar: true });
      }
    });
  }

  it("larger random sets (many objects per image, ties everywhere)", () => {
    for (let seed = 500; seed < 506; seed++) {
      const input = randomInput(seed, { images: 6, classes: 3 });
      for (const mode of MODES) {
        const a = analyze(engine, input, { candidates: mode });
        const d = bruteData(engine, input, "mask");
        for (const t of THRESHOLDS) compareWithBrute(a, input, d, { t, c: -Infinity, mode }, { explorer: true });
      }
    }
  });
});

/** The same input restricted to some images / classes, re-indexed, analysed on its own. */
function restrict(input: AnalysisInput, images: Set<number> | null, classes: Set<number> | null): AnalysisInput {
  const keep = (o: { image: number; category: number }) => (!images || images.has(o.image)) && (!classes || classes.has(o.category));
  return { ...input, labels: input.labels.filter(keep), predictions: input.predictions.filter(keep) };
}

describe("analysis: a filtered view equals analysing the subset alone", () => {
  it("image subsets (both modes) and class subsets (same-class)", () => {
    for (let seed = 200; seed < 240; seed++) {
      const input = randomInput(seed);
      const r = rng(seed);
      const images = new Set(input.images.map((_, i) => i).filter(() => r() < 0.5));
      const classes = new Set(input.categories.map((_, k) => k).filter(() => r() < 0.6));
      const cases: [Set<number> | null, Set<number> | null, (typeof MODES)[number]][] = [
        [images, null, "same-class"],
        [images, null, "any-class"],
        [null, classes, "same-class"],
        [images, classes, "same-class"],
      ];
      for (const [im, cl, mode] of cases) {
        const whole = analyze(engine, input, { candidates: mode });
        const alone = analyze(engine, restrict(input, im, cl), { candidates: mode });
        for (const t of [0.3, 0.5, 0.75])
          for (const c of [-Infinity, 0.5]) {
            const opts = {
              iou: t,
              confidence: c,
              ...(im ? { images: [...im].map((i) => input.images[i]!.id) } : {}),
              ...(cl ? { classes: [...cl].map((k) => input.categories[k]!.id) } : {}),
            };
            const v = whole.at(opts);
            const w = alone.at({ iou: t, confidence: c, ...(cl ? { classes: opts.classes } : {}) });
            const s1 = v.summary();
            const s2 = w.summary();
            expect(s1, `seed ${seed} t=${t} c=${c} ${mode}`).toEqual(s2);
            expect(v.iouHistogram()).toEqual(w.iouHistogram());
            expect(v.outcomes()).toEqual(w.outcomes());
            expect(v.prCurve()).toEqual(w.prCurve());
          }
      }
    }
  });
});

describe("analysis: spec details", () => {
  const img = { id: 1, width: 20, height: 20 };
  const cats = [
    { id: 1, name: "a" },
    { id: 2, name: "b" },
  ];
  it("a prediction never moves to another label; dup decides duplicates; ties in confidence go to the higher IoU", () => {
    const input: AnalysisInput = {
      images: [img],
      categories: cats,
      labels: [
        { image: 0, category: 0, shape: { kind: "box", box: [0, 0, 10, 10] } },
        { image: 0, category: 0, shape: { kind: "box", box: [8, 0, 10, 10] } },
      ],
      predictions: [
        // closest to label 0 (IoU 0.81), also overlaps label 1
        { image: 0, category: 0, confidence: 0.9, shape: { kind: "box", box: [0, 0, 9, 9] } },
        // also closest to label 0 with IoU 1 at equal confidence: ranks first
        { image: 0, category: 0, confidence: 0.9, shape: { kind: "box", box: [0, 0, 10, 10] } },
      ],
    };
    const v = analyze(engine, input).at({ iou: 0.5 });
    const ex = v.explorer();
    expect(ex.predictions.map((r) => [r.candidate, r.outcome, r.reason])).toEqual([
      [0, "FP", "a higher-confidence prediction already matched the label"],
      [0, "TP", null],
    ]);
    // label 1 is missed although a prediction of its class overlaps it: that prediction went to label 0
    expect(ex.labels.map((r) => [r.outcome, r.reason])).toEqual([
      ["TP", null],
      ["FN", "same-class predictions matched elsewhere"],
    ]);
    expect(v.classes[0]).toMatchObject({ tp: 1, fp: 1, fn: 1 });
  });

  it("any-class: a prediction closest to another class is a false positive at every threshold", () => {
    const input: AnalysisInput = {
      images: [img],
      categories: cats,
      labels: [
        { image: 0, category: 1, shape: { kind: "box", box: [0, 0, 10, 10] } },
        { image: 0, category: 0, shape: { kind: "box", box: [5, 0, 10, 10] } },
      ],
      predictions: [{ image: 0, category: 0, confidence: 0.9, shape: { kind: "box", box: [1, 0, 10, 10] } }],
    };
    for (const t of [0.1, 0.3, 0.5]) {
      const any = analyze(engine, input, { candidates: "any-class" }).at({ iou: t });
      expect(any.explorer().predictions[0]).toMatchObject({ outcome: "FP", reason: "closest label is another class", candidate: 0 });
      // label 1's class-0 prediction overlaps it but has label 0 (another class) as candidate
      expect(any.explorer().labels.map((r) => r.reason)).toEqual([t <= 0.9 ? "only other classes" : "no prediction", "same-class predictions matched elsewhere"]);
      const same = analyze(engine, input).at({ iou: t });
      expect(same.explorer().predictions[0]).toMatchObject({ candidate: 1, outcome: t < 0.43 ? "TP" : "FP" });
    }
  });

  it("classes with predictions but no labels count with AP 0; classes with neither are left out", () => {
    const input: AnalysisInput = {
      images: [img],
      categories: [...cats, { id: 3, name: "c" }],
      labels: [{ image: 0, category: 0, shape: { kind: "box", box: [0, 0, 10, 10] } }],
      predictions: [
        { image: 0, category: 0, confidence: 0.9, shape: { kind: "box", box: [0, 0, 10, 10] } },
        { image: 0, category: 1, confidence: 0.9, shape: { kind: "box", box: [0, 0, 10, 10] } },
      ],
    };
    const v = analyze(engine, input).at({ iou: 0.5 });
    expect(v.classes.map((c) => [c.categoryId, c.ap])).toEqual([
      [1, 1],
      [2, 0],
    ]);
    expect(v.mAP).toBe(0.5);
    // a class subset without that class
    expect(analyze(engine, input).at({ iou: 0.5, classes: [1] }).mAP).toBe(1);
  });

  it("crowd labels are never false negatives and absorb would-be false positives (intersection / prediction area)", () => {
    const input: AnalysisInput = {
      images: [img],
      categories: cats,
      labels: [{ image: 0, category: 0, crowd: true, shape: { kind: "box", box: [0, 0, 20, 20] } }],
      predictions: [
        { image: 0, category: 0, confidence: 0.9, shape: { kind: "box", box: [0, 0, 4, 4] } },
        { image: 0, category: 0, confidence: 0.8, shape: { kind: "box", box: [18, 18, 4, 4] } }, // 4 of 16 px inside... clipped to the image
        { image: 0, category: 1, confidence: 0.8, shape: { kind: "box", box: [0, 0, 4, 4] } },
      ],
    };
    const v = analyze(engine, input).at({ iou: 0.5 });
    expect(v.explorer().predictions.map((r) => r.outcome)).toEqual(["ignored", "ignored", "FP"]);
    expect(v.fn).toBe(0);
    expect(v.explorer().labels[0]!.outcome).toBe("crowd");
  });

  it("PR curve, envelope, confidence curve and best F1 from raw counts", () => {
    const labels = [0, 1, 2].map((i) => ({ image: 0, category: 0, shape: { kind: "box" as const, box: [i * 6, 0, 5, 5] as const } }));
    const predictions = [
      { image: 0, category: 0, confidence: 0.9, shape: { kind: "box" as const, box: [0, 0, 5, 5] as const } }, // TP
      { image: 0, category: 0, confidence: 0.8, shape: { kind: "box" as const, box: [0, 10, 5, 5] as const } }, // FP
      { image: 0, category: 0, confidence: 0.7, shape: { kind: "box" as const, box: [6, 0, 5, 5] as const } }, // TP
      { image: 0, category: 0, confidence: 0.7, shape: { kind: "box" as const, box: [12, 10, 5, 5] as const } }, // FP
    ];
    const v = analyze(engine, { images: [img], categories: cats, labels, predictions }).at({ iou: 0.5 });
    const pr = v.prCurve(1);
    expect([...pr.precision]).toEqual([1, 0.5, 2 / 3, 0.5]);
    expect([...pr.recall]).toEqual([1 / 3, 1 / 3, 2 / 3, 2 / 3]);
    expect([...pr.envelope]).toEqual([1, 2 / 3, 2 / 3, 0.5]);
    // 34 thresholds r <= 1/3 at precision 1, 33 in (1/3, 2/3] at 2/3, the rest 0
    let want = 0;
    for (let i = 0; i <= 100; i++) want += i * 0.01 <= 1 / 3 ? 1 : i * 0.01 <= 2 / 3 + 1e-12 ? 2 / 3 : 0;
    expect(pr.ap).toBeCloseTo(want / 101, 12);
    const cc = v.confidenceCurve(1);
    expect([...cc.confidence]).toEqual([0.9, 0.8, 0.7]);
    expect([...cc.precision]).toEqual([1, 0.5, 0.5]);
    expect(cc.best).toEqual({ confidence: 0.7, precision: 0.5, recall: 2 / 3, f1: 2 * 0.5 * (2 / 3) / (0.5 + 2 / 3) });
    const h = v.iouHistogram();
    expect(h.tp[19]).toBe(2);
    expect(h.fp[0]).toBe(2);
  });

  it("metric correlation, metric performance and user metrics honour the filter", () => {
    const input = randomInput(77, { images: 5, classes: 2 });
    const a = analyze(engine, input, { metrics: { predictions: { score2: input.predictions.map((p) => 2 * p.confidence!) } } });
    const v = a.at({ iou: 0.5 });
    const rows = v.metricCorrelation();
    const conf = rows.find((r) => r.metric === "confidence")!;
    const score2 = rows.find((r) => r.metric === "score2")!;
    expect(score2.pearson).toBeCloseTo(conf.pearson, 12);
    expect(score2.spearman).toBeCloseTo(conf.spearman, 12);
    expect(conf.n).toBe(v.tp + v.fp);
    const bins = v.metricPerformance("area", { bins: 4 });
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(v.tp + v.fp);
    expect(bins.reduce((s, b) => s + b.tp, 0)).toBe(v.tp);
    const lbins = v.metricPerformance("area", { target: "labels", bins: 3 });
    expect(lbins.reduce((s, b) => s + b.fn, 0)).toBe(v.fn);
    // a metric range filter on area
    const areas = a.metric("predictions", "area")!;
    const larea = a.metric("labels", "area")!;
    const w = a.at({ iou: 0.5, metricRanges: [{ metric: "area", min: 20 }] });
    const same = a.at({ iou: 0.5, predictions: [...areas].map((x) => x >= 20), labels: [...larea].map((x) => x >= 20) });
    expect(w.summary()).toEqual(same.summary());
    a.addMetric("labels", "byId", Object.fromEntries(input.labels.map((l, i) => [String(l.id), i])));
    expect([...a.metric("labels", "byId")!]).toEqual(input.labels.map((_, i) => i));
  });

  it("explorer exports JSON and CSV", () => {
    const input = randomInput(5, { images: 3 });
    const v = analyze(engine, input).at({ iou: 0.5, confidence: 0.3 });
    const ex = v.explorer();
    const csv = v.explorerCsv().trim().split("\n");
    expect(csv.length).toBe(1 + ex.predictions.length + ex.labels.length);
    expect(csv[0]).toBe("kind,index,id,imageId,categoryId,confidence,candidate,candidateId,candidateCategoryId,iou,matchedBy,outcome,reason");
    expect(JSON.parse(v.explorerJson())).toEqual(JSON.parse(JSON.stringify(ex)));
  });

  it("empty inputs", () => {
    const none = analyze(engine, { images: [img], categories: cats, labels: [], predictions: [] }).at();
    expect([none.mAP, none.mAR, none.tp, none.fp, none.fn, none.classes.length]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(none.prCurve().precision.length).toBe(0);
    expect(none.confidenceCurve().best.f1).toBe(0);
    const onlyLabels = analyze(engine, { images: [img], categories: cats, labels: [{ image: 0, category: 1, shape: { kind: "box", box: [0, 0, 5, 5] } }], predictions: [] }).at();
    expect(onlyLabels.classes.map((c) => [c.categoryId, c.ap, c.fn])).toEqual([[2, 0, 1]]);
    expect(onlyLabels.explorer().labels[0]!.reason).toBe("no prediction");
  });

  it("classes by id or by name (the CLI's --classes), and a name two categories share is refused", () => {
    const input = randomInput(5);
    const a = analyze(engine, input);
    const byId = a.at({ classes: [1, 3] });
    const byName = a.at({ classes: ["c1", "c3"] });
    expect(byName.classes.map((c) => c.categoryId)).toEqual([1, 3]);
    expect(byName.mAP).toBe(byId.mAP);
    expect(a.at({ classes: ["1", "c3"] }).mAP).toBe(byId.mAP); // "1" is an id (as the CLI passes it)
    const twins = analyze(engine, { ...input, categories: input.categories.map((c, k) => ({ ...c, name: k < 2 ? "twin" : c.name })) });
    expect(() => twins.at({ classes: ["twin"] })).toThrow(/^classes: "twin" is the name of several categories: give their ids$/);
    expect(twins.at({ classes: ["c3"] }).classes.map((c) => c.categoryId)).toEqual([3]);
  });

  it("curves and histograms serialise as JSON arrays (not typed-array objects)", () => {
    const v = analyze(engine, randomInput(7)).at({ iou: 0.5 });
    const pr = v.prCurve();
    const json = JSON.parse(JSON.stringify({ pr, conf: v.confidenceCurve(), hist: v.iouHistogram({ bins: 4 }) }));
    expect(Array.isArray(json.pr.precision)).toBe(true);
    expect(json.pr.precision).toEqual(Array.from(pr.precision));
    expect(json.pr.ap).toBe(pr.ap);
    expect(json.conf.best).toEqual(v.confidenceCurve().best);
    expect(json.hist.tp).toEqual(Array.from(v.iouHistogram({ bins: 4 }).tp));
    expect(Object.keys(pr)).toEqual(["confidence", "precision", "recall", "envelope", "interpolated", "ap"]); // toJSON is not enumerable
  });

  it("the random sets the brute-force comparisons use meet every FN reason (so each rule is compared)", () => {
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 30; seed++) {
      for (const candidates of ["same-class", "any-class"] as const) {
        const a = analyze(engine, randomInput(seed), { candidates });
        for (const l of [0.1, 0.3, 0.5].flatMap((iou) => a.at({ iou }).explorer().labels)) {
          if (l.outcome === "FN") seen.set(l.reason!, (seen.get(l.reason!) ?? 0) + 1);
        }
      }
    }
    for (const r of FN_REASONS) expect(seen.get(r) ?? 0, `${r} (seen: ${JSON.stringify([...seen])})`).toBeGreaterThan(0);
  });

  it("rejects bad questions with a named option", () => {
    const a = analyze(engine, randomInput(3));
    expect(() => a.at({ iou: 0 })).toThrow(/^iou: expected a number in \(0, 1\]/);
    expect(() => a.at({ iou: 1.5 })).toThrow(/^iou:/);
    expect(() => a.at({ classes: [999] })).toThrow(/^classes: no category with id 999/);
    expect(() => a.at({ classes: ["nope"] })).toThrow(/^classes: no category with id or name "nope"/);
    expect(() => a.at({ images: ["nope"] })).toThrow(/^images: no image with id "nope"/);
    expect(() => a.at({ metricRanges: [{ metric: "nope" }] })).toThrow(/^metricRanges\[0\]\.metric: unknown metric "nope"/);
  });
});

describe("analysis: boxes with a negative size", () => {
  it("are refused with the path (they would render mirrored and match their twin perfectly)", () => {
    const box = (w: number) => ({ kind: "box" as const, box: [30, 10, w, 10] as [number, number, number, number] });
    const input: AnalysisInput = {
      images: [{ id: 1, width: 50, height: 50 }],
      categories: [{ id: 1, name: "a" }],
      labels: [{ image: 0, category: 0, shape: box(-10) }],
      predictions: [{ image: 0, category: 0, confidence: 0.9, shape: box(-10) }],
    };
    expect(() => analyze(engine, input)).toThrow("labels[0].shape: a box needs a width and height >= 0, got -10 x 10");
    expect(() => analyze(engine, { ...input, labels: [{ ...input.labels[0]!, shape: box(10) }] })).toThrow("predictions[0].shape: a box needs a width and height >= 0");
    expect(() => analyze(engine, { ...input, labels: [], predictions: [{ image: 0, category: 0, confidence: 1, shape: { kind: "rotated", box: [20, 20, 5, -4, 30] } }] })).toThrow(
      "predictions[0].shape: a rotated box needs a width and height >= 0, got 5 x -4",
    );
    // a box the renderer cannot take: the object's path and the way round it
    expect(() => analyze(engine, { ...input, labels: [{ image: 0, category: 0, shape: { kind: "box", box: [0, 0, 1e12, 10] } }], predictions: [] })).toThrow(
      /^labels\[0\]: rleFromBox: box\[\d\] = 1000000000000 is out of range .* \(analysis renders boxes as masks; iou "box" \/ --box-iou compares them exactly without rendering\)$/,
    );
    // from COCO input, the COCO path
    const ds = parseCocoDataset({
      images: [{ id: 1, width: 50, height: 50 }],
      categories: [{ id: 1, name: "a" }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [30, 10, 10, 10], area: 100, iscrowd: 0 }],
    });
    const dt = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [30, 10, -10, 10], score: 1 }], ds);
    expect(() => fromCoco(engine, ds, dt, { iouType: "bbox" })).toThrow("results[0].bbox: analysis needs a width and height >= 0, got -10 x 10");
  });
});
