// Exact rotated-box IoU in plain TypeScript: the twin of assembly/rotated.ts (same operations in the
// same order; only Math.cos / Math.sin may differ by an ulp between V8 and AssemblyScript), the
// input checks of both, and the one conversion between the two angle conventions.
//
// Conventions. A rotated box is [cx, cy, w, h, angle] in pixels, image y axis pointing down.
// - detectron2's (box_iou_rotated, mmcv with clockwise=False): angle in degrees, positive =
//   counter-clockwise on screen; the width axis is (cos a, -sin a). rotatedBoxIou and these kernels
//   take this one.
// - Encord's (RotatedBox, rotatedBoxToPolygon in geometry/types.ts, analysis "rotated" shapes):
//   angle in degrees, positive = clockwise on screen; the width axis is (cos a, sin a).
// The same box in both: negate the angle (clockwiseToCcw). Radians (mmcv, hotcoco) clockwise:
// degrees ccw = -radians * 180 / pi.
import { GeometryInputError, type RotatedBox } from "./types.js";

/** Numbers per box in the packed layout: cx, cy, w, h, angle. */
export const ROTATED_STRIDE = 5;

/** An Encord / RotatedBox (degrees clockwise on screen) as detectron2's (degrees counter-clockwise): the angle negated. */
export function clockwiseToCcw(box: RotatedBox): [number, number, number, number, number] {
  return [box[0], box[1], box[2], box[3], box[4] === 0 ? 0 : -box[4]];
}

function fail(message: string): never {
  throw new GeometryInputError(message);
}

function show(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  return v === null ? "null" : v === undefined ? "undefined" : typeof v;
}

/** One box's five numbers at `path` (e.g. "boxes1[3]"): finite, w and h >= 0; a GeometryInputError naming the bad value otherwise. */
export function checkRotatedNumbers(fn: string, box: unknown, path: string): void {
  if (box === null || typeof box !== "object" || (box as ArrayLike<unknown>).length !== ROTATED_STRIDE) {
    const len = box !== null && typeof box === "object" ? (box as ArrayLike<unknown>).length : undefined;
    fail(`${fn}: ${path} must be [cx, cy, w, h, angle] (5 numbers), got ${typeof len === "number" ? `${len} values` : show(box)}`);
  }
  const b = box as ArrayLike<unknown>;
  for (let j = 0; j < ROTATED_STRIDE; j++) {
    const v = b[j];
    if (typeof v !== "number" || !Number.isFinite(v)) fail(`${fn}: ${path}[${j}] is ${show(v)}, not a finite number`);
  }
  if ((b[2] as number) < 0) fail(`${fn}: ${path}[2] (width) is ${b[2] as number}, not >= 0`);
  if ((b[3] as number) < 0) fail(`${fn}: ${path}[3] (height) is ${b[3] as number}, not >= 0`);
}

/** Boxes as an array of [cx, cy, w, h, angle] arrays, or already packed (a Float64Array of 5 numbers per box), checked and packed. */
export function packRotatedBoxes(fn: string, boxes: unknown, name: string): Float64Array {
  if (boxes instanceof Float64Array) {
    if (boxes.length % ROTATED_STRIDE !== 0) fail(`${fn}: ${name} has ${boxes.length} numbers, not a multiple of 5`);
    for (let i = 0; i < boxes.length; i += ROTATED_STRIDE) checkRotatedNumbers(fn, boxes.subarray(i, i + ROTATED_STRIDE), `${name}[${i / ROTATED_STRIDE}]`);
    return boxes;
  }
  if (!Array.isArray(boxes)) fail(`${fn}: ${name} must be an array of [cx, cy, w, h, angle] boxes or a Float64Array, got ${show(boxes)}`);
  const out = new Float64Array(ROTATED_STRIDE * boxes.length);
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i] as ArrayLike<number>;
    checkRotatedNumbers(fn, b, `${name}[${i}]`);
    for (let j = 0; j < ROTATED_STRIDE; j++) out[ROTATED_STRIDE * i + j] = b[j]!;
  }
  return out;
}

// cos and sin of an angle in degrees: reduced mod 360 first (exact), multiples of 90 exact
function cosSin(deg: number): [number, number] {
  const t = deg % 360;
  if (t === 0) return [1, 0];
  if (t === 90 || t === -270) return [0, 1];
  if (t === 180 || t === -180) return [-1, 0];
  if (t === 270 || t === -90) return [0, -1];
  const r = t * (Math.PI / 180);
  return [Math.cos(r), Math.sin(r)];
}

