// Box IoU (bbIou) and mask IoU (rleIou) blocks, crowd aware, written detection-major:
// out[(d - d0)*n + g] (maskApi.c writes o[g*m + d]). Rows d0..d1 per call so the host can feed large
// blocks in pieces of a few milliseconds (V8 does not swap a running wasm call to optimised code),
// and keep only those rows in memory (`out` is row d0's first value).
import { rleArea } from "./rle";

// @ts-ignore: decorator
@inline export function boxIouOne(D: usize, G: usize, crowd: bool): f64 {
  const dx = load<f64>(D), dy = load<f64>(D, 8), dw = load<f64>(D, 16), dh = load<f64>(D, 24);
  const gx = load<f64>(G), gy = load<f64>(G, 8), gw = load<f64>(G, 16), gh = load<f64>(G, 24);
  const w = min(dw + dx, gw + gx) - max(dx, gx);
  if (w <= 0) return 0;
  const h = min(dh + dy, gh + gy) - max(dy, gy);
  if (h <= 0) return 0;
  const i = w * h;
  const da = dw * dh;
  const u = crowd ? da : da + gw * gh - i;
  return i / u;
}

/** bbIou for detections d0..d1-1 (f64 quads at dt) against n labels (gt); crowd: n bytes or 0; row d at out + (d - d0) * n. */
export function boxIouRows(dt: usize, d0: u32, d1: u32, gt: usize, n: u32, crowd: usize, out: usize): void {
  for (let d = d0; d < d1; d++) {
    const D = dt + (<usize>d << 5);
    const row = out + (<usize>(d - d0) * n << 3);
    for (let g: u32 = 0; g < n; g++) {
      const isCrowd = crowd != 0 && load<u8>(crowd + g) != 0;
      store<f64>(row + (<usize>g << 3), boxIouOne(D, gt + (<usize>g << 5), isCrowd));
    }
  }
}

// Mask table entries: 8 u32 per mask: [offset, length, h, w, area, flags, 0, 0] (offset in counts
// from `cnts`); rlePrepare fills area and flags. FLAG_ZERO_RUN: a zero-length run after the first.
const FLAG_ZERO_RUN: u32 = 1;

/**
 * Checks and describes n masks before any IoU loop: returns the index of the first mask whose
 * counts do not sum to h*w (the host then names the problem), or -1. Writes each mask's area and
 * flags into its table entry and its C-exact rleToBbox quad (f64) to `boxes` (see describeMask).
 */
export function rlePrepare(cnts: usize, table: usize, n: u32, boxes: usize): i32 {
  for (let i: u32 = 0; i < n; i++) {
    const t = table + (<usize>i << 5);
    if (!describeMask(cnts + (<usize>load<u32>(t) << 2), t, boxes + (<usize>i << 5))) return <i32>i;
  }
  return -1;
}

/**
 * One mask of rlePrepare (table entry t, box out at bx), in one pass over its counts; false when
 * they do not sum to h*w. The box is rleBbox's (assembly/rle.ts): x from the first non-empty
 * run's start and the last one's end, y the extreme rows of the non-empty runs, or every row once
 * a run crosses a column boundary (then only the sums and the last run are still needed).
 */
export function describeMask(A: usize, t: usize, bx: usize): bool {
  const k = load<u32>(t, 4), h = load<u32>(t, 8), w = load<u32>(t, 12);
  const m = k & ~1;
  // column of a position p < 2^28 (any position of a well-formed mask): (p * M) >> sh; h = 0
  // implies no non-empty run (counts sum to h*w = 0): the divisor is then unused
  const l: u32 = h > 1 ? 32 - <u32>clz(h - 1) : 0;
  const sh: u64 = 28 + <u64>l;
  const M: u64 = h > 0 ? ((<u64>1 << sh) + <u64>h - 1) / <u64>h : 0;
  let cc: u64 = 0; // 64 bits: malformed counts must not wrap into a valid sum
  let area: u32 = 0;
  let mn = u32.MAX_VALUE; // the smallest count (zero-length runs: see below)
  let ys = h, ye: u32 = 0;
  let first = u64.MAX_VALUE, last: u64 = 0; // start of the first non-empty run, end of the last
  let j: u32 = 0;
  for (; j < m; j += 2) {
    const p = A + (<usize>j << 2);
    const b = load<u32>(p), f = load<u32>(p, 4);
    mn = min(mn, min(b, f));
    const start = cc + b;
    cc = start + f;
    area += f;
    if (f == 0) continue;
    first = min(first, start);
    last = cc;
    const y = <u32>start - <u32>((start * M) >> sh) * h; // its row
    if (f > h - y) break; // crosses into the next column
    ys = min(ys, y);
    ye = max(ye, y + f - 1);
  }
  const crossed = j < m;
  if (crossed) {
    for (j += 2; j < m; j += 2) {
      const p = A + (<usize>j << 2);
      const b = load<u32>(p), f = load<u32>(p, 4);
      mn = min(mn, min(b, f));
      cc += <u64>b + f;
      area += f;
      if (f != 0) last = cc;
    }
  }
  if (k & 1) {
    const b = load<u32>(A + (<usize>m << 2));
    mn = min(mn, b);
    cc += b;
  }
  if (cc != <u64>h * <u64>w) return false;
  store<u32>(t, area, 16);
  // a zero count after the first (a leading 0, foreground from the first pixel, is rare: checked apart)
  let zero = mn == 0;
  if (zero && load<u32>(A) == 0) {
    zero = false;
    for (let i: u32 = 1; i < k; i++) if (load<u32>(A + (<usize>i << 2)) == 0) { zero = true; break; }
  }
  store<u32>(t, zero ? FLAG_ZERO_RUN : 0, 20);
  if (m == 0) {
    store<f64>(bx, 0); store<f64>(bx, 0, 8); store<f64>(bx, 0, 16); store<f64>(bx, 0, 24);
    return true;
  }
  let xs = w, xe: u32 = 0;
  if (first != u64.MAX_VALUE) {
    xs = <u32>((first * M) >> sh);
    xe = <u32>(((last - 1) * M) >> sh);
  }
  if (crossed) { ys = 0; ye = h - 1; }
  store<f64>(bx, <f64>xs);
  store<f64>(bx, <f64>ys, 8);
  store<f64>(bx, <f64>(xe - xs + 1), 16);
  store<f64>(bx, <f64>(ye - ys + 1), 24);
  return true;
}

