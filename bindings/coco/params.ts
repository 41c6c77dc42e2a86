// pycocotools' Params: the same names, the same defaults (setDetParams / setKpParams), and the same
// normalisation evaluate() applies (np.unique on image and category ids, sorted maxDets).
import { CocoInputError } from "./errors.js";
import { type CocoId, isId, sortIds } from "./ids.js";
import { linspace } from "./numeric.js";

/** "boundary": Boundary IoU (boundary-iou-api's COCOeval): min(mask IoU, IoU of the mask boundaries); docs/boundary-iou.md.
 * "rotated": exact rotated-box IoU over each object's `rbox` [cx, cy, w, h, angle] (degrees counter-clockwise, as detectron2); docs/rotated-boxes.md. */
export type IouType = "bbox" | "segm" | "keypoints" | "boundary" | "rotated";

export interface CocoParamsInput {
  iouType: IouType;
  /** IoU thresholds; default np.linspace(.5, .95, 10). */
  iouThrs?: readonly number[];
  /** Recall thresholds; default np.linspace(0, 1, 101). */
  recThrs?: readonly number[];
  /** Default [1, 10, 100] ([20] for keypoints); sorted ascending as evaluate() does. */
  maxDets?: readonly number[];
  /** Default all/small/medium/large (all/medium/large for keypoints); both ends inclusive. */
  areaRng?: readonly (readonly [number, number])[];
  areaRngLbl?: readonly string[];
  /** Default true; false pools all categories (proposal scoring). */
  useCats?: boolean;
  /** Default: every dataset image. */
  imgIds?: readonly CocoId[];
  /** Default: every dataset category. */
  catIds?: readonly CocoId[];
  /** OKS sigmas per keypoint; default the 17 COCO person sigmas. */
  kptOksSigmas?: readonly number[];
  /** iouType "boundary": the boundary width as a fraction of the image diagonal, in (0, 1]; default 0.02. */
  dilationRatio?: number;
}

export interface CocoParams {
  readonly iouType: IouType;
  readonly iouThrs: readonly number[];
  readonly recThrs: readonly number[];
  readonly maxDets: readonly number[];
  readonly areaRng: readonly (readonly [number, number])[];
  readonly areaRngLbl: readonly string[];
  readonly useCats: boolean;
  /** Sorted unique image ids (the evaluation's image order). */
  readonly imgIds: readonly CocoId[];
  /** Sorted unique category ids (the K axis of precision / recall). */
  readonly catIds: readonly CocoId[];
  readonly kptOksSigmas: readonly number[];
  /** iouType "boundary": the boundary width as a fraction of the image diagonal (0.02 unless given). */
  readonly dilationRatio: number;
}

/** np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89]) / 10.0 */
export const COCO_KEYPOINT_SIGMAS: readonly number[] = [
  0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89,
].map((s) => s / 10.0);

function checkNumbers(v: unknown, name: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && !Number.isNaN(x))) {
    throw new CocoInputError(`params.${name}`, "expected an array of numbers");
  }
  return [...v];
}

function uniqueSorted(ids: readonly unknown[], path: string): CocoId[] {
  const seen = new Set<CocoId>();
  for (const id of ids) {
    if (!isId(id)) throw new CocoInputError(path, `expected number or string ids, got ${JSON.stringify(id)}`);
    seen.add(id);
  }
  return sortIds([...seen], path);
}

/** Resolves defaults; `datasetImageIds` / `datasetCatIds` are the dataset's ids (any order). */
export function resolveParams(input: CocoParamsInput, datasetImageIds: readonly CocoId[], datasetCatIds: readonly CocoId[]): CocoParams {
  const iouType = input.iouType;
  if (iouType !== "bbox" && iouType !== "segm" && iouType !== "keypoints" && iouType !== "boundary" && iouType !== "rotated") {
    throw new CocoInputError("params.iouType", `expected bbox, segm, keypoints, boundary or rotated, got ${JSON.stringify(iouType)}`);
  }
  const dilationRatio = input.dilationRatio ?? 0.02;
  if (typeof dilationRatio !== "number" || !(dilationRatio > 0 && dilationRatio <= 1)) {
    throw new CocoInputError("params.dilationRatio", `expected a number in (0, 1], got ${JSON.stringify(dilationRatio)}`);
  }
  const kp = iouType === "keypoints";
  const iouThrs = input.iouThrs ? checkNumbers(input.iouThrs, "iouThrs") : linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
  const recThrs = input.recThrs ? checkNumbers(input.recThrs, "recThrs") : linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1);
  const maxDets = (input.maxDets ? checkNumbers(input.maxDets, "maxDets") : kp ? [20] : [1, 10, 100]).sort((a, b) => a - b);
  for (const m of maxDets) if (!Number.isInteger(m) || m < 0) throw new CocoInputError("params.maxDets", `expected non-negative integers, got ${m}`);
  const areaRng = input.areaRng
    ? input.areaRng.map((r, i) => {
        if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== "number" || typeof r[1] !== "number") {
          throw new CocoInputError(`params.areaRng[${i}]`, "expected [min, max]");
        }
        return [r[0], r[1]] as const;
      })
    : kp
      ? [[0 ** 2, 1e5 ** 2] as const, [32 ** 2, 96 ** 2] as const, [96 ** 2, 1e5 ** 2] as const]
      : [[0 ** 2, 1e5 ** 2] as const, [0 ** 2, 32 ** 2] as const, [32 ** 2, 96 ** 2] as const, [96 ** 2, 1e5 ** 2] as const];
  const areaRngLbl = input.areaRngLbl ? [...input.areaRngLbl] : kp ? ["all", "medium", "large"] : ["all", "small", "medium", "large"];
  if (areaRngLbl.length !== areaRng.length && (input.areaRng || input.areaRngLbl)) {
    throw new CocoInputError("params.areaRngLbl", `has ${areaRngLbl.length} labels for ${areaRng.length} area ranges`);
  }
  const sigmas = input.kptOksSigmas ? checkNumbers(input.kptOksSigmas, "kptOksSigmas") : [...COCO_KEYPOINT_SIGMAS];
  return {
    iouType,
    iouThrs,
    recThrs,
    maxDets,
    areaRng,
    areaRngLbl,
    useCats: input.useCats ?? true,
    imgIds: input.imgIds ? uniqueSorted(input.imgIds, "params.imgIds") : uniqueSorted(datasetImageIds, "images"),
    catIds: input.catIds ? uniqueSorted(input.catIds, "params.catIds") : uniqueSorted(datasetCatIds, "categories"),
    kptOksSigmas: sigmas,
    dilationRatio,
  };
}
