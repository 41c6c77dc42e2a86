// Input validation shared by both geometry implementations (bindings/engine/engine.ts and
// bindings/geometry/reference.ts). Everything here runs BEFORE a kernel, so a kernel never sees
// input that could make it loop forever, overrun a buffer or hit C's undefined behaviour.
// Every message is one line, starts with the API method's name and names the problem.
import { GeometryInputError, type Box, type CrowdFlags, type PixelOrder, type Rle, type RotatedBox } from "./types.js";

/**
 * Largest mask (h*w pixels) the engine accepts: 2^28 = 268,435,456 (e.g. 16384 x 16384).
 * A wasm32 instance has at most 4 GiB of memory; at this size an RGBA canvas (1 GiB), its
 * worst-case RLE (1 GiB) and a decoded bitmask still fit, and every uint32 / int32 position
 * computation of maskApi.c stays exact.
 */
export const MAX_PIXELS = 2 ** 28;
/** Largest polygon boundary, counted as maskApi.c's rleFrPoly does (points on the 5x grid). */
export const MAX_POLYGON_POINTS = 2 ** 26;
/** rleFrPoly casts 5*x+0.5 to a C int: coordinates must keep it inside int32. */
const INT32_LIMIT = 2 ** 31;
const UINT32_MAX = 4294967295;

function fail(message: string): never {
  throw new GeometryInputError(message);
}

function show(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  return v === null ? "null" : typeof v;
}

/** h and w: non-negative integers with h*w <= MAX_PIXELS. */
export function checkSize(fn: string, h: unknown, w: unknown, label = "mask"): void {
  if (typeof h !== "number" || !Number.isInteger(h) || h < 0) fail(`${fn}: ${label} height ${show(h)} is not a non-negative integer`);
  if (typeof w !== "number" || !Number.isInteger(w) || w < 0) fail(`${fn}: ${label} width ${show(w)} is not a non-negative integer`);
  if (h * w > MAX_PIXELS) {
    fail(`${fn}: ${label} of height ${h} and width ${w} has ${h * w} pixels, more than the engine limit of ${MAX_PIXELS} (2^28)`);
  }
}

/** Uncompressed RLE counts: integers in [0, 2^32-1] summing to h*w (h, w already checked). */
export function checkCounts(fn: string, counts: ArrayLike<number>, h: number, w: number, label = "RLE"): void {
  if (counts === null || typeof counts !== "object" || typeof counts.length !== "number") {
    fail(`${fn}: ${label} counts must be an array of numbers, got ${show(counts)}`);
  }
  const n = counts.length;
  let sum = 0;
  if (counts instanceof Uint32Array) {
    for (let i = 0; i < n; i++) sum += counts[i]!;
  } else {
    for (let i = 0; i < n; i++) {
      const v = counts[i];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > UINT32_MAX) {
        fail(`${fn}: ${label} counts[${i}] = ${show(v)} is not an integer in [0, ${UINT32_MAX}]`);
      }
      sum += v;
    }
  }
  if (sum !== h * w) fail(`${fn}: ${label} counts sum to ${sum}, expected h*w = ${h * w} (h ${h}, w ${w})`);
}

/** A boundary's dilation: a whole number of pixels. */
export function checkDilation(fn: string, k: unknown): void {
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0) fail(`${fn}: dilation ${show(k)} is not a non-negative integer`);
}

/** An Rle object handed to a kernel: its size and counts. */
export function checkRle(fn: string, rle: Rle, label = "RLE"): void {
  if (rle === null || typeof rle !== "object") fail(`${fn}: ${label} is ${show(rle)}, not an RLE object`);
  checkSize(fn, rle.h, rle.w, label);
  checkCounts(fn, rle.counts, rle.h, rle.w, label);
}

/** rleMerge's inputs: at least one mask, all of one size (pycocotools silently returns an empty 0x0 mask). */
export function checkSameSize(fn: string, rles: readonly Rle[]): void {
  if (rles.length === 0) fail(`${fn}: no masks given`);
  const { h, w } = rles[0]!;
  for (let i = 1; i < rles.length; i++) {
    if (rles[i]!.h !== h || rles[i]!.w !== w) {
      fail(`${fn}: mask ${i} has size [h ${rles[i]!.h}, w ${rles[i]!.w}], mask 0 has [h ${h}, w ${w}]`);
    }
  }
}

