// An open polyline buffered by a width, as run-length counts: the pixels whose centre (x + 0.5,
// y + 0.5) lies within width / 2 of the path (round caps and joins: the union of one capsule per
// segment). A plain TypeScript rasteriser (no kernel): per column, each capsule meets the column's
// centre line in one interval (a capsule is convex), and the intervals are merged into runs.
// A polyline of one point, or of equal points, is the disc of the width around it.

/** CULane's lane width (Pan et al., SCNN, AAAI 2018): polylines are compared as 30-px-wide lines by default. */
export const DEFAULT_LINE_WIDTH = 30;

/** The y-interval [lo, hi] of the centre line x = px inside the capsule of segment a-b, radius r; null when empty. */
function capsuleSpan(ax: number, ay: number, bx: number, by: number, r: number, px: number): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  // the two end discs
  for (const [cx, cy] of [
    [ax, ay],
    [bx, by],
  ] as const) {
    const dx = px - cx;
    const h2 = r * r - dx * dx;
    if (h2 >= 0) {
      const h = Math.sqrt(h2);
      lo = Math.min(lo, cy - h);
      hi = Math.max(hi, cy + h);
    }
  }
  // the slab: 0 <= projection <= |d|^2 and |cross(d, p - a)| <= r |d|, both linear in y
  const dx = bx - ax;
  const dy = by - ay;
  const L2 = dx * dx + dy * dy;
  if (L2 > 0) {
    let s0 = -Infinity;
    let s1 = Infinity;
    const clip = (k: number, c: number, min: number, max: number): boolean => {
      // min <= k * y + c <= max
      if (k === 0) return c >= min && c <= max;
      const y0 = (min - c) / k;
      const y1 = (max - c) / k;
      s0 = Math.max(s0, Math.min(y0, y1));
      s1 = Math.min(s1, Math.max(y0, y1));
      return true;
    };
    const L = Math.sqrt(L2);
    // projection: (px - ax) dx + (y - ay) dy ; cross: dx (y - ay) - dy (px - ax)
    const ok = clip(dy, (px - ax) * dx - ay * dy, 0, L2) && clip(dx, -ay * dx - dy * (px - ax), -r * L, r * L);
    if (ok && s0 <= s1) {
      lo = Math.min(lo, s0);
      hi = Math.max(hi, s1);
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Run-length counts (column-major, background first, pycocotools' layout) of the polyline
 * xy = [x0, y0, x1, y1, ...] (at least one point) buffered to `width` pixels, on an h x w image.
 */
export function polylineCounts(xy: ArrayLike<number>, width: number, h: number, w: number): number[] {
  const n = xy.length >> 1;
  const r = width / 2;
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  const push = (v: number, len: number) => {
    if (len === 0) return;
    if (v === value) run += len;
    else {
      counts.push(run);
      value = v;
      run = len;
    }
  };
  let minX = Infinity;
  let maxX = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, xy[2 * i]!);
    maxX = Math.max(maxX, xy[2 * i]!);
  }
  const spans: [number, number][] = [];
  for (let x = 0; x < w; x++) {
    const px = x + 0.5;
    spans.length = 0;
    if (px >= minX - r && px <= maxX + r)
      for (let i = 0; i < Math.max(1, n - 1); i++) {
        const j = Math.min(i + 1, n - 1);
        const s = capsuleSpan(xy[2 * i]!, xy[2 * i + 1]!, xy[2 * j]!, xy[2 * j + 1]!, r, px);
        if (!s) continue;
        // rows whose centre y + 0.5 lies in [lo, hi]
        const a = Math.max(0, Math.ceil(s[0] - 0.5));
        const b = Math.min(h - 1, Math.floor(s[1] - 0.5));
        if (a <= b) spans.push([a, b]);
      }
    spans.sort((p, q) => p[0] - q[0]);
    let y = 0;
    for (const [a, b] of spans) {
      if (b < y) continue;
      const from = Math.max(a, y);
      push(0, from - y);
      push(1, b + 1 - from);
      y = b + 1;
    }
    push(0, h - y);
  }
  counts.push(run);
  return counts;
}
