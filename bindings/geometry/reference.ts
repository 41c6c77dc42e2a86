// A plain TypeScript port of cocodataset/cocoapi common/maskApi.c (with pycocotools 2.0.11's
// rleToBbox), written to be obviously faithful rather than fast. It is the oracle the wasm
// engine is property-tested against. C `uint` arithmetic is mirrored with `>>> 0` where it
// matters; every input passes bindings/geometry/validate.ts first.
import {
  rotatedBoxToPolygon,
  type Box,
  type CrowdFlags,
  type GeometryEngine,
  type PixelOrder,
  type Rle,
  type RotatedBox,
} from "./types.js";
import {
  STR_BAD_CHAR,
  STR_DANGLING,
  STR_MAX_CHARS,
  STR_NEGATIVE,
  STR_SUM,
  STR_TOO_BIG,
  STR_TOO_LONG,
  boxToPolygon,
  cInt,
  checkBitmask,
  checkBox,
  checkBoxArray,
  checkCounts,
  checkDilation,
  checkIouSize,
  crowdFlags,
  checkOrder,
  checkPolygon,
  checkPolygonList,
  checkRle,
  checkRleList,
  checkRleString,
  checkRotatedBox,
  checkSameSize,
  checkSize,
  rleStringError,
} from "./validate.js";
import { rleBoundaryReference } from "./boundary.js";

const rle = (h: number, w: number, counts: ArrayLike<number>): Rle => ({ h, w, counts: Uint32Array.from(counts) });

// ---- maskApi.c, function by function -----------------------------------------------------------

/** rleEncode: column-major bytes -> counts (T[j] != p starts a new run). */
export function rleEncode(T: Uint8Array, h: number, w: number): Rle {
  const a = h * w;
  const cnts: number[] = [];
  let p = 0;
  let c = 0;
  for (let j = 0; j < a; j++) {
    if (T[j] !== p) {
      cnts.push(c);
      c = 0;
      p = T[j]!;
    }
    c++;
  }
  cnts.push(c);
  return rle(h, w, cnts);
}

/** rleDecode: counts -> column-major bytes. */
export function rleDecode(R: Rle): Uint8Array {
  const M = new Uint8Array(R.h * R.w);
  let p = 0;
  let v = 0;
  for (let j = 0; j < R.counts.length; j++) {
    for (let k = 0; k < R.counts[j]!; k++) M[p++] = v;
    v = v ? 0 : 1;
  }
  return M;
}

/**
 * One rleMerge step, literally as maskApi.c. With zero-length runs in both masks at the same
 * place the C loop stops early (ct == 0 while runs remain): pycocotools then returns a truncated
 * RLE (its counts do not sum to h*w) and merging a third mask into it never terminates.
 */
export function rleMergeStepC(A: ArrayLike<number>, B: ArrayLike<number>, intersect: boolean): number[] {
  const out: number[] = [];
  let ca = A.length > 0 ? A[0]! : 0;
  let cb = B.length > 0 ? B[0]! : 0;
  let v = 0;
  let va = 0;
  let vb = 0;
  let a = 1;
  let b = 1;
  let cc = 0;
  let ct = 1;
  while (ct > 0) {
    const c = Math.min(ca, cb);
    cc += c;
    ct = 0;
    ca -= c;
    if (!ca && a < A.length) {
      ca = A[a++]!;
      va = va ? 0 : 1;
    }
    ct += ca;
    cb -= c;
    if (!cb && b < B.length) {
      cb = B[b++]!;
      vb = vb ? 0 : 1;
    }
    ct += cb;
    const vp = v;
    v = intersect ? (va && vb ? 1 : 0) : va || vb ? 1 : 0;
    if (v !== vp || ct === 0) {
      out.push(cc);
      cc = 0;
    }
  }
  return out;
}

/** Drops zero-length runs after the first by joining their neighbours (as rleFrPoly's last loop). */
export function dropZeroRuns(a: ArrayLike<number>): number[] {
  if (a.length === 0) return [];
  const b = [a[0]!];
  let j = 1;
  while (j < a.length) {
    if (a[j]! > 0) b.push(a[j++]!);
    else {
      j++;
      if (j < a.length) b[b.length - 1]! += a[j++]!;
    }
  }
  return b;
}

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

/**
 * rleMerge for n >= 1 masks of one size: each step is maskApi.c's, except that a step whose C
 * result is truncated (see rleMergeStepC) is redone on the masks without zero-length runs.
 */
