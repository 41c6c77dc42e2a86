// COCO datasets and results read straight from JSON bytes into the columnar CocoDataset / CocoResults
// (bindings/ingest/coco-dataset.ts, results.ts), without building an object per annotation or detection.
//
// Each element of `annotations` / the results array is decoded by a fast reader that accepts the
// common, well-formed shapes only (known keys with the expected value types, polygons, RLE) and
// writes numbers into growable typed arrays and geometry into pools. Anything else (an unusual key
// order is fine; an unexpected type, a repeated key, keypoints, an escaped key...) makes that one
// element fall back: it is materialised as a JavaScript value and checked later by the parsers' own
// per-element checks (checkAnnotation / checkResult), in file order with the fast ones, so the
// result and the first error are those of parseCocoDataset / parseCocoResults. Images and
// categories (few) always take that path.
//
// `raw` of the returned objects is a read-only view that rebuilds an element's object on access
// (from the columns, or the stored fallback value), so memory stays that of the columns.
import { checkAnnotation, checkCategory, checkImage, DatasetBuilder, datasetRootError, finishDataset, requiredArrayProblem } from "./coco-dataset.js";
import { showValue } from "../coco/show.js";
import type { JsonSourceKind } from "./json-text.js";
import { BOX_MISSING, BOX_OK, type CocoDataset } from "../coco/inputs.js";
import { type CocoId, isId } from "../coco/ids.js";
import { checkResult, finishResults, ResultsBuilder, resultsRootError, resultSource } from "./coco-results.js";
import type { CocoResults, ResultSource } from "../coco/inputs.js";
import { type JsonElementHandler, type JsonReader, NEED_MORE } from "./stream-json.js";
import { ST_MORE } from "../generated/contexts.js";
import type { ScanOutput, WasmRecordScanner } from "./stream-wasm.js";
import { decodeRleString } from "./check-segmentation.js";
import { Column } from "../columns/column.js";
import {
  SEG_EMPTY,
  SEG_NONE,
  SEG_POLYGONS,
  SEG_RLE_COUNTS,
  SEG_RLE_DECODED,
  SEG_RLE_STRING,
  polygonsAt,
  type SegmentationPools,
} from "../columns/segmentations.js";

// ---- growable columns ----------------------------------------------------------------------------

/** Initial column capacity (grown by doubling); the loaders presize from the file size. */
let initialCapacity = 1024;
/** The pools' initial capacity: about the document's bytes (a pool never holds more values than the text has bytes). */
let poolCapacity = 1024;

/**
 * Sets the initial capacity of the columns made next: `elements` expected, in a document of `bytes`
 * bytes (large typed arrays are reserved, not touched: unused room costs address space, not memory).
 */
export function presizeColumns(elements: number, bytes = 0, shared = false): void {
  initialCapacity = Math.max(1024, Math.min(1 << 26, Math.ceil(elements)));
  poolCapacity = Math.max(1024, Math.min(1 << 28, Math.ceil(bytes)));
  sharedColumns = shared && typeof SharedArrayBuffer !== "undefined";
}

/** The next results stream's float columns (boxes, areas, scores) on SharedArrayBuffers: worker threads then read them without a copy. */
let sharedColumns = false;

function f64Array(n: number, shared = sharedColumns): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n);
}

// the parser's columns start at the presized capacity
class F64Col extends Column<Float64Array> {
  /** `pool`: start empty, `capacity` on first use. */
  constructor(capacity = initialCapacity, pool = false) {
    super(pool ? new Float64Array(0) : f64Array(capacity), 0, capacity);
  }
}
class I32Col extends Column<Int32Array> {
  constructor(capacity = initialCapacity) {
    super(new Int32Array(capacity));
  }
}
class U8Col extends Column<Uint8Array> {
  constructor(capacity = initialCapacity, pool = false) {
    super(new Uint8Array(pool ? 0 : capacity), 0, capacity);
  }
}
class Uint32Col extends Column<Uint32Array> {
  constructor(capacity = initialCapacity, pool = false) {
    super(new Uint32Array(pool ? 0 : capacity), 0, capacity);
  }
}

// ---- segmentation pools --------------------------------------------------------------------------



/**
 * The segmentations of the fast elements, in pools: polygons as float64 coordinates (parts),
 * compressed RLE strings as bytes, uncompressed counts as uint32. Element i's data is described by
 * kind[i], and for polygons parts partStart[i] .. partStart[i+1] of partOffset / partLength, for RLE
 * an offset / length into the byte or count pool with its size h, w.
 */
export class SegmentationColumns implements SegmentationPools {
  readonly kind = new U8Col();
  /** Polygons: first part index; RLE: offset in the byte / count pool. */
  readonly start = new I32Col();
  /** Polygons: number of parts; RLE: length. */
  readonly length = new I32Col();
  readonly h = new I32Col();
  readonly w = new I32Col();
  /** SEG_RLE_DECODED: the string's bytes (for `raw`). */
  readonly bstart = new I32Col();
  readonly blength = new I32Col();
  // the pools are allocated when first used (a document without polygons, strings or counts needs none)
  readonly coords = new F64Col(poolCapacity >>> 2, true);
  readonly partOffset = new I32Col();
  readonly partLength = new I32Col();
  readonly bytes = new U8Col(poolCapacity, true);
  readonly counts = new Uint32Col(poolCapacity, true); // a compressed RLE character can end a count
  /**
   * Elements without a segmentation before the first one with any (a bbox results file has none):
   * their per-element entries (all 0, SEG_NONE) are written only once one is needed.
   */
  private pending = 0;
  private started = false;

  /** `keep` false: the segmentations are read (and so checked) but none is kept (every element as SEG_NONE). */
  constructor(readonly keep = true) {}

  /** After an element's commit when nothing is kept: the pools' room is reused by the next element. */
  drop(): void {
    this.coords.n = this.partOffset.n = this.partLength.n = this.bytes.n = this.counts.n = 0;
  }

  /**
   * Elements of these kinds come next: true when their entries need not be written (none has had a
   * segmentation yet, nor has one of these), counted as pending.
   */
  none(kinds: ArrayLike<number>): boolean {
    if (this.started) return false;
    for (let j = 0; j < kinds.length; j++) if (kinds[j] !== SEG_NONE) return false;
    this.pending += kinds.length;
    return true;
  }

  /** Writes the pending elements' entries; from now on every element's entries are written. */
  begin(): void {
    if (this.started || !this.keep) return;
    this.started = true;
    const k = this.pending;
    this.pending = 0;
    if (k === 0) return;
    for (const c of [this.kind, this.start, this.length, this.h, this.w, this.bstart, this.blength] as Column<Uint8Array | Int32Array>[]) {
      c.reserve(k).fill(0, c.n, c.n + k);
      c.n += k;
    }
  }

  /** The pools, every element's entries written; null when no element had a segmentation (nothing to keep). */
  finish(): SegmentationColumns | null {
    return this.started ? this : null;
  }
}

const INT32_LIMIT = 2 ** 31;
const UINT32_MAX = 4294967295;
const MAX_POLYGON_POINTS = 2 ** 26;

/** A result's box state in the stream's column: "bbox": [] in the segm branch (no box, as BOX_MISSING; `raw` keeps the []). */
const BOX_EMPTY = 2;

