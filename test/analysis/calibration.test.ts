// Calibration against a naive computation from the brute-force outcomes (bins of the confidences of
// true and false positives, ECE as the count-weighted gap, MCE the largest gap), plus hand cases.
import { describe, expect, it } from "vitest";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import type { AnalysisInput } from "../../bindings/analysis/types.js";
import { bruteForce } from "../helpers/analysis-bruteforce.js";
import { bruteData, randomInput } from "../helpers/analysis.js";

const engine = new ReferenceGeometry();

describe("calibration", () => {
  it("random sets: bins, ECE and MCE from the brute-force outcomes", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const input = randomInput(seed, { images: 4 });
      const a = analyze(engine, input);
      const d = bruteData(engine, input, "mask");
      for (const t of [0.3, 0.5, 0.75])
        for (const bins of [1, 4, 10]) {
          const res = bruteForce(d, { t, c: -Infinity, mode: "same-class" });
          const groups = Array.from({ length: bins }, () => [] as { c: number; tp: boolean }[]);
          res.pred.forEach((o, p) => {
            if (!o || o.outcome === "ignored") return;
            const c = input.predictions[p]!.confidence!;
            groups[Math.min(bins - 1, Math.floor(c * bins))]!.push({ c, tp: o.outcome === "TP" });
          });
          const total = groups.reduce((s, g) => s + g.length, 0);
          let ece = 0;
          let mce = 0;
          for (const g of groups) {
            if (g.length === 0) continue;
            const gap = Math.abs(g.filter((x) => x.tp).length / g.length - g.reduce((s, x) => s + x.c, 0) / g.length);
            ece += (g.length / total) * gap;
            mce = Math.max(mce, gap);
          }
          const cal = a.at({ iou: t }).calibration({ bins });
          expect(cal.count).toBe(total);
          expect(cal.bins.map((b) => b.count)).toEqual(groups.map((g) => g.length));
          expect(cal.bins.map((b) => b.tp)).toEqual(groups.map((g) => g.filter((x) => x.tp).length));
          expect(cal.ece).toBeCloseTo(ece, 12);
          expect(cal.mce).toBeCloseTo(mce, 12);
        }
    }
  });

  it("a hand case: two bins, known gaps; out-of-range confidences are counted", () => {
    const box = (x: number) => ({ kind: "box" as const, box: [x, 0, 10, 10] as [number, number, number, number] });
    const input: AnalysisInput = {
      images: [{ id: 1, width: 100, height: 20 }],
      categories: [{ id: 1, name: "a" }],
      labels: [0, 20, 40].map((x) => ({ image: 0, category: 0, shape: box(x) })),
      // 0.9 and 0.8 hit labels, 0.7 misses (bin [0.5, 1): 2 of 3 right), 0.2 hits (bin [0, 0.5): 1 of 1), 1.5 misses
      predictions: [
        { image: 0, category: 0, confidence: 0.9, shape: box(0) },
        { image: 0, category: 0, confidence: 0.8, shape: box(20) },
        { image: 0, category: 0, confidence: 0.7, shape: box(70) },
        { image: 0, category: 0, confidence: 0.2, shape: box(40) },
      ],
    };
    const cal = analyze(engine, input).at({ iou: 0.5 }).calibration({ bins: 2 });
    expect(cal.bins.map((b) => [b.count, b.tp])).toEqual([
      [1, 1],
      [3, 2],
    ]);
    expect(cal.bins[0]!.confidence).toBe(0.2);
    expect(cal.bins[1]!.confidence).toBeCloseTo(0.8, 15);
    expect(cal.mce).toBeCloseTo(0.8, 15);
    expect(cal.ece).toBeCloseTo(0.25 * 0.8 + 0.75 * Math.abs(2 / 3 - 0.8), 15);
    expect(cal.outOfRange).toBe(0);
    const odd = analyze(engine, { ...input, predictions: [...input.predictions, { image: 0, category: 0, confidence: 1.5, shape: box(80) }] })
      .at({ iou: 0.5 })
      .calibration({ bins: 2 });
    expect(odd.outOfRange).toBe(1);
    expect(odd.bins[1]!.count).toBe(4);
    const none = analyze(engine, { ...input, predictions: [] }).at().calibration();
    expect(none).toMatchObject({ ece: 0, mce: 0, count: 0 });
    expect(() => analyze(engine, input).at().calibration({ bins: 0 })).toThrow(/bins: expected an integer/);
  });
});