/**
 * The O(1) part of checkRle for each mask of a list: the object, its size, and counts that are a
 * Uint32Array (other arrays are checked in full here). The caller must still check the sums
 * before any loop over the counts (the wasm engine does it in rlePrepare, then calls checkRle).
 */
export function checkRleHeaders(fn: string, rles: readonly Rle[], name: string): void {
  if (!Array.isArray(rles)) fail(`${fn}: ${name} must be an array of RLE objects`);
  for (let i = 0; i < rles.length; i++) {
    const rle = rles[i]!;
    const label = `${name}[${i}]`;
    if (rle === null || typeof rle !== "object") fail(`${fn}: ${label} is ${show(rle)}, not an RLE object`);
    checkSize(fn, rle.h, rle.w, label);
    if (!(rle.counts instanceof Uint32Array)) checkCounts(fn, rle.counts, rle.h, rle.w, label);
  }
}

export function checkRleList(fn: string, rles: readonly Rle[], name: string): void {
  if (!Array.isArray(rles)) fail(`${fn}: ${name} must be an array of RLE objects`);
  for (let i = 0; i < rles.length; i++) checkRle(fn, rles[i]!, `${name}[${i}]`);
}

/** C's (int)(x) on x86-64: truncation toward zero; NaN and out-of-range give INT_MIN. */
export function cInt(x: number): number {
  return x >= -INT32_LIMIT && x < INT32_LIMIT ? Math.trunc(x) : -INT32_LIMIT;
}

/**
 * One polygon [x0,y0,x1,y1,...]: an even number (>= 6) of finite coordinates whose 5x grid
 * positions fit a C int, with a boundary of at most MAX_POLYGON_POINTS points. Returns an upper
 * bound on the number of y-boundary positions rleFrPoly keeps (the size of its `a` buffer, +1).
 */
export function checkPolygon(fn: string, xy: ArrayLike<number>, h: number, w: number, label = "polygon"): number {
  if (xy === null || typeof xy !== "object" || typeof xy.length !== "number") {
    fail(`${fn}: ${label} must be an array of numbers, got ${show(xy)}`);
  }
  const n = xy.length;
  if (n % 2 !== 0) fail(`${fn}: ${label} has an odd number of coordinates (${n})`);
  if (n < 6) fail(`${fn}: ${label} has ${n} numbers; a polygon needs at least 6 (3 points)`);
  for (let i = 0; i < n; i++) {
    const v = xy[i];
    if (typeof v !== "number" || !Number.isFinite(v)) fail(`${fn}: ${label}[${i}] is ${show(v)}, not a finite number`);
    const g = 5 * v + 0.5;
    if (!(g > -INT32_LIMIT && g < INT32_LIMIT)) {
      fail(`${fn}: ${label}[${i}] = ${v} is out of range (|5*v + 0.5| must stay below 2^31)`);
    }
  }
  const k = n / 2;
  let points = 0;
  let bound = k + 1;
  let x0 = Math.trunc(5 * xy[0]! + 0.5);
  let y0 = Math.trunc(5 * xy[1]! + 0.5);
  const xf = x0;
  const yf = y0;
  for (let j = 0; j < k; j++) {
    const x1 = j + 1 < k ? Math.trunc(5 * xy[2 * j + 2]! + 0.5) : xf;
    const y1 = j + 1 < k ? Math.trunc(5 * xy[2 * j + 3]! + 0.5) : yf;
    const dx = Math.abs(x1 - x0);
    points += Math.max(dx, Math.abs(y1 - y0)) + 1;
    bound += Math.min(dx, w);
    x0 = x1;
    y0 = y1;
  }
  if (points > MAX_POLYGON_POINTS) {
    fail(`${fn}: ${label} boundary is too long: ${points} points on rleFrPoly's 5x grid, limit ${MAX_POLYGON_POINTS} (2^26)`);
  }
  return Math.min(bound, points + 1);
}

