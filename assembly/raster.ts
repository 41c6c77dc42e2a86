// Polygon -> RLE exactly as maskApi.c's rleFrPoly (boxes and rotated boxes reach it as polygons).
//
// rleFrPoly walks every edge on a 5x grid (a DDA), keeps the x-transitions between consecutive
// boundary points whose column maps back to a pixel centre, sorts the resulting positions
// x*h + y and differences them into counts. The kept set does not depend on the order in which
// the transitions are visited (it is sorted afterwards), which this port uses to skip work:
//  - on an x-major edge every step is a transition and only every fifth one (u = 5k + 2) can be
//    kept, so only those steps inside the image's columns are visited;
//  - on a y-major edge u is monotone with steps of at most 1, so the transition between
//    u = 5k+2 and 5k+3 happens at exactly one step, found from a closed-form guess corrected
//    with the exact C expression; vertical edges (dx = 0) have none.
// Each kept transition gives the same (x, y) as the C loop; see test/geometry.property.test.ts.
import { mergeTwo } from "./rle";

const INT_MIN: i32 = -2147483648;

// @ts-ignore: decorator
@inline function grid(xy: usize, i: u32): i32 {
  // C's (int)(5*v + .5); |5*v + .5| < 2^31 is checked by the host.
  return <i32>(5.0 * load<f64>(xy + (<usize>i << 3)) + 0.5);
}

// Kept-transition state of one rasterisation (globals: no managed memory).
let gA: usize = 0; // output positions (u32)
let gX: usize = 0; // their columns (u32), for the sort
let gM: u32 = 0; // how many
let gCap: u32 = 0; // room in gA
let gH: i32 = 0;
let gW: i32 = 0;
let gOverflow = false;
let gXmin: i32 = 0; // column range of the kept positions
let gXmax: i32 = 0;

// @ts-ignore: decorator
@inline function keep(xd: i32, v0: i32, v1: i32): void {
  // xd = (u+.5)/5 - .5 is an integer in [0, w-1]  <=>  u = 5*xd + 2, 0 <= xd <= w-1
  // y = ceil(clamp((min(v)+.5)/5 - .5, 0, h))    <=>  0 if v < 2 else min(h, ceil((v-2)/5))
  const v = min(v0, v1);
  let y: i32 = 0;
  if (v >= 2) {
    const q = v - 2; // ceil(q / 5) without overflow near 2^31
    y = q / 5 + (q % 5 != 0 ? 1 : 0);
    if (y > gH) y = gH;
  }
  if (gM >= gCap) { gOverflow = true; return; }
  if (xd < gXmin) gXmin = xd;
  if (xd > gXmax) gXmax = xd;
  store<u32>(gA + (<usize>gM << 2), <u32>(xd * gH + y));
  store<u32>(gX + (<usize>gM << 2), <u32>xd);
  gM++;
}

/** One transition between consecutive boundary points (u0,v0) -> (u1,v1), u0 != u1. */
// @ts-ignore: decorator
@inline function transition(u0: i32, v0: i32, u1: i32, v1: i32): void {
  const ud = u1 < u0 ? u1 : u1 - 1;
  if (ud < 2) return;
  const r = ud - 2;
  if (r % 5 != 0) return;
  const xd = r / 5;
  if (xd > gW - 1) return;
  keep(xd, v0, v1);
}

/**
 * Rasterises the polygon of k points (f64 pairs at xy) for an h x w image. `a` has room for
 * `cap` u32 (the host's bound on kept positions, +1) and `tmp` for 2*cap + w + 4, for sorting.
 * Writes the counts to a and returns how many, or -1 if `cap` was too small.
 */
