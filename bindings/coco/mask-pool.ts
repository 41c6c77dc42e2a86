// Masks in bulk for the wasm path: the segmentations an evaluation needs become one pool of RLE
// counts (assembly/masks.ts buildMasks: compressed strings decoded, polygons rasterised and merged,
// counts copied, box polygons rasterised), described by rlePrepare (area, flags, C-exact toBbox).
// No object per mask: sources come from the columnar pools of the streaming parser
// (bindings/ingest/stream-coco.ts) or, for other inputs, are packed from the parsed values; forms the
// bulk path does not take (boxes lists, RLE lists) go through the GeometryEngine one by one.
//
// Semantics are bindings/coco/object-rle.ts's (annToRLE / loadRes), checked by test/engine/kernels.perf.test.ts
// against the per-object path.
import type { GeometryEngine, Rle } from "../geometry/types.js";
import { type ColumnarSegmentations, SEG_POLYGONS, SEG_RLE_COUNTS, SEG_RLE_DECODED, SEG_RLE_STRING } from "../columns/segmentations.js";
import { checkDatasetMasksOnce, checkResultMasksOnce, imageSizeFor } from "./mask-checks.js";
import type { CocoDataset } from "./inputs.js";
import type { CocoResults } from "./inputs.js";
import { segmentationToRle } from "./object-rle.js";
import { Column } from "../columns/column.js";
import { Arena, engineKernels, type Kernels } from "../engine/host.js";
import { JOB_BOX, JOB_COUNTS, JOB_POLYGONS, JOB_STRING, MASKS_FIELDS, type MasksContext, writeMasksContext } from "../generated/contexts.js";


/** Jobs (or masks) per kernel call at most (about a millisecond of rasterising). */
const JOBS_PER_CALL = 2048;

/**
 * Ranges [j0, j1) of 0..n for kernel calls: short ones first, then JOBS_PER_CALL. V8 runs a wasm
 * function in its baseline code until the call after its optimised code is ready: the first call
 * should be short.
 */
function* chunks(n: number): Generator<[number, number]> {
  let size = 32;
  for (let j = 0; j < n; j += size, size = Math.min(JOBS_PER_CALL, 4 * size)) yield [j, Math.min(n, j + size)];
}

/**
 * Masks of some objects: mask m has counts counts[table[8m] .. + table[8m+1]), size table[8m+2..3],
 * area table[8m+4], flags table[8m+5] (assembly/iou.ts), and its C-exact box boxes[4m..4m+3].
 */
export interface MaskPool {
  readonly counts: Uint32Array;
  readonly table: Uint32Array;
  readonly boxes: Float64Array;
  /** Object index (annotation / result) -> mask index, or -1. */
  readonly index: Int32Array;
  /**
   * The counts left in the engine's memory (`counts` is then empty): `length` u32 at byte `ptr`,
   * pinned there (Kernels.pin) until the caller unpins them.
   */
  readonly resident?: { readonly ptr: number; readonly length: number };
}

/** Mask sources being collected: jobs plus the pools they point into. */
class Jobs {
  readonly jobs = new Column(new Uint32Array(8 * 1024));
  readonly bytes: Column<Uint8Array>;
  readonly coords: Column<Float64Array>;
  readonly parts: Column<Int32Array>;
  readonly counts: Column<Uint32Array>;
  readonly boxes = new Column(new Float64Array(1024));
  count = 0;

  constructor(bytes?: Uint8Array, coords?: Float64Array, parts?: Int32Array, counts?: Uint32Array) {
    // the columnar pools first, as they are (views without spare room: packing more copies them first)
    this.bytes = new Column(bytes ?? new Uint8Array(1024), bytes?.length ?? 0);
    this.coords = new Column(coords ?? new Float64Array(1024), coords?.length ?? 0);
    this.parts = new Column(parts ?? new Int32Array(1024), parts?.length ?? 0);
    this.counts = new Column(counts ?? new Uint32Array(1024), counts?.length ?? 0);
  }

