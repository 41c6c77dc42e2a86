// Masks in bulk: RLE strings, polygons, uncompressed counts and boxes to one pool of counts, with
// a table entry (assembly/iou.ts layout) and a box per mask. The host is bindings/coco/mask-pool.ts.

import { describeMask } from "./iou";
import { rleFrPoly } from "./raster";
import { mergeTwo, rleFromString } from "./rle";
import { field } from "./context";
import {
  B_BOXES, B_BYTES, B_COORDS, B_ERR, B_JOBS, B_MBOX,
  B_PARTS, B_POLY, B_POOL, B_SCRATCH, B_SRC_COUNTS, B_TABLE,
  JOB_BOX, JOB_COUNTS, JOB_POLYGONS, JOB_STRING,
} from "./generated/contexts";

// Jobs: 8 u32 each: [kind, a, b, h, w, 0, bound, cap]
//   STRING:   compressed RLE, bytes a .. a+b of `bytes`          (rleFrString)
//   POLYGONS: parts a .. a+b of `parts` (i32 pairs: f64 index into `coords`, number count), merged
//   COUNTS:   counts a .. a+b of `srcCounts` (uncompressed RLE, already validated)
//   BOX:      the box polygon of the f64 quad [x, y, w, h] at index a of `boxes` (loadRes' bbox polygon)
// maskBounds fills bound (room for the counts) and cap (the largest rleFrPoly bound of its parts)
// and returns the largest rleFrPoly scratch need; the host then allocates a pool of the bounds'
// sum and calls buildMasks, which writes the masks one after the other (mask j right after mask
// j-1) and each mask's table entry [offset, length, h, w, area, flags, 0, 0] (assembly/iou.ts
// layout, described by describeMask) and box.


/** checkPolygon's bound (bindings/geometry/validate.ts) on kept positions of one part (+1), for an image of width w. */
function polygonCap(xy: usize, n: u32, w: u32): u32 {
  // integer sums of the grid points (C's (int)(5*v + .5), inside int32: checked by the host)
  const k = n >> 1;
  let points: i64 = 0;
  let bound: i64 = <i64>k + 1;
  let x0 = gridAt(xy, 0), y0 = gridAt(xy, 1);
  const xf = x0, yf = y0;
  for (let j: u32 = 0; j < k; j++) {
    const x1 = j + 1 < k ? gridAt(xy, 2 * j + 2) : xf;
    const y1 = j + 1 < k ? gridAt(xy, 2 * j + 3) : yf;
    const dx = abs(x1 - x0), dy = abs(y1 - y0);
    points += max(dx, dy) + 1;
    bound += min(dx, <i64>w);
    x0 = x1;
    y0 = y1;
  }
  return <u32>min(bound, points + 1);
}

// @ts-ignore: decorator
@inline function gridAt(xy: usize, i: u32): i64 {
  return <i64>(5.0 * load<f64>(xy + (<usize>i << 3)) + 0.5);
}

/** The box polygon [x1, y1, x1, y2, x2, y2, x2, y1] of job j's box into the context's polygon slot. */
function boxPolygon(ctx: usize, a: u32): usize {
  const bx = field(ctx, B_BOXES) + (<usize>a << 5);
  const p = field(ctx, B_POLY);
  const x1 = load<f64>(bx), y1 = load<f64>(bx, 8);
  const x2 = x1 + load<f64>(bx, 16), y2 = y1 + load<f64>(bx, 24);
  store<f64>(p, x1); store<f64>(p, y1, 8);
  store<f64>(p, x1, 16); store<f64>(p, y2, 24);
  store<f64>(p, x2, 32); store<f64>(p, y2, 40);
  store<f64>(p, x2, 48); store<f64>(p, y1, 56);
  return p;
}

