// Property tests of the exact rotated-box IoU: the wasm kernel (checked debug build) against its
// TypeScript twin on seeded random boxes (identical, nested, touching, tiny, huge aspect ratios,
// angles across +-720 degrees), within 1e-12; and against checks that share no code with either:
// geometric invariants, bbIou on axis-aligned boxes, and the rasterised masks of large boxes.
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { rotatedBoxIou, rotatedIouMatrix } from "../../bindings/engine/rotated-iou.js";
import { TILES } from "../../bindings/engine/tiles.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { clockwiseToCcw, rotatedIouMatrixTs } from "../../bindings/geometry/rotated.js";
import { mulberry32 } from "../helpers/random.js";

type B = [number, number, number, number, number];
let wasm: Engine;
const DEFAULT_TILES = { ...TILES };
beforeAll(async () => {
  wasm = await createEngine({ wasm: readFileSync(new URL("../../build/engine.debug.wasm", import.meta.url)) });
});
afterEach(() => {
  Object.assign(TILES, DEFAULT_TILES);
});

const pack = (boxes: readonly B[]) => Float64Array.from(boxes.flat());

function randomBoxes(seed: number, count: number): B[] {
  const r = mulberry32(seed);
  const range = (lo: number, hi: number) => lo + r() * (hi - lo);
  const logRange = (lo: number, hi: number) => Math.exp(range(Math.log(lo), Math.log(hi)));
  const angle = () => (r() < 0.3 ? 90 * Math.floor(range(-8, 9)) : range(-720, 720));
  const out: B[] = [];
  while (out.length < count) {
    const kind = Math.floor(r() * 8);
    const base: B = [range(-20, 20), range(-20, 20), logRange(0.5, 40), logRange(0.5, 40), angle()];
    const [cx, cy, w, h, a] = base;
    out.push(base);
    if (kind === 0) out.push([cx, cy, w, h, a]); // identical
    else if (kind === 1) out.push([cx, cy, w * range(0.1, 1), h * range(0.1, 1), a]); // nested
    else if (kind === 2) {
      // touching: shifted by its width along its own width axis (detectron2's (cos, -sin))
      const t = (a * Math.PI) / 180;
      out.push([cx + w * Math.cos(t), cy - w * Math.sin(t), w, h, a]);
    } else if (kind === 3) out.push([cx + range(-1e-3, 1e-3), cy, logRange(1e-9, 1e-3), logRange(1e-9, 1e-3), angle()]); // tiny
    else if (kind === 4) out.push([cx, cy, logRange(1e3, 1e5), logRange(1e-3, 1e-1), angle()]); // huge aspect ratio
    else if (kind === 5) out.push([cx, cy, w, h, a + 360 * Math.floor(range(-2, 3))]); // same box, another turn
    else if (kind === 6) out.push([cx + range(-w, w), cy + range(-h, h), h, w, a + 90]); // w, h swapped with a quarter turn, shifted
  }
  return out.slice(0, count);
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("rotated IoU: wasm kernel vs TypeScript twin", () => {
  it("agrees within 1e-12 on 40,000 random pairs (and exactly in [0, 1])", () => {
    for (let seed = 1; seed <= 4; seed++) {
      const dt = pack(randomBoxes(seed, 100));
      const gt = pack(randomBoxes(seed + 100, 100));
      const crowd = Uint8Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? 1 : 0));
      const k = rotatedIouMatrix(wasm, "test", dt, gt, crowd);
      const t = rotatedIouMatrixTs(dt, gt, crowd);
      expect(maxDiff(k, t)).toBeLessThanOrEqual(1e-12);
      for (const v of k) expect(v >= 0 && v <= 1).toBe(true);
      // the special pairs sit next to each other: the diagonal-adjacent ones
      const self = pack(randomBoxes(seed, 100));
      expect(maxDiff(rotatedIouMatrix(wasm, "test", self, self, null), rotatedIouMatrixTs(self, self, null))).toBeLessThanOrEqual(1e-12);
    }
  });
  it("the ReferenceGeometry engine takes the twin, the shared synchronous instance the kernel", () => {
    const dt = pack(randomBoxes(7, 30));
    const gt = pack(randomBoxes(8, 30));
    const viaRef = rotatedIouMatrix(new ReferenceGeometry(), "test", dt, gt, null);
    expect(Array.from(viaRef)).toEqual(Array.from(rotatedIouMatrixTs(dt, gt, null)));
    expect(maxDiff(rotatedBoxIou(dt, gt), viaRef)).toBeLessThanOrEqual(1e-12);
  });
  it("gives the same values when the matrix is computed in tiles", () => {
    const dt = pack(randomBoxes(9, 37));
    const gt = pack(randomBoxes(10, 23));
    const whole = rotatedIouMatrix(wasm, "test", dt, gt, null);
    TILES.iou = 50; // two rows per tile
    expect(Array.from(rotatedIouMatrix(wasm, "test", dt, gt, null))).toEqual(Array.from(whole));
    TILES.iou = 5; // one row
    expect(Array.from(rotatedIouMatrix(wasm, "test", dt, gt, null))).toEqual(Array.from(whole));
  });
});