/** Thrown by a fast reader: this element takes the fallback path. */
const FALLBACK: { readonly fallback: true } = Object.freeze({ fallback: true as const });

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * Reads a segmentation at r.pos into `seg` (pools past their committed lengths). Accepts what
 * checkSegmentation accepts without error in the common forms: polygons (no boxes form), RLE with
 * a string or a counts list, [] and null. Returns the SEG_* kind; throws FALLBACK otherwise.
 */
function readSegmentation(r: JsonReader, seg: SegmentationColumns, out: SegOut): number {
  const c = r.peek();
  if (c === 0x6e) {
    r.literal();
    return SEG_NONE;
  }
  if (c === 0x5b) {
    if (r.open(0x5b)) return SEG_EMPTY;
    const firstPart = seg.partOffset.n;
    let parts = 0;
    do {
      if (r.peek() !== 0x5b) throw FALLBACK; // RLE list, flat numbers, other: the slow path names the problem
      const off = seg.coords.n;
      if (!r.open(0x5b)) {
        do {
          if (r.peek() === 0x5b || r.buf[r.pos] === 0x7b || r.buf[r.pos] === 0x22) throw FALLBACK;
          const c2 = r.buf[r.pos]!;
          if (!(c2 === 0x2d || (c2 >= 0x30 && c2 <= 0x39))) throw FALLBACK;
          const v = r.number();
          const g = 5 * v + 0.5;
          if (!(g > -INT32_LIMIT && g < INT32_LIMIT)) throw FALLBACK; // also non-finite
          seg.coords.push(v);
        } while (r.next(0x5d));
      }
      const len = seg.coords.n - off;
      if (len < 6 || len % 2 !== 0) throw FALLBACK;
      if (parts === 0 && len === 4) throw FALLBACK; // boxes form
      if (!boundaryOk(seg.coords.a, off, len)) throw FALLBACK;
      seg.partOffset.push(off);
      seg.partLength.push(len);
      parts++;
    } while (r.next(0x5d));
    out.start = firstPart;
    out.length = parts;
    return SEG_POLYGONS;
  }
  if (c === 0x7b) {
    if (r.open(0x7b)) throw FALLBACK;
    let h = -1;
    let w = -1;
    let kind = 0;
    let start = 0;
    let length = 0;
    let seen = 0;
    do {
      if (r.peek() !== 0x22) throw FALLBACK;
      const k = r.key(RLE_KEYS);
      if (k === -2) throw FALLBACK;
      if (k >= 0) {
        if (seen & (1 << k)) throw FALLBACK;
        seen |= 1 << k;
      }
      if (k === 0) {
        // size: [h, w], non-negative integers
        if (r.peek() !== 0x5b || r.open(0x5b)) throw FALLBACK;
        const c1 = r.peek();
        if (!(c1 === 0x2d || (c1 >= 0x30 && c1 <= 0x39))) throw FALLBACK;
        h = r.number();
        if (!r.next(0x5d)) throw FALLBACK;
        const c2 = r.peek();
        if (!(c2 === 0x2d || (c2 >= 0x30 && c2 <= 0x39))) throw FALLBACK;
        w = r.number();
        if (r.next(0x5d)) throw FALLBACK;
        if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 0 && w >= 0)) throw FALLBACK;
      } else if (k === 1) {
        const c1 = r.peek();
        if (c1 === 0x22) {
          const p0 = r.pos;
          const q = r.rawString();
          const bytes = seg.bytes;
          start = bytes.n;
          if (q >= 0) {
            const s0 = r.rawStart;
            const n = q - s0;
            bytes.reserve(n);
            bytes.a.set(r.buf.subarray(s0, q), start);
            bytes.n += n;
            length = n;
          } else {
            // escaped ("\\" is an RLE character): decoded, then stored as bytes when all ASCII
            r.pos = p0;
            const str = r.string();
            const n = str.length;
            bytes.reserve(n);
            for (let i = 0; i < n; i++) {
              const ch = str.charCodeAt(i);
              if (ch >= 128) throw FALLBACK;
              bytes.a[start + i] = ch;
            }
            bytes.n += n;
            length = n;
          }
          kind = SEG_RLE_STRING;
        } else if (c1 === 0x5b) {
          const counts = seg.counts;
          start = counts.n;
          if (!r.open(0x5b)) {
            do {
              const c2 = r.peek();
              if (!(c2 >= 0x30 && c2 <= 0x39)) throw FALLBACK;
              const v = r.number();
              if (!(Number.isInteger(v) && v <= UINT32_MAX)) throw FALLBACK;
              counts.push(v);
            } while (r.next(0x5d));
          }
          length = counts.n - start;
          kind = SEG_RLE_COUNTS;
        } else throw FALLBACK;
      } else r.skip(2);
    } while (r.next(0x7d));
    if (h < 0 || kind === 0) throw FALLBACK;
    const hw = h * w;
    if (kind === SEG_RLE_STRING) {
      // decoded here, as the wasm scanner does: the validation and the counts the masks need
      const counts = seg.counts;
      counts.reserve(length);
      const d = decodeRleString(seg.bytes.a, start, start + length, hw, counts.a, counts.n);
      if (d.code !== 0) throw FALLBACK;
      out.start = counts.n;
      out.length = d.m;
      counts.n += d.m;
      out.h = h;
      out.w = w;
      out.bstart = start;
      out.blength = length;
      return SEG_RLE_DECODED;
    } else {
      let sum = 0;
      const a = seg.counts.a;
      for (let i = start; i < start + length; i++) sum += a[i]!;
      if (sum !== hw) throw FALLBACK;
    }
    out.start = start;
    out.length = length;
    out.h = h;
    out.w = w;
    return kind;
  }
  throw FALLBACK;
}

const RLE_KEYS = [ascii("size"), ascii("counts")];

/** Where readSegmentation put the segmentation it read. */
interface SegOut {
  start: number;
  length: number;
  h: number;
  w: number;
  bstart: number;
  blength: number;
}

/** checkPolygon's boundary length on rleFrPoly's 5x grid (geometry/validate.ts) within MAX_POLYGON_POINTS. */
function boundaryOk(a: Float64Array, off: number, n: number): boolean {
  const k = n / 2;
  let points = 0;
  let x0 = Math.trunc(5 * a[off]! + 0.5);
  let y0 = Math.trunc(5 * a[off + 1]! + 0.5);
  const xf = x0;
  const yf = y0;
  for (let j = 0; j < k; j++) {
    const x1 = j + 1 < k ? Math.trunc(5 * a[off + 2 * j + 2]! + 0.5) : xf;
    const y1 = j + 1 < k ? Math.trunc(5 * a[off + 2 * j + 3]! + 0.5) : yf;
    const dx = Math.abs(x1 - x0);
    const dy = Math.abs(y1 - y0);
    points += (dx > dy ? dx : dy) + 1;
    x0 = x1;
    y0 = y1;
  }
  return points <= MAX_POLYGON_POINTS;
}

/** A number or string id at r.pos (a JSON number is finite unless it overflows): or FALLBACK. */
function readId(r: JsonReader, strings: Map<number, string>, index: number): number {
  const c = r.peek();
  if (c === 0x22) {
    strings.set(index, r.string());
    return NaN;
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    const v = r.number();
    if (!Number.isFinite(v)) throw FALLBACK;
    return v;
  }
  throw FALLBACK;
}