  add(kind: number, a: number, b: number, h: number, w: number): void {
    const j = this.jobs.reserve(8);
    const o = this.jobs.n;
    j[o] = kind;
    j[o + 1] = a;
    j[o + 2] = b;
    j[o + 3] = h;
    j[o + 4] = w;
    j[o + 5] = 0;
    j[o + 6] = 0;
    j[o + 7] = 0;
    this.jobs.n += 8;
    this.count++;
  }

  /** Counts of a mask made elsewhere. */
  addRle(rle: Rle): void {
    const at = this.counts.n;
    this.counts.reserve(rle.counts.length).set(rle.counts, at);
    this.counts.n += rle.counts.length;
    this.add(JOB_COUNTS, at, rle.counts.length, rle.h, rle.w);
  }

  /** A parsed segmentation in a form the bulk path takes (polygons, RLE string or counts); false otherwise. */
  addValue(seg: unknown, imageSize: () => [number, number]): boolean {
    if (Array.isArray(seg)) {
      if (seg.length === 0 || !Array.isArray(seg[0]) || (seg[0] as unknown[]).length === 4) return false;
      const [ih, iw] = imageSize();
      const first = this.parts.n >>> 1;
      for (const part of seg as number[][]) {
        if (!Array.isArray(part)) return false;
        const at = this.coords.n;
        const c = this.coords.reserve(part.length);
        for (let i = 0; i < part.length; i++) c[at + i] = part[i]!;
        this.coords.n += part.length;
        this.parts.push(at);
        this.parts.push(part.length);
      }
      this.add(JOB_POLYGONS, first, seg.length, ih, iw);
      return true;
    }
    if (seg && typeof seg === "object") {
      const r = seg as { size?: unknown; counts?: unknown };
      const size = r.size as number[];
      if (typeof r.counts === "string") {
        const s = r.counts;
        const at = this.bytes.n;
        const b = this.bytes.reserve(s.length);
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          b[at + i] = c < 128 ? c : 0; // never valid: the decoder reports it
        }
        this.bytes.n += s.length;
        this.add(JOB_STRING, at, s.length, size[0]!, size[1]!);
        return true;
      }
      if (Array.isArray(r.counts)) {
        const at = this.counts.n;
        const c = this.counts.reserve(r.counts.length);
        for (let i = 0; i < r.counts.length; i++) c[at + i] = r.counts[i] as number;
        this.counts.n += r.counts.length;
        this.add(JOB_COUNTS, at, r.counts.length, size[0]!, size[1]!);
        return true;
      }
    }
    return false;
  }
}

/** Jobs as plain arrays (what a worker receives): the job table and the pools it points into. */
export interface MaskJobs {
  readonly count: number;
  readonly jobs: Uint32Array;
  readonly bytes: Uint8Array;
  readonly coords: Float64Array;
  readonly parts: Int32Array;
  readonly counts: Uint32Array;
  readonly boxes: Float64Array;
}

function jobsData(J: Jobs): MaskJobs {
  return { count: J.count, jobs: J.jobs.view(), bytes: J.bytes.view(), coords: J.coords.view(), parts: J.parts.view(), counts: J.counts.view(), boxes: J.boxes.view() };
}

/** Ranges of `src` copied one after the other into `dst`, adjacent ranges in one copy. */
class Runs<A extends Uint8Array | Uint32Array | Float64Array> {
  private at = 0; // next place in dst
  private from = 0; // the pending run: src[from, from + len) -> dst[at - len, at)
  private len = 0;
  constructor(
    private readonly src: A,
    private readonly dst: A,
  ) {}

  /** Takes src[a, a + n): its place in dst. */
  take(a: number, n: number): number {
    if (a !== this.from + this.len) this.flush(a);
    const place = this.at;
    this.len += n;
    this.at += n;
    return place;
  }

  private flush(next: number): void {
    if (this.len > 0) this.dst.set(this.src.subarray(this.from, this.from + this.len) as never, this.at - this.len);
    this.from = next;
    this.len = 0;
  }

  done(): A {
    this.flush(0);
    return this.dst;
  }
}

/**
 * The jobs with pools of their own holding only what they use, in job order (the jobs of a worker's
 * share point into the whole evaluation's pools: half of them, or less, would be sent and copied).
 */
