// Bootstrap intervals: each resample's values equal a fresh analysis of the resampled data set built
// explicitly (every drawn image copied as often as drawn), so the re-weighting is exact; the
// intervals are seeded (the generator's own test: test/coco/resample.test.ts).
import { describe, expect, it } from "vitest";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { rng } from "../../bindings/coco/resample.js";
import type { AnalysisInput, ObjectInput } from "../../bindings/analysis/types.js";
import type { AtOptions } from "../../bindings/analysis/analysis.js";
import { randomInput } from "../helpers/analysis.js";

const engine = new ReferenceGeometry();

/** The data set of one resample: image i copied w[i] times, each object's copies adjacent in input order. */
function expand(input: AnalysisInput, w: Int32Array): AnalysisInput {
  const images: AnalysisInput["images"][number][] = [];
  const first = new Int32Array(input.images.length);
  input.images.forEach((im, i) => {
    first[i] = images.length;
    for (let c = 0; c < w[i]!; c++) images.push({ ...im, id: `${im.id}#${c}` });
  });
  const copy = (objs: readonly ObjectInput[]) => objs.flatMap((o) => Array.from({ length: w[o.image]! }, (_, c) => ({ ...o, image: first[o.image]! + c })));
  return { ...input, images, labels: copy(input.labels), predictions: copy(input.predictions) };
}

/** The image weights of the first `count` resamples, drawn the way bootstrap() draws them. */
function draws(seed: number, pool: number[], nImage: number, count: number): Int32Array[] {
  const next = rng(seed);
  return Array.from({ length: count }, () => {
    const w = new Int32Array(nImage);
    for (let i = 0; i < pool.length; i++) w[pool[Math.floor(next() * pool.length)]!]!++;
    return w;
  });
}

describe("bootstrap", () => {
  const cases: { seed: number; at: (input: AnalysisInput) => AtOptions }[] = [
    { seed: 11, at: () => ({}) },
    { seed: 12, at: () => ({ iou: 0.3, confidence: 0.5 }) },
    { seed: 13, at: (input) => ({ iou: 0.5, classes: [input.categories[0]!.id] }) },
    { seed: 14, at: (input) => ({ iou: 0.5, images: input.images.filter((_, i) => i % 2 === 0).map((im) => im.id) }) },
  ];
  for (const { seed, at } of cases) {
    it(`every resample equals a fresh analysis of the resampled data (case ${seed})`, () => {
      const input = randomInput(seed, { images: 6, classes: 3 });
      const opts = at(input);
      const view = analyze(engine, input).at(opts);
      const B = 12;
      const res = view.bootstrap({ resamples: B, seed: seed * 3, keepSamples: true });
      const sel = opts.images ? new Set(opts.images) : null;
      const pool = input.images.map((_, i) => i).filter((i) => !sel || sel.has(input.images[i]!.id));
      const ws = draws(seed * 3, pool, input.images.length, B);
      ws.forEach((w, b) => {
        const big = expand(input, w);
        const bigOpts: AtOptions = { ...opts, ...(opts.images ? { images: big.images.map((im) => im.id) } : {}) };
        const v = analyze(engine, big).at(bigOpts);
        const s = res.samples!;
        expect(s.mAP[b], `resample ${b}`).toBe(v.mAP);
        expect(s.mAR[b]).toBe(v.mAR);
        expect(s.mP[b]).toBe(v.mP);
        expect(s.mF1[b]).toBe(v.mF1);
        expect(s.precision[b]).toBe(v.precision);
        expect(s.recall[b]).toBe(v.recall);
        expect(s.f1[b]).toBe(v.f1);
        res.classes.forEach((c, k) => {
          const r = v.class(c.categoryId);
          if (r) expect(s.ap[k]![b], `class ${c.categoryId}`).toBe(r.ap);
          else expect(s.ap[k]![b]).toBeNaN();
        });
      });
      expect(res.mAP.estimate).toBe(view.mAP);
      expect(res.classes.map((c) => c.categoryId)).toEqual(view.classes.map((c) => c.categoryId));
    });
  }

  it("intervals are seeded, ordered and cover the estimate's neighbourhood", () => {
    const input = randomInput(21, { images: 12, classes: 3 });
    const view = analyze(engine, input).at({ iou: 0.5 });
    const a = view.bootstrap({ resamples: 400, seed: 5 });
    const b = view.bootstrap({ resamples: 400, seed: 5 });
    const c = view.bootstrap({ resamples: 400, seed: 6 });
    expect(a).toEqual(b);
    expect(c.mAP.lo === a.mAP.lo && c.mAP.hi === a.mAP.hi).toBe(false);
    for (const x of [a.mAP, a.precision, a.recall, a.f1, a.mAR]) {
      expect(x.lo).toBeLessThanOrEqual(x.hi);
      expect(x.se).toBeGreaterThan(0);
      expect(x.lo).toBeLessThanOrEqual(x.estimate + 0.15);
      expect(x.hi).toBeGreaterThanOrEqual(x.estimate - 0.15);
    }
    const narrow = view.bootstrap({ resamples: 400, seed: 5, level: 0.5 });
    expect(narrow.mAP.hi - narrow.mAP.lo).toBeLessThan(a.mAP.hi - a.mAP.lo);
    expect(a.samples).toBeUndefined();
  });

  it("bad options and empty views", () => {
    const view = analyze(engine, randomInput(2)).at();
    expect(() => view.bootstrap({ resamples: 0 })).toThrow(/resamples: expected an integer/);
    expect(() => view.bootstrap({ resamples: 1.5 })).toThrow(/resamples/);
    expect(() => view.bootstrap({ seed: Number.NaN })).toThrow(/seed: expected an integer/);
    expect(() => view.bootstrap({ level: 1 })).toThrow(/level: expected a number in \(0, 1\)/);
    const input = randomInput(2);
    const empty = analyze(engine, { ...input, predictions: [] }).at().bootstrap({ resamples: 20 });
    expect(empty.mAP).toMatchObject({ estimate: 0, lo: 0, hi: 0 });
    const nothing = analyze(engine, { ...input, predictions: [], labels: [] }).at().bootstrap({ resamples: 20 });
    expect(nothing.classes).toEqual([]);
    expect(nothing.mAP).toMatchObject({ estimate: 0, lo: 0, hi: 0 });
  });
});