/** A finite number at r.pos, or FALLBACK. */
function readFinite(r: JsonReader): number {
  const c = r.peek();
  if (!(c === 0x2d || (c >= 0x30 && c <= 0x39))) throw FALLBACK;
  const v = r.number();
  if (!Number.isFinite(v)) throw FALLBACK;
  return v;
}

/** [x, y, w, h] of finite numbers into out[0..3], or FALLBACK. */
function readBox4(r: JsonReader, out: Float64Array): void {
  if (r.peek() !== 0x5b || r.open(0x5b)) throw FALLBACK;
  out[0] = readFinite(r);
  if (!r.next(0x5d)) throw FALLBACK;
  out[1] = readFinite(r);
  if (!r.next(0x5d)) throw FALLBACK;
  out[2] = readFinite(r);
  if (!r.next(0x5d)) throw FALLBACK;
  out[3] = readFinite(r);
  if (r.next(0x5d)) throw FALLBACK;
}

/** Pool lengths at the start of an element, to undo an attempt (NEED_MORE or FALLBACK). */
class SegMark {
  coords = 0;
  parts = 0;
  bytes = 0;
  counts = 0;
  mark(seg: SegmentationColumns): void {
    this.coords = seg.coords.n;
    this.parts = seg.partOffset.n;
    this.bytes = seg.bytes.n;
    this.counts = seg.counts.n;
  }
  undo(seg: SegmentationColumns): void {
    seg.coords.n = this.coords;
    seg.partOffset.n = this.parts;
    seg.partLength.n = this.parts;
    seg.bytes.n = this.bytes;
    seg.counts.n = this.counts;
  }
}

/**
 * One element by the fast reader `read` (into the columns), or, when it throws FALLBACK, kept as
 * a value for the checked path (`slow`). Either way the segmentation pools are as before a failed
 * attempt; NEED_MORE (and real errors) propagate. Returns whether the fast reader took it.
 */
function fastOrSlow(r: JsonReader, index: number, seg: SegmentationColumns, mark: SegMark, slow: Map<number, unknown>, read: (r: JsonReader) => void, undo?: () => void): boolean {
  const start = r.pos;
  mark.mark(seg);
  try {
    read(r);
    return true;
  } catch (e) {
    mark.undo(seg);
    undo?.();
    if (e !== FALLBACK) throw e;
    r.pos = start;
    slow.set(index, r.value(1));
    return false;
  }
}

/** A box [x, y, w, h] (or NaN x 4 when absent) onto the box column. */
function pushBox(bx: F64Col, b: Float64Array, present: boolean): void {
  bx.reserve(4);
  const ba = bx.a;
  const o = bx.n;
  if (present) {
    ba[o] = b[0]!;
    ba[o + 1] = b[1]!;
    ba[o + 2] = b[2]!;
    ba[o + 3] = b[3]!;
  } else ba[o] = ba[o + 1] = ba[o + 2] = ba[o + 3] = NaN;
  bx.n = o + 4;
}

/** One element without a segmentation, for SegmentationColumns.none. */
const ONE_NONE: readonly number[] = [SEG_NONE];

function pushSeg(seg: SegmentationColumns, kind: number, o: SegOut): void {
  if (!seg.keep) {
    seg.drop();
    return;
  }
  if (kind === SEG_NONE && seg.none(ONE_NONE)) return;
  seg.begin();
  seg.kind.push(kind);
  seg.start.push(o.start);
  seg.length.push(o.length);
  seg.h.push(o.h);
  seg.w.push(o.w);
  seg.bstart.push(kind === SEG_RLE_DECODED ? o.bstart : 0);
  seg.blength.push(kind === SEG_RLE_DECODED ? o.blength : 0);
}

/**
 * After a wasm call that read nothing: NEED_MORE when it ran out of bytes inside the element (the
 * JavaScript reader would too, after reading it again), else 0 (element() takes it).
 */
function incomplete(o: ScanOutput, r: JsonReader): 0 {
  if (o.stop === ST_MORE && !r.final) throw NEED_MORE;
  return 0;
}

/** Pool sizes before a wasm call: its offsets are written relative to them. */
function segBases(seg: SegmentationColumns): [number, number, number, number] {
  return [seg.coords.n, seg.partOffset.n, seg.bytes.n, seg.counts.n];
}

/** Appends one wasm call's segmentation columns and pools (offsets already global, see segBases). */
function appendSegmentations(seg: SegmentationColumns, o: ScanOutput): void {
  if (!seg.keep) return;
  if (o.coords.length) seg.coords.append(o.coords);
  if (o.parts.length) {
    const np = o.parts.length >>> 1;
    const po = seg.partOffset;
    const pl = seg.partLength;
    po.reserve(np);
    pl.reserve(np);
    const a = po.a, b = pl.a, src = o.parts;
    let n = po.n;
    for (let j = 0; j < src.length; j += 2) {
      a[n] = src[j]!;
      b[n++] = src[j + 1]!;
    }
    po.n = pl.n = n;
  }
  if (o.bytes.length) seg.bytes.append(o.bytes);
  if (o.counts.length) seg.counts.append(o.counts);
  if (seg.none(o.segKind)) return;
  seg.begin();
  seg.kind.append(o.segKind);
  seg.start.append(o.segStart);
  seg.length.append(o.segLen);
  seg.h.append(o.segH);
  seg.w.append(o.segW);
  seg.bstart.append(o.segB);
  seg.blength.append(o.segBL);
}

/** The segmentation of fast element i as pycocotools' JSON value (for `raw`). */
export function segmentationValue(seg: SegmentationColumns, i: number): unknown {
  const kind = seg.kind.a[i]!;
  const start = seg.start.a[i]!;
  const length = seg.length.a[i]!;
  switch (kind) {
    case SEG_EMPTY:
      return [];
    case SEG_POLYGONS:
      return polygonsAt(seg, i);
    case SEG_RLE_STRING:
    case SEG_RLE_DECODED: {
      const b0 = kind === SEG_RLE_DECODED ? seg.bstart.a[i]! : start;
      const bl = kind === SEG_RLE_DECODED ? seg.blength.a[i]! : length;
      let s = "";
      const b = seg.bytes.a;
      for (let j = b0; j < b0 + bl; j++) s += String.fromCharCode(b[j]!);
      return { size: [seg.h.a[i]!, seg.w.a[i]!], counts: s };
    }
    case SEG_RLE_COUNTS:
      return { size: [seg.h.a[i]!, seg.w.a[i]!], counts: Array.from(seg.counts.a.subarray(start, start + length)) };
    default:
      return undefined;
  }
}

/** A read-only array view whose element i is made by `get(i)` on access. */
function lazyArray<T>(n: number, get: (i: number) => T): readonly T[] {
  const target: T[] = [];
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === "string") {
        if (prop === "length") return n;
        const c = prop.charCodeAt(0);
        if (c >= 48 && c <= 57) {
          const i = Number(prop);
          if (Number.isInteger(i) && i >= 0 && i < n) return get(i);
          return undefined;
        }
      }
      if (prop === Symbol.iterator) {
        return function* () {
          for (let i = 0; i < n; i++) yield get(i);
        };
      }
      return Reflect.get(t, prop, receiver);
    },
    has(t, prop) {
      if (typeof prop === "string") {
        const i = Number(prop);
        if (Number.isInteger(i) && i >= 0 && i < n) return true;
      }
      return Reflect.has(t, prop);
    },
  });
}