export function rleMerge(R: readonly Rle[], intersect: boolean): Rle {
  const h = R[0]!.h;
  const w = R[0]!.w;
  if (R.length === 1) return rle(h, w, R[0]!.counts);
  let cnts: ArrayLike<number> = R[0]!.counts;
  for (let i = 1; i < R.length; i++) {
    let out = rleMergeStepC(cnts, R[i]!.counts, intersect);
    if (sum(out) !== h * w) out = rleMergeStepC(dropZeroRuns(cnts), dropZeroRuns(R[i]!.counts), intersect);
    cnts = out;
  }
  return rle(h, w, cnts);
}

/** rleArea: the sum of the foreground (odd-index) runs. */
export function rleArea(R: Rle): number {
  let a = 0;
  for (let j = 1; j < R.counts.length; j += 2) a += R.counts[j]!;
  return a;
}

/**
 * pycocotools 2.0.11 rleToBbox, including its uint arithmetic: a mask whose only foreground runs
 * have length 0 gives [w, h, 2^32-w+1, 2^32-h+1] (xs=w, xe=0). rleIou's box prefilter sees this.
 */
export function rleToBboxC(R: Rle): [number, number, number, number] {
  const h = R.h >>> 0;
  const w = R.w >>> 0;
  const m = Math.floor(R.counts.length / 2) * 2;
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  if (m === 0) return [0, 0, 0, 0];
  for (let j = 0; j < m; j++) {
    const start = cc;
    cc = (cc + R.counts[j]!) >>> 0;
    if (j % 2 === 0) continue;
    if (R.counts[j] === 0) continue;
    const yStart = start % h;
    const xStart = (start - yStart) / h;
    const yEnd = (cc - 1) % h;
    const xEnd = (cc - 1 - yEnd) / h;
    xs = Math.min(xs, xStart);
    xe = Math.max(xe, xEnd);
    if (xStart < xEnd) {
      ys = 0;
      ye = h - 1;
    } else {
      ys = Math.min(ys, yStart);
      ye = Math.max(ye, yEnd);
    }
  }
  return [xs, ys, (xe - xs + 1) >>> 0, (ye - ys + 1) >>> 0];
}

/** bbIou, written out detection-major: o[d*n + g]. */
export function bbIou(dt: ArrayLike<number>, gt: ArrayLike<number>, m: number, n: number, iscrowd: Uint8Array | null): Float64Array {
  const o = new Float64Array(m * n);
  for (let g = 0; g < n; g++) {
    const G = 4 * g;
    const ga = gt[G + 2]! * gt[G + 3]!;
    const crowd = iscrowd !== null && iscrowd[g] !== 0;
    for (let d = 0; d < m; d++) {
      const D = 4 * d;
      const da = dt[D + 2]! * dt[D + 3]!;
      o[d * n + g] = 0;
      const w = Math.min(dt[D + 2]! + dt[D]!, gt[G + 2]! + gt[G]!) - Math.max(dt[D]!, gt[G]!);
      if (w <= 0) continue;
      const hh = Math.min(dt[D + 3]! + dt[D + 1]!, gt[G + 3]! + gt[G + 1]!) - Math.max(dt[D + 1]!, gt[G + 1]!);
      if (hh <= 0) continue;
      const i = w * hh;
      const u = crowd ? da : da + ga - i;
      o[d * n + g] = i / u;
    }
  }
  return o;
}

/** rleIou, written out detection-major: o[d*n + g]. */
export function rleIou(dt: readonly Rle[], gt: readonly Rle[], iscrowd: Uint8Array | null): Float64Array {
  const m = dt.length;
  const n = gt.length;
  const db = dt.flatMap((r) => rleToBboxC(r));
  const gb = gt.flatMap((r) => rleToBboxC(r));
  const o = bbIou(db, gb, m, n, iscrowd);
  for (let g = 0; g < n; g++) {
    for (let d = 0; d < m; d++) {
      if (!(o[d * n + g]! > 0)) continue;
      const crowd = iscrowd !== null && iscrowd[g] !== 0;
      if (dt[d]!.h !== gt[g]!.h || dt[d]!.w !== gt[g]!.w) {
        o[d * n + g] = -1;
        continue;
      }
      const A = dt[d]!.counts;
      const B = gt[g]!.counts;
      let ca = A[0]!;
      let cb = B[0]!;
      let va = 0;
      let vb = 0;
      let a = 1;
      let b = 1;
      let i = 0;
      let u = 0;
      let ct = 1;
      while (ct > 0) {
        const c = Math.min(ca, cb);
        if (va || vb) {
          u += c;
          if (va && vb) i += c;
        }
        ct = 0;
        ca -= c;
        if (!ca && a < A.length) {
          ca = A[a++]!;
          va = va ? 0 : 1;
        }
        ct += ca;
        cb -= c;
        if (!cb && b < B.length) {
          cb = B[b++]!;
          vb = vb ? 0 : 1;
        }
        ct += cb;
      }
      if (i === 0) u = 1;
      else if (crowd) u = rleArea(dt[d]!);
      o[d * n + g] = i / u;
    }
  }
  return o;
}