export function checkPolygonList(fn: string, parts: readonly ArrayLike<number>[], h: number, w: number): number[] {
  if (!Array.isArray(parts)) fail(`${fn}: parts must be an array of polygons`);
  if (parts.length === 0) fail(`${fn}: no polygon parts given`);
  return parts.map((p, i) => checkPolygon(fn, p, h, w, `polygon part ${i}`));
}

/** rleFrBbox's polygon of a box: [xs,ys, xs,ye, xe,ye, xe,ys]. */
export function boxToPolygon(box: Box): number[] {
  const [xs, ys, bw, bh] = box;
  const xe = xs + bw;
  const ye = ys + bh;
  return [xs, ys, xs, ye, xe, ye, xe, ys];
}

function checkNumbers(fn: string, v: ArrayLike<number>, count: number, label: string): void {
  if (v === null || typeof v !== "object" || v.length !== count) {
    fail(`${fn}: ${label} must have ${count} numbers, got ${v !== null && typeof v === "object" ? `${v.length}` : show(v)}`);
  }
  for (let i = 0; i < count; i++) {
    if (typeof v[i] !== "number" || !Number.isFinite(v[i])) fail(`${fn}: ${label}[${i}] is ${show(v[i])}, not a finite number`);
  }
}

/** A box [x, y, w, h]; returns its polygon's kept-positions bound (see checkPolygon). */
export function checkBox(fn: string, box: Box, h: number, w: number): number {
  checkNumbers(fn, box, 4, "box");
  return checkPolygon(fn, boxToPolygon(box), h, w, "box");
}

export function checkRotatedBox(fn: string, box: RotatedBox): void {
  checkNumbers(fn, box, 5, "rotated box");
}

/** Packed [x,y,w,h] quads: a Float64Array whose length is a multiple of 4, all finite. */
export function checkBoxArray(fn: string, boxes: Float64Array, name: string): number {
  if (!(boxes instanceof Float64Array)) fail(`${fn}: ${name} must be a Float64Array of [x,y,w,h] quads`);
  if (boxes.length % 4 !== 0) fail(`${fn}: ${name} has ${boxes.length} numbers, not a multiple of 4`);
  for (let i = 0; i < boxes.length; i++) {
    if (!Number.isFinite(boxes[i])) fail(`${fn}: ${name}[${i}] is ${show(boxes[i])}, not a finite number`);
  }
  return boxes.length / 4;
}

/**
 * Crowd flags as the kernels take them: a Uint8Array as it is, a plain array of 0 / 1 / booleans
 * converted, null for none; `n` flags, one per ground-truth object.
 */
export function crowdFlags(fn: string, crowd: CrowdFlags | undefined, n: number): Uint8Array | null {
  if (crowd === null || crowd === undefined) return null;
  let flags: Uint8Array;
  if (crowd instanceof Uint8Array) flags = crowd;
  else if (Array.isArray(crowd)) {
    flags = new Uint8Array(crowd.length);
    crowd.forEach((c, i) => {
      if (c === 1 || c === true) flags[i] = 1;
      else if (c !== 0 && c !== false) fail(`${fn}: crowd[${i}] must be 0, 1, true or false, got ${JSON.stringify(c)}`);
    });
  } else return fail(`${fn}: crowd must be a Uint8Array, an array of 0 / 1 / booleans, or null`);
  if (flags.length !== n) fail(`${fn}: crowd has ${flags.length} flags for ${n} ground truth objects`);
  return flags;
}

export function checkOrder(fn: string, order: unknown): void {
  if (order !== "column-major" && order !== "row-major") {
    fail(`${fn}: order must be "column-major" or "row-major", got ${show(order)}`);
  }
}