export function compactJobs(J: MaskJobs): MaskJobs {
  const n = J.count;
  const jobs = J.jobs.slice(0, 8 * n);
  let nBytes = 0;
  let nCounts = 0;
  let nParts = 0;
  let nCoords = 0;
  let nBoxes = 0;
  for (let j = 0; j < n; j++) {
    const kind = jobs[8 * j]!;
    const a = jobs[8 * j + 1]!;
    const b = jobs[8 * j + 2]!;
    if (kind === JOB_STRING) nBytes += b;
    else if (kind === JOB_COUNTS) nCounts += b;
    else if (kind === JOB_BOX) nBoxes++;
    else if (kind === JOB_POLYGONS) {
      nParts += b;
      for (let q = a; q < a + b; q++) nCoords += J.parts[2 * q + 1]!;
    }
  }
  const bytes = new Runs(J.bytes, new Uint8Array(nBytes));
  const counts = new Runs(J.counts, new Uint32Array(nCounts));
  const coords = new Runs(J.coords, new Float64Array(nCoords));
  const boxes = new Runs(J.boxes, new Float64Array(4 * nBoxes));
  const parts = new Int32Array(2 * nParts);
  let op = 0;
  for (let j = 0; j < n; j++) {
    const kind = jobs[8 * j]!;
    const a = jobs[8 * j + 1]!;
    const b = jobs[8 * j + 2]!;
    if (kind === JOB_STRING) jobs[8 * j + 1] = bytes.take(a, b);
    else if (kind === JOB_COUNTS) jobs[8 * j + 1] = counts.take(a, b);
    else if (kind === JOB_BOX) jobs[8 * j + 1] = boxes.take(4 * a, 4) >>> 2;
    else if (kind === JOB_POLYGONS) {
      jobs[8 * j + 1] = op;
      for (let q = a; q < a + b; q++, op++) {
        const len = J.parts[2 * q + 1]!;
        parts[2 * op] = coords.take(J.parts[2 * q]!, len);
        parts[2 * op + 1] = len;
      }
    }
  }
  return { count: n, jobs, bytes: bytes.done(), coords: coords.done(), parts, counts: counts.done(), boxes: boxes.done() };
}

/** Builds masks from jobs (in a worker, or here): the pool, table and boxes; `index` maps objects to jobs. */
export function buildMaskJobs(k: Kernels, J: MaskJobs, index: Int32Array, onBadString?: (job: number) => never): MaskPool {
  return build(k, J, index, onBadString ?? ((job) => {
    throw new Error(`engine.wasm: compressed RLE of mask job ${job} is malformed (the parser checks them: a bug, please report)`);
  }));
}

function allCounts(J: MaskJobs): boolean {
  const jobs = J.jobs;
  for (let j = 0; j < J.count; j++) if (jobs[8 * j] !== JOB_COUNTS) return false;
  return true;
}

/**
 * Jobs that are all counts already (uncompressed RLE, or strings the parser decoded): the source pool
 * is the mask pool; only the table and rlePrepare's area, flags and boxes are made.
 */
function describeCounts(k: Kernels, J: MaskJobs, index: Int32Array): MaskPool {
  const n = J.count;
  const mem0 = new Arena(k, `describing ${n} masks`);
  const take = (bytes: number): number => mem0.take(bytes);
  const pool = take(4 * J.counts.length);
  const table = take(32 * n);
  const boxes = take(32 * n);
  const mem = k.memory.buffer;
  const u32 = new Uint32Array(mem);
  u32.set(J.counts, pool >>> 2);
  const t0 = table >>> 2;
  const jobs = J.jobs;
  for (let j = 0; j < n; j++) {
    const o = t0 + 8 * j;
    u32[o] = jobs[8 * j + 1]!;
    u32[o + 1] = jobs[8 * j + 2]!;
    u32[o + 2] = jobs[8 * j + 3]!;
    u32[o + 3] = jobs[8 * j + 4]!;
    u32[o + 4] = u32[o + 5] = u32[o + 6] = u32[o + 7] = 0;
  }
  for (const [j0, j1] of chunks(n)) {
    const bad = k.rlePrepare(pool, table + 32 * j0, j1 - j0, boxes + 32 * j0);
    if (bad >= 0) throw new Error(`engine.wasm: mask ${j0 + bad} does not sum to h*w (the parser checks counts: a bug, please report)`);
  }
  const out: MaskPool = {
    counts: J.counts,
    table: u32.slice(t0, t0 + 8 * n),
    boxes: new Float64Array(mem).slice(boxes >>> 3, (boxes >>> 3) + 4 * n),
    index,
  };
  k.reset();
  return out;
}