/** rleFrPoly: one polygon of k = xy.length/2 points. */
export function rleFrPoly(xy: ArrayLike<number>, h: number, w: number): Rle {
  const k = xy.length / 2;
  const scale = 5;
  // upsample and get discrete points densely along the entire boundary
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < k; j++) x[j] = cInt(scale * xy[j * 2]! + 0.5);
  x[k] = x[0]!;
  for (let j = 0; j < k; j++) y[j] = cInt(scale * xy[j * 2 + 1]! + 0.5);
  y[k] = y[0]!;
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy; // 0/0 = NaN for a repeated point, as in C
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(cInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(cInt(xs + s * t + 0.5));
      }
    }
  }
  // get points along the y-boundary and downsample
  const bx: number[] = [];
  const by: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    bx.push(xd);
    by.push(yd);
  }
  // compute the rle encoding given the y-boundary points
  const a = new Uint32Array(bx.length + 1);
  for (let j = 0; j < bx.length; j++) a[j] = bx[j]! * h + by[j]!;
  a[bx.length] = h * w;
  a.sort();
  let p = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j]!;
    a[j] = a[j]! - p;
    p = t;
  }
  const b: number[] = [];
  let j = 0;
  b.push(a[j++]!);
  while (j < a.length) {
    if (a[j]! > 0) b.push(a[j++]!);
    else {
      j++;
      if (j < a.length) b[b.length - 1]! += a[j++]!;
    }
  }
  return rle(h, w, b);
}