export function rleFrPoly(xy: usize, k: u32, h: i32, w: i32, a: usize, tmp: usize, cap: u32): i32 {
  gA = a; gX = tmp + (<usize>cap << 2); gM = 0; gCap = cap - 1; gH = h; gW = w; gOverflow = false; gXmin = w; gXmax = -1;
  const uMax: i64 = 5 * (<i64>w - 1) + 2; // the largest u = 5*xd + 2 that can be kept
  let pu: i32 = 0, pv: i32 = 0; // the previous edge's last point (in traversal order)
  let x0 = grid(xy, 0), y0 = grid(xy, 1);
  const xf = x0, yf = y0;
  for (let j: u32 = 0; j < k; j++) {
    const x1 = j + 1 < k ? grid(xy, 2 * j + 2) : xf;
    const y1 = j + 1 < k ? grid(xy, 2 * j + 3) : yf;
    let xs = x0, xe = x1, ys = y0, ye = y1;
    x0 = x1; y0 = y1;
    const dx = abs(xe - xs), dy = abs(ys - ye);
    const xmajor = dx >= dy;
    const flip = (xmajor && xs > xe) || (!xmajor && ys > ye);
    if (flip) {
      let t = xs; xs = xe; xe = t;
      t = ys; ys = ye; ye = t;
    }
    // First and last points of this edge in the C traversal order (t = flip ? D-d : d).
    let fu: i32, fv: i32, lu: i32, lv: i32;
    if (dx == 0 && dy == 0) {
      // s = 0/0: C's (int)NaN is INT_MIN on x86-64 (the point is never kept, see tests).
      fu = lu = xs;
      fv = lv = INT_MIN;
    } else if (xmajor) {
      const s = <f64>(ye - ys) / <f64>dx;
      const v0 = <i32>(<f64>ys + s * 0.0 + 0.5);
      const vD = <i32>(<f64>ys + s * <f64>dx + 0.5);
      if (flip) { fu = xs + dx; fv = vD; lu = xs; lv = v0; } else { fu = xs; fv = v0; lu = xs + dx; lv = vD; }
      // Interior transitions: pairs (t, t+1), u = xs + t -> xs + t + 1, kept iff xs + t = 5*xd + 2.
      let tLo: i64 = max<i64>(0, 2 - <i64>xs);
      const rem = <i32>((<i64>xs + tLo - 2) % 5);
      if (rem != 0) tLo += 5 - rem;
      const tHi: i64 = min<i64>(<i64>dx - 1, uMax - <i64>xs);
      for (let t = <i32>tLo; <i64>t <= tHi; t += 5) {
        const va = <i32>(<f64>ys + s * <f64>t + 0.5);
        const vb = <i32>(<f64>ys + s * <f64>(t + 1) + 0.5);
        keep((xs + t - 2) / 5, va, vb);
      }
    } else {
      const s = <f64>(xe - xs) / <f64>dy;
      const u0 = <i32>(<f64>xs + s * 0.0 + 0.5);
      const uD = <i32>(<f64>xs + s * <f64>dy + 0.5);
      if (flip) { fu = uD; fv = ys + dy; lu = u0; lv = ys; } else { fu = u0; fv = ys; lu = uD; lv = ys + dy; }
      if (dx != 0) {
        // Kept pairs (t-1, t) have u(t-1), u(t) = 5k+2, 5k+3 (either order), 0 <= k <= w-1.
        const uLo = min(u0, uD), uHi = max(u0, uD);
        const kLo = <i32>max<f64>(0, Math.ceil((<f64>uLo - 2) / 5));
        const kHi = <i32>min<f64>(<f64>w - 1, Math.floor((<f64>uHi - 3) / 5));
        const inc = uD > u0;
        const fs = <f64>xs, fdy = <f64>dy, inv = 1 / s;
        for (let kk = kLo; kk <= kHi; kk++) {
          const target = 5 * kk + 3;
          // the first t in [1, dy] with u(t) >= target (increasing) or u(t) < target (decreasing)
          let g = Math.ceil((<f64>target - 0.5 - fs) * inv); // a guess: corrected below
          if (!(g >= 1)) g = 1;
          if (g > fdy) g = fdy;
          let t = <i32>g;
          if (inc) {
            while (t > 1 && <i32>(fs + s * <f64>(t - 1) + 0.5) >= target) t--;
            while (<i32>(fs + s * <f64>t + 0.5) < target) t++;
          } else {
            while (t > 1 && <i32>(fs + s * <f64>(t - 1) + 0.5) < target) t--;
            while (<i32>(fs + s * <f64>t + 0.5) >= target) t++;
          }
          keep(kk, ys + t - 1, ys + t);
        }
      }
    }
    if (j > 0 && fu != pu) transition(pu, pv, fu, fv);
    pu = lu; pv = lv;
  }
  if (gOverflow) return -1;
  // compute the rle encoding given the y-boundary points: sorted positions (in tmp after the sort),
  // differenced into counts, zero-length runs after the first dropped by joining their neighbours
  let m = gM;
  const src: usize = m > 1 ? tmp : a;
  if (m > 1) sortColumns(a, gX, m, gXmin, gXmax, tmp, gX + (<usize>cap << 2));
  store<u32>(src + (<usize>m << 2), <u32>(h * w)); // the largest position: x*h + y <= (w-1)*h + h
  m++;
  let prev = load<u32>(src);
  store<u32>(a, prev);
  let n: u32 = 1;
  let j: u32 = 1;
  while (j < m) {
    const t = load<u32>(src + (<usize>j << 2));
    const c = t - prev;
    prev = t;
    j++;
    if (c > 0) {
      store<u32>(a + (<usize>n << 2), c);
      n++;
    } else if (j < m) {
      // a zero-length run: the next count joins the previous one
      const t2 = load<u32>(src + (<usize>j << 2));
      const q = a + (<usize>(n - 1) << 2);
      store<u32>(q, load<u32>(q) + (t2 - prev));
      prev = t2;
      j++;
    }
  }
  return <i32>n;
}

