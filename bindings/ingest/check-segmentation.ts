// Segmentations as pycocotools reads them (frPyObjects / annToRLE), checked element by element when
// a dataset or results file is parsed, so that no geometry kernel ever sees malformed input:
//   polygons  [[x0, y0, x1, y1, ...], ...]  an even number (>= 6) of finite coordinates per part
//   boxes     [[x, y, w, h], ...]           when the FIRST element has exactly 4 numbers
//   RLE       {size: [h, w], counts: "..."} compressed string: alphabet '0'..'o', no dangling
//             continuation, counts within uint32 (no 64-bit overflow), summing to h*w
//             {size: [h, w], counts: [...]} uncompressed: integers in [0, 2^32-1] summing to h*w
//   a list of uncompressed RLEs (merged by union)
// The geometry-level limits (coordinate range of rleFrPoly's 5x grid, boundary length) are the ones
// of bindings/geometry/validate.ts, called here; the image-dependent ones (image size present, mask
// size within what wasm32 can hold) are checked when a mask is actually needed (checkMaskInputs).
import { CocoInputError } from "../coco/errors.js";
import { GeometryInputError, type Box } from "../geometry/types.js";
import { checkBox, checkPolygon, MAX_POLYGON_POINTS, rleStringError, STR_BAD_CHAR, STR_DANGLING, STR_MAX_CHARS, STR_NEGATIVE, STR_SUM, STR_TOO_BIG, STR_TOO_LONG } from "../geometry/validate.js";
import { expectedGot, showValue } from "../coco/show.js";

/** What checkSegmentation found: a SEG_* kind. */
export { SEG_BOXES, SEG_EMPTY, SEG_NONE, SEG_POLYGONS, SEG_RLE_COUNTS, SEG_RLE_LIST, SEG_RLE_STRING } from "../columns/segmentations.js";
import { SEG_BOXES, SEG_EMPTY, SEG_NONE, SEG_POLYGONS, SEG_RLE_COUNTS, SEG_RLE_LIST, SEG_RLE_STRING } from "../columns/segmentations.js";

const UINT32_MAX = 4294967295;
/** rleFrPoly computes (int)(5*x + .5): it must stay inside a C int. */
const INT32_LIMIT = 2 ** 31;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(path: string, problem: string): never {
  throw new CocoInputError(path, problem);
}

// Paths are built only when a check fails (the checks run once per element of files with millions of
// them): the element being checked is (root, index), e.g. ("annotations", 3) -> annotations[3].segmentation.
let curRoot = "";
let curIndex = 0;
const segPath = (): string => `${curRoot}[${curIndex}].segmentation`;
/** segmentation, or segmentation[j] for j >= 0. */
const partPath = (j: number): string => (j < 0 ? segPath() : `${segPath()}[${j}]`);

/** Stands for the path in geometry/validate's messages until one is needed. */
const FN = "\u0000";

/** A geometry/validate error (its message starts with FN) as a CocoInputError naming `path`. */
function geometryError(e: unknown, path: string): never {
  if (e instanceof GeometryInputError) throw new CocoInputError("", "", e.message.split("\n")[0]!.replace(FN, path));
  throw e;
}

/** The size of an RLE: [h, w], non-negative integers. Returns h * w. */
export function checkRleSize(size: unknown, path: string): number {
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    typeof size[0] !== "number" ||
    typeof size[1] !== "number" ||
    !Number.isInteger(size[0]) ||
    !Number.isInteger(size[1]) ||
    size[0] < 0 ||
    size[1] < 0
  ) {
    fail(`${path}.size`, expectedGot("[height, width] (2 non-negative integers)", size));
  }
  return size[0] * size[1];
}

/**
 * The problem of a compressed RLE string (maskApi.c rleFrString, decoded as bindings/geometry/reference.ts
 * does), or "" when it is fine; checked without building the counts: alphabet, continuation, at most
 * STR_MAX_CHARS characters per count (so nothing overflows 64 bits), every count in [0, 2^32-1], and
 * the sum h*w. The text is the geometry engine's for the same string.
 */
export function rleStringProblem(s: string, hw: number): string {
  // fast path: integer decoding of counts of up to 6 characters (30 bits), the common case; anything
  // unusual (a problem, or a longer count) goes to the exact decoder below, which names the problem
  const n = s.length;
  let p = 0;
  let m = 0;
  let sum = 0;
  let prev2 = 0;
  let prev1 = 0;
  while (p < n) {
    let x = 0;
    let k = 0;
    let c: number;
    do {
      c = s.charCodeAt(p++) - 48; // NaN past the end
      if (!(c >= 0 && c <= 63) || k === 6) return rleStringProblemExact(s, hw);
      x |= (c & 0x1f) << (5 * k);
      k++;
    } while (c & 0x20);
    if (c & 0x10) x -= 1 << (5 * k);
    if (m > 2) x += prev2;
    if (x < 0 || x > UINT32_MAX) return rleStringProblemExact(s, hw);
    prev2 = prev1;
    prev1 = x;
    m++;
    sum += x;
  }
  return sum === hw ? "" : rleStringProblemExact(s, hw);
}