/** A bitmask of h*w pixels, `stride` values apart starting at `offset`. */
export function checkBitmask(
  fn: string,
  mask: ArrayLike<number>,
  h: number,
  w: number,
  order: PixelOrder,
  stride: number,
  offset: number,
): void {
  checkSize(fn, h, w);
  checkOrder(fn, order);
  if (!Number.isInteger(stride) || stride < 1) fail(`${fn}: stride ${show(stride)} is not a positive integer`);
  if (!Number.isInteger(offset) || offset < 0 || offset >= stride) {
    fail(`${fn}: offset ${show(offset)} is not an integer in [0, stride-1] (stride ${stride})`);
  }
  if (mask === null || typeof mask !== "object" || typeof mask.length !== "number") {
    fail(`${fn}: mask must be an array of numbers, got ${show(mask)}`);
  }
  const a = h * w;
  const min = a === 0 ? 0 : (a - 1) * stride + offset + 1;
  const max = a * stride;
  if (mask.length < min || mask.length > max) {
    fail(
      `${fn}: mask has ${mask.length} values, expected ${min === max ? min : `${min} to ${max}`} for height ${h}, width ${w}, stride ${stride}, offset ${offset}`,
    );
  }
}

// ---- compressed RLE strings -------------------------------------------------------------------
// The decoder (both implementations) reports the first problem as a code plus two numbers; the
// message is formatted here so that both give the same text.
export const STR_BAD_CHAR = 1;
export const STR_DANGLING = 2;
export const STR_TOO_LONG = 3;
export const STR_NEGATIVE = 4;
export const STR_TOO_BIG = 5;
export const STR_SUM = 6;
/** A count may take at most this many characters (values stay exact in float64). */
export const STR_MAX_CHARS = 10;

export function checkRleString(fn: string, s: unknown): void {
  if (typeof s !== "string") fail(`${fn}: counts must be a string, got ${show(s)}`);
}

/** The message for decoder code `code`; `a` is a character index or count index, `b` a value. */
export function rleStringError(fn: string, s: string, code: number, a: number, b: number, h: number, w: number): GeometryInputError {
  let msg: string;
  switch (code) {
    case STR_BAD_CHAR:
      msg = `invalid character ${JSON.stringify(s.charAt(a))} at index ${a} (allowed: '0' to 'o')`;
      break;
    case STR_DANGLING:
      msg = `string ends inside count ${a} (its last character has the continuation bit 0x20)`;
      break;
    case STR_TOO_LONG:
      msg = `count ${a} is longer than ${STR_MAX_CHARS} characters`;
      break;
    case STR_NEGATIVE:
      msg = `count ${a} decodes to ${b}, which is negative`;
      break;
    case STR_TOO_BIG:
      msg = `count ${a} decodes to ${b}, more than ${UINT32_MAX}`;
      break;
    case STR_SUM:
      msg = `counts sum to ${b}, expected h*w = ${h * w} (h ${h}, w ${w})`;
      break;
    default:
      msg = `malformed string (code ${code})`;
  }
  return new GeometryInputError(`${fn}: compressed RLE ${msg}`);
}

/**
 * Largest IoU matrix boxIou / maskIou return: 2^32 - 1 values (32 GiB of float64), the longest
 * Float64Array Node 20's V8 makes. The engine never holds more than a few rows of it at once.
 */
export const MAX_IOU_VALUES = 2 ** 32 - 1;

/** "8.0 GB": a byte count for messages. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/** The m x n IoU matrix of `fn` fits MAX_IOU_VALUES (a GeometryInputError naming the sizes otherwise). */
export function checkIouSize(fn: string, m: number, n: number): void {
  const values = m * n;
  if (values > MAX_IOU_VALUES) {
    fail(`${fn}: ${m} detections x ${n} labels = ${values} IoU values (${formatBytes(8 * values)} as float64), more than the ${MAX_IOU_VALUES} (2^32 - 1) an IoU matrix may hold`);
  }
}

/** A zeroed m x n IoU matrix (checkIouSize first; a GeometryInputError naming the sizes when it cannot be allocated). */
export function newIouMatrix(fn: string, m: number, n: number): Float64Array {
  checkIouSize(fn, m, n);
  try {
    return new Float64Array(m * n);
  } catch {
    return fail(`${fn}: ${m} detections x ${n} labels = ${m * n} IoU values (${formatBytes(8 * m * n)} as float64): the JavaScript engine cannot allocate the result`);
  }
}

/** "" when h x w fits a mask, else the limit message. */
export function maskSizeProblem(h: number, w: number): string {
  const px = h * w;
  return px > MAX_PIXELS ? `${px} pixels, more than a wasm32 mask can hold (limit ${MAX_PIXELS} = 2^28)` : "";
}