/** Bounds of jobs j0..j1-1 (their `bound` and `cap` fields); returns the largest scratch need in u32 (parts, merges). */
export function maskBounds(ctx: usize, j0: u32, j1: u32): u32 {
  const jobs = field(ctx, B_JOBS), coords = field(ctx, B_COORDS), parts = field(ctx, B_PARTS);
  let need: u32 = 0;
  for (let j = j0; j < j1; j++) {
    const job = jobs + (<usize>j << 5);
    const kind = load<u32>(job), a = load<u32>(job, 4), b = load<u32>(job, 8), w = load<u32>(job, 16);
    let bound: u32 = 0;
    if (kind == JOB_STRING || kind == JOB_COUNTS) bound = b;
    else if (kind == JOB_POLYGONS || kind == JOB_BOX) {
      let capMax: u32 = 0;
      for (let q: u32 = 0; q < (kind == JOB_BOX ? 1 : b); q++) {
        let cap: u32;
        if (kind == JOB_BOX) cap = polygonCap(boxPolygon(ctx, a), 8, w);
        else {
          const pp = parts + (<usize>(a + q) << 3);
          cap = polygonCap(coords + (<usize>load<u32>(pp) << 3), load<u32>(pp, 4), w);
        }
        bound += cap;
        capMax = max(capMax, cap);
      }
      // one part's buffer, rleFrPoly's tmp (2 cap + w + 4), a merge output (the bound)
      need = max(need, capMax + 2 * capMax + w + 4 + (kind == JOB_POLYGONS && b > 1 ? bound : 0));
      // every part is rasterised with room for capMax (its own count stays within its own bound)
      store<u32>(job, capMax, 28);
    }
    store<u32>(job, bound, 24);
  }
  return need;
}

/**
 * Builds jobs j0..j1-1 into the pool, each right after the previous job's counts, and describes
 * them (describeMask). Returns -1, the index of a job whose string is malformed, or -2 - j when
 * job j overflowed its bound or its counts do not sum to h*w (a bug).
 */
export function buildMasks(ctx: usize, j0: u32, j1: u32): i32 {
  const jobs = field(ctx, B_JOBS), bytes = field(ctx, B_BYTES), coords = field(ctx, B_COORDS), parts = field(ctx, B_PARTS);
  const src = field(ctx, B_SRC_COUNTS), pool = field(ctx, B_POOL), table = field(ctx, B_TABLE);
  const scratch = field(ctx, B_SCRATCH), err = field(ctx, B_ERR), mbox = field(ctx, B_MBOX);
  let off: u32 = 0;
  if (j0 > 0) {
    const t = table + (<usize>(j0 - 1) << 5);
    off = load<u32>(t) + load<u32>(t, 4);
  }
  for (let j = j0; j < j1; j++) {
    const job = jobs + (<usize>j << 5);
    const kind = load<u32>(job), a = load<u32>(job, 4), b = load<u32>(job, 8);
    const h = load<u32>(job, 12), w = load<u32>(job, 16), cap = load<u32>(job, 28);
    const out = pool + (<usize>off << 2);
    let m: i32 = 0;
    if (kind == JOB_STRING) {
      m = rleFromString(bytes + <usize>a, b, <f64>h * <f64>w, out, err);
      if (m < 0) return <i32>j;
    } else if (kind == JOB_COUNTS) {
      memory.copy(out, src + (<usize>a << 2), <usize>b << 2);
      m = <i32>b;
    } else if (kind == JOB_BOX) {
      m = rleFrPoly(boxPolygon(ctx, a), 4, <i32>h, <i32>w, out, scratch, cap);
    } else if (kind == JOB_POLYGONS) {
      for (let q: u32 = 0; q < b; q++) {
        const pp = parts + (<usize>(a + q) << 3);
        const xy = coords + (<usize>load<u32>(pp) << 3);
        const n = load<u32>(pp, 4);
        if (q == 0) {
          m = rleFrPoly(xy, n >> 1, <i32>h, <i32>w, out, scratch, cap);
          if (m < 0) return -2 - <i32>j;
        } else {
          // the part into scratch, then union with what `out` holds (annToRLE merges the parts in order)
          const part = scratch;
          const tmp = scratch + (<usize>cap << 2);
          const mp = rleFrPoly(xy, n >> 1, <i32>h, <i32>w, part, tmp, cap);
          if (mp < 0) return -2 - <i32>j;
          const merged = tmp + (<usize>(2 * cap + w + 4) << 2);
          const mm = mergeTwo(out, <u32>m, part, <u32>mp, merged, false, h * w);
          memory.copy(out, merged, <usize>mm << 2);
          m = <i32>mm;
        }
      }
    }
    if (m < 0) return -2 - <i32>j; // (a bound too small: a bug)
    const t = table + (<usize>j << 5);
    store<u32>(t, off);
    store<u32>(t, <u32>m, 4);
    store<u32>(t, h, 8);
    store<u32>(t, w, 12);
    store<u32>(t, 0, 24);
    store<u32>(t, 0, 28);
    if (!describeMask(out, t, mbox + (<usize>j << 5))) return -2 - <i32>j;
    off += <u32>m;
  }
  return -1;
}