/** rleStringProblem, character by character as maskApi.c (decodeRleString), naming the problem. */
function rleStringProblemExact(s: string, hw: number): string {
  const d = decodeRleString(s, 0, s.length, hw);
  if (d.code === 0) return "";
  if (d.code === STR_SUM) return `counts sum to ${d.b}, expected h*w = ${hw}`;
  return rleStringError("", s, d.code, d.a, d.b, hw, 1).message.replace(/^: compressed RLE /, "");
}

/** What decodeRleString found: `code` 0 or STR_* (geometry/validate.ts) with its details a, b; m counts. */
export interface RleStringScan {
  code: number;
  a: number;
  b: number;
  m: number;
}

/**
 * A compressed RLE string (chars s..e of a string or bytes), character by character as maskApi.c
 * rleFrString, in float64 (exact for up to STR_MAX_CHARS characters per count): its first problem,
 * or code 0 and the number of counts, written to out[at..] when `out` is given (room for e - s).
 */
export function decodeRleString(src: string | Uint8Array, s: number, e: number, hw: number, out?: Uint32Array, at = 0): RleStringScan {
  const text = typeof src === "string";
  let p = s;
  let m = 0;
  let sum = 0;
  let prev2 = 0; // count m-2
  let prev1 = 0; // count m-1
  const problem = (code: number, a: number, b = 0): RleStringScan => ({ code, a, b, m });
  while (p < e) {
    let x = 0;
    let k = 0;
    let scale = 1;
    let more = true;
    while (more) {
      if (p >= e) return problem(STR_DANGLING, m);
      const ch = text ? src.charCodeAt(p) : src[p]!;
      if (ch < 48 || ch > 111) return problem(STR_BAD_CHAR, p);
      if (k >= STR_MAX_CHARS) return problem(STR_TOO_LONG, m);
      const c = ch - 48;
      x += (c & 0x1f) * scale;
      scale *= 32;
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= scale;
    }
    if (m > 2) x += prev2;
    if (x < 0) return problem(STR_NEGATIVE, m, x);
    if (x > UINT32_MAX) return problem(STR_TOO_BIG, m, x);
    prev2 = prev1;
    prev1 = x;
    if (out) out[at + m] = x;
    m++;
    sum += x;
  }
  return sum === hw ? { code: 0, a: 0, b: 0, m } : problem(STR_SUM, m, sum);
}

/** Uncompressed RLE counts: integers in [0, 2^32-1] summing to h*w; `j` as in partPath. */
function checkRleCounts(counts: unknown[], hw: number, j: number): void {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const v = counts[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > UINT32_MAX) {
      fail(`${partPath(j)}.counts[${i}]`, `expected an integer in [0, ${UINT32_MAX}], got ${showValue(v)}`);
    }
    sum += v;
  }
  if (sum !== hw) fail(`${partPath(j)}.counts`, `counts sum to ${sum}, expected h*w = ${hw}`);
}

/** An RLE object {size, counts} at partPath(j): compressed (string counts) unless `uncompressedOnly`. */
function checkRleObject(seg: Record<string, unknown>, j: number, uncompressedOnly: boolean): number {
  const size = seg.size;
  const hw = Array.isArray(size) && size.length === 2 && Number.isInteger(size[0]) && Number.isInteger(size[1]) && size[0] >= 0 && size[1] >= 0
    ? (size[0] as number) * (size[1] as number)
    : checkRleSize(size, partPath(j));
  const counts = seg.counts;
  if (typeof counts === "string" && !uncompressedOnly) {
    const problem = rleStringProblem(counts, hw);
    if (problem) {
      // pycocotools' counts are bytes; str(b"...") instead of .decode() writes the Python literal
      const hint = /^b['"]/.test(counts) ? " (this is a Python bytes literal: write counts.decode(\"ascii\") to the JSON)" : "";
      fail(`${partPath(j)}.counts`, problem + hint);
    }
    return SEG_RLE_STRING;
  }
  if (Array.isArray(counts)) {
    checkRleCounts(counts, hw, j);
    return SEG_RLE_COUNTS;
  }
  fail(
    `${partPath(j)}.counts`,
    uncompressedOnly
      ? expectedGot("an array of run lengths (the RLEs of a list must be uncompressed)", counts)
      : expectedGot("a compressed RLE string or an array of run lengths", counts),
  );
}

/** Every element of part j a finite number, inside rleFrPoly's int range; returns the largest |coordinate|. */
function checkCoordinates(part: unknown[], j: number): number {
  let maxAbs = 0;
  for (let k = 0; k < part.length; k++) {
    const v = part[k];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      const pair = Array.isArray(v) && v.length === 2 && typeof v[0] === "number";
      fail(`${partPath(j)}[${k}]`, `expected a finite number, got ${showValue(v)}${pair ? " (a polygon is a flat list: [x0, y0, x1, y1, ...], not points [[x0, y0], ...])" : ""}`);
    }
    const g = 5 * v + 0.5;
    if (!(g > -INT32_LIMIT && g < INT32_LIMIT)) {
      fail(`${partPath(j)}[${k}]`, `coordinate ${v} is out of range (|5*x + 0.5| must stay below 2^31 to rasterise, as in maskApi.c)`);
    }
    const a = v < 0 ? -v : v;
    if (a > maxAbs) maxAbs = a;
  }
  return maxAbs;
}