/** Runs the jobs in the engine: the pool, table and boxes. */
function build(k: Kernels, J: MaskJobs | Jobs, index: Int32Array, onBadString: (job: number) => never, resident = false): MaskPool {
  if (J instanceof Jobs) J = jobsData(J);
  const n = J.count;
  if (allCounts(J) && !resident) return describeCounts(k, J, index);

  const arena = new Arena(k, `building ${n} masks`);
  const take = (bytes: number): number => arena.take(bytes);
  const ctx = take(4 * MASKS_FIELDS);
  const jobs = take(32 * n);
  const bytes = take(J.bytes.length);
  const coords = take(8 * J.coords.length);
  const parts = take(4 * J.parts.length);
  const src = take(4 * J.counts.length);
  const boxes = take(8 * J.boxes.length);
  const err = take(16);
  const poly = take(128);
  let mem = k.memory.buffer;
  new Uint32Array(mem).set(J.jobs, jobs >>> 2);
  new Uint8Array(mem).set(J.bytes, bytes);
  new Float64Array(mem).set(J.coords, coords >>> 3);
  new Int32Array(mem).set(J.parts, parts >>> 2);
  new Uint32Array(mem).set(J.counts, src >>> 2);
  new Float64Array(mem).set(J.boxes, boxes >>> 3);
  // maskBounds reads the inputs; the outputs are allocated once it has sized them
  const c: MasksContext = { jobs, bytes, coords, parts, srcCounts: src, boxes, err, poly, pool: 0, table: 0, scratch: 0, mbox: 0 };
  writeMasksContext(new Uint32Array(mem), ctx, c);
  let need = 0;
  for (const [j0, j1] of chunks(n)) need = Math.max(need, k.maskBounds(ctx, j0, j1));
  // the pool: room for every bound (the masks are written one after the other, some room stays unused)
  let u32 = new Uint32Array(k.memory.buffer);
  let total = 0;
  for (let j = 0; j < n; j++) total += u32[(jobs >>> 2) + 8 * j + 6]!;
  const pool = take(4 * total);
  const table = take(32 * n);
  const scratch = take(4 * need);
  const mboxes = take(32 * n);
  writeMasksContext(new Uint32Array(k.memory.buffer), ctx, { ...c, pool, table, scratch, mbox: mboxes });
  for (const [j0, j1] of chunks(n)) {
    const bad = k.buildMasks(ctx, j0, j1);
    if (bad >= 0) onBadString(bad);
    if (bad < -1) throw new Error(`engine.wasm: mask ${-2 - bad} overflowed its bound or does not sum to h*w after bulk building (a bug: please report)`);
  }
  mem = k.memory.buffer;
  u32 = new Uint32Array(mem);
  const t0 = table >>> 2;
  const used = n > 0 ? u32[t0 + 8 * (n - 1)]! + u32[t0 + 8 * (n - 1) + 1]! : 0;
  const table8 = u32.slice(t0, t0 + 8 * n);
  const boxes4 = new Float64Array(mem).slice(mboxes >>> 3, (mboxes >>> 3) + 4 * n);
  if (!resident) {
    const out: MaskPool = { counts: u32.slice(pool >>> 2, (pool >>> 2) + used), table: table8, boxes: boxes4, index };
    k.reset();
    return out;
  }
  // the counts stay: moved down over the inputs (pages already in use) and pinned
  u32.copyWithin(ctx >>> 2, pool >>> 2, (pool >>> 2) + used);
  k.reset();
  if (take(4 * used) !== ctx) throw new Error("engine.wasm: the resident mask pool moved (a bug: please report)");
  k.pin();
  return { counts: new Uint32Array(0), table: table8, boxes: boxes4, index, resident: { ptr: ctx, length: used } };
}

