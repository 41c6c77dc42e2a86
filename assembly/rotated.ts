// Exact rotated-box IoU: the intersection of two rectangles by polygon clipping (Sutherland-Hodgman,
// one convex quad clipped by the other's four edges) and its shoelace area, in f64. Not rasterised:
// the value is the geometric one up to rounding. The twin is bindings/geometry/rotated.ts (same
// operations in the same order); the conventions (detectron2's) are documented there.
// Boxes are 5 f64 each: [cx, cy, w, h, angle], angle in degrees, counter-clockwise on screen (image
// y axis down), as detectron2's box_iou_rotated. Rows d0..d1 per call, out[(d - d0)*n + g] (as boxIouRows).

// Scratch for the clipped polygon: two ping-pong buffers of up to 64 vertices (x, y f64). Each clip
// step emits at most two vertices per input edge, so 4 -> 8 -> 16 -> 32 -> 64 bounds any input
// (a convex input grows by at most one vertex per step; the bound covers rounding).
const MAX_VERTS: i32 = 64;
const POLY_A = memory.data(MAX_VERTS * 16, 16);
const POLY_B = memory.data(MAX_VERTS * 16, 16);
// The clip quad's corners (4 x, y f64).
const CLIP = memory.data(64, 16);

let cosT: f64 = 1;
let sinT: f64 = 0;

/** cos and sin of `deg` degrees into cosT / sinT: the angle reduced mod 360 first (exact), multiples of 90 exact. */
// @ts-ignore: decorator
@inline function cosSin(deg: f64): void {
  const t = deg % 360;
  if (t == 0) { cosT = 1; sinT = 0; }
  else if (t == 90 || t == -270) { cosT = 0; sinT = 1; }
  else if (t == 180 || t == -180) { cosT = -1; sinT = 0; }
  else if (t == 270 || t == -90) { cosT = 0; sinT = -1; }
  else {
    const r = t * (Math.PI / 180);
    cosT = Math.cos(r);
    sinT = Math.sin(r);
  }
}

/**
 * The four corners of a box centred at (cx, cy), positively oriented (shoelace > 0 with y down):
 * C - a - b, C + a - b, C + a + b, C - a + b with a = (w/2)(cos, -sin), b = (h/2)(sin, cos).
 */
// @ts-ignore: decorator
@inline function corners(cx: f64, cy: f64, w: f64, h: f64, deg: f64, P: usize): void {
  cosSin(deg);
  const ax = 0.5 * w * cosT, ay = -0.5 * w * sinT;
  const bx = 0.5 * h * sinT, by = 0.5 * h * cosT;
  store<f64>(P, cx - ax - bx); store<f64>(P, cy - ay - by, 8);
  store<f64>(P, cx + ax - bx, 16); store<f64>(P, cy + ay - by, 24);
  store<f64>(P, cx + ax + bx, 32); store<f64>(P, cy + ay + by, 40);
  store<f64>(P, cx - ax + bx, 48); store<f64>(P, cy - ay + by, 56);
}

/** Intersection area of boxes A and B (5 f64 each, w and h > 0). */
export function rotatedIntersection(A: usize, B: usize): f64 {
  // both centres shifted by their midpoint, as detectron2, for precision far from the origin
  const sx = (load<f64>(A) + load<f64>(B)) / 2, sy = (load<f64>(A, 8) + load<f64>(B, 8)) / 2;
  corners(load<f64>(A) - sx, load<f64>(A, 8) - sy, load<f64>(A, 16), load<f64>(A, 24), load<f64>(A, 32), POLY_A);
  corners(load<f64>(B) - sx, load<f64>(B, 8) - sy, load<f64>(B, 16), load<f64>(B, 24), load<f64>(B, 32), CLIP);
  let src = POLY_A, dst = POLY_B;
  let n: i32 = 4;
  for (let k: i32 = 0; k < 4; k++) {
    const E = CLIP + (<usize>k << 4), F = CLIP + (<usize>((k + 1) & 3) << 4);
    const ex = load<f64>(E), ey = load<f64>(E, 8);
    const fx = load<f64>(F) - ex, fy = load<f64>(F, 8) - ey;
    // keep the side where cross(F - E, p - E) >= 0
    let px = load<f64>(src + (<usize>(n - 1) << 4)), py = load<f64>(src + (<usize>(n - 1) << 4), 8);
    let sp = fx * (py - ey) - fy * (px - ex);
    let m: i32 = 0;
    for (let i: i32 = 0; i < n; i++) {
      const qx = load<f64>(src + (<usize>i << 4)), qy = load<f64>(src + (<usize>i << 4), 8);
      const sq = fx * (qy - ey) - fy * (qx - ex);
      if ((sq >= 0) != (sp >= 0)) {
        const t = sp / (sp - sq);
        const o = dst + (<usize>m << 4);
        store<f64>(o, px + (qx - px) * t); store<f64>(o, py + (qy - py) * t, 8);
        m++;
      }
      if (sq >= 0) {
        const o = dst + (<usize>m << 4);
        store<f64>(o, qx); store<f64>(o, qy, 8);
        m++;
      }
      px = qx; py = qy; sp = sq;
    }
    if (m < 3) return 0;
    n = m;
    const s = src; src = dst; dst = s;
  }
  // shoelace about the first vertex
  const x0 = load<f64>(src), y0 = load<f64>(src, 8);
  let area: f64 = 0;
  for (let i: i32 = 1; i < n - 1; i++) {
    const P = src + (<usize>i << 4), Q = P + 16;
    area += (load<f64>(P) - x0) * (load<f64>(Q, 8) - y0) - (load<f64>(Q) - x0) * (load<f64>(P, 8) - y0);
  }
  return area > 0 ? area / 2 : 0;
}

/** IoU of detection D and label G (5 f64 each); crowd: intersection / D's area. 0 when either has w or h not > 0. */
export function rotatedIouOne(D: usize, G: usize, crowd: bool): f64 {
  const dw = load<f64>(D, 16), dh = load<f64>(D, 24), gw = load<f64>(G, 16), gh = load<f64>(G, 24);
  if (!(dw > 0 && dh > 0 && gw > 0 && gh > 0)) return 0;
  const da = dw * dh, ga = gw * gh;
  // rounding can put the clipped area a few ulps above a box's own area: cap it there (IoU <= 1)
  const i = min(rotatedIntersection(D, G), min(da, ga));
  if (i <= 0) return 0;
  return i / (crowd ? da : da + ga - i);
}

/** Rotated IoU for detections d0..d1-1 (5 f64 each at dt) against n labels (gt); crowd: n bytes or 0; row d at out + (d - d0) * n. */
export function rotatedIouRows(dt: usize, d0: u32, d1: u32, gt: usize, n: u32, crowd: usize, out: usize): void {
  for (let d = d0; d < d1; d++) {
    const D = dt + <usize>d * 40;
    const row = out + (<usize>(d - d0) * n << 3);
    for (let g: u32 = 0; g < n; g++) {
      const isCrowd = crowd != 0 && load<u8>(crowd + g) != 0;
      store<f64>(row + (<usize>g << 3), rotatedIouOne(D, gt + <usize>g * 40, isCrowd));
    }
  }
}
