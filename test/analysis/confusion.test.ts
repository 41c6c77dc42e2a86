// The confusion matrix against a naive count written from its rule (ConfusionMatrix's doc): the
// outcomes of the brute-force analysis, every prediction's closest label of any class found by brute
// force, false positives taking free labels most confident first. Random data, both candidate modes,
// thresholds, confidences and subsets.
import { describe, expect, it } from "vitest";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { confusionObjects } from "../../bindings/analysis/confusion.js";
import type { AnalysisInput } from "../../bindings/analysis/types.js";
import { bruteForce, candidateOf, type BruteData, type BruteQuery } from "../helpers/analysis-bruteforce.js";
import { atOptionsOf, bruteData, randomInput, rng } from "../helpers/analysis.js";

const engine = new ReferenceGeometry();

/** counts[predicted][true] over the query's classes (ascending) + background, by the rule, naively. */
function bruteConfusion(d: BruteData, q: BruteQuery): { classes: number[]; counts: number[][] } {
  const res = bruteForce(d, q);
  const classes = res.classes.map((c) => c.k);
  const n = classes.length;
  const idx = (k: number) => {
    const i = classes.indexOf(k);
    return i < 0 ? n : i;
  };
  const counts = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
  const taken = new Set<number>();
  for (let l = 0; l < d.labels.length; l++) if (res.label[l]?.outcome === "TP") taken.add(l);
  const own = d.predictions.map((_, p) => candidateOf(d, p, q.mode));
  const fps: number[] = [];
  res.pred.forEach((o, p) => {
    if (o?.outcome === "TP") counts[idx(d.predictions[p]!.category)]![idx(d.predictions[p]!.category)]!++;
    if (o?.outcome === "FP") fps.push(p);
  });
  fps.sort((a, b) => d.predictions[b]!.confidence! - d.predictions[a]!.confidence! || own[b]!.iou - own[a]!.iou || a - b);
  for (const p of fps) {
    const P = d.predictions[p]!;
    const { cand, iou } = candidateOf(d, p, "any-class");
    let col = n;
    if (cand >= 0 && iou >= q.t) {
      const L = d.labels[cand]!;
      const kept = res.label[cand] !== undefined;
      if (kept && L.category !== P.category && !taken.has(cand) && classes.includes(L.category)) {
        col = idx(L.category);
        taken.add(cand);
      }
    }
    counts[idx(P.category)]![col]!++;
  }
  for (let l = 0; l < d.labels.length; l++) if (res.label[l]?.outcome === "FN" && !taken.has(l)) counts[n]![idx(d.labels[l]!.category)]!++;
  return { classes, counts };
}

function subsets(input: AnalysisInput, seed: number): Omit<BruteQuery, "t" | "c" | "mode">[] {
  const r = rng(seed);
  const pick = (n: number) => new Set(Array.from({ length: n }, (_, i) => i).filter(() => r() < 0.6));
  const predMask = input.predictions.map(() => r() < 0.7);
  const labelMask = input.labels.map(() => r() < 0.7);
  return [{}, { classes: pick(input.categories.length) }, { images: pick(input.images.length) }, { predKeep: (p) => predMask[p]!, labelKeep: (l) => labelMask[l]! }];
}


describe("confusion matrix vs a naive count", () => {
  for (const mode of ["same-class", "any-class"] as const) {
    it(`${mode}: random sets, thresholds, confidences, subsets`, () => {
      let offDiagonal = 0;
      for (let seed = 1; seed <= 50; seed++) {
        const input = randomInput(seed, seed % 5 === 0 ? { images: 5, classes: 4 } : {});
        const a = analyze(engine, input, { candidates: mode });
        const d = bruteData(engine, input, "mask");
        for (const [si, sub] of subsets(input, seed).entries())
          for (const t of [0.1, 0.3, 0.5, 0.75])
            for (const c of [-Infinity, 0.5]) {
              const q: BruteQuery = { t, c, mode, ...sub };
              const want = bruteConfusion(d, q);
              const view = a.at(atOptionsOf(input, q));
              const m = view.confusion();
              const where = `seed ${seed}, subset ${si}, t ${t}, c ${c}`;
              expect(m.categories.map((x) => x.categoryId), where).toEqual(want.classes.map((k) => input.categories[k]!.id));
              expect(m.counts, where).toEqual(want.counts);
              const n = want.classes.length;
              for (let r = 0; r < n; r++) for (let col = 0; col < n; col++) if (r !== col) offDiagonal += want.counts[r]![col]!;
              // the margins are the view's own counts
              view.classes.forEach((cr, i) => {
                expect(m.counts[i]!.reduce((x, y) => x + y, 0), where).toBe(cr.tp + cr.fp);
                expect(m.counts.reduce((x, row) => x + row[i]!, 0), where).toBe(cr.labels);
                expect(m.counts[i]![i], where).toBe(cr.tp);
              });
            }
      }
      // the rule's interesting branch was exercised
      expect(offDiagonal).toBeGreaterThan(20);
    });
  }

  it("rates, and a cell's objects are the ones counted there", () => {
    const input = randomInput(7, { images: 6, classes: 3 });
    const view = analyze(engine, input).at({ iou: 0.3 });
    const m = view.confusion();
    const side = m.categories.length + 1;
    let predictions = 0;
    for (let r = 0; r < side; r++) {
      const rowSum = m.counts[r]!.reduce((x, y) => x + y, 0);
      for (let c = 0; c < side; c++) {
        expect(m.rates[r]![c]).toBe(rowSum > 0 ? m.counts[r]![c]! / rowSum : 0);
        const o = confusionObjects(m, r, c);
        predictions += o.predictions.length;
        if (r < side - 1) expect(o.predictions.length).toBe(m.counts[r]![c]);
        else expect(o.labels.length).toBe(m.counts[r]![c]);
        for (const pi of o.predictions) expect(input.predictions[pi]!.category).toBe(input.categories.findIndex((k) => k.id === m.categories[r]!.categoryId));
        if (c < side - 1) for (const li of o.labels) expect(input.labels[li]!.category).toBe(input.categories.findIndex((k) => k.id === m.categories[c]!.categoryId));
      }
    }
    expect(predictions).toBe(view.tp + view.fp);
    expect(() => confusionObjects(m, side, 0)).toThrow(/row and a column/);
  });

  it("edge cases: no predictions, one class, all crowd", () => {
    const base = randomInput(3, { images: 3, classes: 2 });
    const none = analyze(engine, { ...base, predictions: [] }).at().confusion();
    const n = none.categories.length;
    expect(none.counts[n]!.slice(0, n).reduce((x, y) => x + y, 0)).toBe(base.labels.filter((l) => !l.crowd).length);
    expect(none.counts.slice(0, n).flat().every((v) => v === 0)).toBe(true);
    const one = { ...base, categories: base.categories.slice(0, 1), labels: base.labels.filter((l) => l.category === 0), predictions: base.predictions.filter((p) => p.category === 0) };
    const m1 = analyze(engine, one).at().confusion();
    expect(m1.counts.length).toBe(2);
    const crowd = analyze(engine, { ...base, labels: base.labels.map((l) => ({ ...l, crowd: true })) }).at().confusion();
    const k = crowd.categories.length;
    expect(crowd.counts[k]!.every((v) => v === 0)).toBe(true); // crowd labels are never missed
    for (let r = 0; r < k; r++) expect(crowd.counts[r]![r]).toBe(0);
    const empty = analyze(engine, { ...base, labels: [], predictions: [] }).at().confusion();
    expect(empty.categories).toEqual([]);
    expect(empty.counts).toEqual([[0]]);
  });
});
