// Property tests: the wasm engine (checked debug build) against the plain TypeScript reference
// port of maskApi.c, on >= 10,000 seeded random cases per kernel. Deterministic: fixed seeds.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import type { Box, GeometryEngine, PixelOrder, Rle, RotatedBox } from "../../bindings/geometry/types.js";
import { GeometryInputError, rotatedBoxToPolygon } from "../../bindings/geometry/types.js";
import { ReferenceGeometry, rleDecode, rleToBboxC } from "../../bindings/geometry/reference.js";
import { mulberry32 } from "../helpers/random.js";

const CASES = 10_000;
const ref = new ReferenceGeometry();
let wasm: Engine;

beforeAll(async () => {
  wasm = await createEngine({ wasm: readFileSync(new URL("../../build/engine.debug.wasm", import.meta.url)) });
});

// ---- seeded randomness -------------------------------------------------------------------------
class Rand {
  private r: () => number;
  constructor(seed: number) {
    this.r = mulberry32(seed);
  }
  f(): number {
    return this.r();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  range(lo: number, hi: number): number {
    return lo + this.r() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  /** A coordinate, sometimes snapped to the 0.1 grid where 5x+0.5 lands on halves and integers. */
  coord(lo: number, hi: number): number {
    const v = this.range(lo, hi);
    const k = this.f();
    if (k < 0.15) return Math.round(v);
    if (k < 0.35) return Math.round(v * 10) / 10;
    if (k < 0.45) return Math.round(v * 5) / 5;
    return Math.round(v * 100) / 100;
  }
}

// ---- generators --------------------------------------------------------------------------------
function randSize(r: Rand, max = 60): [number, number] {
  if (r.chance(0.02)) return r.pick([[0, 0], [0, 5], [4, 0], [1, 1], [1, 7], [9, 1]] as [number, number][]);
  return [r.int(1, max), r.int(1, max)];
}

/** Counts summing to h*w, with zero-length runs (leading, inner, trailing) now and then. */
function randCounts(r: Rand, h: number, w: number): number[] {
  const a = h * w;
  const style = r.f();
  if (a === 0) return r.pick([[], [0], [0, 0, 0]]);
  if (style < 0.05) return [a];
  if (style < 0.08) return [0, a];
  if (style < 0.11) return r.pick([[a, 0], [0, 0, a], [a, 0, 0], [0, a, 0, 0]]);
  const runs = r.int(1, Math.min(40, a));
  const cuts = new Set<number>();
  while (cuts.size < runs - 1) cuts.add(r.int(1, a - 1));
  const pos = [0, ...[...cuts].sort((x, y) => x - y), a];
  const out: number[] = [];
  if (r.chance(0.2)) out.push(0);
  for (let i = 1; i < pos.length; i++) {
    out.push(pos[i]! - pos[i - 1]!);
    if (r.chance(0.08)) out.push(0, 0); // a zero-length pair keeps the parity
  }
  if (r.chance(0.1)) out.push(0);
  return out;
}
function randRle(r: Rand, h: number, w: number): Rle {
  return ref.rleFromCounts(randCounts(r, h, w), h, w);
}

/** A star-ish polygon of 3..60 points, partly off-image, negative, repeated points, huge offsets. */
function randPolygon(r: Rand, h: number, w: number): number[] {
  const k = r.int(3, 60);
  const style = r.f();
  let cx = r.range(-0.3 * w, 1.3 * w);
  let cy = r.range(-0.3 * h, 1.3 * h);
  let rad = r.range(0.2, Math.max(1, Math.max(h, w) * 0.7));
  if (style < 0.05) rad = r.range(0.05, 1.5); // sub-pixel
  else if (style < 0.08) {
    cx = r.range(-600, 600); // far off-image, long edges
    cy = r.range(-600, 600);
    rad = r.range(50, 400);
  } else if (style < 0.1) {
    cx = r.pick([-1, 1]) * r.range(1e7, 4e8); // huge but short: |5x| near the int32 limit
    cy = r.range(-h, 2 * h);
    rad = r.range(1, 30);
  }
  const xy: number[] = [];
  if (style > 0.9) {
    // axis-aligned rectangles and polygons with repeated vertices
    const x0 = r.coord(-5, w + 5);
    const y0 = r.coord(-5, h + 5);
    const x1 = r.coord(-5, w + 5);
    const y1 = r.coord(-5, h + 5);
    xy.push(x0, y0, x0, y1, x1, y1, x1, y1, x1, y0);
    if (r.chance(0.5)) xy.push(x1, y0);
    return xy;
  }
  for (let i = 0; i < k; i++) {
    if (i > 0 && r.chance(0.03)) {
      xy.push(xy[xy.length - 2]!, xy[xy.length - 1]!); // repeated point: dx = dy = 0
      continue;
    }
    const t = (2 * Math.PI * (i + r.range(-0.4, 0.4))) / k;
    const rr = rad * r.range(0.2, 1);
    xy.push(Math.round((cx + rr * Math.cos(t)) * 100) / 100, Math.round((cy + rr * Math.sin(t)) * 100) / 100);
  }
  return xy;
}

function randBox(r: Rand, h: number, w: number): Box {
  const style = r.f();
  const x = r.coord(-0.2 * w - 2, 1.1 * w);
  const y = r.coord(-0.2 * h - 2, 1.1 * h);
  if (style < 0.3) return [x, y, r.coord(0, 2), r.coord(0, 2)]; // sub-pixel and tiny
  if (style < 0.35) return [x, y, -r.coord(0, 5), r.coord(0, 5)]; // negative width
  return [x, y, r.coord(0, w), r.coord(0, h)];
}

// ---- comparison --------------------------------------------------------------------------------
type Outcome = { ok: unknown } | { error: string };
function run<T>(f: () => T): Outcome {
  try {
    const v = f();
    return { ok: v instanceof Uint32Array || v instanceof Float64Array || v instanceof Uint8Array ? Array.from(v) : v };
  } catch (e) {
    if (!(e instanceof GeometryInputError)) throw e;
    return { error: e.message };
  }
}
function rleOut(x: Rle): unknown {
  return { h: x.h, w: x.w, counts: Array.from(x.counts) };
}

/** Runs `n` cases; each returns [label, wasm result, reference result]. Reports the first mismatches. */
function compare(n: number, seed: number, one: (r: Rand, i: number) => [string, () => unknown, () => unknown]): void {
  const r = new Rand(seed);
  const bad: string[] = [];
  for (let i = 0; i < n; i++) {
    const [label, fw, fr] = one(r, i);
    const a = run(fw);
    const b = run(fr);
    if (JSON.stringify(a) !== JSON.stringify(b) && bad.length < 5) {
      bad.push(`case ${i} ${label}: wasm ${JSON.stringify(a).slice(0, 300)} ref ${JSON.stringify(b).slice(0, 300)}`);
    }
  }
  expect(bad).toEqual([]);
}
const asRle = (x: Rle) => rleOut(x);

// ---- the properties ----------------------------------------------------------------------------
describe("wasm engine == reference (seeded, >= 10,000 cases per kernel)", () => {
  it("rleFromPolygon: 3-60 points, negative, off-image and repeated coordinates", () => {
    compare(CASES, 1, (r) => {
      const [h, w] = randSize(r, 80);
      const xy = randPolygon(r, h, w);
      const g = (e: GeometryEngine) => () => asRle(e.rleFromPolygon(xy, h, w));
      return [`${h}x${w} ${JSON.stringify(xy)}`, g(wasm), g(ref)];
    });
  });

  it("rleFromPolygons: union of 1-4 parts", () => {
    compare(CASES, 2, (r) => {
      const [h, w] = randSize(r, 60);
      const parts = Array.from({ length: r.int(1, 4) }, () => randPolygon(r, h, w));
      const g = (e: GeometryEngine) => () => asRle(e.rleFromPolygons(parts, h, w));
      return [`${h}x${w} ${JSON.stringify(parts)}`, g(wasm), g(ref)];
    });
  });

  it("rleFromPolygon: combs (many crossings per column) and large images", () => {
    compare(1_000, 15, (r) => {
      const big = r.chance(0.15);
      const [h, w] = big ? [r.int(300, 700), r.int(300, 700)] : [r.int(20, 120), r.int(20, 120)];
      const teeth = r.int(8, 40);
      const xy: number[] = [];
      const x0 = r.range(-10, w / 3);
      const x1 = r.range((2 * w) / 3, w + 10);
      const dy = r.range(0.3, (h + 10) / teeth / 2);
      let y = r.range(-10, 10);
      for (let i = 0; i < teeth; i++) {
        xy.push(x0 + r.range(0, 2), y, x1 - r.range(0, 2), y + dy * r.range(0.2, 1), x0 + r.range(0, 2), y + dy * r.range(1, 2));
        y += 2 * dy;
      }
      xy.push(x0 - 5, y, x0 - 5, 0);
      const pts = xy.map((v) => Math.round(v * 100) / 100);
      const g = (e: GeometryEngine) => () => asRle(e.rleFromPolygon(pts, h, w));
      return [`${h}x${w} ${JSON.stringify(pts)}`, g(wasm), g(ref)];
    });
  });

  it("rleFromBox: fractional, sub-pixel and negative sizes", () => {
    compare(CASES, 3, (r) => {
      const [h, w] = randSize(r, 50);
      const box = randBox(r, h, w);
      const g = (e: GeometryEngine) => () => asRle(e.rleFromBox(box, h, w));
      return [`${h}x${w} ${JSON.stringify(box)}`, g(wasm), g(ref)];
    });
  });

  it("rleFromRotatedBox", () => {
    compare(CASES, 4, (r) => {
      const [h, w] = randSize(r, 50);
      const b = randBox(r, h, w);
      const box: RotatedBox = [b[0] + b[2] / 2, b[1] + b[3] / 2, Math.abs(b[2]) * 1.5, b[3] * 1.5, r.pick([0, 90, 45, -30, r.range(-360, 360)])];
      const g = (e: GeometryEngine) => () => asRle(e.rleFromRotatedBox(box, h, w));
      return [`${h}x${w} ${JSON.stringify(box)}`, g(wasm), g(ref)];
    });
  });

  it("rleToString / rleFromString round trip (zero-length runs, large counts)", () => {
    compare(CASES, 5, (r) => {
      let h: number;
      let w: number;
      if (r.chance(0.05)) [h, w] = [r.int(10000, 16384), r.int(10000, 16384)]; // counts past 2^26: 7-char values
      else [h, w] = randSize(r, 70);
      const rle = randRle(r, h, w);
      const g = (e: GeometryEngine) => () => {
        const s = e.rleToString(rle);
        const back = e.rleFromString(s, h, w);
        return [s, Array.from(back.counts).join(",") === Array.from(rle.counts).join(",")];
      };
      return [`${h}x${w} ${Array.from(rle.counts).slice(0, 20)}`, g(wasm), g(ref)];
    });
  });

  it("rleFromString on arbitrary and corrupted strings: same counts or the same error", () => {
    const alphabet = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmno";
    compare(CASES, 6, (r) => {
      let s: string;
      let h = 1;
      let w = 0;
      const style = r.f();
      if (style < 0.5) {
        s = Array.from({ length: r.int(0, 30) }, () => r.pick([...alphabet])).join("");
        // half the time pick h*w = the decoded sum, so that odd but valid strings decode
        const dec = ref.rleFromString.bind(ref);
        try {
          dec(s, 1, 0);
        } catch (e) {
          const m = /counts sum to (\d+),/.exec((e as Error).message);
          if (m && r.chance(0.6) && Number(m[1]) <= 2 ** 28) w = Number(m[1]);
        }
      } else {
        const [hh, ww] = randSize(r, 40);
        [h, w] = [hh, ww];
        s = ref.rleToString(randRle(r, h, w));
        const pos = r.int(0, s.length);
        const k = r.f();
        if (k < 0.25) s = s.slice(0, pos) + r.pick(["/", "p", " ", "\u00e9", "\u{1F600}", "z"]) + s.slice(pos);
        else if (k < 0.5) s = s.slice(0, pos) + r.pick(["P", "o", "_", "`"]); // continuation at the end
        else if (k < 0.75) s = s.slice(0, pos) + r.pick([...alphabet]) + s.slice(pos + 1);
        else if (k < 0.85) s = s.slice(0, pos) + "ooooooooooo" + s.slice(pos); // too long
      }
      const g = (e: GeometryEngine) => () => Array.from(e.rleFromString(s, h, w).counts);
      return [`${JSON.stringify(s)} h ${h} w ${w}`, g(wasm), g(ref)];
    });
  });

  it("rleFromString: strings of every length mod 8, one byte replaced or cut at every position", () => {
    // the kernel reads 8 characters at a time: bytes at the edges of '0'..'o' and of the
    // continuation / sign bits, counts spanning words (written long with sign-extension groups)
    const bytes = ["\u0000", "/", "0", "?", "@", "O", "P", "_", "`", "o", "p", "\u007f", "\u0080", "\u00ef"];
    const r = new Rand(16);
    const bad: string[] = [];
    const check = (s: string, h: number, w: number) => {
      const a = run(() => Array.from(wasm.rleFromString(s, h, w).counts));
      const b = run(() => Array.from(ref.rleFromString(s, h, w).counts));
      if (JSON.stringify(a) !== JSON.stringify(b) && bad.length < 5) bad.push(`${JSON.stringify(s)} h ${h} w ${w}: wasm ${JSON.stringify(a)} ref ${JSON.stringify(b)}`);
    };
    /** Checks s against h*w and against its own sum (so that odd but valid strings decode). */
    const both = (s: string, h: number, w: number) => {
      check(s, h, w);
      const o = run(() => ref.rleFromString(s, 1, 0));
      const m = "error" in o ? /counts sum to (\d+),/.exec(o.error) : null;
      if (m && Number(m[1]) <= 2 ** 28) check(s, 1, Number(m[1]));
    };
    for (let i = 0; i < 150; i++) {
      let h: number;
      let w: number;
      if (r.chance(0.2)) [h, w] = [r.int(10000, 16384), r.int(10000, 16384)];
      else [h, w] = randSize(r, 40);
      let s = ref.rleToString(randRle(r, h, w)).slice(0, r.int(0, 64));
      for (let k = r.int(0, 3); k > 0; k--) {
        // a count's last character extended by sign-extension groups: same value, up to 11 characters
        const ends = [...s].flatMap((ch, j) => (((ch.charCodeAt(0) - 48) & 0x20) === 0 ? [j] : []));
        if (ends.length === 0) break;
        const j = r.pick(ends);
        const c = s.charCodeAt(j) - 48;
        const neg = (c & 0x10) !== 0;
        const n = r.int(1, 9);
        s = s.slice(0, j) + String.fromCharCode(48 + (c | 0x20)) + (neg ? "o" : "P").repeat(n - 1) + (neg ? "O" : "0") + s.slice(j + 1);
      }
      both(s, h, w);
      for (let p = 0; p < s.length; p++) {
        both(s.slice(0, p), h, w);
        both(s.slice(0, p) + r.pick(bytes) + s.slice(p + 1), h, w);
      }
    }
    expect(bad).toEqual([]);
  });

  it("rleArea and rleToBbox (2.0.11 toBbox, zero-length runs)", () => {
    compare(CASES, 7, (r) => {
      const [h, w] = randSize(r, 50);
      const rle = r.chance(0.3) ? ref.rleFromPolygon(randPolygon(r, h, w), h, w) : randRle(r, h, w);
      const g = (e: GeometryEngine) => () => [e.rleArea(rle), e.rleToBbox(rle)];
      return [`${h}x${w} ${Array.from(rle.counts)}`, g(wasm), g(ref)];
    });
  });

  it("rlePrepare: area, zero-length-run flag and C-exact toBbox of each mask, the first bad sum", () => {
    // the kernel behind the mask IoU paths and bulk mask building (assembly/iou.ts describeMask);
    // its box is rleIou's prefilter box (rleToBboxC: uint arithmetic when no run is non-empty)
    const k = wasm.exports;
    compare(CASES, 16, (r) => {
      const [h, w] = randSize(r, 40);
      const masks = Array.from({ length: r.int(1, 5) }, () => {
        const c = r.f();
        if (c < 0.3) return ref.rleFromPolygon(randPolygon(r, h, w), h, w).counts;
        if (c < 0.4) return Uint32Array.from(r.pick([[h * w], [0, h * w], [h * w, 0], [0, 0, h * w], [0, h * w, 0, 0]]));
        return Uint32Array.from(randCounts(r, h, w));
      });
      // now and then counts that do not sum to h*w
      const bad = masks.map((c) => c.length > 0 && r.chance(0.05));
      const counts = masks.map((c, i) => (bad[i] ? Uint32Array.from(c, (v, j) => (j === c.length - 1 ? v + 1 : v)) : c));
      const fromWasm = () => {
        k.reset();
        const total = counts.reduce((s, c) => s + c.length, 0);
        const pool = k.alloc(4 * total + 4);
        const table = k.alloc(32 * counts.length);
        const boxes = k.alloc(32 * counts.length);
        const u32 = new Uint32Array(k.memory.buffer);
        let at = 0;
        counts.forEach((c, i) => {
          u32.set(c, (pool >>> 2) + at);
          u32.set([at, c.length, h, w, 0, 0, 0, 0], (table >>> 2) + 8 * i);
          at += c.length;
        });
        const first = k.rlePrepare(pool, table, counts.length, boxes);
        const t = new Uint32Array(k.memory.buffer, table, 8 * counts.length);
        const b = new Float64Array(k.memory.buffer, boxes, 4 * counts.length);
        const n = first < 0 ? counts.length : first;
        return { first, masks: Array.from({ length: n }, (_, i) => [t[8 * i + 4], t[8 * i + 5], ...b.subarray(4 * i, 4 * i + 4)]) };
      };
      const fromRef = () => {
        const first = bad.indexOf(true);
        const n = first < 0 ? counts.length : first;
        return {
          first,
          masks: counts.slice(0, n).map((c) => {
            const rle = ref.rleFromCounts(Array.from(c), h, w);
            const zero = c.some((v, j) => j > 0 && v === 0) ? 1 : 0;
            return [ref.rleArea(rle), zero, ...rleToBboxC(rle)];
          }),
        };
      };
      return [`${h}x${w} ${counts.map((c) => Array.from(c).join(",")).join(" | ")}`, fromWasm, fromRef];
    });
  });

  it("rleToBbox is the tight box of the decoded mask", () => {
    const r = new Rand(8);
    const bad: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const [h, w] = randSize(r, 30);
      const rle = randRle(r, h, w);
      const M = rleDecode(rle);
      let xs = w, ys = h, xe = -1, ye = -1;
      for (let x = 0; x < w; x++)
        for (let y = 0; y < h; y++)
          if (M[x * h + y]) {
            xs = Math.min(xs, x);
            xe = Math.max(xe, x);
            ys = Math.min(ys, y);
            ye = Math.max(ye, y);
          }
      const want = xe < 0 ? [0, 0, 0, 0] : [xs, ys, xe - xs + 1, ye - ys + 1];
      // a run that crosses a column boundary makes the box full height (toBbox's rule)
      const got = wasm.rleToBbox(rle);
      if (got[0] !== want[0] || got[2] !== want[2] || (got[1] > want[1]! || got[1] + got[3] < want[1]! + want[3]!)) {
        if (bad.length < 3) bad.push(`${Array.from(rle.counts)} ${got} ${want}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("rleMerge: union and intersection of 1-5 masks", () => {
    compare(CASES, 9, (r) => {
      const [h, w] = randSize(r, 40);
      const n = r.int(1, 5);
      const rles = Array.from({ length: n }, () => (r.chance(0.4) ? ref.rleFromPolygon(randPolygon(r, h, w), h, w) : randRle(r, h, w)));
      if (r.chance(0.01)) rles.push(randRle(r, h + 1, w));
      const intersect = r.chance(0.5);
      const g = (e: GeometryEngine) => () => asRle(e.rleMerge(rles, intersect));
      return [`${h}x${w} ${intersect} ${rles.map((x) => Array.from(x.counts).join(",")).join(" | ")}`, g(wasm), g(ref)];
    });
  });

  it("rleFromBitmask / rleToBitmask: column- and row-major, stride and offset, any element type", () => {
    compare(CASES, 10, (r) => {
      const [h, w] = randSize(r, 30);
      const order: PixelOrder = r.chance(0.5) ? "row-major" : "column-major";
      const stride = r.pick([1, 1, 2, 3, 4]);
      const offset = r.int(0, stride - 1);
      const len = h * w * stride;
      const kind = r.int(0, 3);
      const src = kind === 0 ? new Uint8Array(len) : kind === 1 ? new Uint8ClampedArray(len) : kind === 2 ? new Float32Array(len) : new Array<number>(len).fill(0);
      let on = r.chance(0.5);
      const p = r.range(0.02, 0.5);
      for (let i = 0; i < len; i++) {
        if (r.chance(p)) on = !on;
        src[i] = on ? r.pick([1, 255, 7, 128]) : r.chance(0.9) ? 0 : kind >= 2 ? r.pick([256, 0.5, -1]) : 0;
      }
      const g = (e: GeometryEngine) => () => {
        const rle = e.rleFromBitmask(src, h, w, order, stride, offset);
        return [rleOut(rle), Array.from(e.rleToBitmask(rle, order)).join(""), Array.from(e.rleToBitmask(rle, order === "row-major" ? "column-major" : "row-major")).join("")];
      };
      return [`${h}x${w} ${order} ${stride}/${offset}`, g(wasm), g(ref)];
    });
  });

  it("rleToBitmask . rleFromBitmask is the binarised input (wasm)", () => {
    const r = new Rand(11);
    for (let i = 0; i < 500; i++) {
      const [h, w] = randSize(r, 25);
      const rgba = new Uint8Array(h * w * 4);
      for (let j = 0; j < rgba.length; j++) rgba[j] = r.chance(0.5) ? 0 : r.int(1, 255);
      const rle = wasm.rleFromBitmask(rgba, h, w, "row-major", 4, 3);
      const back = wasm.rleToBitmask(rle, "row-major");
      expect(Array.from(back)).toEqual(Array.from({ length: h * w }, (_, j) => (rgba[4 * j + 3] ? 1 : 0)));
    }
  });

  it("boxIou: crowd flags, touching and disjoint boxes (detection-major)", () => {
    compare(CASES, 12, (r) => {
      const m = r.int(0, 8);
      const n = r.int(0, 8);
      const mk = (k: number) => {
        const a = new Float64Array(4 * k);
        for (let i = 0; i < k; i++) {
          a.set(r.chance(0.1) ? [r.int(0, 5), r.int(0, 5), r.int(0, 3), r.int(0, 3)] : [r.range(-5, 50), r.range(-5, 50), r.range(0, 30), r.range(0, 30)], 4 * i);
        }
        return a;
      };
      const dt = mk(m);
      const gt = mk(n);
      const crowd = r.chance(0.5) ? Uint8Array.from({ length: n }, () => (r.chance(0.3) ? 1 : 0)) : null;
      const g = (e: GeometryEngine) => () => Array.from(e.boxIou(dt, gt, crowd));
      return [`${m}x${n}`, g(wasm), g(ref)];
    });
  });

  it("maskIou: box prefilter, crowd, size mismatch (-1), empty masks", () => {
    compare(CASES, 13, (r) => {
      const [h, w] = randSize(r, 40);
      const mk = () => {
        const k = r.f();
        if (k < 0.02) return randRle(r, h + r.int(1, 3), w); // size mismatch
        if (k < 0.05) return ref.rleFromCounts(r.pick([[h * w, 0], [0, 0, h * w], [h * w]]), h, w); // empty, odd boxes
        if (k < 0.45) return ref.rleFromPolygon(randPolygon(r, h, w), h, w);
        if (k < 0.7) return ref.rleFromBox(randBox(r, h, w), h, w);
        return randRle(r, h, w);
      };
      const dt = Array.from({ length: r.int(0, 6) }, mk);
      const gt = Array.from({ length: r.int(0, 6) }, mk);
      const crowd = r.chance(0.5) ? Uint8Array.from(gt, () => (r.chance(0.3) ? 1 : 0)) : null;
      const g = (e: GeometryEngine) => () => Array.from(e.maskIou(dt, gt, crowd));
      return [`${h}x${w} ${dt.length}x${gt.length}`, g(wasm), g(ref)];
    });
  });

  it("maskIou on a block large enough to be fed in several kernel calls", () => {
    const r = new Rand(14);
    const h = 300;
    const w = 400;
    const dt = Array.from({ length: 120 }, () => ref.rleFromPolygon(randPolygon(r, h, w), h, w));
    const gt = Array.from({ length: 150 }, () => ref.rleFromPolygon(randPolygon(r, h, w), h, w));
    const crowd = Uint8Array.from(gt, (_, i) => (i % 7 === 0 ? 1 : 0));
    expect(Array.from(wasm.maskIou(dt, gt, crowd))).toEqual(Array.from(ref.maskIou(dt, gt, crowd)));
  });

  it("rotatedBoxToPolygon: angle 0 is the axis-aligned box", () => {
    expect(rotatedBoxToPolygon([5, 5, 4, 2, 0])).toEqual([3, 4, 7, 4, 7, 6, 3, 6]);
    const a = wasm.rleFromRotatedBox([5, 5, 4, 2, 0], 10, 10);
    expect(wasm.rleArea(a)).toBe(8);
  });
});