describe("rotated IoU: independent checks", () => {
  const boxes = randomBoxes(11, 400);
  it("identical boxes are 1, another turn of the same box is 1, nested same-centre boxes are the area ratio", () => {
    const r = mulberry32(12);
    for (const b of boxes) {
      if (!(b[2] > 1e-2 && b[3] > 1e-2)) continue;
      const turned: B = [b[0], b[1], b[2], b[3], b[4] + 360 * (1 + Math.floor(r() * 3))];
      const swapped: B = [b[0], b[1], b[3], b[2], b[4] + 90];
      const half: B = [b[0], b[1], b[2] / 2, b[3] * 0.3, b[4]];
      const out = rotatedBoxIou([b], [b, turned, swapped, [b[0], b[1], b[2], b[3], b[4] + 180], half]);
      // f64 corners of a long thin box carry its length's rounding across its width: the error grows with the aspect ratio
      const tol = 1e-12 + 1e-15 * (Math.max(b[2], b[3]) / Math.min(b[2], b[3]));
      expect(Math.abs(out[0]! - 1)).toBeLessThanOrEqual(tol);
      expect(Math.abs(out[1]! - 1)).toBeLessThanOrEqual(tol);
      expect(Math.abs(out[2]! - 1)).toBeLessThanOrEqual(tol);
      expect(Math.abs(out[3]! - 1)).toBeLessThanOrEqual(tol);
      expect(Math.abs(out[4]! - 0.15)).toBeLessThanOrEqual(tol);
    }
  });
  it("is symmetric and unchanged by a common translation", () => {
    const a = pack(boxes.slice(0, 200));
    const b = pack(boxes.slice(200));
    const ab = rotatedBoxIou(a, b);
    const ba = rotatedBoxIou(b, a);
    for (let i = 0; i < 200; i++) for (let j = 0; j < 200; j++) expect(Math.abs(ab[i * 200 + j]! - ba[j * 200 + i]!)).toBeLessThanOrEqual(1e-12);
    const shift = (p: Float64Array) => p.map((v, k) => (k % 5 === 0 ? v + 1000 : k % 5 === 1 ? v - 500 : v));
    expect(maxDiff(rotatedBoxIou(shift(a), shift(b)), ab)).toBeLessThanOrEqual(1e-9);
  });
  it("boxes touching along an edge overlap by nothing (up to rounding)", () => {
    expect(Array.from(rotatedBoxIou([[0, 0, 2, 2, 0]], [[2, 0, 2, 2, 0], [0, 2, 2, 2, 90], [2, 2, 2, 2, 0]]))).toEqual([0, 0, 0]);
    const r = mulberry32(13);
    for (let i = 0; i < 500; i++) {
      const a = r() * 720 - 360;
      const w = 0.5 + 20 * r();
      const t = (a * Math.PI) / 180;
      const out = rotatedBoxIou([[3, 4, w, 5, a]], [[3 + w * Math.cos(t), 4 - w * Math.sin(t), w, 5, a]]);
      expect(out[0]!).toBeLessThanOrEqual(1e-12);
    }
  });
  it("axis-aligned boxes equal bbIou (pycocotools' box IoU)", () => {
    const r = mulberry32(14);
    const rot: B[] = [];
    const quads: number[] = [];
    for (let i = 0; i < 300; i++) {
      const w = 1 + 30 * r();
      const h = 1 + 30 * r();
      const x = Math.round(40 * r());
      const y = Math.round(40 * r());
      const turn = Math.floor(r() * 9) - 4; // any multiple of 180 keeps w, h; odd multiples of 90 swap them
      const quarter = r() < 0.5 ? 0 : 90;
      rot.push(quarter === 0 ? [x + w / 2, y + h / 2, w, h, 180 * turn] : [x + w / 2, y + h / 2, h, w, 180 * turn + 90]);
      quads.push(x, y, w, h);
    }
    const crowd = Uint8Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const q = Float64Array.from(quads);
    expect(maxDiff(rotatedBoxIou(rot, rot, { crowd }), wasm.boxIou(q, q, crowd))).toBeLessThanOrEqual(1e-12);
  });
  it("large boxes agree with the IoU of their rasterised masks within the boundary pixels", () => {
    const r = mulberry32(15);
    const H = 400;
    const W = 400;
    let worst = 0;
    for (let i = 0; i < 150; i++) {
      const a: B = [200 + 20 * r(), 200 + 20 * r(), 80 + 150 * r(), 80 + 150 * r(), 720 * r() - 360];
      const b: B = [a[0] + 60 * (r() - 0.5), a[1] + 60 * (r() - 0.5), 80 + 150 * r(), 80 + 150 * r(), 720 * r() - 360];
      const exact = rotatedBoxIou([a], [b])[0]!;
      // rleFromRotatedBox takes Encord's clockwise angles: the same boxes are the negated angles
      const ma = wasm.rleFromRotatedBox(clockwiseToCcw(a), H, W);
      const mb = wasm.rleFromRotatedBox(clockwiseToCcw(b), H, W);
      const masked = wasm.maskIou([ma], [mb], null)[0]!;
      // rasterising moves each area by a fraction of a pixel per unit of boundary, mostly cancelling:
      // a tenth of a pixel per boundary unit over the union (the worst seen is a third of that)
      const boundary = 2 * (a[2] + a[3] + b[2] + b[3]);
      const union = (a[2] * a[3] + b[2] * b[3]) / (1 + exact);
      const tol = (0.1 * boundary) / union;
      worst = Math.max(worst, Math.abs(masked - exact) / tol);
      expect(Math.abs(masked - exact)).toBeLessThanOrEqual(tol);
    }
    expect(worst).toBeGreaterThan(0); // the two really differ (the check is not vacuous)
  });
});
