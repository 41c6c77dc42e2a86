// Segmentations -> RLE through a GeometryEngine, as pycocotools' annToRLE / frPyObjects do, cached per
// parsed dataset / results object (masks are computed once, whatever is evaluated afterwards).
import { GeometryInputError, type GeometryEngine, type Rle } from "../geometry/types.js";
import type { CocoDataset } from "./inputs.js";
import { CocoInputError, describeValue } from "./errors.js";
import { BOX_MISSING, BOX_OK } from "./inputs.js";
import type { CocoResults } from "./inputs.js";
import { checkDatasetMasksOnce, checkResultMasksOnce, imageSizeFor, rleSizeWithinLimit } from "./mask-checks.js";
import type { CocoPlan } from "./types.js";
import { type ColumnarSegmentations, polygonsAt, SEG_POLYGONS, SEG_RLE_COUNTS, SEG_RLE_DECODED } from "../columns/segmentations.js";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number");
}

function guard<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GeometryInputError) throw new CocoInputError(path, e.message.split("\n")[0]!);
    throw e;
  }
}

function imageSize(ds: CocoDataset, imageIndex: number, path: string): [number, number] {
  return imageSizeFor(ds, imageIndex, path);
}

function rleSize(size: unknown, path: string): [number, number] {
  if (!isNumberArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new CocoInputError(`${path}.size`, size === undefined ? "missing" : `expected [height, width], got ${describeValue(size)}`);
  }
  rleSizeWithinLimit(size, path);
  return [size[0]!, size[1]!];
}

/**
 * pycocotools' annToRLE for one segmentation: polygons (merged), boxes (a list whose first element has 4
 * numbers, as frPyObjects reads it), uncompressed RLE (its own size) or compressed RLE (its own size).
 */
export function segmentationToRle(engine: GeometryEngine, seg: unknown, ds: CocoDataset, imageIndex: number, path: string): Rle {
  if (Array.isArray(seg)) {
    if (seg.length === 0) throw new CocoInputError(path, "empty (pycocotools cannot rasterise an empty segmentation list)");
    const first = seg[0];
    if (isRecord(first)) {
      // frPyObjects: a list of uncompressed RLEs, merged by annToRLE
      const rles = seg.map((r, j) => {
        const p = `${path}[${j}]`;
        if (!isRecord(r) || !Array.isArray(r.counts)) throw new CocoInputError(p, "expected an uncompressed RLE {size, counts: [...]}");
        const [h, w] = rleSize(r.size, p);
        return guard(`${p}.counts`, () => engine.rleFromCounts(r.counts as number[], h, w));
      });
      return rles.length === 1 ? rles[0]! : guard(path, () => engine.rleMerge(rles, false));
    }
    const [h, w] = imageSize(ds, imageIndex, path);
    for (let j = 0; j < seg.length; j++) {
      if (!isNumberArray(seg[j])) throw new CocoInputError(`${path}[${j}]`, `expected a polygon [x0, y0, x1, y1, ...], got ${describeValue(seg[j])}`);
    }
    const parts = seg as number[][];
    if (parts[0]!.length === 4) {
      // frPyObjects reads a list whose first element has 4 numbers as boxes
      const rles = parts.map((b, j) => {
        if (b.length !== 4) throw new CocoInputError(`${path}[${j}]`, "expected a box [x, y, w, h] like the first element (a first element of 4 numbers makes the list boxes)");
        return guard(`${path}[${j}]`, () => engine.rleFromBox(b as unknown as [number, number, number, number], h, w));
      });
      return rles.length === 1 ? rles[0]! : guard(path, () => engine.rleMerge(rles, false));
    }
    if (parts[0]!.length < 4) throw new CocoInputError(`${path}[0]`, `a polygon needs at least 3 points, got ${parts[0]!.length} numbers`);
    return guard(path, () => engine.rleFromPolygons(parts, h, w));
  }
  if (isRecord(seg)) {
    const [h, w] = rleSize(seg.size, path);
    const counts = seg.counts;
    if (typeof counts === "string") return guard(`${path}.counts`, () => engine.rleFromString(counts, h, w));
    if (isNumberArray(counts)) return guard(`${path}.counts`, () => engine.rleFromCounts(counts, h, w));
    throw new CocoInputError(`${path}.counts`, counts === undefined ? "missing" : `expected an RLE string or a list of counts, got ${describeValue(counts)}`);
  }
  throw new CocoInputError(path, seg === undefined ? "missing (needed for segm evaluation)" : `expected polygons or an RLE object, got ${describeValue(seg)}`);
}

const gtMasks = new WeakMap<CocoDataset, (Rle | undefined)[]>();
const dtMasks = new WeakMap<CocoResults, (Rle | undefined)[]>();

/**
 * Element i's polygons read from the streaming parser's pools, or undefined (another kind, or not
 * parsed into pools): the value `raw[i].segmentation` would rebuild, without rebuilding the whole
 * element object.
 */
function poolPolygons(col: ColumnarSegmentations | undefined, i: number): number[][] | undefined {
  const rec = col?.fastIndex ? col.fastIndex[i]! : -1;
  if (rec < 0) return undefined;
  return col!.seg.kind.a[rec] === SEG_POLYGONS ? polygonsAt(col!.seg, rec) : undefined;
}