/** Pairs (offset, length) of the columnar parts. */
function partPairs(col: ColumnarSegmentations | undefined): Int32Array | undefined {
  if (!col) return undefined;
  const po = col.seg.partOffset;
  const pl = col.seg.partLength;
  const out = new Int32Array(2 * po.n);
  for (let i = 0; i < po.n; i++) {
    out[2 * i] = po.a[i]!;
    out[2 * i + 1] = pl.a[i]!;
  }
  return out;
}

function jobsFor(col: ColumnarSegmentations | undefined): Jobs {
  return col ? new Jobs(col.seg.bytes.view(), col.seg.coords.view(), partPairs(col), col.seg.counts.view()) : new Jobs();
}

/** Adds the columnar segmentation of fast record `rec`; false when it is not a bulk form. */
function addColumnar(J: Jobs, col: ColumnarSegmentations, rec: number, imageSize: () => [number, number]): boolean {
  const s = col.seg;
  const kind = s.kind.a[rec]!;
  if (kind === SEG_POLYGONS) {
    const [h, w] = imageSize();
    J.add(JOB_POLYGONS, s.start.a[rec]!, s.length.a[rec]!, h, w);
  } else if (kind === SEG_RLE_STRING) J.add(JOB_STRING, s.start.a[rec]!, s.length.a[rec]!, s.h.a[rec]!, s.w.a[rec]!);
  else if (kind === SEG_RLE_COUNTS || kind === SEG_RLE_DECODED) J.add(JOB_COUNTS, s.start.a[rec]!, s.length.a[rec]!, s.h.a[rec]!, s.w.a[rec]!);
  else return false;
  return true;
}

/** The mask jobs of the listed annotations (annToRLE), each annotation once; index: annotation -> job. */
export function datasetMaskJobs(engine: GeometryEngine, ds: CocoDataset, annotations: Int32Array): { jobs: MaskJobs; index: Int32Array } {
  checkDatasetMasksOnce(ds);
  const A = ds.annotations;
  const col = ds.segments;
  const J = jobsFor(col);
  const index = new Int32Array(A.count).fill(-1);
  for (let j = 0; j < annotations.length; j++) {
    const i = annotations[j]!;
    if (index[i]! >= 0) continue;
    index[i] = J.count;
    const im = A.image[i]!;
    // (paths are made only when needed: this loop runs for every label)
    const imageSize = () => imageSizeFor(ds, im, `annotations[${i}].segmentation`);
    const rec = col?.fastIndex ? col.fastIndex[i]! : -1;
    if (rec >= 0 && addColumnar(J, col!, rec, imageSize)) continue;
    const seg = A.raw[i]!.segmentation;
    if (rec < 0 && J.addValue(seg, imageSize)) continue;
    J.addRle(segmentationToRle(engine, seg, ds, im, `annotations[${i}].segmentation`));
  }
  return { jobs: jobsData(J), index };
}

/**
 * Masks of the listed annotations (annToRLE), each annotation once. `resident`: their counts stay
 * pinned in the engine's memory (MaskPool.resident), for a matching run that reads them in place.
 */
export function datasetMaskPool(k: Kernels, engine: GeometryEngine, ds: CocoDataset, annotations: Int32Array, resident = false): MaskPool {
  const { jobs, index } = datasetMaskJobs(engine, ds, annotations);
  const A = ds.annotations;
  return build(k, jobs, index, (job) => {
    // a string the parser let through (never for checked input): the per-object path names it
    let i = 0;
    while (index[i] !== job) i++;
    segmentationToRle(engine, A.raw[i]!.segmentation, ds, A.image[i]!, `annotations[${i}].segmentation`);
    throw new Error(`engine.wasm: string of annotation ${i} rejected in bulk only (a bug: please report)`);
  }, resident);
}

