// The checks that depend on what is evaluated: a mask needs the image size (polygons and boxes; RLEs
// carry their own), and the mask must fit what a wasm32 engine can hold (MAX_PIXELS). They run once per
// dataset / results object, before the first mask of that object is rasterised (bindings/coco/object-rle.ts),
// so an evaluation stops before any kernel work instead of after hours of it.
import type { CocoDataset } from "./inputs.js";
import { CocoInputError } from "./errors.js";
import type { CocoResults } from "./inputs.js";
import { maskSizeProblem } from "../geometry/validate.js";
import { showValue } from "./show.js";
import { SEG_POLYGONS, SEG_RLE_COUNTS, SEG_RLE_DECODED, SEG_RLE_STRING } from "../columns/segmentations.js";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sizeValue(ds: CocoDataset, k: number, name: "height" | "width", forPath: string): number {
  const v = name === "height" ? ds.images.height[k]! : ds.images.width[k]!;
  if (Number.isNaN(v)) throw new CocoInputError(`images[${k}].${name}`, `missing (needed to rasterise ${forPath})`);
  if (!(Number.isInteger(v) && v >= 0)) {
    throw new CocoInputError(`images[${k}].${name}`, `expected a non-negative integer, got ${showValue(v)} (needed to rasterise ${forPath})`);
  }
  return v;
}

/** [h, w] of image k for rasterising `forPath` (a polygon or box): present, integers, within the mask limit. */
export function imageSizeFor(ds: CocoDataset, k: number, forPath: string): [number, number] {
  const h = sizeValue(ds, k, "height", forPath);
  const w = sizeValue(ds, k, "width", forPath);
  const limit = maskSizeProblem(h, w);
  if (limit) throw new CocoInputError(`images[${k}]`, `height ${h} x width ${w} = ${limit} (needed to rasterise ${forPath})`);
  return [h, w];
}

/** An RLE's size [h, w] (already checked by the parser) within the mask limit; `path` is the RLE's path. */
export function rleSizeWithinLimit(size: readonly number[], path: string): void {
  const limit = maskSizeProblem(size[0]!, size[1]!);
  if (limit) throw new CocoInputError(`${path}.size`, `[${size[0]}, ${size[1]}] = ${limit}`);
}

/** What a segmentation needs before it can become a mask (the parser checked its structure). */
function checkMaskable(seg: unknown, path: string, ds: CocoDataset, imageIndex: number, missing: string): void {
  if (seg === undefined || seg === null) throw new CocoInputError(path, missing);
  if (Array.isArray(seg)) {
    if (seg.length === 0) throw new CocoInputError(path, "empty (pycocotools cannot rasterise an empty segmentation list)");
    if (isRecord(seg[0])) {
      for (let j = 0; j < seg.length; j++) {
        const r = seg[j];
        if (isRecord(r) && Array.isArray(r.size)) rleSizeWithinLimit(r.size as number[], `${path}[${j}]`);
      }
    } else imageSizeFor(ds, imageIndex, path);
  } else if (isRecord(seg) && Array.isArray(seg.size)) rleSizeWithinLimit(seg.size as number[], path);
}

/**
 * Before the first ground-truth mask: every annotation that will be rasterised (known image and
 * category) has a segmentation, its image size when it is polygons or boxes, and a mask within the limit.
 */
export function checkDatasetMasks(ds: CocoDataset): void {
  const a = ds.annotations;
  for (let i = 0; i < a.count; i++) {
    const k = a.image[i]!;
    if (k < 0 || a.category[i]! < 0) continue;
    checkMaskable(a.raw[i]!.segmentation, `annotations[${i}].segmentation`, ds, k, "missing (needed for segm evaluation)");
  }
}

const INT32_LIMIT = 2 ** 31;

/**
 * Before the first result mask: segm-branch results all (loadRes computes every area), other results
 * with a dataset category. bbox-branch results without a segmentation are rasterised from the box
 * polygon, which needs the image size and coordinates inside rleFrPoly's int range.
 */
