// The overlap of every detection with every label of its block: box / mask IoU through the geometry
// engine, OKS for keypoints, and the mask inputs of the wasm match kernel.
import type { GeometryEngine } from "../geometry/types.js";
import type { CocoPlan } from "./types.js";
import { BOX_MISSING, BOX_OK, type CocoDataset, type CocoResults } from "./inputs.js";
import { CocoInputError } from "./errors.js";
import type { MatchColumns } from "./kernel-host.js";
import { oksLabel, oksPair, oksVars } from "./oks.js";
import { datasetMaskPool, resultsPoolFor } from "./mask-pool.js";
import type { Kernels } from "../engine/host.js";
import { maskIouBlocks } from "./object-rle.js";
import { rotatedIouMatrix } from "../engine/rotated-iou.js";
import { gatherRotatedBoxes } from "./rotated-boxes.js";
import { boundaryIouBlocks } from "./boundary.js";

function keypointsOf(raw: Record<string, unknown>, path: string): number[] {
  const kp = raw.keypoints;
  if (!Array.isArray(kp) || kp.length % 3 !== 0 || !kp.every((v) => typeof v === "number")) {
    throw new CocoInputError(`${path}.keypoints`, kp === undefined ? "missing (needed for keypoints evaluation)" : "expected [x1, y1, v1, ...] numbers");
  }
  return kp as number[];
}

/** computeOks for one block, written detection-major into out[off + d * G + g]. */
function computeOks(
  gt: CocoDataset,
  dt: CocoResults,
  gtIdx: Int32Array,
  g0: number,
  G: number,
  dtIdx: Int32Array,
  d0: number,
  D: number,
  sigmas: readonly number[],
  out: Float64Array,
  off: number,
  tmp: Float64Array,
): void {
  const k = sigmas.length;
  const vars = oksVars(sigmas);
  const dkps: number[][] = [];
  for (let i = 0; i < D; i++) {
    const r = dtIdx[d0 + i]!;
    const d = keypointsOf(dt.raw[r]!, `results[${r}]`);
    if (d.length !== 3 * k) throw new CocoInputError(`results[${r}].keypoints`, `has ${d.length / 3} keypoints, the OKS sigmas ${k}`);
    dkps.push(d);
  }
  for (let j = 0; j < G; j++) {
    const a = gtIdx[g0 + j]!;
    const path = `annotations[${a}]`;
    const g = keypointsOf(gt.annotations.raw[a]!, path);
    if (g.length !== 3 * k) throw new CocoInputError(`${path}.keypoints`, `has ${g.length / 3} keypoints, the OKS sigmas ${k}`);
    if (gt.annotations.boxState[a] !== BOX_OK) throw new CocoInputError(`${path}.bbox`, gt.annotations.boxState[a] === BOX_MISSING ? "missing (computeOks needs it)" : "expected [x, y, width, height]");
    const B = gt.annotations.box;
    const L = oksLabel(g, B[4 * a]!, B[4 * a + 1]!, B[4 * a + 2]!, B[4 * a + 3]!, gt.annotations.area[a]!);
    for (let i = 0; i < D; i++) out[off + i * G + j] = oksPair(L, dkps[i]!, vars, tmp);
  }
}

/** Most IoU values the blocks of one evaluation may hold together where they are all kept (int32 offsets). */
export const MAX_EVALUATION_IOU_VALUES = 2 ** 31 - 1;

/**
 * Offsets of each block's IoU matrix (D * G values, detection-major), for the paths that keep every
 * block's IoU (the TypeScript backend, given IoU / OKS, the per-detection matches): a RangeError
 * naming the sizes when they hold more than MAX_EVALUATION_IOU_VALUES.
 */
export function iouOffsets(plan: CocoPlan): Int32Array {
  const { nBlocks, blockGtStart, blockDtStart } = plan;
  const out = new Int32Array(nBlocks + 1);
  let n = 0;
  let big = 0;
  for (let b = 0; b < nBlocks; b++) {
    out[b] = n;
    const G = blockGtStart[b + 1]! - blockGtStart[b]!;
    const D = blockDtStart[b + 1]! - blockDtStart[b]!;
    if (D * G > (blockGtStart[big + 1]! - blockGtStart[big]!) * (blockDtStart[big + 1]! - blockDtStart[big]!)) big = b;
    n += D * G;
  }
  if (n > MAX_EVALUATION_IOU_VALUES) {
    const G = blockGtStart[big + 1]! - blockGtStart[big]!;
    const D = blockDtStart[big + 1]! - blockDtStart[big]!;
    const where = `image id ${JSON.stringify(plan.p.imgIds[plan.blockImagePos[big]!])}${plan.p.useCats ? `, category id ${JSON.stringify(plan.p.catIds[plan.blockK[big]!])}` : ""}`;
    throw new RangeError(
      `evaluateCoco: the IoU matrices of the evaluation hold ${n} values (${(8 * n / 1e9).toFixed(1)} GB), more than the ${MAX_EVALUATION_IOU_VALUES} (2^31 - 1) that the per-detection matches and the TypeScript path keep; the largest is ${D} detections x ${G} labels (${where})`,
    );
  }
  out[nBlocks] = n;
  return out;
}

