// COCO input for analysis mode: the columnar CocoDataset / CocoResults of bindings/coco (pycocotools
// COCO() and loadRes semantics) -> the analysis input model. iouType "bbox" takes the boxes of labels
// and predictions, "segm" their masks (rasterised here through bindings/coco/object-rle.ts, so every
// pycocotools segmentation form is accepted), "keypoints" their keypoints (compared by OKS, ./keypoints.ts).
import type { Box, GeometryEngine } from "../geometry/types.js";
import { BOX_OK, type CocoDataset } from "../coco/inputs.js";
import type { CocoResults } from "../coco/inputs.js";
import { annotationRle, resultRle } from "../coco/object-rle.js";
import { AnalysisInputError, type AnalysisInput, type ImageInfo, type ObjectInput, type Shape } from "./types.js";

export interface CocoAdapterOptions {
  /**
   * "bbox": boxes; "segm": masks; "keypoints": keypoints, compared by OKS (analysis/keypoints.ts). Default:
   * "segm" for segmentation results (loadRes' segm branch), "keypoints" for keypoint results, else "bbox".
   */
  iouType?: "bbox" | "segm" | "keypoints";
  /**
   * A chunk of a streamed export (bindings/cli/export-stream.ts; the input in image order): the images
   * [from, to) of `images`, re-indexed from 0, and the annotations and results with an index in the
   * ranges given, which must be those images' objects. Warnings then leave out the skipped objects.
   */
  chunk?: { images: readonly [number, number]; annotations: readonly [number, number]; results: readonly [number, number] };
}

/** The warnings about objects fromCoco leaves out (export-stream.ts counts them in the columns). */
export const SKIPPED_WARNING = {
  annotations: (n: number) => `annotations: ${n} with an unknown image or category are left out`,
  results: (n: number) => `results: ${n} with a category not in the dataset are left out`,
};

/** Analysis renders boxes: a negative width or height would become the mirrored box (pycocotools' box IoU gives it 0). */
function negativeSize(b: readonly number[], path: string): void {
  if (!(b[2]! >= 0 && b[3]! >= 0)) throw new AnalysisInputError(`${path}: analysis needs a width and height >= 0, got ${b[2]} x ${b[3]}`);
}

/** A COCO object's keypoints [x, y, v, ...] (checked: 3 * K numbers). */
function cocoKeypoints(raw: Record<string, unknown> | undefined, path: string): number[] {
  const kp = raw?.keypoints;
  if (kp === undefined) throw new AnalysisInputError(`${path}.keypoints: missing (iouType "keypoints" compares keypoints)`);
  if (!Array.isArray(kp) || kp.length === 0 || kp.length % 3 !== 0) throw new AnalysisInputError(`${path}.keypoints: expected 3*K numbers [x1, y1, v1, ...], got ${Array.isArray(kp) ? kp.length : typeof kp}`);
  for (let i = 0; i < kp.length; i++) if (typeof kp[i] !== "number" || !Number.isFinite(kp[i])) throw new AnalysisInputError(`${path}.keypoints[${i}]: expected a number, got ${JSON.stringify(kp[i])}`);
  return kp as number[];
}

