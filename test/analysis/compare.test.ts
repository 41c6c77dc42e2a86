// compare(): each model's numbers are those of its own view, the per-class columns line up by
// category, the label flips equal a brute-force matching of each model alone, and the paired
// differences are the per-resample differences of the two views' own bootstraps (same draws).
import { describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { compare } from "../../bindings/analysis/compare.js";
import { AnalysisInputError, type AnalysisInput } from "../../bindings/analysis/types.js";
import { bruteData, randomInput } from "../helpers/analysis.js";
import { bruteForce } from "../helpers/analysis-bruteforce.js";

const engine = await createEngine();

/** The labels of `seed`'s input with the predictions of another seed's (same images and classes). */
function twoModels(seed: number): [AnalysisInput, AnalysisInput] {
  const a = randomInput(seed, { images: 3, classes: 3 });
  const other = randomInput(seed + 500, { images: 3, classes: 3 });
  return [a, { ...a, predictions: other.predictions }];
}

describe("compare", () => {
  it("models, classes and flips against brute force on random inputs (20 seeds, two IoU thresholds)", () => {
    let flips = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const inputs = twoModels(seed);
      for (const t of [0.3, 0.6]) {
        const views = inputs.map((inp) => analyze(engine, inp).at({ iou: t }));
        const c = compare(views, { names: ["A", "B"], resamples: 0 });
        expect(c.models.map((m) => m.name)).toEqual(["A", "B"]);
        views.forEach((v, i) => {
          const { classes, ...rest } = v.summary();
          expect(c.models[i]).toEqual({ name: ["A", "B"][i], ...rest });
          for (const k of classes) expect(c.classes.find((x) => x.categoryId === k.categoryId)!.ap[i]).toBe(k.ap);
        });
        const brute = inputs.map((inp) => bruteForce(bruteData(engine, inp), { t, c: -Infinity, mode: "same-class" }));
        const gained: number[] = [];
        const lost: number[] = [];
        inputs[0].labels.forEach((_, l) => {
          const x = brute[0]!.label[l]?.outcome;
          const y = brute[1]!.label[l]?.outcome;
          if (x === "FN" && y === "TP") gained.push(l);
          if (x === "TP" && y === "FN") lost.push(l);
        });
        const ctx = `seed ${seed} t ${t}`;
        expect(c.pairs[0]!.gained.map((f) => f.index), ctx).toEqual(gained);
        expect(c.pairs[0]!.lost.map((f) => f.index), ctx).toEqual(lost);
        flips += gained.length + lost.length;
        expect(c.pairs[0]!.mAP.delta).toBe(views[1]!.mAP - views[0]!.mAP);
        expect(c.pairs[0]!.mAP.lo).toBeNull();
      }
    }
    expect(flips).toBeGreaterThan(10); // the cases hold flips in both directions to compare
  });

  it("paired differences: the per-resample differences of the two views' bootstraps with the same seed", () => {
    const views = twoModels(7).map((inp) => analyze(engine, inp).at({ iou: 0.5 }));
    const c = compare(views, { resamples: 300, seed: 9 });
    const [sa, sb] = views.map((v) => v.bootstrap({ resamples: 300, seed: 9, keepSamples: true }).samples!);
    const d = Array.from(sb!.mAP, (v, i) => v - sa!.mAP[i]!).sort((x, y) => x - y);
    const le = d.filter((v) => v <= 0).length;
    const ge = d.filter((v) => v >= 0).length;
    expect(c.pairs[0]!.mAP.p).toBe(Math.min(1, (2 * Math.min(le, ge)) / d.length));
    expect(c.pairs[0]!.mAP.lo).toBeGreaterThanOrEqual(d[0]!);
    expect(c.pairs[0]!.mAP.hi).toBeLessThanOrEqual(d[d.length - 1]!);
    // a model against itself: no difference on any resample
    const self = compare([views[0]!, views[0]!], { resamples: 100 });
    expect(self.pairs[0]!.mAP).toEqual({ delta: 0, lo: 0, hi: 0, p: 1 });
    expect(self.pairs[0]!.gained).toEqual([]);
    for (const k of self.pairs[0]!.classes) expect(k.ap.delta).toBe(0);
  });

  it("three models: every model against the first", () => {
    const [a, b] = twoModels(3);
    const third = { ...a, predictions: randomInput(77, { images: 3, classes: 3 }).predictions };
    const c = compare([a, b, third].map((inp) => analyze(engine, inp).at()), { resamples: 50 });
    expect(c.pairs.map((p) => [p.baseline, p.model])).toEqual([[0, 1], [0, 2]]);
    expect(c.classes.every((k) => k.ap.length === 3)).toBe(true);
  });

  it("refuses views of other labels, and fewer than two views", () => {
    const x = analyze(engine, randomInput(1, { images: 3, classes: 3 })).at();
    const y = analyze(engine, randomInput(2, { images: 3, classes: 3 })).at();
    expect(() => compare([x, y])).toThrow(AnalysisInputError);
    expect(() => compare([x, y])).toThrow(/^compare: model 2 was analysed with other labels/);
    expect(() => compare([x])).toThrow(TypeError);
  });
});
