// Property test of the boundary kernel (assembly/boundary.ts, Boundary IoU's mask_to_boundary):
// the wasm engine (checked debug build) against its TypeScript twin (geometry/boundary.ts) and a
// naive per-pixel erosion, on seeded random masks and dilations. Deterministic: fixed seeds.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import type { Rle } from "../../bindings/geometry/types.js";
import { GeometryInputError } from "../../bindings/geometry/types.js";
import { ReferenceGeometry, rleEncode } from "../../bindings/geometry/reference.js";
import { boundaryDilation, rleBoundaryReference } from "../../bindings/geometry/boundary.js";
import { mulberry32 } from "../helpers/random.js";

const ref = new ReferenceGeometry();
let wasm: Engine;

beforeAll(async () => {
  wasm = await createEngine({ wasm: readFileSync(new URL("../../build/engine.debug.wasm", import.meta.url)) });
});

/** Column-major 0 / 1 pixels: noise, a rectangle, blobs, or a mask touching the image border. */
function randomMask(r: () => number, h: number, w: number): Uint8Array {
  const M = new Uint8Array(h * w);
  const style = r();
  const int = (n: number) => Math.floor(r() * n);
  if (style < 0.25) {
    const p = r();
    for (let i = 0; i < M.length; i++) M[i] = r() < p ? 1 : 0;
  } else if (style < 0.5) {
    const x0 = int(w), y0 = int(h), x1 = x0 + int(w - x0) + 1, y1 = y0 + int(h - y0) + 1;
    for (let x = x0; x < x1; x++) for (let y = y0; y < y1; y++) M[x * h + y] = 1;
  } else if (style < 0.9) {
    const n = 1 + int(4);
    for (let b = 0; b < n; b++) {
      const cx = r() * w, cy = r() * h, rad = 0.5 + r() * Math.max(h, w) * 0.5;
      for (let x = 0; x < w; x++) for (let y = 0; y < h; y++) if ((x - cx) ** 2 + (y - cy) ** 2 <= rad * rad) M[x * h + y] = r() < 0.97 ? 1 : 0;
    }
  } else if (style < 0.95) M.fill(1);
  // else empty
  return M;
}

/** The definition, pixel by pixel: a mask pixel whose (2k+1)-square reaches background or leaves the image. */
function naiveBoundary(M: Uint8Array, h: number, w: number, k: number): Uint8Array {
  const B = new Uint8Array(h * w);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      if (!M[x * h + y]) continue;
      let edge = false;
      for (let dx = -k; dx <= k && !edge; dx++) {
        for (let dy = -k; dy <= k && !edge; dy++) {
          const xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h || !M[xx * h + yy]) edge = true;
        }
      }
      B[x * h + y] = edge ? 1 : 0;
    }
  }
  return B;
}

const counts = (r: Rle) => Array.from(r.counts);

describe("rleBoundary: wasm kernel = TypeScript twin = naive erosion", () => {
  it("random masks and dilations (3,000 cases)", () => {
    const r = mulberry32(20210331);
    for (let c = 0; c < 3000; c++) {
      const h = c % 50 === 0 ? Math.floor(r() * 3) : 1 + Math.floor(r() * 24);
      const w = c % 70 === 0 ? Math.floor(r() * 3) : 1 + Math.floor(r() * 24);
      const k = r() < 0.05 ? 0 : r() < 0.1 ? 30 + Math.floor(r() * 100) : 1 + Math.floor(r() * 5);
      const M = randomMask(r, h, w);
      const mask = rleEncode(M, h, w);
      const expected = counts(rleEncode(naiveBoundary(M, h, w, k), h, w));
      const where = `case ${c}: h ${h} w ${w} k ${k}`;
      expect(counts(rleBoundaryReference(mask, k)), where).toEqual(expected);
      expect(counts(ref.rleBoundary(mask, k)), where).toEqual(expected);
      const got = wasm.rleBoundary(mask, k);
      expect([got.h, got.w, ...counts(got)], where).toEqual([h, w, ...expected]);
    }
  });

  it("masks with zero-length runs inside their counts", () => {
    const r = mulberry32(7);
    for (let c = 0; c < 500; c++) {
      const h = 1 + Math.floor(r() * 12);
      const w = 1 + Math.floor(r() * 12);
      const M = randomMask(r, h, w);
      const plain = counts(rleEncode(M, h, w));
      // split runs with zero-length ones in between (the same pixels)
      const padded: number[] = [];
      for (const v of plain) {
        if (v > 1 && r() < 0.3) padded.push(v - 1, 0, 1);
        else padded.push(v);
      }
      const mask = wasm.rleFromCounts(padded, h, w);
      const k = 1 + Math.floor(r() * 3);
      expect(counts(wasm.rleBoundary(mask, k)), `case ${c}`).toEqual(counts(rleEncode(naiveBoundary(M, h, w, k), h, w)));
    }
  });

  it("a large mask: wasm and twin agree", () => {
    const r = mulberry32(99);
    const h = 300, w = 420;
    const M = randomMask(r, h, w);
    const mask = rleEncode(M, h, w);
    for (const k of [1, 7, 10]) expect(counts(wasm.rleBoundary(mask, k))).toEqual(counts(rleBoundaryReference(mask, k)));
  });

  it("bad dilations and masks are GeometryInputErrors", () => {
    const mask = wasm.rleFromCounts([2, 3, 1], 2, 3);
    for (const engine of [wasm, ref]) {
      for (const k of [-1, 1.5, Number.NaN, "2" as unknown as number]) expect(() => engine.rleBoundary(mask, k)).toThrow(GeometryInputError);
      expect(() => engine.rleBoundary({ h: 2, w: 3, counts: Uint32Array.from([2, 3]) }, 1)).toThrow(/counts sum to 5/);
    }
  });
});

describe("boundaryDilation: max(1, int(round(ratio * diagonal))), Python's round", () => {
  it("matches values computed by hand", () => {
    // sqrt(480^2 + 640^2) = 800: 0.02 * 800 = 16
    expect(boundaryDilation(480, 640, 0.02)).toBe(16);
    // sqrt(3^2 + 4^2) = 5: 0.02 * 5 = 0.1 -> 0 -> 1
    expect(boundaryDilation(3, 4, 0.02)).toBe(1);
    // 0.5 * 5 = 2.5 -> 2 (half to even); 0.7 * 5 = 3.5 -> 4; 0.3 * 5 = 1.5 -> 2
    expect(boundaryDilation(3, 4, 0.5)).toBe(2);
    expect(boundaryDilation(3, 4, 0.7)).toBe(4);
    expect(boundaryDilation(3, 4, 0.3)).toBe(2);
    expect(boundaryDilation(0, 0, 0.02)).toBe(1);
  });
});