// ---- dataset ------------------------------------------------------------------------------------

const ANN_ID = 0, ANN_IMAGE = 1, ANN_CAT = 2, ANN_AREA = 3, ANN_CROWD = 4, ANN_BBOX = 5, ANN_SEG = 6, ANN_KP = 7, ANN_NKP = 8, ANN_RBOX = 9;
const ANN_KEYS = ["id", "image_id", "category_id", "area", "iscrowd", "bbox", "segmentation", "keypoints", "num_keypoints", "rbox"].map(ascii);
const ANN_REQUIRED = (1 << ANN_ID) | (1 << ANN_IMAGE) | (1 << ANN_CAT) | (1 << ANN_AREA);

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * The whole elements at r.pos (up to the bytes at hand) into `into` from `index`, as r.value(1)
 * builds them, by one JSON.parse (much faster than building the objects in JavaScript): the wasm
 * scanner finds where they end. Invalid elements are left to element(), which reports them.
 * Returns how many; r.pos ends after the last one.
 */
function materialise(into: unknown[], index: number, r: JsonReader, wasm: WasmRecordScanner | null): number {
  if (!wasm) return 0;
  const k = wasm.values(r.buf, r.pos, r.end);
  if (k === 0) return 0;
  let values: unknown[];
  try {
    values = JSON.parse(`[${utf8.decode(r.buf.subarray(r.pos, wasm.pos))}]`) as unknown[];
  } catch {
    return 0;
  }
  for (let j = 0; j < k; j++) into[index + j] = values[j];
  r.pos = wasm.pos;
  return k;
}

/** Streams a COCO dataset: elements of images / categories (materialised) and annotations (fast columns). */
export class CocoDatasetStream implements JsonElementHandler {
  /** What a top-level string's message names: the file (stream-load.ts sets it) or "dataset". */
  input: { name: string; kind: JsonSourceKind } = { name: "dataset", kind: "text" };
  private rootKind = "";
  /** The root when it is neither an object nor an array; for an array root, its first elements (as much as a message shows). */
  private rootValue: unknown;
  private readonly shown = new RootPreview();
  private readonly present = new Set<string>();
  /** The last value of each of images / annotations / categories that was not an array. */
  private readonly others = new Map<string, unknown>();
  private images: unknown[] = [];
  private categories: unknown[] = [];
  // annotations: fast records by element index; fallback elements in `slow`
  private n = 0;
  private fastOf = new I32Col(); // element -> fast record index or -1
  private id = new F64Col();
  private imageId = new F64Col();
  private catId = new F64Col();
  private area = new F64Col();
  private crowd = new U8Col(); // 0, 1, or 2 = absent / null
  private box = new F64Col(); // 4 per record (NaN when absent / null)
  private hasBox = new U8Col();
  seg: SegmentationColumns;
  private strings = new Map<number, string>(); // (record * 4 + field) -> string id
  private slow = new Map<number, unknown>();
  /** The first image / category / annotation the checks will reject (-1: none yet); later ones are not kept. */
  private imagesBad = -1;
  private catsBad = -1;
  private annsBad = -1;
  /** Annotations after annsBad without an area (for the message's count). */
  private missingAreaAfter = 0;
  private readonly tmpBox = new Float64Array(4);
  private readonly segOut: SegOut = { start: 0, length: 0, h: 0, w: 0, bstart: 0, blength: 0 };
  private readonly strTmp = new Map<number, string>();
  private readonly segMark = new SegMark();

  /**
   * `wasm`: the record scanner of assembly/json.ts (null: JavaScript only). `segmentations` false:
   * the annotations' segmentations are checked as they are read but not kept (see DatasetReadOptions).
   */
  constructor(
    private readonly wasm: WasmRecordScanner | null = null,
    private readonly segmentations = true,
  ) {
    this.seg = new SegmentationColumns(segmentations);
  }

  root(kind: "array" | "object" | "string" | "other"): void {
    this.rootKind = kind;
  }

  /**
   * Runs of images / categories by JSON.parse, of annotations through the wasm scanner: how many
   * were read (0: element() takes the next one).
   */
  elements(key: string, index: number, r: JsonReader): number {
    if (key === "images") return this.imagesBad >= 0 ? 0 : this.probed(this.images, materialise(this.images, index, r, this.wasm), index, failsImage, (i) => (this.imagesBad = i));
    if (key === "categories") return this.catsBad >= 0 ? 0 : this.probed(this.categories, materialise(this.categories, index, r, this.wasm), index, failsCategory, (i) => (this.catsBad = i));
    if (key !== "annotations" || !this.wasm || this.annsBad >= 0) return 0;
    const o = this.wasm.read(r.buf, r.pos, r.end, 1, 0, segBases(this.seg));
    const n = o.n;
    if (n === 0) return incomplete(o, r);
    const rec0 = this.id.n;
    const f = this.fastOf;
    f.reserve(n);
    for (let j = 0; j < n; j++) f.a[f.n + j] = rec0 + j;
    f.n += n;
    this.id.append(o.id);
    this.imageId.append(o.image);
    this.catId.append(o.cat);
    this.area.append(o.num);
    this.crowd.append(o.crowd);
    const hb = this.hasBox;
    hb.reserve(n);
    for (let j = 0; j < n; j++) hb.a[hb.n + j] = o.boxState[j] === 0 ? 1 : 0;
    hb.n += n;
    this.box.append(o.box);
    appendSegmentations(this.seg, o);
    this.n = index + n;
    r.pos = this.wasm.pos;
    return n;
  }

  selectKey(key: string): "elements" | "value" | "skip" {
    if (key === "images" || key === "annotations" || key === "categories") {
      if (this.present.has(key)) this.reset(key); // a repeated key: JSON.parse keeps the last
      this.present.add(key);
      return "elements";
    }
    return "skip";
  }

  /** A repeated key: JSON.parse keeps the last value, so what the earlier one gave is dropped. */
  private reset(key: string): void {
    this.others.delete(key);
    if (key === "images") {
      this.images = [];
      this.imagesBad = -1;
    } else if (key === "categories") {
      this.categories = [];
      this.catsBad = -1;
    } else if (this.n > 0) {
      this.n = 0;
      this.annsBad = -1;
      this.missingAreaAfter = 0;
      this.fastOf = new I32Col();
      this.id = new F64Col();
      this.imageId = new F64Col();
      this.catId = new F64Col();
      this.area = new F64Col();
      this.crowd = new U8Col();
      this.box = new F64Col();
      this.hasBox = new U8Col();
      this.seg = new SegmentationColumns(this.segmentations);
      this.strings = new Map();
      this.slow = new Map();
      this.strTmp.clear();
    }
  }

  value(key: string, v: unknown): void {
    if (key === "") this.rootValue = v;
    else this.others.set(key, v);
  }

