// Polylines in analysis mode: Encord-style `polyline` objects rendered lineWidth px wide (default 30,
// CULane's), compared by mask IoU; the IoU equals the one of per-pixel distance masks built here.
import { describe, expect, it } from "vitest";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { parseEncordJson } from "../../bindings/analysis/encord-format.js";

const engine = new ReferenceGeometry();
const W = 120;
const H = 90;

/** The pixels whose centre is within width / 2 of the path (points in pixels). */
function naiveMask(pts: number[], width: number): Uint8Array {
  const out = new Uint8Array(W * H);
  const n = pts.length / 2;
  for (let x = 0; x < W; x++)
    for (let y = 0; y < H; y++) {
      let d = Infinity;
      for (let i = 0; i < Math.max(1, n - 1); i++) {
        const j = Math.min(i + 1, n - 1);
        const [ax, ay, bx, by] = [pts[2 * i]!, pts[2 * i + 1]!, pts[2 * j]!, pts[2 * j + 1]!];
        const L2 = (bx - ax) ** 2 + (by - ay) ** 2;
        const t = L2 === 0 ? 0 : Math.max(0, Math.min(1, ((x + 0.5 - ax) * (bx - ax) + (y + 0.5 - ay) * (by - ay)) / L2));
        d = Math.min(d, Math.hypot(x + 0.5 - (ax + t * (bx - ax)), y + 0.5 - (ay + t * (by - ay))));
      }
      out[x * H + y] = d <= width / 2 ? 1 : 0;
    }
  return out;
}
const iouOf = (a: Uint8Array, b: Uint8Array) => {
  let i = 0;
  let u = 0;
  for (let k = 0; k < a.length; k++) {
    i += a[k]! & b[k]!;
    u += a[k]! | b[k]!;
  }
  return i / u;
};
const path = (pts: number[]) => Array.from({ length: pts.length / 2 }, (_, i) => ({ x: pts[2 * i]!, y: pts[2 * i + 1]! }));

const lane = [10.3, 85.2, 40.7, 50.1, 60.2, 5.9];
const shifted = lane.map((v, i) => (i % 2 === 0 ? v + 6 : v));
const far = [100.5, 80.5, 110.5, 10.5];
const doc = {
  coordinates: "pixels",
  images: [{ id: 1, width: W, height: H }],
  labels: [{ image: 1, class: "lane", polyline: path(lane) }],
  predictions: [
    { image: 1, class: "lane", confidence: 0.9, polyline: path(shifted) },
    { image: 1, class: "lane", confidence: 0.8, polyline: path(far) },
  ],
};

describe("polylines in analysis mode", () => {
  for (const width of [undefined, 8, 30.5]) {
    it(`IoU of the ${width ?? "default 30"} px wide lines equals the per-pixel distance masks' IoU`, () => {
      const a = analyze(engine, parseEncordJson(doc), width === undefined ? {} : { lineWidth: width });
      expect(a.p.lineWidth).toBe(width ?? 30);
      const rows = a.at({ iou: 0.5 }).explorer().predictions;
      const w = width ?? 30;
      expect(rows[0]!.iou).toBe(iouOf(naiveMask(shifted, w), naiveMask(lane, w)));
      expect(rows[1]!.iou).toBe(0);
    });
  }

  it("the default 30 px (CULane) makes a 6 px shift a TP, 8 px wide lines an FP", () => {
    expect(analyze(engine, parseEncordJson(doc)).at({ iou: 0.5 }).tp).toBe(1);
    expect(analyze(engine, parseEncordJson(doc), { lineWidth: 8 }).at({ iou: 0.5 }).tp).toBe(0);
  });

  it("a one-point or all-equal polyline is the disc of the width; bad widths and empty paths are one-line errors", () => {
    const dot = { ...doc, labels: [{ image: 1, class: "lane", polyline: [{ x: 50.5, y: 40.5 }, { x: 50.5, y: 40.5 }] }], predictions: [{ image: 1, class: "lane", confidence: 1, polyline: [{ x: 50.5, y: 40.5 }] }] };
    const a = analyze(engine, parseEncordJson(dot), { lineWidth: 10 });
    expect(a.at({ iou: 0.99 }).tp).toBe(1);
    const naive = naiveMask([50.5, 40.5], 10).reduce((s, v) => s + v, 0);
    expect(a.metric("labels", "area")![0]).toBe(naive);
    expect(() => analyze(engine, parseEncordJson(doc), { lineWidth: 0 })).toThrow(/^lineWidth: expected a width in pixels in \(0, 10000\], got 0$/);
    expect(() => parseEncordJson({ ...doc, labels: [{ image: 1, class: "lane", polyline: [] }] })).toThrow(/^labels\[0\]\.polyline: a polyline needs at least 1 point, got 0$/);
  });
});