/**
 * Whether geometry/validate's boundary check could fail: each of the n/2 edges adds at most
 * 10 * max|coordinate| + 2 points on rleFrPoly's 5x grid, so small polygons skip that second pass.
 */
function mayExceedBoundary(n: number, maxAbs: number): boolean {
  return (n / 2) * (10 * maxAbs + 2) > MAX_POLYGON_POINTS;
}

/**
 * Checks the segmentation of element `index` of `root` ("annotations" or "results"); throws
 * CocoInputError naming the first problem (`annotations[3].segmentation[0]: ...`). Returns its SEG_* kind.
 */
export function checkSegmentation(seg: unknown, root: string, index: number): number {
  if (seg === undefined || seg === null) return SEG_NONE;
  curRoot = root;
  curIndex = index;
  if (Array.isArray(seg)) {
    if (seg.length === 0) return SEG_EMPTY;
    const first = seg[0];
    if (isRecord(first)) {
      // frPyObjects: a list of uncompressed RLEs
      for (let j = 0; j < seg.length; j++) {
        const r = seg[j];
        if (!isRecord(r)) fail(partPath(j), `expected an uncompressed RLE {size, counts} like ${partPath(0)}, got ${showValue(r)}`);
        checkRleObject(r, j, true);
      }
      return SEG_RLE_LIST;
    }
    if (typeof first === "number") {
      fail(segPath(), `expected a list of polygons, got a flat list of numbers ${showValue(seg)} (wrap a single polygon: [[x0, y0, x1, y1, ...]])`);
    }
    if (!Array.isArray(first)) fail(partPath(0), `expected a polygon (an array of numbers) or an RLE object, got ${showValue(first)}`);
    if (first.length === 4) {
      // frPyObjects reads a list whose first element has 4 numbers as boxes [x, y, w, h]
      for (let j = 0; j < seg.length; j++) {
        const b = seg[j];
        if (!Array.isArray(b) || b.length !== 4) {
          fail(partPath(j), `expected a box of 4 numbers (${partPath(0)} has 4 numbers, which makes the list boxes), got ${showValue(b)}`);
        }
        const maxAbs = checkCoordinates(b, j);
        // the box's polygon reaches |x| + |w| at most
        if (mayExceedBoundary(8, 2 * maxAbs)) {
          try {
            checkBox(FN, b as unknown as Box, 0, 0);
          } catch (e) {
            geometryError(e, partPath(j));
          }
        }
      }
      return SEG_BOXES;
    }
    for (let j = 0; j < seg.length; j++) {
      const part = seg[j];
      if (!Array.isArray(part)) fail(partPath(j), `expected a polygon (an array of numbers), got ${showValue(part)}`);
      const maxAbs = checkCoordinates(part, j);
      if (part.length < 6 || part.length % 2 !== 0) {
        fail(partPath(j), `expected a polygon of an even number (at least 6) of coordinates, got ${part.length} number${part.length === 1 ? "" : "s"}`);
      }
      if (mayExceedBoundary(part.length, maxAbs)) {
        try {
          checkPolygon(FN, part as number[], 0, 0, "polygon");
        } catch (e) {
          geometryError(e, partPath(j));
        }
      }
    }
    return SEG_POLYGONS;
  }
  if (isRecord(seg)) return checkRleObject(seg, -1, false);
  fail(segPath(), `expected polygons (an array) or an RLE object {size, counts}, got ${showValue(seg)}`);
}