/** Masks of the listed results (loadRes: the segmentation, or for bbox-branch results without one the box polygon). */
export function resultsMaskJobs(engine: GeometryEngine, dt: CocoResults, results: Int32Array | null): { jobs: MaskJobs; index: Int32Array } {
  checkResultMasksOnce(dt);
  const ds = dt.dataset;
  const col = dt.segments;
  const J = jobsFor(col);
  const index = new Int32Array(dt.count).fill(-1);
  const n = results ? results.length : dt.count;
  for (let j = 0; j < n; j++) {
    const i = results ? results[j]! : j;
    if (index[i]! >= 0) continue;
    index[i] = J.count;
    const im = dt.image[i]!;
    const rec = col?.fastIndex ? col.fastIndex[i]! : -1;
    const imageSize = () => imageSizeFor(ds, im, `results[${i}].segmentation`);
    if (rec >= 0) {
      if (addColumnar(J, col!, rec, imageSize)) continue;
      if (dt.source === "bbox" && col!.seg.kind.a[rec] === 0) {
        const [h, w] = imageSizeFor(ds, im, `results[${i}].bbox`);
        const at = J.boxes.n >>> 2;
        J.boxes.reserve(4).set(dt.box.subarray(4 * i, 4 * i + 4), J.boxes.n);
        J.boxes.n += 4;
        J.add(JOB_BOX, at, 0, h, w);
        continue;
      }
    }
    const seg = dt.withSegmentation === 0 ? undefined : dt.raw[i]!.segmentation; // (as checkResultMasks)
    if ((seg === undefined || seg === null) && dt.source === "bbox") {
      const [h, w] = imageSizeFor(ds, im, `results[${i}].bbox`);
      const at = J.boxes.n >>> 2;
      J.boxes.reserve(4).set(dt.box.subarray(4 * i, 4 * i + 4), J.boxes.n);
      J.boxes.n += 4;
      J.add(JOB_BOX, at, 0, h, w);
      continue;
    }
    if (rec < 0 && J.addValue(seg, imageSize)) continue;
    J.addRle(segmentationToRle(engine, seg, ds, im, `results[${i}].segmentation`));
  }
  return { jobs: jobsData(J), index };
}

/** Masks of the listed results (all when `results` is null). */
export function resultsMaskPool(k: Kernels, engine: GeometryEngine, dt: CocoResults, results: Int32Array | null): MaskPool {
  const { jobs, index } = resultsMaskJobs(engine, dt, results);
  return build(k, jobs, index, (job) => {
    let i = 0;
    while (index[i] !== job) i++;
    segmentationToRle(engine, dt.raw[i]!.segmentation, dt.dataset, dt.image[i]!, `results[${i}].segmentation`);
    throw new Error(`engine.wasm: string of result ${i} rejected in bulk only (a bug: please report)`);
  });
}

const resultPools = new WeakMap<CocoResults, MaskPool>();

/**
 * loadRes' segm branch in bulk: every result's mask area, and the box of those without one (toBbox);
 * the pool is kept for the evaluation. Returns false when the engine has no bulk kernels.
 */
export function resolveResultGeometryBulk(engine: GeometryEngine, dt: CocoResults): boolean {
  if (!dt.geometryPending) return true;
  const k = engineKernels(engine);
  if (!k) return false;
  const pool = resultsMaskPool(k, engine, dt, null);
  for (let i = 0; i < dt.count; i++) {
    const m = pool.index[i]!;
    dt.area[i] = pool.table[8 * m + 4]!;
    if (dt.boxState[i] === 1 /* BOX_MISSING */) {
      dt.box.set(pool.boxes.subarray(4 * m, 4 * m + 4), 4 * i);
      dt.boxState[i] = 0; // BOX_OK
    }
  }
  resultPools.set(dt, pool);
  dt.geometryPending = false;
  return true;
}

/** Lets `view` (the same results, index for index: the LVIS protocol's view, coco/lvis.ts) use the pool `dt` keeps. */
export function sharePoolWith(dt: CocoResults, view: CocoResults): void {
  const pool = resultPools.get(dt);
  if (pool) resultPools.set(view, pool);
}

/** The masks of the listed results: the pool resolveResultGeometryBulk kept, or a new one. */
export function resultsPoolFor(k: Kernels, engine: GeometryEngine, dt: CocoResults, results: Int32Array): MaskPool {
  return resultPools.get(dt) ?? resultsMaskPool(k, engine, dt, results);
}

/** The checks the validators make before the first mask (the worker path builds masks later). */
export function checkMasksBulk(ds: CocoDataset, dt: CocoResults): void {
  checkResultMasksOnce(dt); // results first, as the per-object path meets them
  checkDatasetMasksOnce(ds);
}