export function fromCoco(engine: GeometryEngine, ds: CocoDataset, dt: CocoResults, options: CocoAdapterOptions = {}): AnalysisInput & { iouType: "bbox" | "segm" | "keypoints" } {
  const iouType = options.iouType ?? (dt.source === "segm" ? "segm" : dt.source === "keypoints" ? "keypoints" : "bbox");
  if (iouType !== "bbox" && iouType !== "segm" && iouType !== "keypoints") throw new AnalysisInputError(`iouType: expected "bbox", "segm" or "keypoints", got ${JSON.stringify(iouType)}`);
  // keypoint results are never analysed as their boxes unless asked
  if (dt.source === "keypoints" && iouType !== "keypoints" && options.iouType === undefined) throw new AnalysisInputError("results: keypoint results: analyse them with iouType \"keypoints\" (OKS)");
  const warnings = [...ds.warnings, ...dt.warnings];
  if (iouType !== "keypoints" && dt.count > 0 && dt.raw[0]?.keypoints !== undefined && !options.chunk)
    warnings.push(`results: they carry keypoints, analysed here as ${iouType === "bbox" ? "boxes" : "masks"}; iouType "keypoints" (--iou-type keypoints) compares them by OKS`);
  const [i0, i1] = options.chunk?.images ?? [0, ds.images.count];
  const [a0, a1] = options.chunk?.annotations ?? [0, ds.annotations.count];
  const [r0, r1] = options.chunk?.results ?? [0, dt.count];
  const images: ImageInfo[] = [];
  for (let i = i0; i < i1; i++) {
    const width = ds.images.width[i]!;
    const height = ds.images.height[i]!;
    if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0))
      throw new AnalysisInputError(`images (id ${JSON.stringify(ds.images.ids[i])}): analysis needs a positive integer width and height`);
    const name = ds.images.fileNames[i];
    images.push({ id: ds.images.ids[i]!, width, height, ...(name !== undefined ? { name } : {}) });
  }
  const categories = ds.categories.ids.map((id, k) => ({ id, name: ds.categories.names[k]! }));

  const A = ds.annotations;
  const labels: ObjectInput[] = [];
  let skipped = 0;
  for (let i = a0; i < a1; i++) {
    if (A.image[i]! < 0 || A.category[i]! < 0) {
      skipped++;
      continue;
    }
    let shape: Shape;
    let ignore = false;
    if (iouType === "keypoints") {
      // computeOks reads the label's bbox and area; num_keypoints 0 makes it an ignore region (pycocotools' _prepare)
      const raw = A.raw[i];
      if (A.boxState[i] !== BOX_OK) throw new AnalysisInputError(`annotations[${i}].bbox: expected [x, y, width, height] (OKS needs it)`);
      const box: Box = [A.box[4 * i]!, A.box[4 * i + 1]!, A.box[4 * i + 2]!, A.box[4 * i + 3]!];
      negativeSize(box, `annotations[${i}].bbox`);
      shape = { kind: "keypoints", keypoints: cocoKeypoints(raw, `annotations[${i}]`), box, area: A.area[i]! };
      ignore = raw?.num_keypoints === 0;
    } else if (iouType === "bbox") {
      if (A.boxState[i] !== BOX_OK) throw new AnalysisInputError(`annotations[${i}].bbox: expected [x, y, width, height]`);
      shape = { kind: "box", box: [A.box[4 * i]!, A.box[4 * i + 1]!, A.box[4 * i + 2]!, A.box[4 * i + 3]!] };
      negativeSize(shape.box, `annotations[${i}].bbox`);
    } else shape = { kind: "rle", rle: annotationRle(engine, ds, i) };
    labels.push({ id: A.ids[i], image: A.image[i]! - i0, category: A.category[i]!, shape, crowd: A.crowd[i] === 1 || ignore });
  }
  if (skipped && !options.chunk) warnings.push(SKIPPED_WARNING.annotations(skipped));

  const predictions: ObjectInput[] = [];
  skipped = 0;
  for (let i = r0; i < r1; i++) {
    if (dt.category[i]! < 0) {
      skipped++;
      continue;
    }
    let shape: Shape;
    if (iouType === "keypoints") shape = { kind: "keypoints", keypoints: cocoKeypoints(dt.raw[i], `results[${i}]`) };
    else if (iouType === "bbox") {
      if (dt.boxState[i] === BOX_OK) {
        shape = { kind: "box", box: [dt.box[4 * i]!, dt.box[4 * i + 1]!, dt.box[4 * i + 2]!, dt.box[4 * i + 3]!] };
        negativeSize(shape.box, `results[${i}].bbox`);
      } else {
        // segm-branch results without a bbox: loadRes derives it with toBbox
        const b = engine.rleToBbox(resultRle(engine, dt, i));
        shape = { kind: "box", box: b };
      }
    } else shape = { kind: "rle", rle: resultRle(engine, dt, i) };
    predictions.push({ id: i + 1, image: dt.image[i]! - i0, category: dt.category[i]!, shape, confidence: dt.score[i] });
  }
  if (skipped && !options.chunk) warnings.push(SKIPPED_WARNING.results(skipped));
  return { images, categories, labels, predictions, warnings, iouType };
}
