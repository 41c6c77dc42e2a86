// The boundary of a run-length mask (Boundary IoU, Cheng et al. 2021): the mask less its erosion by a
// (2k+1) x (2k+1) square, where the image border counts as background. This is exactly what
// boundary-iou-api's mask_to_boundary computes (pad by one 0 pixel, cv2.erode with a 3x3 kernel k
// times, crop, subtract): a pixel stays interior iff its whole window lies inside the image and inside
// the mask. The TypeScript twin is bindings/geometry/boundary.ts.
//
// Run-native, in the columns x0 .. x0+bw-1 that hold the mask: each column's runs of rows shrink by k
// at both ends (the vertical erosion; the image's top and bottom are outside every run), then a
// column's interior is the intersection of the shrunk runs of the 2k+1 columns around it (columns
// off the mask, hence off the image, have none). The work follows the runs, not the pixels: per
// column at most (2k+1) short lists, each no longer than bh / (2k+1) + 1 runs.

// @ts-ignore: decorator
@inline function ld(p: usize, j: u32): u32 {
  return load<u32>(p + (<usize>j << 2));
}
// @ts-ignore: decorator
@inline function st(p: usize, j: u32, v: u32): void {
  store<u32>(p + (<usize>j << 2), v);
}

/** Run capacity of the per-column lists: every foreground run, split at column ends. */
// @ts-ignore: decorator
@inline function runCap(m: u32, bw: u32): u32 {
  return (m >> 1) + bw + 1;
}

/** Bytes of scratch rleBoundary needs (the host allocates it; f64: no wrap for the host to miss). */
export function rleBoundaryScratch(m: u32, bw: u32, bh: u32): f64 {
  return 4 * (2 * (<f64>bw + 1) + 4 * ((<f64>(m >> 1)) + <f64>bw + 1) + 4 * (<f64>(bh >> 1) + 2));
}

/** Counts rleBoundary may write (f64, as rleBoundaryScratch). */
export function rleBoundaryCap(m: u32, bw: u32): f64 {
  return 4 * ((<f64>(m >> 1)) + <f64>bw + 1) + 2;
}

// the writer of the output counts: one pending foreground run, merged with the next when they touch
let outPtr: usize = 0;
let outN: u32 = 0;
let lastEnd: u32 = 0;
let pendStart: u32 = 0;
let pendEnd: u32 = 0;
let pending = false;

function flush(): void {
  if (!pending) return;
  st(outPtr, outN++, pendStart - lastEnd);
  st(outPtr, outN++, pendEnd - pendStart);
  lastEnd = pendEnd;
  pending = false;
}

// @ts-ignore: decorator
@inline function emit(a: u32, b: u32): void {
  if (pending && a == pendEnd) pendEnd = b;
  else {
    flush();
    pendStart = a;
    pendEnd = b;
    pending = true;
  }
}

/**
 * rleBoundary: the boundary of the mask `cnts` (m counts, h x w) at dilation k, as pycocotools counts
 * (mask_utils.encode's form: background run first, no other zero run) into `out`
 * (rleBoundaryCap(m, bw) counts); returns the count. The mask's foreground lies in columns
 * x0 .. x0+bw-1 (bw = 0: empty), in at most bh rows a column; `scratch` holds rleBoundaryScratch bytes.
 */
export function rleBoundary(cnts: usize, m: u32, h: u32, w: u32, k: u32, x0: u32, bw: u32, bh: u32, scratch: usize, out: usize): u32 {
  const total = h * w;
  // k = 0: the 1 x 1 erosion is the mask itself, nothing is boundary
  if (bw == 0 || k == 0) {
    st(out, 0, total);
    return 1;
  }
  const cap = runCap(m, bw);
  const tcap = (bh >> 1) + 2;
  const mStart = scratch;
  const vStart = mStart + ((<usize>bw + 1) << 2);
  const mS = vStart + ((<usize>bw + 1) << 2);
  const mE = mS + (<usize>cap << 2);
  const vS = mE + (<usize>cap << 2);
  const vE = vS + (<usize>cap << 2);
  let aS = vE + (<usize>cap << 2);
  let aE = aS + (<usize>tcap << 2);
  let bS = aE + (<usize>tcap << 2);
  let bE = bS + (<usize>tcap << 2);

  // the foreground as row runs per column (touching runs merged: zero-length gaps in the counts)
  let n: u32 = 0;
  let col: u32 = 0;
  let cc: u32 = 0;
  for (let j: u32 = 0; j < m; j++) {
    const c = ld(cnts, j);
    if (j & 1) {
      let p = cc;
      const end = cc + c;
      while (p < end) {
        const x = p / h;
        const y = p - x * h;
        const len = min(h - y, end - p);
        const lx = x - x0;
        while (col <= lx) st(mStart, col++, n);
        if (n > ld(mStart, lx) && ld(mE, n - 1) == y) st(mE, n - 1, y + len);
        else {
          st(mS, n, y);
          st(mE, n, y + len);
          n++;
        }
        p += len;
      }
    }
    cc += c;
  }
  while (col <= bw) st(mStart, col++, n);

  // vertical erosion: [s, e) -> [s + k, e - k)
  let nv: u32 = 0;
  for (let lx: u32 = 0; lx < bw; lx++) {
    st(vStart, lx, nv);
    const r1 = ld(mStart, lx + 1);
    for (let r = ld(mStart, lx); r < r1; r++) {
      const s = ld(mS, r);
      const e = ld(mE, r);
      if (e - s > 2 * k) {
        st(vS, nv, s + k);
        st(vE, nv, e - k);
        nv++;
      }
    }
  }
  st(vStart, bw, nv);

  outPtr = out;
  outN = 0;
  lastEnd = 0;
  pending = false;
  for (let lx: u32 = 0; lx < bw; lx++) {
    // the interior rows of column lx: the shrunk runs of columns lx-k .. lx+k, intersected
    let na: u32 = 0;
    if (lx >= k && lx + k < bw) {
      const f0 = ld(vStart, lx - k);
      const f1 = ld(vStart, lx - k + 1);
      for (let r = f0; r < f1; r++) {
        st(aS, na, ld(vS, r));
        st(aE, na, ld(vE, r));
        na++;
      }
      for (let c2 = lx - k + 1; c2 <= lx + k && na > 0; c2++) {
        let i: u32 = 0;
        let q = ld(vStart, c2);
        const q1 = ld(vStart, c2 + 1);
        let nb: u32 = 0;
        while (i < na && q < q1) {
          const s = max(ld(aS, i), ld(vS, q));
          const e = min(ld(aE, i), ld(vE, q));
          if (s < e) {
            st(bS, nb, s);
            st(bE, nb, e);
            nb++;
          }
          if (ld(aE, i) < ld(vE, q)) i++;
          else q++;
        }
        let t = aS; aS = bS; bS = t;
        t = aE; aE = bE; bE = t;
        na = nb;
      }
    }
    // the boundary: the column's runs less the interior (each interior run lies inside one of them)
    const base = (x0 + lx) * h;
    let i: u32 = 0;
    const r1 = ld(mStart, lx + 1);
    for (let r = ld(mStart, lx); r < r1; r++) {
      let cur = ld(mS, r);
      const e = ld(mE, r);
      while (i < na && ld(aS, i) < e) {
        const is = ld(aS, i);
        if (is > cur) emit(base + cur, base + is);
        cur = ld(aE, i);
        i++;
      }
      if (cur < e) emit(base + cur, base + e);
    }
  }
  flush();
  if (lastEnd < total || outN == 0) st(out, outN++, total - lastEnd);
  return outN;
}
