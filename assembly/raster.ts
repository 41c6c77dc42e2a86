// Polygon -> RLE exactly as maskApi.c's rleFrPoly (boxes and rotated boxes reach it as polygons).
//
// rleFrPoly walks every edge on a 5x grid (a DDA), keeps the x-transitions between consecutive
// boundary points whose column maps back to a pixel centre, sorts the resulting positions
// x*h + y and differences them into counts. The kept set does not depend on the order in which
// the transitions are visited (it is sorted afterwards), which this port uses to skip work:
//  - on an x-major edge every step is a transition and only every fifth one (u = 5k + 2) can be
//    kept, so only those steps inside the image's columns are visited;
//  - on a y-major edge u is monotone with steps of at most 1, so the transition between
//    u = 5k+2 and 5k+3 happens at exactly one step, found from a guess (stepped from k to k+1)
//    corrected with the exact C expression; vertical edges (dx = 0) have none.
// Each kept transition gives the same (x, y) as the C loop; see test/geometry.property.test.ts.
import { mergeTwo } from "./rle";

const INT_MIN: i32 = -2147483648;

// @ts-ignore: decorator
@inline function grid(xy: usize, i: u32): i32 {
  // C's (int)(5*v + .5); |5*v + .5| < 2^31 is checked by the host (so the i64 conversion, which
  // V8 makes cheaper than the i32 one, gives the same value).
  return <i32><i64>(5.0 * load<f64>(xy + (<usize>i << 3)) + 0.5);
}

// Kept positions x*h + y go to per-column lists (a column has one entry and one exit per crossing
// of the boundary): entry i is the u64 position | next << 32 at `e`, where next is the index + 1
// of the column's previous entry (0 ends the list), and head[x] the index + 1 of column x's last
// entry. (Locals, not globals: V8 keeps them in registers.)

// @ts-ignore: decorator
@inline function yOf(v: i32, vmax: i32): u32 {
  // v = the smaller v of a kept transition: y = ceil(clamp((v+.5)/5 - .5, 0, h)), that is 0 if
  // v < 2 else min(h, ceil((v-2)/5)), or (clamp(v, 2, 5h-2) + 2) / 5 with vmax = 5h - 2
  return (<u32>max(min(v, vmax), 2) + 2) / 5;
}

/** Adds entry m (column xd, position pos) to its column's list. */
// @ts-ignore: decorator
@inline function keep(e: usize, head: usize, m: u32, xd: i32, pos: u32): void {
  const q = head + (<usize>xd << 2);
  store<u64>(e + (<usize>m << 3), <u64>pos | (<u64>load<u32>(q) << 32));
  store<u32>(q, m + 1);
}

/**
 * Rasterises the polygon of k points (f64 pairs at xy) for an h x w image. `a` has room for
 * `cap` u32 (the host's bound on kept positions, +1) and `tmp` for 2*cap + w + 4.
 * Writes the counts to a and returns how many, or -1 if `cap` was too small.
 */
