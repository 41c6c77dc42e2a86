// The boundary of a run-length mask (Boundary IoU, Cheng et al. 2021): the mask less its erosion by a
// (2k+1) x (2k+1) square, where the image border counts as background. This is exactly what
// boundary-iou-api's mask_to_boundary computes (pad by one 0 pixel, cv2.erode with a 3x3 kernel k
// times, crop, subtract): a pixel stays interior iff its whole window lies inside the image and inside
// the mask. The TypeScript twin is bindings/geometry/boundary.ts.
//
// The work is done inside the mask's bounding region only (x0, y0, bw, bh from rleBbox): outside it
// every pixel is background or off the image, so a window reaching out of the region is never interior.

// @ts-ignore: decorator
@inline function cnt(p: usize, j: u32): u32 {
  return load<u32>(p + (<usize>j << 2));
}

/**
 * rleBoundary: the boundary of the mask `cnts` (m counts, h x w) at dilation k, as pycocotools counts
 * (mask_utils.encode's form: background run first, no other zero run) into `out`; returns the count.
 * The mask's foreground lies in columns x0 .. x0+bw-1, rows y0 .. y0+bh-1 (bw = 0: empty mask).
 * Scratch: `bitmap` bw*bh bytes, `runs` bh u32; `out` holds 2*bw*ceil(bh/2) + 2 counts.
 */
export function rleBoundary(
  cnts: usize, m: u32, h: u32, w: u32, k: u32,
  x0: u32, y0: u32, bw: u32, bh: u32,
  bitmap: usize, runs: usize, out: usize,
): u32 {
  const total = h * w;
  // k = 0: the 1 x 1 erosion is the mask itself, nothing is boundary
  if (bw == 0 || bh == 0 || k == 0) {
    store<u32>(out, total);
    return 1;
  }
  memory.fill(bitmap, 0, <usize>bw * bh);
  // decode the foreground runs into the region (column-major, bh bytes a column)
  let cc: u32 = 0;
  for (let j: u32 = 0; j < m; j++) {
    const c = cnt(cnts, j);
    if (j & 1) {
      let p = cc;
      const end = cc + c;
      while (p < end) {
        const x = p / h;
        const y = p - x * h;
        const n = min(h - y, end - p);
        memory.fill(bitmap + <usize>(x - x0) * bh + (y - y0), 1, n);
        p += n;
      }
    }
    cc += c;
  }
  // Erosion, separable: a column's runs of ones shrink by k at both ends (vertical), then runs[y]
  // counts the consecutive columns whose vertical erosion holds row y; 2k+1 of them make the pixel
  // k columns back interior (marked 2 in place: those columns are never read again).
  memory.fill(runs, 0, <usize>bh << 2);
  const win: u32 = 2 * k + 1;
  for (let lx: u32 = 0; lx < bw; lx++) {
    const col = bitmap + <usize>lx * bh;
    const back = bitmap + <usize>(lx >= k ? lx - k : <u32>0) * bh;
    let y: u32 = 0;
    while (y < bh) {
      if (load<u8>(col + y) == 0) {
        store<u32>(runs + (<usize>y << 2), 0);
        y++;
        continue;
      }
      let e = y;
      while (e < bh && load<u8>(col + e) != 0) e++;
      for (let r = y; r < e; r++) {
        const rp = runs + (<usize>r << 2);
        if (r >= y + k && r + k < e) {
          const v = load<u32>(rp) + 1;
          store<u32>(rp, v);
          if (v >= win) store<u8>(back + r, 2); // v >= 2k+1 implies lx >= 2k
        } else store<u32>(rp, 0);
      }
      y = e;
    }
  }
  // encode the pixels still 1 (mask, not interior) over the whole image
  let n: u32 = 0;
  let start: u32 = 0;
  let v = false;
  for (let lx: u32 = 0; lx < bw; lx++) {
    const col = bitmap + <usize>lx * bh;
    const base = (x0 + lx) * h + y0;
    for (let ly: u32 = 0; ly < bh; ly++) {
      const b = load<u8>(col + ly) == 1;
      if (b != v) {
        store<u32>(out + (<usize>n << 2), base + ly - start);
        n++;
        start = base + ly;
        v = b;
      }
    }
    if (v) {
      // the pixel after this column's region is background unless it is the next one visited
      const p = base + bh;
      if (p < total && !(lx + 1 < bw && p == base + h)) {
        store<u32>(out + (<usize>n << 2), p - start);
        n++;
        start = p;
        v = false;
      }
    }
  }
  store<u32>(out + (<usize>n << 2), total - start);
  return n + 1;
}