export function checkResultMasks(dt: CocoResults): void {
  const ds = dt.dataset;
  for (let i = 0; i < dt.count; i++) {
    if (dt.source !== "segm" && dt.category[i]! < 0) continue;
    // (no result has a segmentation key: none is read from `raw`, which a streamed parse rebuilds per element)
    const seg = dt.withSegmentation === 0 ? undefined : dt.raw[i]!.segmentation;
    if ((seg === undefined || seg === null) && dt.source === "bbox") {
      const path = `results[${i}].bbox`;
      const x1 = dt.box[4 * i]!;
      const y1 = dt.box[4 * i + 1]!;
      for (const v of [x1, y1, x1 + dt.box[4 * i + 2]!, y1 + dt.box[4 * i + 3]!]) {
        const g = 5 * v + 0.5;
        if (!(g > -INT32_LIMIT && g < INT32_LIMIT)) {
          throw new CocoInputError(path, `${showValue(dt.raw[i]!.bbox)} reaches ${v}, out of range for a mask (|5*x + 0.5| must stay below 2^31, as in maskApi.c)`);
        }
      }
      imageSizeFor(ds, dt.image[i]!, path);
      continue;
    }
    checkMaskable(
      seg,
      `results[${i}].segmentation`,
      ds,
      dt.image[i]!,
      dt.source === "keypoints" ? "missing (keypoint results have no mask for segm evaluation)" : "missing (needed for segm evaluation)",
    );
  }
}

const datasetChecked = new WeakSet<object>();
const resultsChecked = new WeakSet<object>();

/** Whether image k's size is a valid mask size (each image checked once). */
function imageSizeCheck(ds: CocoDataset): (k: number) => boolean {
  const known = new Int8Array(ds.images.count); // 0 unknown, 1 ok, -1 not
  return (k) => {
    if (known[k] === 0) {
      const h = ds.images.height[k]!;
      const w = ds.images.width[k]!;
      known[k] = Number.isInteger(h) && Number.isInteger(w) && h >= 0 && w >= 0 && !maskSizeProblem(h, w) ? 1 : -1;
    }
    return known[k] === 1;
  };
}

/**
 * checkDatasetMasks' checks (every annotation with a known image and
 * category can become a mask), on the columns when the parse was columnar: any doubt, and the
 * validator itself runs (its message is the error). Once per dataset.
 */
export function checkDatasetMasksOnce(ds: CocoDataset): void {
  if (datasetChecked.has(ds)) return;
  const col = ds.segments;
  let ok = col !== undefined && col.fastIndex !== null;
  if (ok) {
    const A = ds.annotations;
    const { seg, fastIndex } = col!;
    const sizeOk = imageSizeCheck(ds);
    for (let i = 0; i < A.count && ok; i++) {
      const im = A.image[i]!;
      if (im < 0 || A.category[i]! < 0) continue;
      const rec = fastIndex![i]!;
      if (rec < 0) {
        ok = false;
        break;
      }
      const kind = seg.kind.a[rec]!;
      if (kind === SEG_POLYGONS) ok = sizeOk(im);
      else if (kind === SEG_RLE_STRING || kind === SEG_RLE_COUNTS || kind === SEG_RLE_DECODED) ok = !maskSizeProblem(seg.h.a[rec]!, seg.w.a[rec]!);
      else ok = false;
    }
  }
  if (!ok) checkDatasetMasks(ds);
  datasetChecked.add(ds);
}


/** checkResultMasks' checks on the columns (see checkDatasetMasksOnce); the validator runs on any doubt. Once per results object. */
export function checkResultMasksOnce(dt: CocoResults): void {
  if (resultsChecked.has(dt)) return;
  const col = dt.segments;
  let ok = col !== undefined && col.fastIndex !== null;
  if (ok) {
    const ds = dt.dataset;
    const { seg, fastIndex } = col!;
    const sizeOk = imageSizeCheck(ds);
    for (let i = 0; i < dt.count && ok; i++) {
      if (dt.source !== "segm" && dt.category[i]! < 0) continue;
      const rec = fastIndex![i]!;
      if (rec < 0) {
        ok = false;
        break;
      }
      const kind = seg.kind.a[rec]!;
      if (kind === SEG_POLYGONS) ok = sizeOk(dt.image[i]!);
      else if (kind === SEG_RLE_STRING || kind === SEG_RLE_COUNTS || kind === SEG_RLE_DECODED) ok = !maskSizeProblem(seg.h.a[rec]!, seg.w.a[rec]!);
      else if (kind === 0 && dt.source === "bbox") {
        const x1 = dt.box[4 * i]!;
        const y1 = dt.box[4 * i + 1]!;
        for (const v of [x1, y1, x1 + dt.box[4 * i + 2]!, y1 + dt.box[4 * i + 3]!]) {
          const g = 5 * v + 0.5;
          if (!(g > -INT32_LIMIT && g < INT32_LIMIT)) ok = false;
        }
        ok = ok && sizeOk(dt.image[i]!);
      } else ok = false;
    }
  }
  if (!ok) checkResultMasks(dt);
  resultsChecked.add(dt);
}