  element(key: string, index: number, r: JsonReader): void {
    if (key === "") {
      this.shown.element(index, r);
      return;
    }
    if (key === "images") {
      if (this.imagesBad >= 0) r.skip();
      else {
        this.images[index] = r.value(1);
        this.probed(this.images, 1, index, failsImage, (i) => (this.imagesBad = i));
      }
      return;
    }
    if (key === "categories") {
      if (this.catsBad >= 0) r.skip();
      else {
        this.categories[index] = r.value(1);
        this.probed(this.categories, 1, index, failsCategory, (i) => (this.catsBad = i));
      }
      return;
    }
    if (key === "annotations") this.annotation(index, r);
  }

  /**
   * After k elements were added at `index`: the first that its check will reject (`fails`) is the
   * last one kept (finish() reports it, or an earlier one's problem), the others are dropped, and
   * the rest of the array is only read for its syntax. So a stream of bad elements costs no memory.
   */
  private probed(into: unknown[], k: number, index: number, fails: (v: unknown) => boolean, bad: (i: number) => void): number {
    for (let j = 0; j < k; j++) {
      if (fails(into[index + j])) {
        into.length = index + j + 1;
        bad(index + j);
        break;
      }
    }
    return k;
  }

  private annotation(index: number, r: JsonReader): void {
    if (this.annsBad >= 0) {
      // after an annotation the checks reject: read for the syntax, and counted for the message about missing areas
      const v = r.value(1);
      if (isRecord(v) && (v.area === undefined || v.area === null)) this.missingAreaAfter++;
      this.n = index + 1;
      return;
    }
    const rec = this.id.n;
    const fast = fastOrSlow(r, index, this.seg, this.segMark, this.slow, this.readAnnotationFn, this.clearStrings);
    if (fast && this.strTmp.size) {
      for (const [f, s] of this.strTmp) this.strings.set(rec * 4 + f, s);
      this.strTmp.clear();
    }
    this.fastOf.push(fast ? rec : -1);
    this.n = index + 1;
    if (!fast && failsAnnotation(this.slow.get(index))) this.annsBad = index;
  }

  // bound once: the element readers run per element
  private readonly readAnnotationFn = (r: JsonReader) => this.readAnnotation(r);
  private readonly clearStrings = () => this.strTmp.clear();

  /** One annotation object into the columns (committed at the end), or FALLBACK / NEED_MORE. */
  private readAnnotation(r: JsonReader): void {
    if (r.peek() !== 0x7b || r.open(0x7b)) throw FALLBACK;
    let seen = 0;
    let id = 0, img = 0, cat = 0, area = 0, crowd = 2, hasBox = 0, segKind = SEG_NONE;
    const b = this.tmpBox;
    const so = this.segOut;
    so.start = so.length = so.h = so.w = so.bstart = so.blength = 0;
    const strTmp = this.strTmp;
    if (strTmp.size) strTmp.clear();
    do {
      if (r.peek() !== 0x22) throw FALLBACK;
      const k = r.key(ANN_KEYS);
      if (k === -2) throw FALLBACK;
      if (k >= 0) {
        if (seen & (1 << k)) throw FALLBACK;
        seen |= 1 << k;
      }
      switch (k) {
        case ANN_ID:
          id = readId(r, strTmp, 0);
          break;
        case ANN_IMAGE:
          img = readId(r, strTmp, 1);
          break;
        case ANN_CAT:
          cat = readId(r, strTmp, 2);
          break;
        case ANN_AREA:
          area = readFinite(r);
          break;
        case ANN_CROWD: {
          const c = r.peek();
          if (c === 0x74 || c === 0x66 || c === 0x6e) {
            const v = r.literal();
            crowd = v === null ? 2 : v ? 1 : 0;
          } else {
            const v = readFinite(r);
            if (v !== 0 && v !== 1) throw FALLBACK; // checkAnnotation knows pycocotools' rule for other values
            crowd = v;
          }
          break;
        }
        case ANN_BBOX:
          // (null: the checked path, so that raw keeps it)
          readBox4(r, b);
          hasBox = 1;
          break;
        case ANN_SEG:
          segKind = readSegmentation(r, this.seg, so);
          if (segKind === SEG_NONE) throw FALLBACK;
          break;
        case ANN_KP:
        case ANN_NKP:
        case ANN_RBOX:
          throw FALLBACK; // keypoint and rotated-box datasets take the checked path (raw keeps the value)
        default:
          r.skip(2);
      }
    } while (r.next(0x7d));
    if ((seen & ANN_REQUIRED) !== ANN_REQUIRED) throw FALLBACK;
    // commit
    this.id.push(id);
    this.imageId.push(img);
    this.catId.push(cat);
    this.area.push(area);
    this.crowd.push(crowd);
    this.hasBox.push(hasBox);
    pushBox(this.box, b, hasBox === 1);
    pushSeg(this.seg, segKind, so);
  }

