// Analysis mode with rotated boxes: pairs of a rotated box with a rotated or axis-aligned box take the
// exact polygon IoU (rotatedIou "exact", the default), checked on closed-form values; "mask" keeps
// the rendered IoU (Encord's rule); pairs with any other shape stay on masks either way.
import { beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../../bindings/analysis/analyze.js";
import { AnalysisInputError, type AnalysisInput, type Shape } from "../../bindings/analysis/types.js";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { rotatedBoxToPolygon } from "../../bindings/geometry/types.js";

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

const S = 100; // square side
const rot = (cx: number, cy: number, w: number, h: number, a: number): Shape => ({ kind: "rotated", box: [cx, cy, w, h, a] });
// image 0: a square and the same square turned 45 degrees (rotated vs rotated): IoU 1/sqrt(2)
// image 1: the turned square against the axis-aligned box of the square (rotated vs box): 1/sqrt(2)
// image 2: a 20 x 20 square turned 45 degrees against a crowd box cutting off its left tip:
//          crowd IoU 1 - d^2 / 400 with d = 10 sqrt(2) - 10 (the tip is a right triangle of area d^2)
// image 3: a polygon label (the same square's outline) against the turned square: stays on masks
// image 4: two labels, the square and the square turned the other way (label vs label)
function input(): AnalysisInput {
  const images = [0, 1, 2, 3, 4].map((id) => ({ id, width: 200, height: 200 }));
  return {
    images,
    categories: [{ id: 1, name: "thing" }],
    labels: [
      { id: "l0", image: 0, category: 0, shape: rot(100, 100, S, S, 0) },
      { id: "l1", image: 1, category: 0, shape: { kind: "box", box: [50, 50, S, S] } },
      { id: "l2", image: 2, category: 0, shape: { kind: "box", box: [140, 100, 60, 100] }, crowd: true },
      { id: "l3", image: 3, category: 0, shape: { kind: "polygon", parts: [rotatedBoxToPolygon([100, 100, S, S, 0])] } },
      { id: "l4", image: 4, category: 0, shape: rot(100, 100, S, S, 0) },
      { id: "l4b", image: 4, category: 0, shape: rot(100, 100, S, S, -45) },
    ],
    predictions: [
      { id: "p0", image: 0, category: 0, confidence: 0.9, shape: rot(100, 100, S, S, 45) },
      { id: "p1", image: 1, category: 0, confidence: 0.8, shape: rot(100, 100, S, S, 45) },
      { id: "p2", image: 2, category: 0, confidence: 0.7, shape: rot(150, 150, 20, 20, 45) },
      { id: "p3", image: 3, category: 0, confidence: 0.6, shape: rot(100, 100, S, S, 45) },
    ],
  };
}

const d = 10 * Math.SQRT2 - 10;
const CROWD = 1 - (d * d) / 400;

describe("analysis mode: rotated boxes", () => {
  it("take the exact IoU by default (rotated vs rotated, rotated vs box, crowd)", () => {
    for (const eng of [engine, new ReferenceGeometry()]) {
      const a = analyze(eng, input());
      expect(Math.abs(a.p.pIou[0]! - Math.SQRT1_2)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(a.p.pIou[1]! - Math.SQRT1_2)).toBeLessThanOrEqual(1e-12);
      expect(a.p.pCand[2]).toBe(-1); // the only label is a crowd region
      expect(Math.abs(a.p.pCrowd[2]! - CROWD)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(a.p.labelMetrics.maxIouWithOtherLabel![4]! - Math.SQRT1_2)).toBeLessThanOrEqual(1e-12);
    }
  });
  it("keep rendered masks for any other shape, and for all with rotatedIou 'mask'", () => {
    const inp = input();
    const masks = (img: number) => {
      const [p] = inp.predictions.filter((o) => o.image === img);
      const [l] = inp.labels.filter((o) => o.image === img);
      const r = (s: Shape) => {
        if (s.kind === "rotated") return engine.rleFromRotatedBox(s.box, 200, 200);
        if (s.kind === "box") return engine.rleFromBox(s.box, 200, 200);
        if (s.kind === "polygon") return engine.rleFromPolygons(s.parts, 200, 200);
        throw new Error("not a shape of this test");
      };
      return engine.maskIou([r(p!.shape)], [r(l!.shape)], [l!.crowd ? 1 : 0])[0]!;
    };
    const exact = analyze(engine, inp);
    expect(exact.p.pIou[3]).toBe(masks(3));
    const m = analyze(engine, inp, { rotatedIou: "mask" });
    expect(m.p.pIou[0]).toBe(masks(0));
    expect(m.p.pIou[1]).toBe(masks(1));
    expect(m.p.pCrowd[2]).toBe(masks(2));
    // the rendered values are not the exact ones (so the default really changes them)
    expect(Math.abs(m.p.pIou[0]! - Math.SQRT1_2)).toBeGreaterThan(1e-6);
  });
  it("refuses an unknown rotatedIou", () => {
    expect(() => analyze(engine, input(), { rotatedIou: "polygon" as "exact" })).toThrow(new AnalysisInputError('rotatedIou: expected "exact" or "mask", got "polygon"'));
  });
});