/** rleToString: LEB128-like, 5 data bits per char, offset 48, delta to count i-2 from i = 3 on. */
export function rleToString(R: Rle): string {
  let s = "";
  const cnts = R.counts;
  for (let i = 0; i < cnts.length; i++) {
    let x = cnts[i]!;
    if (i > 2) x -= cnts[i - 2]!;
    let more = true;
    while (more) {
      let c = x - Math.floor(x / 32) * 32; // x & 0x1f
      x = Math.floor(x / 32); // x >>= 5 (arithmetic)
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/**
 * rleFrString with its arithmetic done exactly (no C shifts past 32 bits); malformed input gives
 * [code, a, b] for rleStringError instead of garbage.
 */
export function rleFrString(s: string, h: number, w: number): { counts: Uint32Array } | { error: [number, number, number] } {
  const cnts: number[] = [];
  let p = 0;
  let sum = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let scale = 1;
    let more = true;
    while (more) {
      if (p >= s.length) return { error: [STR_DANGLING, cnts.length, 0] };
      const ch = s.charCodeAt(p);
      if (ch < 48 || ch > 111) return { error: [STR_BAD_CHAR, p, 0] };
      if (k >= STR_MAX_CHARS) return { error: [STR_TOO_LONG, cnts.length, 0] };
      const c = ch - 48;
      x += (c & 0x1f) * scale;
      scale *= 32;
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= scale;
    }
    const m = cnts.length;
    if (m > 2) x += cnts[m - 2]!;
    if (x < 0) return { error: [STR_NEGATIVE, m, x] };
    if (x > 4294967295) return { error: [STR_TOO_BIG, m, x] };
    cnts.push(x);
    sum += x;
  }
  if (sum !== h * w) return { error: [STR_SUM, cnts.length, sum] };
  return { counts: Uint32Array.from(cnts) };
}

// ---- the GeometryEngine ------------------------------------------------------------------------

export class ReferenceGeometry implements GeometryEngine {
  rleFromString(counts: string, h: number, w: number): Rle {
    checkRleString("rleFromString", counts);
    checkSize("rleFromString", h, w);
    const r = rleFrString(counts, h, w);
    if ("error" in r) throw rleStringError("rleFromString", counts, r.error[0], r.error[1], r.error[2], h, w);
    return { h, w, counts: r.counts };
  }

  rleToString(R: Rle): string {
    checkRle("rleToString", R);
    return rleToString(R);
  }

  rleFromCounts(counts: ArrayLike<number>, h: number, w: number): Rle {
    checkSize("rleFromCounts", h, w);
    checkCounts("rleFromCounts", counts, h, w);
    return rle(h, w, counts);
  }

  rleArea(R: Rle): number {
    checkRle("rleArea", R);
    return rleArea(R);
  }

  rleToBbox(R: Rle): [number, number, number, number] {
    checkRle("rleToBbox", R);
    if (rleArea(R) === 0) return [0, 0, 0, 0];
    return rleToBboxC(R);
  }

  rleMerge(rles: readonly Rle[], intersect: boolean): Rle {
    checkRleList("rleMerge", rles, "rles");
    checkSameSize("rleMerge", rles);
    return rleMerge(rles, intersect);
  }

  rleFromBitmask(mask: ArrayLike<number>, h: number, w: number, order: PixelOrder, stride = 1, offset = 0): Rle {
    checkBitmask("rleFromBitmask", mask, h, w, order, stride, offset);
    const T = new Uint8Array(h * w);
    for (let x = 0; x < w; x++) {
      for (let y = 0; y < h; y++) {
        const src = order === "column-major" ? x * h + y : y * w + x;
        T[x * h + y] = mask[src * stride + offset] !== 0 ? 1 : 0;
      }
    }
    return rleEncode(T, h, w);
  }

  rleToBitmask(R: Rle, order: PixelOrder): Uint8Array {
    checkRle("rleToBitmask", R);
    checkOrder("rleToBitmask", order);
    const M = rleDecode(R);
    if (order === "column-major") return M;
    const out = new Uint8Array(R.h * R.w);
    for (let x = 0; x < R.w; x++) for (let y = 0; y < R.h; y++) out[y * R.w + x] = M[x * R.h + y]!;
    return out;
  }

  rleFromPolygon(xy: ArrayLike<number>, h: number, w: number): Rle {
    checkSize("rleFromPolygon", h, w);
    checkPolygon("rleFromPolygon", xy, h, w);
    return rleFrPoly(xy, h, w);
  }

  rleFromPolygons(parts: readonly ArrayLike<number>[], h: number, w: number): Rle {
    checkSize("rleFromPolygons", h, w);
    checkPolygonList("rleFromPolygons", parts, h, w);
    return rleMerge(
      parts.map((p) => rleFrPoly(p, h, w)),
      false,
    );
  }

  rleFromBox(box: Box, h: number, w: number): Rle {
    checkSize("rleFromBox", h, w);
    checkBox("rleFromBox", box, h, w);
    return rleFrPoly(boxToPolygon(box), h, w);
  }

  rleFromRotatedBox(box: RotatedBox, h: number, w: number): Rle {
    checkSize("rleFromRotatedBox", h, w);
    checkRotatedBox("rleFromRotatedBox", box);
    const xy = rotatedBoxToPolygon(box);
    checkPolygon("rleFromRotatedBox", xy, h, w, "rotated box");
    return rleFrPoly(xy, h, w);
  }

  boxIou(dt: Float64Array, gt: Float64Array, crowdIn: CrowdFlags): Float64Array {
    const m = checkBoxArray("boxIou", dt, "dt");
    const n = checkBoxArray("boxIou", gt, "gt");
    const crowd = crowdFlags("boxIou", crowdIn, n);
    checkIouSize("boxIou", m, n);
    return bbIou(dt, gt, m, n, crowd ?? null);
  }

  rleBoundary(R: Rle, dilation: number): Rle {
    checkRle("rleBoundary", R);
    checkDilation("rleBoundary", dilation);
    return rleBoundaryReference(R, dilation);
  }

  maskIou(dt: readonly Rle[], gt: readonly Rle[], crowdIn: CrowdFlags): Float64Array {
    checkRleList("maskIou", dt, "dt");
    checkRleList("maskIou", gt, "gt");
    const crowd = crowdFlags("maskIou", crowdIn, gt.length);
    checkIouSize("maskIou", dt.length, gt.length);
    return rleIou(dt, gt, crowd ?? null);
  }
}