  /** The CocoDataset, with parseCocoDataset's checks, warnings and errors. */
  finish(): CocoDataset {
    if (this.rootKind !== "object") {
      throw datasetRootError(this.rootKind === "array" ? this.shown.values : this.rootValue, this.input.name, this.input.kind);
    }
    for (const key of ["images", "annotations", "categories"]) {
      if (!this.present.has(key)) throw requiredArrayProblem(key, undefined);
      if (this.others.has(key)) throw requiredArrayProblem(key, this.others.get(key));
    }
    const n = this.n;
    const nImages = this.images.length;
    const b = new DatasetBuilder(nImages, n);
    const slow = this.slow;
    b.countMissingArea = () => {
      let k = this.missingAreaAfter;
      for (const a of slow.values()) {
        if (typeof a === "object" && a !== null && !Array.isArray(a)) {
          const ar = (a as Record<string, unknown>).area;
          if (ar === undefined || ar === null) k++;
        }
      }
      return k;
    };
    for (let i = 0; i < nImages; i++) checkImage(this.images[i], i, b);
    for (let i = 0; i < this.categories.length; i++) checkCategory(this.categories[i], i, b);
    const fastOf = this.fastOf.a;
    const idc = this.id.a, imgc = this.imageId.a, catc = this.catId.a, areac = this.area.a, crowdc = this.crowd.a;
    const boxc = this.box.a, hasBox = this.hasBox.a;
    const strings = this.strings;
    const imageMap = b.imageMap;
    const catMap = b.catMap;
    const imageIndex = indexLookup(b.imageIds, (id) => imageMap.get(id as CocoId) ?? -1);
    const catIndex = indexLookup(b.catIds, (id) => catMap.get(id as CocoId) ?? -1);
    const idOf = (rec: number, f: number, v: number): CocoId => (v === v ? v : strings.get(rec * 4 + f)!);
    for (let i = 0; i < n; i++) {
      const rec = fastOf[i]!;
      if (rec < 0) {
        checkAnnotation(slow.get(i), i, b);
        continue;
      }
      // checkAnnotation on a well-formed element (see readAnnotation)
      // (idOf written out: this loop runs once, often before the closure would be inlined)
      const idv = idc[rec]!;
      const id = idv === idv ? idv : strings.get(rec * 4)!;
      b.annIds[i] = id;
      b.idIsZero[i] = id === 0 ? 1 : 0;
      const imgv = imgc[rec]!;
      const imgId = imgv === imgv ? imgv : strings.get(rec * 4 + 1)!;
      const catv = catc[rec]!;
      const catId = catv === catv ? catv : strings.get(rec * 4 + 2)!;
      const ii = imageIndex(imgId);
      if (ii < 0) {
        if (b.unknownImageCount++ === 0) b.firstUnknownImage = i;
        if (b.unknownImageIds.length < 6 && !b.unknownImageIds.includes(imgId)) b.unknownImageIds.push(imgId);
        b.image[i] = -1;
      } else b.image[i] = ii;
      const ci = catIndex(catId);
      if (ci < 0) {
        if (b.unknownCatCount++ === 0) b.firstUnknownCat = i;
        if (b.unknownCatIds.length < 6 && !b.unknownCatIds.includes(catId)) b.unknownCatIds.push(catId);
        b.category[i] = -1;
      } else b.category[i] = ci;
      b.area[i] = areac[rec]!;
      const c = crowdc[rec]!;
      if (c === 2) {
        b.noCrowd++;
        b.crowd[i] = 0;
      } else b.crowd[i] = c;
      // (a missing box is NaN in the column; element copies: no subarray per annotation)
      b.boxState[i] = hasBox[rec] ? BOX_OK : BOX_MISSING;
      const bo = b.box;
      bo[4 * i] = boxc[4 * rec]!;
      bo[4 * i + 1] = boxc[4 * rec + 1]!;
      bo[4 * i + 2] = boxc[4 * rec + 2]!;
      bo[4 * i + 3] = boxc[4 * rec + 3]!;
    }
    const ds = finishDataset(b, n);
    // raw: rebuilt on access from the dataset's own columns (the stream's are released), or the fallback value
    const seg = this.seg.finish();
    const A = ds.annotations;
    const unknownIds = new Map<number, CocoId>(); // (i * 2 + field) -> image / category id not in the dataset
    for (let i = 0; i < n; i++) {
      const rec = fastOf[i]!;
      if (rec < 0) continue;
      if (A.image[i]! < 0) unknownIds.set(2 * i, idOf(rec, 1, imgc[rec]!));
      if (A.category[i]! < 0) unknownIds.set(2 * i + 1, idOf(rec, 2, catc[rec]!));
    }
    const fast = this.fastOf.view().slice();
    const imageIds = ds.images.ids;
    const catIds = ds.categories.ids;
    const raw = lazyArray<Record<string, unknown>>(n, (i) => {
      const rec = fast[i]!;
      if (rec < 0) return slow.get(i) as Record<string, unknown>;
      const ii = A.image[i]!;
      const ci = A.category[i]!;
      const o: Record<string, unknown> = {
        id: A.ids[i],
        image_id: ii >= 0 ? imageIds[ii] : unknownIds.get(2 * i),
        category_id: ci >= 0 ? catIds[ci] : unknownIds.get(2 * i + 1),
        area: A.area[i]!,
      };
      o.iscrowd = A.crowd[i]!;
      if (A.boxState[i] === BOX_OK) o.bbox = Array.from(A.box.subarray(4 * i, 4 * i + 4));
      const sv = seg ? segmentationValue(seg, rec) : undefined;
      if (sv !== undefined) o.segmentation = sv;
      return o;
    });
    const out: CocoDataset = { ...ds, annotations: { ...ds.annotations, raw }, ...(seg ? { segments: { seg, fastIndex: fast } } : {}) };
    return out;
  }
}

/**
 * The first elements of a root array that should not be one (a results file given as a dataset):
 * kept while showValue's rendering of them is not yet cut, so that a message shows what
 * showValue(the whole array) shows; the rest is skipped.
 */
class RootPreview {
  readonly values: unknown[] = [];
  private full = false;
  element(index: number, r: JsonReader): void {
    if (this.full) {
      r.skip();
      return;
    }
    this.values[index] = r.value(1);
    this.full = showValue(this.values).endsWith("...");
  }
}

// ---- results ------------------------------------------------------------------------------------

const RES_IMAGE = 0, RES_CAT = 1, RES_SCORE = 2, RES_BBOX = 3, RES_SEG = 4, RES_KP = 5, RES_RBOX = 6;
const RES_KEYS = ["image_id", "category_id", "score", "bbox", "segmentation", "keypoints", "rbox"].map(ascii);

/** Streams COCO results (a top-level array) against a parsed dataset. */
/**
 * CocoResultsStream.finish when every element was read fast as a bbox result (record i is result i,
 * the builder's columns are the stream's): what its per-element loop leaves to do, in one tight loop
 * (the unknown ids, the count of segmentations and loadRes' area w * h).
 */
function ownColumns(b: ResultsBuilder, n: number, hasSeg: Uint8Array, ids: Map<number, CocoId>): void {
  const image = b.image;
  const category = b.category;
  const box = b.box;
  const area = b.area;
  let withSeg = 0;
  for (let i = 0; i < n; i++) {
    if (image[i]! < 0 || category[i]! < 0) noteUnknownIds(b, i, i, ids);
    if (hasSeg[i]) withSeg++;
    area[i] = box[4 * i + 2]! * box[4 * i + 3]!;
  }
  b.withSegmentation += withSeg;
}

/** Result i (fast record `rec`) names an image or a category the dataset lacks: noted for finishResults' message and warning. */
function noteUnknownIds(b: ResultsBuilder, i: number, rec: number, ids: Map<number, CocoId>): void {
  if (b.image[i]! < 0) {
    const imgId = ids.get(rec * 2)!;
    if (b.firstUnknownImage < 0) b.firstUnknownImage = i;
    if (!b.unknownSeen.has(imgId)) {
      b.unknownSeen.add(imgId);
      b.unknownImages.push(imgId);
    }
  }
  if (b.category[i]! < 0) {
    const catId = ids.get(rec * 2 + 1)!;
    if (b.unknownCatCount++ === 0) b.firstUnknownCat = i;
    if (b.unknownCatIds.length < 6 && !b.unknownCatIds.includes(catId)) b.unknownCatIds.push(catId);
  }
}

export class CocoResultsStream implements JsonElementHandler {
  /** Its float columns on SharedArrayBuffers (presizeColumns' `shared`: for this stream only). */
  private readonly shared = sharedColumns;
  /** What a top-level string's message names: the file (stream-load.ts sets it) or "results". */
  input: { name: string; kind: JsonSourceKind } = { name: "results", kind: "text" };
  private rootKind = "";
  private rootValue: unknown;
  private readonly objectPreview = new ObjectPreview();
  /** The error of a first element that is not a result (reported once the syntax of the rest is known good). */
  private firstError: unknown;
  /** The first result checkResult will reject (-1: none yet); later ones are not kept. */
  private resultsBad = -1;
  private source: ResultSource = "none";
  private n = 0;
  private readonly fastOf = new I32Col();
  private readonly image = new I32Col(); // dataset image index, or -1 (id in `ids`)
  private readonly category = new I32Col();
  private readonly score = new F64Col();
  private readonly box = new F64Col();
  private readonly boxState = new U8Col();
  private readonly hasSeg = new U8Col(); // segmentation key present (not null)
  readonly seg = new SegmentationColumns();
  /** Unknown image / category ids of fast records: (record * 2 + field) -> id. */
  private readonly ids = new Map<number, CocoId>();
  private readonly slow = new Map<number, unknown>();
  private readonly tmpBox = new Float64Array(4);
  private readonly segOut: SegOut = { start: 0, length: 0, h: 0, w: 0, bstart: 0, blength: 0 };
  private readonly strTmp = new Map<number, string>();
  private readonly segMark = new SegMark();
  private readonly imageIndex: (id: unknown) => number;
  private readonly catIndex: (id: unknown) => number;