/**
 * Element i's RLE from the pools when the parser has its counts already (an uncompressed RLE, or a
 * compressed string it decoded and checked): the mask rleFromCounts / rleFromString would make of
 * the rebuilt value, without the string. Undefined otherwise.
 */
function poolRle(col: ColumnarSegmentations | undefined, i: number): Rle | undefined {
  const rec = col?.fastIndex ? col.fastIndex[i]! : -1;
  if (rec < 0) return undefined;
  const s = col!.seg;
  const kind = s.kind.a[rec];
  if (kind !== SEG_RLE_DECODED && kind !== SEG_RLE_COUNTS) return undefined;
  const start = s.start.a[rec]!;
  return { h: s.h.a[rec]!, w: s.w.a[rec]!, counts: s.counts.a.slice(start, start + s.length.a[rec]!) };
}

/** The mask of ground-truth annotation i (cached). */
export function annotationRle(engine: GeometryEngine, ds: CocoDataset, i: number): Rle {
  let cache = gtMasks.get(ds);
  if (!cache) {
    checkDatasetMasksOnce(ds); // every mask's inputs, before the first kernel (on the parser's columns when it has them)
    gtMasks.set(ds, (cache = new Array(ds.annotations.count)));
  }
  let rle = cache[i] ?? poolRle(ds.segments, i);
  rle ??= segmentationToRle(engine, poolPolygons(ds.segments, i) ?? ds.annotations.raw[i]!.segmentation, ds, ds.annotations.image[i]!, `annotations[${i}].segmentation`);
  cache[i] = rle;
  return rle;
}

/** The mask of result i (cached): its segmentation, or for bbox-branch results without one, the box polygon. */
export function resultRle(engine: GeometryEngine, dt: CocoResults, i: number): Rle {
  let cache = dtMasks.get(dt);
  if (!cache) {
    checkResultMasksOnce(dt); // every mask's inputs, before the first kernel (on the parser's columns when it has them)
    dtMasks.set(dt, (cache = new Array(dt.count)));
  }
  let rle = cache[i] ?? poolRle(dt.segments, i);
  if (!rle) {
    const seg = poolPolygons(dt.segments, i) ?? dt.raw[i]!.segmentation;
    const path = `results[${i}].segmentation`;
    if ((seg === undefined || seg === null) && dt.source === "bbox") {
      // loadRes: segmentation = [[x1, y1, x1, y2, x2, y2, x2, y1]]
      const [h, w] = imageSize(dt.dataset, dt.image[i]!, `results[${i}].bbox`);
      const x1 = dt.box[4 * i]!;
      const y1 = dt.box[4 * i + 1]!;
      const x2 = x1 + dt.box[4 * i + 2]!;
      const y2 = y1 + dt.box[4 * i + 3]!;
      rle = guard(path, () => engine.rleFromPolygon([x1, y1, x1, y2, x2, y2, x2, y1], h, w));
    } else if (seg === undefined && dt.source === "keypoints") {
      throw new CocoInputError(path, "missing (keypoint results have no mask for segm evaluation)");
    } else rle = segmentationToRle(engine, seg, dt.dataset, dt.image[i]!, path);
  }
  cache[i] = rle;
  return rle;
}

/** Fills in segm-branch areas (mask area) and missing boxes (toBbox), once per results object. */
export function resolveResultGeometry(engine: GeometryEngine, dt: CocoResults): void {
  if (!dt.geometryPending) return;
  for (let i = 0; i < dt.count; i++) {
    const rle = resultRle(engine, dt, i);
    dt.area[i] = engine.rleArea(rle);
    if (dt.boxState[i] === BOX_MISSING) {
      const b = engine.rleToBbox(rle);
      dt.box.set(b, 4 * i);
      dt.boxState[i] = BOX_OK;
    }
  }
  dt.geometryPending = false;
}

/**
 * Mask IoU of every block of a plan into iou[blockIouStart[b] ..] (detection-major), through the
 * engine's maskIou (rleIou: crowd aware, -1 between masks of different sizes).
 */
export function maskIouBlocks(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, plan: CocoPlan, blockIouStart: Int32Array, iou: Float64Array): void {
  const { nBlocks, blockGtStart, blockDtStart, gtList, dtList } = plan;
  const crowd = gt.annotations.crowd;
  for (let b = 0; b < nBlocks; b++) {
    const g0 = blockGtStart[b]!;
    const G = blockGtStart[b + 1]! - g0;
    const d0 = blockDtStart[b]!;
    const D = blockDtStart[b + 1]! - d0;
    if (G === 0 || D === 0) continue;
    const dr: Rle[] = new Array(D);
    for (let j = 0; j < D; j++) dr[j] = resultRle(engine, dt, dtList[d0 + j]!);
    const gr: Rle[] = new Array(G);
    const gc = new Uint8Array(G);
    for (let j = 0; j < G; j++) {
      gr[j] = annotationRle(engine, gt, gtList[g0 + j]!);
      gc[j] = crowd[gtList[g0 + j]!] === 1 ? 1 : 0; // crowd IoU: int(iscrowd) != 0
    }
    const o = engine.maskIou(dr, gr, gc);
    iou.set(o.subarray(0, D * G), blockIouStart[b]!);
  }
}