// C - a - b, C + a - b, C + a + b, C - a + b with a = (w/2)(cos, -sin), b = (h/2)(sin, cos): positively oriented
function corners(cx: number, cy: number, w: number, h: number, deg: number, out: Float64Array): void {
  const [c, s] = cosSin(deg);
  const ax = 0.5 * w * c;
  const ay = -0.5 * w * s;
  const bx = 0.5 * h * s;
  const by = 0.5 * h * c;
  out[0] = cx - ax - bx;
  out[1] = cy - ay - by;
  out[2] = cx + ax - bx;
  out[3] = cy + ay - by;
  out[4] = cx + ax + bx;
  out[5] = cy + ay + by;
  out[6] = cx - ax + bx;
  out[7] = cy - ay + by;
}

const MAX_VERTS = 64;
const polyA = new Float64Array(2 * MAX_VERTS);
const polyB = new Float64Array(2 * MAX_VERTS);
const clip = new Float64Array(8);

/** Intersection area of the boxes at a[i..i+5) and b[j..j+5) (w and h > 0): Sutherland-Hodgman clipping, then the shoelace. */
export function rotatedIntersection(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const sx = (a[i]! + b[j]!) / 2;
  const sy = (a[i + 1]! + b[j + 1]!) / 2;
  corners(a[i]! - sx, a[i + 1]! - sy, a[i + 2]!, a[i + 3]!, a[i + 4]!, polyA);
  corners(b[j]! - sx, b[j + 1]! - sy, b[j + 2]!, b[j + 3]!, b[j + 4]!, clip);
  let src = polyA;
  let dst = polyB;
  let n = 4;
  for (let k = 0; k < 4; k++) {
    const ex = clip[2 * k]!;
    const ey = clip[2 * k + 1]!;
    const k1 = (k + 1) & 3;
    const fx = clip[2 * k1]! - ex;
    const fy = clip[2 * k1 + 1]! - ey;
    // keep the side where cross(F - E, p - E) >= 0
    let px = src[2 * (n - 1)]!;
    let py = src[2 * (n - 1) + 1]!;
    let sp = fx * (py - ey) - fy * (px - ex);
    let m = 0;
    for (let v = 0; v < n; v++) {
      const qx = src[2 * v]!;
      const qy = src[2 * v + 1]!;
      const sq = fx * (qy - ey) - fy * (qx - ex);
      if (sq >= 0 !== sp >= 0) {
        const t = sp / (sp - sq);
        dst[2 * m] = px + (qx - px) * t;
        dst[2 * m + 1] = py + (qy - py) * t;
        m++;
      }
      if (sq >= 0) {
        dst[2 * m] = qx;
        dst[2 * m + 1] = qy;
        m++;
      }
      px = qx;
      py = qy;
      sp = sq;
    }
    if (m < 3) return 0;
    n = m;
    const s = src;
    src = dst;
    dst = s;
  }
  const x0 = src[0]!;
  const y0 = src[1]!;
  let area = 0;
  for (let v = 1; v < n - 1; v++) {
    area += (src[2 * v]! - x0) * (src[2 * v + 3]! - y0) - (src[2 * v + 2]! - x0) * (src[2 * v + 1]! - y0);
  }
  return area > 0 ? area / 2 : 0;
}

/** IoU of the boxes at d[i..] and g[j..]; crowd: intersection / the first box's area. 0 when either has w or h not > 0. */
export function rotatedIouOne(d: ArrayLike<number>, i: number, g: ArrayLike<number>, j: number, crowd: boolean): number {
  const dw = d[i + 2]!;
  const dh = d[i + 3]!;
  const gw = g[j + 2]!;
  const gh = g[j + 3]!;
  if (!(dw > 0 && dh > 0 && gw > 0 && gh > 0)) return 0;
  const da = dw * dh;
  const ga = gw * gh;
  // rounding can put the clipped area a few ulps above a box's own area: cap it there (IoU <= 1)
  const inter = Math.min(rotatedIntersection(d, i, g, j), Math.min(da, ga));
  if (inter <= 0) return 0;
  return inter / (crowd ? da : da + ga - inter);
}

/** The m x n IoU matrix of packed boxes (5 numbers each), detection-major out[d*n + g]; crowd flags per label or null. */
export function rotatedIouMatrixTs(dt: Float64Array, gt: Float64Array, crowd: Uint8Array | null): Float64Array {
  const m = dt.length / ROTATED_STRIDE;
  const n = gt.length / ROTATED_STRIDE;
  const out = new Float64Array(m * n);
  for (let d = 0; d < m; d++) {
    for (let g = 0; g < n; g++) out[d * n + g] = rotatedIouOne(dt, ROTATED_STRIDE * d, gt, ROTATED_STRIDE * g, crowd !== null && crowd[g] !== 0);
  }
  return out;
}