  /** `wasm`: the record scanner of assembly/json.ts (null: JavaScript only). */
  constructor(
    readonly dataset: CocoDataset,
    private readonly wasm: WasmRecordScanner | null = null,
  ) {
    this.imageIndex = indexLookup(dataset.images.ids, dataset.images.indexOf);
    this.catIndex = indexLookup(dataset.categories.ids, dataset.categories.indexOf);
    sharedColumns = false; // (its columns are made)
  }

  /** Runs of results through the wasm scanner: how many were read (0: element() takes the next one). */
  elements(_key: string, index: number, r: JsonReader): number {
    if (index === 0 || !this.wasm || this.resultsBad >= 0 || (this.source !== "bbox" && this.source !== "segm")) return 0;
    const o = this.wasm.read(r.buf, r.pos, r.end, 0, this.source === "bbox" ? 1 : 2, segBases(this.seg));
    const n = o.n;
    if (n === 0) return incomplete(o, r);
    const rec0 = this.score.n;
    const f = this.fastOf;
    const im = this.image;
    const ca = this.category;
    f.reserve(n);
    im.reserve(n);
    ca.reserve(n);
    const imageIndex = this.imageIndex;
    const catIndex = this.catIndex;
    const fa = f.a, ia = im.a, cc = ca.a;
    const ids = o.image, cids = o.cat;
    for (let j = 0; j < n; j++) {
      const rec = rec0 + j;
      fa[f.n + j] = rec;
      const img = imageIndex(ids[j]!);
      ia[im.n + j] = img;
      if (img < 0) this.ids.set(rec * 2, ids[j]!);
      const cat = catIndex(cids[j]!);
      cc[ca.n + j] = cat;
      if (cat < 0) this.ids.set(rec * 2 + 1, cids[j]!);
    }
    f.n += n;
    im.n += n;
    ca.n += n;
    this.score.append(o.num);
    this.boxState.append(o.boxState); // 0 = BOX_OK, 1 = BOX_MISSING, 2 = BOX_EMPTY
    this.hasSeg.append(o.hasSeg);
    this.box.append(o.box);
    appendSegmentations(this.seg, o);
    this.n = index + n;
    r.pos = this.wasm.pos;
    return n;
  }

  root(kind: "array" | "object" | "string" | "other"): void {
    this.rootKind = kind;
  }

  /**
   * An object root (not results): its first members are kept as far as a message shows them, and
   * whether "annotations" and "images" are arrays (for the hint); the rest is skipped.
   */
  selectKey(key: string): "elements" | "value" | "skip" {
    const o = this.objectPreview;
    if (key === "annotations" || key === "images") {
      if (!o.full) o.open(key);
      return "elements";
    }
    return o.full ? "skip" : "value";
  }

  value(key: string, v: unknown): void {
    if (key === "") this.rootValue = v;
    else this.objectPreview.value(key, v);
  }

  arrayEnd(key: string): void {
    if (key !== "") this.objectPreview.arrayEnd(key);
  }

  element(key: string, index: number, r: JsonReader): void {
    if (key !== "") {
      this.objectPreview.element(key, r);
      return;
    }
    if (this.firstError !== undefined || this.resultsBad >= 0) {
      // a result the checks reject came: the rest is only read for its syntax (in-memory parsing reports a syntax error first)
      r.skip();
      this.n = index + 1;
      return;
    }
    if (index === 0) {
      // the first result picks the loadRes branch; then it is read like the others
      const start = r.pos;
      const first = r.value(1);
      try {
        this.source = resultSource(first);
      } catch (e) {
        this.firstError = e;
        this.n = 1;
        return;
      }
      r.pos = start;
    }
    const rec = this.score.n;
    const fast = fastOrSlow(r, index, this.seg, this.segMark, this.slow, this.readResultFn);
    this.fastOf.push(fast ? rec : -1);
    this.n = index + 1;
    if (!fast && failsResult(this.slow.get(index))) this.resultsBad = index;
  }

  private readonly readResultFn = (r: JsonReader) => this.readResult(r);

  /** One result object into the columns (record this.score.n, committed at the end), or FALLBACK / NEED_MORE. */
  private readResult(r: JsonReader): void {
    const rec = this.score.n;
    if (this.source === "keypoints") throw FALLBACK;
    if (r.peek() !== 0x7b || r.open(0x7b)) throw FALLBACK;
    let seen = 0;
    let img = 0, cat = 0, score = 0, state = BOX_MISSING, hasSeg = 0, segKind = SEG_NONE;
    let imgId: CocoId = 0;
    let catId: CocoId = 0;
    const b = this.tmpBox;
    const so = this.segOut;
    so.start = so.length = so.h = so.w = so.bstart = so.blength = 0;
    const strTmp = this.strTmp;
    do {
      if (r.peek() !== 0x22) throw FALLBACK;
      const k = r.key(RES_KEYS);
      if (k === -2) throw FALLBACK;
      if (k >= 0) {
        if (seen & (1 << k)) throw FALLBACK;
        seen |= 1 << k;
      }
      switch (k) {
        case RES_IMAGE: {
          const v = readId(r, strTmp, 0);
          imgId = v === v ? v : strTmp.get(0)!;
          img = this.imageIndex(imgId);
          break;
        }
        case RES_CAT: {
          const v = readId(r, strTmp, 1);
          catId = v === v ? v : strTmp.get(1)!;
          cat = this.catIndex(catId);
          break;
        }
        case RES_SCORE:
          score = readFinite(r);
          break;
        case RES_BBOX: {
          const c = r.peek();
          if (c === 0x6e) {
            r.literal();
            state = BOX_MISSING;
          } else if (c === 0x5b && this.source === "segm" && isEmptyArray(r)) {
            state = BOX_EMPTY;
          } else {
            readBox4(r, b);
            state = BOX_OK;
          }
          break;
        }
        case RES_SEG: {
          segKind = readSegmentation(r, this.seg, so);
          hasSeg = segKind === SEG_NONE ? 2 : 1; // 2: present but null
          break;
        }
        case RES_KP:
        case RES_RBOX:
          throw FALLBACK; // (rotated boxes: raw keeps the value)
        default:
          r.skip(2);
      }
    } while (r.next(0x7d));
    if ((seen & 0b111) !== 0b111) throw FALLBACK;
    if (this.source === "bbox" && state !== BOX_OK) throw FALLBACK;
    if (this.source === "segm" && (segKind === SEG_NONE || segKind === SEG_EMPTY)) throw FALLBACK;
    // commit
    this.image.push(img);
    this.category.push(cat);
    if (img < 0) this.ids.set(rec * 2, imgId);
    if (cat < 0) this.ids.set(rec * 2 + 1, catId);
    this.score.push(score);
    pushBox(this.box, b, state === BOX_OK);
    this.boxState.push(state);
    this.hasSeg.push(hasSeg);
    pushSeg(this.seg, segKind, so);
  }