export function rleFrPoly(xy: usize, k: u32, h: i32, w: i32, a: usize, tmp: usize, cap: u32): i32 {
  // The columns that can hold kept positions: u = 5*xd + 2 inside the vertices' u range (where
  // u >= 0 the DDA's points stay inside it), widened by a column on each side.
  let uLo = grid(xy, 0), uHi = uLo;
  for (let j: u32 = 1; j < k; j++) {
    const u = grid(xy, 2 * j);
    uLo = min(uLo, u);
    uHi = max(uHi, u);
  }
  const cLo = <i32>max<i64>(0, (<i64>uLo - 2) / 5 - 1);
  const cHi = <i32>min<i64>(<i64>w - 1, (<i64>uHi - 2) / 5 + 1);
  const e = tmp, head = tmp + (<usize>cap << 3);
  for (let x = cLo; x <= cHi; x++) store<u32>(head + (<usize>x << 2), 0);
  const hu = <u32>h, vmax = <i32>min<i64>(5 * <i64>h - 2, i32.MAX_VALUE);
  const room: i64 = <i64>cap - 1; // entries that fit (`a` has room for as many counts, and the last one)
  const uMax: i64 = 5 * (<i64>w - 1) + 2; // the largest u = 5*xd + 2 that can be kept
  let m: u32 = 0; // entries
  let pu: i32 = 0, pv: i32 = 0; // the previous edge's last point (in traversal order)
  let x0 = grid(xy, 0), y0 = grid(xy, 1);
  const xf = x0, yf = y0;
  for (let j: u32 = 0; j < k; j++) {
    const x1 = j + 1 < k ? grid(xy, 2 * j + 2) : xf;
    const y1 = j + 1 < k ? grid(xy, 2 * j + 3) : yf;
    const dx = abs(x1 - x0), dy = abs(y0 - y1);
    const xmajor = dx >= dy;
    const flip = xmajor ? x0 > x1 : y0 > y1;
    // (selects, not branches: the direction of an edge is not predictable)
    const xs = select(x1, x0, flip), xe = select(x0, x1, flip), ys = select(y1, y0, flip), ye = select(y0, y1, flip);
    x0 = x1; y0 = y1;
    // First and last points of this edge in the C traversal order (t = flip ? D-d : d).
    let fu: i32, fv: i32, lu: i32, lv: i32;
    if (dx == 0 && dy == 0) {
      // s = 0/0: C's (int)NaN is INT_MIN on x86-64 (the point is never kept, see tests).
      fu = lu = xs;
      fv = lv = INT_MIN;
    } else if (xmajor) {
      const s = <f64>(ye - ys) / <f64>dx;
      const fys = <f64>ys;
      const v0 = <i32>(fys + s * 0.0 + 0.5);
      const vD = <i32>(fys + s * <f64>dx + 0.5);
      fu = select(xs + dx, xs, flip); fv = select(vD, v0, flip); lu = select(xs, xs + dx, flip); lv = select(v0, vD, flip);
      // Interior transitions: pairs (t, t+1), u = xs + t -> xs + t + 1, kept iff xs + t = 5*xd + 2.
      let tLo: i64 = max<i64>(0, 2 - <i64>xs);
      const rem = <i32>((<i64>xs + tLo - 2) % 5);
      if (rem != 0) tLo += 5 - rem;
      const tHi: i64 = min<i64>(<i64>dx - 1, uMax - <i64>xs);
      if (tLo <= tHi) {
        if (<i64>m + (tHi - tLo) / 5 + 1 > room) return -1;
        // v(t) = (int)(ys + s*t + .5) is monotone in t: the pair's smaller v is v(t) if s >= 0, else v(t+1)
        let xd = <i32>((<i64>xs + tLo - 2) / 5);
        const xdEnd = xd + <i32>((tHi - tLo) / 5);
        let tf = <f64>tLo + (s < 0 ? 1 : 0);
        for (; xd <= xdEnd; xd++) {
          // (v lies between ys and ye: inside int32, see grid)
          keep(e, head, m++, xd, <u32>xd * hu + yOf(<i32><i64>(fys + s * tf + 0.5), vmax));
          tf += 5;
        }
      }
    } else {
      const s = <f64>(xe - xs) / <f64>dy;
      const u0 = <i32>(<f64>xs + s * 0.0 + 0.5);
      const uD = <i32>(<f64>xs + s * <f64>dy + 0.5);
      fu = select(uD, u0, flip); fv = select(ys + dy, ys, flip); lu = select(u0, uD, flip); lv = select(ys, ys + dy, flip);
      if (dx != 0) {
        // Kept pairs (t-1, t) have u(t-1), u(t) = 5k+2, 5k+3 (either order), 0 <= k <= w-1.
        const uLo = min(u0, uD), uHi = max(u0, uD);
        const kLo = <i32>max<f64>(0, Math.ceil((<f64>uLo - 2) / 5));
        const kHi = <i32>min<f64>(<f64>w - 1, Math.floor((<f64>uHi - 3) / 5));
        if (kLo <= kHi && <i64>m + <i64>(kHi - kLo) + 1 > room) return -1;
        // u(t) >= target <=> xs + s*t + .5 >= target (target > 0): compared in f64, no conversion
        const inc = uD > u0;
        const fs = <f64>xs, fdy = <f64>dy;
        // (target - .5 - xs) / s, target = 5*kk + 3: stepped, a guess corrected below
        const step = 5 / s;
        let q = (<f64>(5 * kLo + 3) - 0.5 - fs) / s;
        for (let kk = kLo; kk <= kHi; kk++) {
          const target = <f64>(5 * kk + 3);
          // the first t in [1, dy] with u(t) >= target (increasing) or u(t) < target (decreasing)
          let t = Math.ceil(q);
          q += step;
          if (!(t >= 1)) t = 1;
          if (t > fdy) t = fdy;
          while (t > 1 && (fs + s * (t - 1) + 0.5 >= target) == inc) t--;
          while ((fs + s * t + 0.5 >= target) != inc) t++;
          // the pair's smaller v is ys + t - 1
          keep(e, head, m++, kk, <u32>kk * hu + yOf(ys + <i32>t - 1, vmax));
        }
      }
    }
    if (j > 0 && fu != pu) {
      // the transition between the previous edge's last point and this edge's first
      const ud = fu < pu ? fu : fu - 1;
      if (ud >= 2 && (ud - 2) % 5 == 0 && (ud - 2) / 5 <= w - 1) {
        if (<i64>m >= room) return -1;
        const xd = (ud - 2) / 5;
        keep(e, head, m++, xd, <u32>xd * hu + yOf(min(pv, fv), vmax));
      }
    }
    pu = lu; pv = lv;
  }
  // The counts: positions column by column, each column sorted (x*h + y is ordered as (x, y);
  // y = h ties with (x+1, 0)), differenced into `a` as they come, then the last count up to h*w.
  // st = n << 1 | join: n counts so far; join: a zero-length run was dropped, the next count joins
  // count n-1 (so zero-length runs after the first go). The first position joins a count 0.
  store<u32>(a, 0);
  let st: u32 = 1 << 1 | 1, prev: u32 = 0;
  for (let x = cLo; x <= cHi; x++) {
    let i = load<u32>(head + (<usize>x << 2));
    if (i == 0) continue;
    const e0 = load<u64>(e + (<usize>(i - 1) << 3));
    const p0 = <u32>e0;
    i = <u32>(e0 >> 32);
    if (i == 0) {
      st = emit(a, st, p0 - prev);
      prev = p0;
      continue;
    }
    const e1 = load<u64>(e + (<usize>(i - 1) << 3));
    const p1 = <u32>e1;
    i = <u32>(e1 >> 32);
    if (i == 0) {
      // one entry and one exit
      const lo = min(p0, p1), hi = max(p0, p1);
      st = emit(a, st, lo - prev);
      st = emit(a, st, hi - lo);
      prev = hi;
      continue;
    }
    const e2 = load<u64>(e + (<usize>(i - 1) << 3));
    const p2 = <u32>e2;
    i = <u32>(e2 >> 32);
    if (i != 0) {
      const e3 = load<u64>(e + (<usize>(i - 1) << 3));
      const p3 = <u32>e3;
      i = <u32>(e3 >> 32);
      if (i == 0) {
        // two crossings: a sorting network
        const a0 = min(p0, p1), b0 = max(p0, p1), a1 = min(p2, p3), b1 = max(p2, p3);
        const lo = min(a0, a1), m0 = max(a0, a1), m1 = min(b0, b1), hi = max(b0, b1);
        const ml = min(m0, m1), mh = max(m0, m1);
        st = emit(a, st, lo - prev);
        st = emit(a, st, ml - lo);
        st = emit(a, st, mh - ml);
        st = emit(a, st, hi - mh);
        prev = hi;
        continue;
      }
    }
    // more: gathered past the counts written so far, sorted, then emitted (a count is written at
    // most where its position was read)
    i = <u32>(e2 >> 32); // the fourth entry, if any
    const q = a + (<usize>(st >> 1) << 2);
    store<u32>(q, p0);
    store<u32>(q, p1, 4);
    store<u32>(q, p2, 8);
    let c: u32 = 3;
    while (i != 0) {
      const ei = load<u64>(e + (<usize>(i - 1) << 3));
      store<u32>(q + (<usize>c << 2), <u32>ei);
      c++;
      i = <u32>(ei >> 32);
    }
    sortRange(q, c);
    for (let j: u32 = 0; j < c; j++) {
      const t = load<u32>(q + (<usize>j << 2));
      st = emit(a, st, t - prev);
      prev = t;
    }
  }
  // the largest position: x*h + y <= (w-1)*h + h
  return <i32>(emit(a, st, <u32>(h * w) - prev) >> 1);
}

/** Appends count c (see the end of rleFrPoly); returns the new state n << 1 | join. */
// @ts-ignore: decorator
@inline function emit(a: usize, st: u32, c: u32): u32 {
  const q = a + (<usize>(st >> 1) << 2);
  if (st & 1) {
    store<u32>(q - 4, load<u32>(q - 4) + c);
    return st & ~1;
  }
  store<u32>(q, c);
  return c != 0 ? st + 2 : st | 1;
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