/** Box [x,y,w,h] of every listed annotation / result, packed. */
function gatherBoxes(src: Float64Array, idx: Int32Array, from: number, to: number): Float64Array {
  const out = new Float64Array(4 * (to - from));
  for (let j = from; j < to; j++) {
    const o = 4 * idx[j]!;
    out.set(src.subarray(o, o + 4), 4 * (j - from));
  }
  return out;
}

/** The IoU (or OKS) matrix of every block, through the GeometryEngine (the reference path). */
export function computeIou(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, plan: CocoPlan, blockIouStart: Int32Array): Float64Array {
  const { p, nBlocks, blockGtStart, blockDtStart, gtList, dtList } = plan;
  const anns = gt.annotations;
  const iou = new Float64Array(blockIouStart[nBlocks]!);
  const gtCrowd = new Uint8Array(gtList.length);
  for (let j = 0; j < gtList.length; j++) gtCrowd[j] = anns.crowd[gtList[j]!] === 1 ? 1 : 0; // crowd IoU: int(iscrowd) != 0
  if (p.iouType === "segm") {
    maskIouBlocks(engine, gt, dt, plan, blockIouStart, iou);
    return iou;
  }
  if (p.iouType === "boundary") {
    boundaryIouBlocks(engine, gt, dt, plan, blockIouStart, iou);
    return iou;
  }
  const oksTmp = new Float64Array(Math.max(p.kptOksSigmas.length, 1));
  for (let b = 0; b < nBlocks; b++) {
    const g0 = blockGtStart[b]!;
    const G = blockGtStart[b + 1]! - g0;
    const d0 = blockDtStart[b]!;
    const D = blockDtStart[b + 1]! - d0;
    if (G === 0 || D === 0) continue;
    const off = blockIouStart[b]!;
    if (p.iouType === "bbox") {
      const o = engine.boxIou(gatherBoxes(dt.box, dtList, d0, d0 + D), gatherBoxes(anns.box, gtList, g0, g0 + G), gtCrowd.subarray(g0, g0 + G));
      iou.set(o.subarray(0, D * G), off);
    } else if (p.iouType === "rotated") {
      const dtBoxes = gatherRotatedBoxes(dt.raw, dtList, d0, d0 + D);
      iou.set(rotatedIouMatrix(engine, "evaluateCoco", dtBoxes, gatherRotatedBoxes(anns.raw, gtList, g0, g0 + G), gtCrowd.subarray(g0, g0 + G)), off);
    } else if (p.useCats) {
      // (pycocotools' computeOks reads _gts[imgId, -1] when useCats is 0: no OKS, nothing matches)
      computeOks(gt, dt, gtList, g0, G, dtList, d0, D, p.kptOksSigmas, iou, off, oksTmp);
    }
  }
  return iou;
}

/** One mask pool for the plan's labels and detections (mode 3 of the matching kernel). */
export function maskInputs(
  mk: Kernels,
  engine: GeometryEngine,
  gt: CocoDataset,
  dt: CocoResults,
  plan: CocoPlan,
  resident: boolean,
): NonNullable<MatchColumns["masks"]> {
  const d = resultsPoolFor(mk, engine, dt, plan.dtList); // results first, as the per-object path meets them
  // labels of blocks without detections are never compared: no mask
  const g = datasetMaskPool(mk, engine, gt, labelsWithDetections(plan), resident);
  const gtMask = new Int32Array(plan.gtList.length);
  for (let j = 0; j < gtMask.length; j++) gtMask[j] = Math.max(0, g.index[plan.gtList[j]!]!);
  const dtMask = new Int32Array(plan.dtList.length);
  for (let j = 0; j < dtMask.length; j++) dtMask[j] = d.index[plan.dtList[j]!]!;
  return { gt: g, dt: d, gtMask, dtMask };
}

/** The annotation indices of the label entries in blocks that have detections (the ones mask IoU reads). */
export function labelsWithDetections(plan: { nBlocks: number; blockGtStart: Int32Array; blockDtStart: Int32Array; gtList: Int32Array }): Int32Array {
  let n = 0;
  for (let b = 0; b < plan.nBlocks; b++) if (plan.blockDtStart[b + 1]! > plan.blockDtStart[b]!) n += plan.blockGtStart[b + 1]! - plan.blockGtStart[b]!;
  const out = new Int32Array(n);
  let at = 0;
  for (let b = 0; b < plan.nBlocks; b++) {
    if (plan.blockDtStart[b + 1]! === plan.blockDtStart[b]!) continue;
    out.set(plan.gtList.subarray(plan.blockGtStart[b]!, plan.blockGtStart[b + 1]!), at);
    at += plan.blockGtStart[b + 1]! - plan.blockGtStart[b]!;
  }
  return out;
}