  /** The CocoResults, with parseCocoResults' checks, warnings and errors. */
  finish(): CocoResults {
    if (this.rootKind !== "array") {
      const o = this.objectPreview;
      throw resultsRootError(this.rootKind === "object" ? o.object : this.rootValue, this.input.name, this.input.kind, o.arrays);
    }
    if (this.firstError !== undefined) throw this.firstError;
    const n = this.n;
    const source: ResultSource = n > 0 ? this.source : "none";
    const slow = this.slow;
    const imgc = this.image.a, catc = this.category.a, scorec = this.score.a, boxc = this.box.a, statec = this.boxState.a, segc = this.hasSeg.a;
    // every element read fast (record i is result i) as bbox results: the stream's columns are the
    // results' (the loop below then copies each value onto itself): no second copy of 57 bytes a result
    const own = slow.size === 0 && source === "bbox";
    const given = own ? { image: imgc.subarray(0, n), category: catc.subarray(0, n), score: scorec.subarray(0, n), box: boxc.subarray(0, 4 * n), area: f64Array(n, this.shared) } : undefined;
    const b = new ResultsBuilder(this.dataset, source, n, given);
    const fastOf = this.fastOf.a;
    const ids = this.ids;
    const emptyBox = new Uint8Array(source === "segm" ? n : 0); // segm branch: "bbox": [] given
    if (own) ownColumns(b, n, segc, ids);
    else for (let i = 0; i < n; i++) {
      const rec = fastOf[i]!;
      if (rec < 0) {
        checkResult(slow.get(i), i, b);
        continue;
      }
      // checkResult on a well-formed element (see readResult)
      const ii = imgc[rec]!;
      const ci = catc[rec]!;
      b.image[i] = ii;
      b.category[i] = ci;
      if (ii < 0 || ci < 0) noteUnknownIds(b, i, rec, ids);
      b.score[i] = scorec[rec]!;
      if (segc[rec]) b.withSegmentation++;
      const st = statec[rec]!;
      if (source === "bbox" || st === BOX_OK) {
        // element copies: no subarray per result
        const bo = b.box;
        bo[4 * i] = boxc[4 * rec]!;
        bo[4 * i + 1] = boxc[4 * rec + 1]!;
        bo[4 * i + 2] = boxc[4 * rec + 2]!;
        bo[4 * i + 3] = boxc[4 * rec + 3]!;
      }
      if (source === "bbox") b.area[i] = boxc[4 * rec + 2]! * boxc[4 * rec + 3]!;
      else {
        b.area[i] = NaN;
        b.boxState[i] = st === BOX_EMPTY ? BOX_MISSING : st;
        if (st === BOX_EMPTY) emptyBox[i] = 1;
      }
    }
    const res = finishResults(b, n);
    // raw: rebuilt on access from the results' own columns (the stream's are released), or the fallback value
    const seg = this.seg.finish();
    const dataset = this.dataset;
    const fast = own ? this.fastOf.view() : this.fastOf.view().slice();
    const hasSeg = own ? this.hasSeg.view() : this.hasSeg.view().slice();
    const unknownIds = new Map<number, CocoId>();
    for (const [k, v] of ids) unknownIds.set(k, v);
    const rawOf = (i: number): Record<string, unknown> => {
      const rec = fast[i]!;
      if (rec < 0) return slow.get(i) as Record<string, unknown>;
      const ii = res.image[i]!;
      const ci = res.category[i]!;
      const o: Record<string, unknown> = {
        image_id: ii >= 0 ? dataset.images.ids[ii] : unknownIds.get(rec * 2),
        category_id: ci >= 0 ? dataset.categories.ids[ci] : unknownIds.get(rec * 2 + 1),
      };
      if (source === "bbox" || givenBox[i]) o.bbox = Array.from(res.box.subarray(4 * i, 4 * i + 4));
      else if (emptyBox[i]) o.bbox = [];
      o.score = res.score[i]!;
      if (hasSeg[rec] === 2) o.segmentation = null;
      else if (hasSeg[rec] === 1) o.segmentation = segmentationValue(seg!, rec); // (a segmentation key: the pools were started)
      return o;
    };
    // segm branch: which results carried a bbox (the evaluation fills in the others from the mask)
    const givenBox = new Uint8Array(source === "segm" ? n : 0);
    if (source === "segm") for (let i = 0; i < n; i++) givenBox[i] = res.boxState[i] === BOX_OK ? 1 : 0;
    const raw = lazyArray<Record<string, unknown>>(n, rawOf);
    const out: CocoResults = { ...res, raw, ...(seg ? { segments: { seg, fastIndex: fast } } : {}) };
    return out;
  }
}

/**
 * The first members of an object root that should be an array (a dataset given as results), kept
 * while showValue's rendering is not yet cut; "annotations" / "images" arrays arrive element by
 * element (never whole). `arrays` records which of the two are arrays, as JSON.parse's last value.
 */
class ObjectPreview {
  readonly object: Record<string, unknown> = {};
  readonly arrays = { annotations: false, images: false };
  full = false;
  private array: unknown[] | null = null;

  private check(): void {
    if (!this.full) this.full = showValue(this.object).endsWith("...");
  }

  private set(key: string, v: unknown): void {
    if (key === "__proto__") Object.defineProperty(this.object, key, { value: v, enumerable: true, configurable: true, writable: true });
    else this.object[key] = v;
  }

  /** An "annotations" / "images" member begins (while the preview is not full). */
  open(key: string): void {
    this.array = [];
    this.set(key, this.array);
    this.check();
  }

  value(key: string, v: unknown): void {
    if (key === "annotations" || key === "images") this.arrays[key] = false;
    if (this.full) return;
    this.set(key, v);
    this.check();
  }

  element(_key: string, r: JsonReader): void {
    if (this.full || !this.array) {
      r.skip();
      return;
    }
    this.array.push(r.value(1));
    this.check();
  }

  arrayEnd(key: string): void {
    if (key === "annotations" || key === "images") this.arrays[key] = true;
    this.array = null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);

// Elements that the checks reject whatever came before them (a sufficient condition only): checkImage,
// checkCategory (an object with an id), checkAnnotation (ids and a finite area), checkResult (ids and a finite score).
function failsImage(v: unknown): boolean {
  return !isRecord(v) || !isId(v.id);
}
const failsCategory = failsImage;
function failsAnnotation(v: unknown): boolean {
  return !isRecord(v) || !isId(v.id) || !isId(v.image_id) || !isId(v.category_id) || !finite(v.area);
}
function failsResult(v: unknown): boolean {
  return !isRecord(v) || !isId(v.image_id) || !isId(v.category_id) || !finite(v.score);
}

/** indexOf through a table when the ids are small non-negative integers (the usual case), else `indexOf`. */
function indexLookup(ids: readonly CocoId[], indexOf: (id: unknown) => number): (id: unknown) => number {
  let max = 0;
  for (const id of ids) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > 1 << 24) return indexOf;
    if (id > max) max = id;
  }
  if (max > 16 * ids.length + 1024) return indexOf;
  const table = new Int32Array(max + 1).fill(-1);
  for (let k = 0; k < ids.length; k++) table[ids[k] as number] = indexOf(ids[k]);
  return (id: unknown) => (typeof id === "number" && id >= 0 && id <= max && Number.isInteger(id) ? table[id]! : indexOf(id));
}

/** At '[': true (consumed) when the array is empty; false (nothing consumed) otherwise. */
function isEmptyArray(r: JsonReader): boolean {
  const p = r.pos;
  if (r.open(0x5b)) return true;
  r.pos = p;
  return false;
}

export { NEED_MORE };