/**
 * rleIou for detections d0..d1-1 against the n labels: dt masks are table entries 0..m-1, labels
 * m..m+n-1 (see rlePrepare); row d at out + (d - d0) * n. The box IoU prefilter decides which
 * pairs are merged.
 */
export function maskIouRows(cnts: usize, table: usize, boxes: usize, d0: u32, d1: u32, m: u32, n: u32, crowd: usize, out: usize): void {
  const gtTab = table + (<usize>m << 5);
  const gtBox = boxes + (<usize>m << 5);
  for (let d = d0; d < d1; d++) {
    const td = table + (<usize>d << 5);
    const A = cnts + (<usize>load<u32>(td) << 2);
    const ka = load<u32>(td, 4), hd = load<u32>(td, 8), wd = load<u32>(td, 12);
    const areaD = load<u32>(td, 16), flagsD = load<u32>(td, 20);
    const D = boxes + (<usize>d << 5);
    const row = out + (<usize>(d - d0) * n << 3);
    for (let g: u32 = 0; g < n; g++) {
      const isCrowd = crowd != 0 && load<u8>(crowd + g) != 0;
      let o = boxIouOne(D, gtBox + (<usize>g << 5), isCrowd);
      if (o > 0) {
        const tg = gtTab + (<usize>g << 5);
        if (load<u32>(tg, 8) != hd || load<u32>(tg, 12) != wd) {
          o = -1;
        } else {
          const B = cnts + (<usize>load<u32>(tg) << 2);
          const kb = load<u32>(tg, 4);
          if ((flagsD | load<u32>(tg, 20)) == 0) {
            // No zero-length runs after the first: C's loop scans both masks to the end, so its
            // union is area(dt) + area(gt) - intersection; only the foreground runs are visited.
            const i = intersectFg(A, ka, B, kb);
            const u: u32 = i == 0 ? 1 : isCrowd ? areaD : areaD + load<u32>(tg, 16) - i;
            o = <f64>i / <f64>u;
          } else {
            o = rleIouPair(A, ka, B, kb, isCrowd);
          }
        }
      }
      store<f64>(row + (<usize>g << 3), o);
    }
  }
}

/** Pixels in both masks: a two-pointer walk over the foreground intervals only. */
export function intersectFg(A: usize, ka: u32, B: usize, kb: u32): u32 {
  if (ka < 2 || kb < 2) return 0;
  let ja: u32 = 1, jb: u32 = 1;
  let sA = load<u32>(A), eA = sA + load<u32>(A, 4);
  let sB = load<u32>(B), eB = sB + load<u32>(B, 4);
  let i: u32 = 0;
  while (true) {
    const lo = max(sA, sB), hi = min(eA, eB);
    if (hi > lo) i += hi - lo;
    if (eA <= eB) {
      ja += 2;
      if (ja >= ka) break;
      const p = A + (<usize>ja << 2);
      sA = eA + load<u32>(p - 4);
      eA = sA + load<u32>(p);
    } else {
      jb += 2;
      if (jb >= kb) break;
      const p = B + (<usize>jb << 2);
      sB = eB + load<u32>(p - 4);
      eB = sB + load<u32>(p);
    }
  }
  return i;
}

/** The two-pointer loop of rleIou for one pair of same-sized masks. */
export function rleIouPair(A: usize, ka: u32, B: usize, kb: u32, crowd: bool): f64 {
  let ca: u32 = ka > 0 ? load<u32>(A) : 0;
  let cb: u32 = kb > 0 ? load<u32>(B) : 0;
  let va = false, vb = false;
  let a: u32 = 1, b: u32 = 1, i: u32 = 0, u: u32 = 0, ct: u32 = 1;
  while (ct > 0) {
    const c = min(ca, cb);
    if (va || vb) {
      u += c;
      if (va && vb) i += c;
    }
    ct = 0;
    let moved = false;
    ca -= c;
    if (!ca && a < ka) { ca = load<u32>(A + (<usize>a << 2)); a++; va = !va; moved = true; }
    ct += ca;
    cb -= c;
    if (!cb && b < kb) { cb = load<u32>(B + (<usize>b << 2)); b++; vb = !vb; moved = true; }
    ct += cb;
    if (c == 0 && !moved) break; // only reachable with counts of different sums: never hang
  }
  if (i == 0) u = 1;
  else if (crowd) u = rleArea(A, ka);
  return <f64>i / <f64>u;
}