/** Polygon parts rasterised one after the other and merged (union), as annToRLE does. */
export function rleFrPolys(
  xys: usize, ks: usize, caps: usize, n: u32, h: i32, w: i32, bufs: usize, tmp: usize, out: usize, out2: usize,
): i32 {
  // bufs: n u32 pointers, one `a` buffer per part of caps[i] u32; tmp: room for 2*max(caps) + w + 4.
  let xy = xys;
  let total: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const k = load<u32>(ks + (<usize>i << 2));
    const a = <usize>load<u32>(bufs + (<usize>i << 2));
    const m = rleFrPoly(xy, k, h, w, a, tmp, load<u32>(caps + (<usize>i << 2)));
    if (m < 0) return -1;
    store<u32>(ks + (<usize>i << 2), <u32>m); // ks now holds each part's count length
    xy += <usize>k << 4;
    total += <u32>m;
  }
  let src = <usize>load<u32>(bufs);
  let m = load<u32>(ks);
  if (n == 1) {
    memory.copy(out, src, <usize>m << 2);
    return <i32>m;
  }
  for (let i: u32 = 1; i < n; i++) {
    const dst = ((n - 1 - i) & 1) == 0 ? out : out2;
    m = mergeTwo(src, m, <usize>load<u32>(bufs + (<usize>i << 2)), load<u32>(ks + (<usize>i << 2)), dst, false, <u32>(h * w));
    src = dst;
  }
  return <i32>m;
}

// ---- sorting ------------------------------------------------------------------------------------

/**
 * Ascending sort of the n positions x*h + y (y in [0, h]) at a, whose columns x in [xmin, xmax]
 * are at xs: counting sort by column into tmp (room for n), each column (a few points) sorted in
 * place, then copied back. (x, y) order is an order of x*h + y: y = h ties with (x+1, 0).
 * `buckets` has room for xmax - xmin + 2 u32.
 */
function sortColumns(a: usize, xs: usize, n: u32, xmin: i32, xmax: i32, tmp: usize, buckets: usize): void {
  const nb = <u32>(xmax - xmin + 1);
  const base = <u32>xmin;
  memory.fill(buckets, 0, <usize>(nb + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    const q = buckets + (<usize>(load<u32>(xs + (<usize>i << 2)) - base + 1) << 2);
    store<u32>(q, load<u32>(q) + 1);
  }
  for (let b: u32 = 1; b <= nb; b++) {
    const q = buckets + (<usize>b << 2);
    store<u32>(q, load<u32>(q) + load<u32>(q - 4));
  }
  // buckets[b] is now the start of column b; the scatter advances it to the column's end
  for (let i: u32 = 0; i < n; i++) {
    const q = buckets + (<usize>(load<u32>(xs + (<usize>i << 2)) - base) << 2);
    const pos = load<u32>(q);
    store<u32>(q, pos + 1);
    store<u32>(tmp + (<usize>pos << 2), load<u32>(a + (<usize>i << 2)));
  }
  let start: u32 = 0;
  for (let b: u32 = 0; b < nb; b++) {
    const end = load<u32>(buckets + (<usize>b << 2));
    const len = end - start;
    if (len == 2) {
      // the usual column: one entry and one exit
      const q = tmp + (<usize>start << 2);
      const u = load<u32>(q), v = load<u32>(q, 4);
      if (u > v) { store<u32>(q, v); store<u32>(q, u, 4); }
    } else if (len > 2) sortRange(tmp + (<usize>start << 2), len);
    start = end;
  }
  // (sorted in tmp: the caller differences from there)
}

/** Ascending sort of n u32 at p: insertion sort when short, heapsort otherwise. */
export function sortRange(p: usize, n: u32): void {
  if (n <= 32) {
    for (let i: u32 = 1; i < n; i++) {
      const v = load<u32>(p + (<usize>i << 2));
      let j = i;
      while (j > 0) {
        const u = load<u32>(p + (<usize>(j - 1) << 2));
        if (u <= v) break;
        store<u32>(p + (<usize>j << 2), u);
        j--;
      }
      store<u32>(p + (<usize>j << 2), v);
    }
    return;
  }
  for (let i = n >> 1; i > 0; i--) siftDown(p, i - 1, n);
  for (let end = n - 1; end > 0; end--) {
    const t = load<u32>(p);
    store<u32>(p, load<u32>(p + (<usize>end << 2)));
    store<u32>(p + (<usize>end << 2), t);
    siftDown(p, 0, end);
  }
}

// @ts-ignore: decorator
@inline function siftDown(p: usize, i: u32, n: u32): void {
  const v = load<u32>(p + (<usize>i << 2));
  while (true) {
    let c: u32 = 2 * i + 1;
    if (c >= n) break;
    let cv = load<u32>(p + (<usize>c << 2));
    if (c + 1 < n) {
      const r = load<u32>(p + (<usize>(c + 1) << 2));
      if (r > cv) { c++; cv = r; }
    }
    if (cv <= v) break;
    store<u32>(p + (<usize>i << 2), cv);
    i = c;
  }
  store<u32>(p + (<usize>i << 2), v);
}
