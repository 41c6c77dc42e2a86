// pycocotools COCOeval.evaluate(), columnar: ground truth and detections are grouped into (category,
// image) blocks in pycocotools' order, the IoU (or OKS) of each block is computed once, and the
// greedy matching is run for every area range and IoU threshold.
//
// Two implementations share the plan (blocks, sorted detections, accumulate order): the wasm kernels
// of assembly/match.ts (bindings/coco/kernels.ts), used whenever the engine is the wasm engine, and
// the TypeScript reference below (any GeometryEngine; it also builds the per-detection `matches`,
// which the wasm path computes only when they are read).
import type { GeometryEngine } from "../geometry-types.js";
import { accumulate } from "./accumulate.js";
import type { Accumulated, CocoMatches, CocoPlan } from "./types.js";
import { BOX_MISSING, BOX_OK, type CocoDataset } from "./inputs.js";
import { CocoInputError, describeValue } from "./errors.js";
import type { CocoId } from "./ids.js";
import {
  type CocoKernelExports,
  cocoKernels,
  type MatchBits,
  type MatchColumns,
  matchPlanOf,
  planKernel,
  type PlanKernelExports,
  runCocoAccumulate,
  runCocoMatch,
  runCocoPlan,
} from "./kernels.js";
import { argsortDescendingStable, countingSortBy, npSum } from "./numeric.js";
import { type CocoParams, type CocoParamsInput, resolveParams } from "./params.js";
import type { CocoResults } from "./inputs.js";
import { checkMasksBulk, datasetMaskPool, maskKernels, resolveResultGeometryBulk, resultsPoolFor } from "./masks.js";
import { maskIouBlocks, resolveResultGeometry } from "./shapes.js";
import { type CategoryResult, perCategory, statsLabels, summarize, summaryLines } from "./summarize.js";

export interface CocoCategoryResult extends CategoryResult {}

/** Milliseconds per stage; `evaluate` covers everything before accumulate (plan, geometry, IoU, matching). */
export interface CocoTimings {
  evaluate: number;
  accumulate: number;
  [stage: string]: number;
}

export interface CocoEvaluation {
  readonly params: CocoParams;
  /** pycocotools' stats: 12 values (10 for keypoints), -1 where nothing was evaluated. */
  readonly stats: number[];
  /** Short labels of stats, e.g. "AP@[.50:.95|all|100]". */
  readonly statsLabels: string[];
  /** pycocotools' summarize() print-out, line for line. */
  summary(): string;
  /** precision[T,R,K,A,M], C order; -1 where a category has no ground truth. */
  readonly precision: Float64Array;
  readonly precisionShape: readonly [number, number, number, number, number];
  /** recall[T,K,A,M], C order. */
  readonly recall: Float64Array;
  readonly recallShape: readonly [number, number, number, number];
  /** scores[T,R,K,A,M]: the score at each precision point. */
  readonly scores: Float64Array;
  /** AP (IoU .50:.95), AP50, AP75, AR at the last maxDets; area "all"; -1 where pycocotools has -1. */
  perCategory(): CocoCategoryResult[];
  /** Per-detection matching (computed on first access when the wasm kernels evaluated). */
  readonly matches: CocoMatches;
  /** Quirks reproduced for parity and other remarks (parsing warnings included). */
  readonly warnings: string[];
  /** Milliseconds per stage. */
  readonly timings: CocoTimings;
}

export interface EvaluateOptions {
  /** "auto" (default): the wasm kernels when `engine` is the wasm engine; "reference": the TypeScript path. */
  kernels?: "auto" | "reference";
}

const EPS = 2.220446049250313e-16; // np.spacing(1)

/** Stable LSD grouping: sorts `src` entries by (primary, secondary), keeping input order within equal keys. */
function groupSort(src: Int32Array, prim: Int32Array, sec: Int32Array, nPrim: number, nSec: number): Int32Array {
  const n = src.length;
  const tmp = new Int32Array(n);
  const out = new Int32Array(n);
  const countS = new Int32Array(nSec + 1);
  for (let j = 0; j < n; j++) countS[sec[j]! + 1]!++;
  for (let s = 0; s < nSec; s++) countS[s + 1]! += countS[s]!;
  for (let j = 0; j < n; j++) tmp[countS[sec[j]!]!++] = j;
  const countP = new Int32Array(nPrim + 1);
  for (let j = 0; j < n; j++) countP[prim[j]! + 1]!++;
  for (let p = 0; p < nPrim; p++) countP[p + 1]! += countP[p]!;
  for (let q = 0; q < n; q++) {
    const j = tmp[q]!;
    out[countP[prim[j]!]!++] = j;
  }
  return out; // positions into src / prim / sec
}

interface Grouped {
  /** Entry source indices (annotation or result), in block order. */
  idx: Int32Array;
  /** Block key per entry (useCats: k * I + i, else i). */
  key: Float64Array;
}

function group(entries: Int32Array, imgOf: Int32Array, catOf: Int32Array, useCats: boolean, I: number, K: number): Grouped {
  const n = entries.length;
  const prim = new Int32Array(n);
  const sec = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const e = entries[j]!;
    if (useCats) {
      prim[j] = catOf[e]!;
      sec[j] = imgOf[e]!;
    } else {
      prim[j] = imgOf[e]!;
      sec[j] = catOf[e]!;
    }
  }
  const order = groupSort(entries, prim, sec, useCats ? K : I, useCats ? I : K);
  const idx = new Int32Array(n);
  const key = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    const j = order[q]!;
    const e = entries[j]!;
    idx[q] = e;
    key[q] = useCats ? catOf[e]! * I + imgOf[e]! : imgOf[e]!;
  }
  return { idx, key };
}

/**
 * The plan of an evaluation. `kernel`: the engine's plan kernel (assembly/plan.ts, the same plan);
 * without it, the TypeScript below (the reference).
 */
export function planEvaluation(
  gt: CocoDataset,
  dt: CocoResults,
  p: CocoParams,
  kernel: PlanKernelExports | null = null,
): CocoPlan {
  const useCats = p.useCats;
  const T = p.iouThrs.length;
  const A = p.areaRng.length;
  const maxDetLast = p.maxDets.length ? p.maxDets[p.maxDets.length - 1]! : 0;
  const I = p.imgIds.length;
  const Kc = p.catIds.length;
  const K = useCats ? Kc : 1;
  const anns = gt.annotations;

  // evaluation positions of images and categories
  const imgPos = new Int32Array(gt.images.count).fill(-1);
  p.imgIds.forEach((id, i) => {
    const x = gt.images.indexOf(id);
    if (x >= 0) imgPos[x] = i;
  });
  const catPos = new Int32Array(gt.categories.count).fill(-1);
  p.catIds.forEach((id, k) => {
    const x = gt.categories.indexOf(id);
    if (x >= 0) catPos[x] = k;
  });
  if (kernel) {
    const out = runCocoPlan(kernel, {
      imgPos,
      catPos,
      annImage: anns.image,
      annCategory: anns.category,
      canonical: anns.canonical,
      resImage: dt.image,
      resCategory: dt.category,
      score: dt.score,
      I,
      Kc,
      useCats,
      maxDet: maxDetLast,
    });
    return { p, T, A, K, ...out };
  }

  // ground truth entries, in the order of pycocotools' gts list (images sorted, file order), after the
  // repeated-id substitution of loadAnns; kept when the (substituted) annotation's image and category are evaluated
  const nA = anns.count;
  const annImg = new Int32Array(nA);
  const annCat = new Int32Array(nA);
  for (let a = 0; a < nA; a++) {
    const im = anns.image[a]!;
    const c = anns.category[a]!;
    annImg[a] = im >= 0 ? imgPos[im]! : -1;
    annCat[a] = c >= 0 ? catPos[c]! : -1;
  }
  let gtEntries: Int32Array;
  if (anns.canonical === null) {
    let n = 0;
    const tmp = new Int32Array(nA);
    for (let a = 0; a < nA; a++) if (annImg[a]! >= 0 && annCat[a]! >= 0) tmp[n++] = a;
    gtEntries = tmp.slice(0, n);
  } else {
    const canon = anns.canonical;
    const listed: number[] = [];
    for (let a = 0; a < nA; a++) if (annImg[a]! >= 0 && (!useCats || annCat[a]! >= 0)) listed.push(a);
    const byImage = groupSort(Int32Array.from(listed), Int32Array.from(listed, (a) => annImg[a]!), new Int32Array(listed.length), I, 1);
    const out: number[] = [];
    for (const j of byImage) {
      const s = canon[listed[j]!]!;
      if (annImg[s]! >= 0 && annCat[s]! >= 0) out.push(s);
    }
    gtEntries = Int32Array.from(out);
  }
  const gtGroups = group(gtEntries, annImg, annCat, useCats, I, Kc);

  // detections: stable by score (ties keep the block's list order: file order, or category then file
  // order when useCats is false), then grouped by block (stable)
  const nR = dt.count;
  const resImg = new Int32Array(nR);
  const resCat = new Int32Array(nR);
  let nEntries = 0;
  const entryTmp = new Int32Array(nR);
  for (let r = 0; r < nR; r++) {
    const im = dt.image[r]!;
    const c = dt.category[r]!;
    resImg[r] = im >= 0 ? imgPos[im]! : -1;
    resCat[r] = c >= 0 ? catPos[c]! : -1;
    if (resImg[r]! >= 0 && resCat[r]! >= 0) entryTmp[nEntries++] = r;
  }
  let entries: Int32Array = entryTmp.subarray(0, nEntries);
  if (!useCats) entries = countingSortBy(entries, resCat, Kc);
  const score = dt.score;
  const entryScore = new Float64Array(nEntries);
  for (let j = 0; j < nEntries; j++) entryScore[j] = score[entries[j]!]!;
  const perm = argsortDescendingStable(entryScore);
  let dtGrouped: Int32Array;
  const dtKey = new Float64Array(nEntries);
  const nKeys = useCats ? Kc * I : I;
  if (nKeys <= 1 << 25) {
    // one stable counting sort of the score order by block key
    const blockKey = new Int32Array(nR);
    for (let j = 0; j < nEntries; j++) {
      const r = entries[j]!;
      blockKey[r] = useCats ? resCat[r]! * I + resImg[r]! : resImg[r]!;
    }
    const count = new Int32Array(nKeys + 1);
    for (let j = 0; j < nEntries; j++) count[blockKey[entries[j]!]! + 1]!++;
    for (let q = 0; q < nKeys; q++) count[q + 1]! += count[q]!;
    dtGrouped = new Int32Array(nEntries);
    for (let q = 0; q < nEntries; q++) {
      const r = entries[perm[q]!]!;
      const at = count[blockKey[r]!]!++;
      dtGrouped[at] = r;
      dtKey[at] = blockKey[r]!;
    }
  } else {
    const sorted = new Int32Array(nEntries);
    for (let j = 0; j < nEntries; j++) sorted[j] = entries[perm[j]!]!;
    dtGrouped = useCats ? countingSortBy(countingSortBy(sorted, resImg, I), resCat, Kc) : countingSortBy(sorted, resImg, I);
    for (let j = 0; j < nEntries; j++) {
      const r = dtGrouped[j]!;
      dtKey[j] = useCats ? resCat[r]! * I + resImg[r]! : resImg[r]!;
    }
  }

  // blocks: the union of ground-truth and detection keys, in key order; detections cut to maxDets[-1]
  const gk = gtGroups.key;
  const nGt = gk.length;
  let nBlocks = 0;
  {
    let gi = 0;
    let di = 0;
    while (gi < nGt || di < nEntries) {
      const key = Math.min(gi < nGt ? gk[gi]! : Infinity, di < nEntries ? dtKey[di]! : Infinity);
      while (gi < nGt && gk[gi] === key) gi++;
      while (di < nEntries && dtKey[di] === key) di++;
      nBlocks++;
    }
  }
  const blockImagePos = new Int32Array(nBlocks);
  const blockK = new Int32Array(nBlocks);
  const blockGtStart = new Int32Array(nBlocks + 1);
  const blockDtStart = new Int32Array(nBlocks + 1);
  const dtListTmp = new Int32Array(nEntries);
  const dtRankTmp = new Int32Array(nEntries);
  let nDt = 0;
  let maxG = 0;
  let maxD = 0;
  {
    let gi = 0;
    let di = 0;
    for (let b = 0; b < nBlocks; b++) {
      const key = Math.min(gi < nGt ? gk[gi]! : Infinity, di < nEntries ? dtKey[di]! : Infinity);
      const g0 = gi;
      while (gi < nGt && gk[gi] === key) gi++;
      const d0 = di;
      while (di < nEntries && dtKey[di] === key) di++;
      const D = Math.min(di - d0, maxDetLast);
      blockGtStart[b] = g0;
      blockDtStart[b] = nDt;
      for (let j = 0; j < D; j++) {
        dtListTmp[nDt] = dtGrouped[d0 + j]!;
        dtRankTmp[nDt++] = j;
      }
      if (gi - g0 > maxG) maxG = gi - g0;
      if (D > maxD) maxD = D;
      if (useCats) {
        const k = Math.floor(key / I);
        blockK[b] = k;
        blockImagePos[b] = key - k * I;
      } else blockImagePos[b] = key;
    }
    blockGtStart[nBlocks] = nGt;
    blockDtStart[nBlocks] = nDt;
  }
  const dtList = dtListTmp.slice(0, nDt);
  const dtRank = dtRankTmp.slice(0, nDt);

  // accumulate order: per K index, by score; ties keep the concatenation order (image, then rank)
  const listScore = new Float64Array(nDt);
  for (let j = 0; j < nDt; j++) listScore[j] = score[dtList[j]!]!;
  let accOrder = argsortDescendingStable(listScore);
  const kStart = new Int32Array(K + 1);
  const kEval = new Uint8Array(K);
  for (let b = 0; b < nBlocks; b++) kEval[blockK[b]!] = 1;
  if (K > 1) {
    const kOf = new Int32Array(nDt);
    for (let b = 0; b < nBlocks; b++) kOf.fill(blockK[b]!, blockDtStart[b]!, blockDtStart[b + 1]!);
    accOrder = countingSortBy(accOrder, kOf, K);
    for (let j = 0; j < nDt; j++) kStart[kOf[j]! + 1]!++;
    for (let k = 0; k < K; k++) kStart[k + 1]! += kStart[k]!;
  } else kStart[1] = nDt;
  const dtPos = new Int32Array(nDt);
  for (let q = 0; q < nDt; q++) dtPos[accOrder[q]!] = q;

  return {
    p,
    T,
    A,
    K,
    nBlocks,
    blockImagePos,
    blockK,
    blockGtStart,
    blockDtStart,
    gtList: gtGroups.idx,
    dtList,
    dtRank,
    accOrder,
    kStart,
    dtPos,
    kEval,
    maxG,
    maxD,
  };
}

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
  const vars = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const s2 = sigmas[j]! * 2;
    vars[j] = s2 * s2;
  }
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
    let k1 = 0;
    for (let q = 0; q < k; q++) if (g[3 * q + 2]! > 0) k1++;
    const bx = gt.annotations.box[4 * a]!;
    const by = gt.annotations.box[4 * a + 1]!;
    const bw = gt.annotations.box[4 * a + 2]!;
    const bh = gt.annotations.box[4 * a + 3]!;
    const x0 = bx - bw;
    const x1 = bx + bw * 2;
    const y0 = by - bh;
    const y1 = by + bh * 2;
    const areaEps = gt.annotations.area[a]! + EPS;
    for (let i = 0; i < D; i++) {
      const d = dkps[i]!;
      let n = 0;
      for (let q = 0; q < k; q++) {
        let dx: number;
        let dy: number;
        if (k1 > 0) {
          if (!(g[3 * q + 2]! > 0)) continue;
          dx = d[3 * q]! - g[3 * q]!;
          dy = d[3 * q + 1]! - g[3 * q + 1]!;
        } else {
          const xd = d[3 * q]!;
          const yd = d[3 * q + 1]!;
          dx = Math.max(0, x0 - xd) + Math.max(0, xd - x1);
          dy = Math.max(0, y0 - yd) + Math.max(0, yd - y1);
        }
        const e = (dx * dx + dy * dy) / vars[q]! / areaEps / 2;
        tmp[n++] = Math.exp(-e);
      }
      out[off + i * G + j] = npSum(tmp, 0, n) / n;
    }
  }
}

/** Offsets of each block's IoU matrix (D * G values, detection-major). */
function iouOffsets(plan: CocoPlan): Int32Array {
  const { nBlocks, blockGtStart, blockDtStart } = plan;
  const out = new Int32Array(nBlocks + 1);
  let n = 0;
  for (let b = 0; b < nBlocks; b++) {
    out[b] = n;
    n += (blockGtStart[b + 1]! - blockGtStart[b]!) * (blockDtStart[b + 1]! - blockDtStart[b]!);
    if (n > 2 ** 31 - 1) throw new RangeError("evaluateCoco: more than 2^31 IoU values in one evaluation");
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
function computeIou(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, plan: CocoPlan, blockIouStart: Int32Array): Float64Array {
  const { p, nBlocks, blockGtStart, blockDtStart, gtList, dtList } = plan;
  const anns = gt.annotations;
  const iou = new Float64Array(blockIouStart[nBlocks]!);
  const gtCrowd = new Uint8Array(gtList.length);
  for (let j = 0; j < gtList.length; j++) gtCrowd[j] = anns.crowd[gtList[j]!]!;
  if (p.iouType === "segm") {
    maskIouBlocks(engine, gt, dt, plan, blockIouStart, iou);
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
    } else if (p.useCats) {
      // (pycocotools' computeOks reads _gts[imgId, -1] when useCats is 0: no OKS, nothing matches)
      computeOks(gt, dt, gtList, g0, G, dtList, d0, D, p.kptOksSigmas, iou, off, oksTmp);
    }
  }
  return iou;
}

/** One mask pool for the plan's labels and detections (mode 3 of the matching kernel). */
function maskInputs(
  mk: NonNullable<ReturnType<typeof maskKernels>>,
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

/** pycocotools' ignore flag before the area ranges: crowd, or keypoints without visible points. */
function baseIgnoreOf(gt: CocoDataset, iouType: string): Uint8Array {
  const anns = gt.annotations;
  if (iouType !== "keypoints") return anns.crowd;
  const out = new Uint8Array(anns.count);
  for (let a = 0; a < anns.count; a++) out[a] = anns.crowd[a]! || anns.raw[a]!.num_keypoints === 0 ? 1 : 0;
  return out;
}

/** The TypeScript matching: every (area range, IoU threshold, detection), as pycocotools' evaluateImg. */
function matchReference(
  gt: CocoDataset,
  dt: CocoResults,
  plan: CocoPlan,
  iou: Float64Array,
  blockIouStart: Int32Array,
): { matches: CocoMatches; zeroIdMatches: number } {
  const { p, T, A, nBlocks, blockGtStart, blockDtStart, gtList, dtList } = plan;
  const anns = gt.annotations;
  const nGt = gtList.length;
  const nDt = dtList.length;
  const kpNoOks = p.iouType === "keypoints" && !p.useCats;
  const dtMatch = new Int32Array(A * T * nDt).fill(-1);
  const dtIgnore = new Uint8Array(A * T * nDt);
  const gtMatch = new Int32Array(A * T * nGt).fill(-1);
  const gtIgnore = new Uint8Array(A * nGt);
  const base = baseIgnoreOf(gt, p.iouType);
  const baseIgnore = new Uint8Array(nGt);
  const gtCrowd = new Uint8Array(nGt);
  const gtArea = new Float64Array(nGt);
  for (let j = 0; j < nGt; j++) {
    const a = gtList[j]!;
    baseIgnore[j] = base[a]!;
    gtCrowd[j] = anns.crowd[a]!;
    gtArea[j] = anns.area[a]!;
  }
  const dtArea = new Float64Array(nDt);
  for (let j = 0; j < nDt; j++) dtArea[j] = dt.area[dtList[j]!]!;
  const thr = p.iouThrs.map((t) => Math.min(t, 1 - 1e-10));
  const idZero = anns.idIsZero;
  let zeroIdMatches = 0;
  const order = new Int32Array(plan.maxG);
  const gtm = new Int32Array(plan.maxG);
  for (let b = 0; b < nBlocks; b++) {
    const g0 = blockGtStart[b]!;
    const G = blockGtStart[b + 1]! - g0;
    const d0 = blockDtStart[b]!;
    const D = blockDtStart[b + 1]! - d0;
    const off = blockIouStart[b]!;
    const haveIou = G > 0 && D > 0 && !kpNoOks;
    for (let ai = 0; ai < A; ai++) {
      const lo = p.areaRng[ai]![0];
      const hi = p.areaRng[ai]![1];
      const ig = ai * nGt + g0; // gtIgnore[ig + g] for this block's label g
      let nReg = 0;
      for (let j = 0; j < G; j++) {
        const ar = gtArea[g0 + j]!;
        const v = baseIgnore[g0 + j] || ar < lo || ar > hi ? 1 : 0;
        gtIgnore[ig + j] = v;
        if (!v) nReg++;
      }
      // ignored ground truth last (stable)
      let r0 = 0;
      let r1 = nReg;
      for (let j = 0; j < G; j++) order[gtIgnore[ig + j] ? r1++ : r0++] = j;
      for (let ti = 0; ti < T; ti++) {
        const base = (ai * T + ti) * nDt + d0;
        const gBase = (ai * T + ti) * nGt + g0;
        if (haveIou) {
          const t = thr[ti]!;
          for (let j = 0; j < G; j++) gtm[j] = -1;
          for (let d = 0; d < D; d++) {
            let best = t;
            let m = -1;
            const row = off + d * G;
            for (let q = 0; q < G; q++) {
              const g = order[q]!;
              if (gtm[g]! >= 0 && !gtCrowd[g0 + g]) continue;
              if (m > -1 && !gtIgnore[ig + m] && gtIgnore[ig + g]) break;
              const v = iou[row + g]!;
              if (v < best) continue;
              best = v;
              m = g;
            }
            if (m === -1) continue;
            const ann = gtList[g0 + m]!;
            dtIgnore[base + d] = gtIgnore[ig + m]!;
            dtMatch[base + d] = ann;
            gtm[m] = d;
            gtMatch[gBase + m] = dtList[d0 + d]!;
            if (idZero[ann]) zeroIdMatches++;
          }
        }
        // unmatched detections outside the area range are ignored (a match to id 0 reads as unmatched)
        for (let d = 0; d < D; d++) {
          const m = dtMatch[base + d]!;
          if (m < 0 || idZero[m]) {
            const ar = dtArea[d0 + d]!;
            if (ar < lo || ar > hi) dtIgnore[base + d] = 1;
          }
        }
      }
    }
  }
  const blockImage = new Int32Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) blockImage[b] = gt.images.indexOf(p.imgIds[plan.blockImagePos[b]!]);
  const matches: CocoMatches = {
    T,
    A,
    blockCount: nBlocks,
    blockImage,
    blockCategory: p.useCats ? plan.blockK.slice() : new Int32Array(nBlocks).fill(-1),
    blockDtStart,
    blockGtStart,
    blockIouStart,
    dt: dtList,
    gt: gtList,
    iou,
    dtMatch,
    dtIgnore,
    gtMatch,
    gtIgnore,
  };
  return { matches, zeroIdMatches };
}

function zeroIdWarning(gt: CocoDataset, plan: CocoPlan, zeroIdMatches: number): string {
  let first = -1;
  for (let j = 0; j < plan.gtList.length && first < 0; j++) if (gt.annotations.idIsZero[plan.gtList[j]!]) first = plan.gtList[j]!;
  return (
    `annotations[${first}].id is 0: pycocotools records matches as annotation ids with 0 meaning "unmatched", so detections matched to it count as false positives` +
    ` (reproduced for parity, ${zeroIdMatches} matches affected); number annotation ids from 1`
  );
}

/** Input checks of the evaluated entries (the parsers accept what other iouTypes do not need). */
function checkEntries(gt: CocoDataset, dt: CocoResults, plan: CocoPlan): void {
  const { p, gtList, dtList } = plan;
  const anns = gt.annotations;
  if (p.iouType === "bbox") {
    for (let j = 0; j < gtList.length; j++) {
      const a = gtList[j]!;
      if (anns.boxState[a] !== BOX_OK) {
        throw new CocoInputError(`annotations[${a}].bbox`, anns.boxState[a] === BOX_MISSING ? "missing (needed for bbox evaluation)" : `expected [x, y, width, height], got ${describeValue(anns.raw[a]!.bbox)}`);
      }
    }
    for (let j = 0; j < dtList.length; j++) {
      const r = dtList[j]!;
      if (dt.boxState[r] !== BOX_OK) throw new CocoInputError(`results[${r}].bbox`, `expected [x, y, width, height], got ${describeValue(dt.raw[r]!.bbox)}`);
    }
  }
  if (p.iouType === "keypoints") {
    for (let j = 0; j < gtList.length; j++) {
      const a = gtList[j]!;
      if (typeof anns.raw[a]!.num_keypoints !== "number") {
        throw new CocoInputError(`annotations[${a}].num_keypoints`, anns.raw[a]!.num_keypoints === undefined ? "missing (needed for keypoints evaluation)" : "expected a number");
      }
    }
  }
}

/** What evaluateCoco computes before matching: shared by the single-thread and the worker paths. */
export interface PreparedCoco {
  readonly engine: GeometryEngine;
  readonly gt: CocoDataset;
  readonly dt: CocoResults;
  readonly p: CocoParams;
  readonly plan: CocoPlan;
  readonly warnings: string[];
  readonly timings: CocoTimings;
  readonly t0: number;
  /** The wasm kernels, or null (the TypeScript reference path). */
  readonly kernels: CocoKernelExports | null;
  /** The matching mode of the kernels (see MatchColumns.mode). */
  readonly mode: 0 | 1 | 2 | 3;
  readonly gtBaseIgnore: Uint8Array;
}

/**
 * Params, result geometry, plan and input checks. `deferMasks`: segm evaluation whose masks (and the
 * segm-branch areas of the evaluated results) are made later, by the workers.
 */
export function prepareCoco(
  engine: GeometryEngine,
  gt: CocoDataset,
  dt: CocoResults,
  paramsInput: CocoParamsInput,
  options: EvaluateOptions = {},
  deferMasks = false,
): PreparedCoco {
  const t0 = performance.now();
  if (dt.dataset !== gt) throw new Error("evaluateCoco: the results were parsed against another dataset (pass the same CocoDataset to parseCocoResults)");
  const p = resolveParams(paramsInput, gt.images.ids, gt.categories.ids);
  const warnings: string[] = [...gt.warnings, ...dt.warnings];
  const timings: CocoTimings = { evaluate: 0, accumulate: 0 };

  // segm-branch results: mask areas (and boxes when missing) need the engine, whatever the iouType
  const kernels = options.kernels === "reference" ? null : cocoKernels(engine);
  const defer = deferMasks && kernels !== null && p.iouType === "segm" && maskKernels(engine) !== null;
  if (defer) checkMasksBulk(gt, dt);
  else if (!(kernels && resolveResultGeometryBulk(engine, dt))) resolveResultGeometry(engine, dt);
  if (p.iouType === "segm" && dt.source === "bbox") {
    warnings.push(
      dt.withSegmentation > 0
        ? 'results carry both "bbox" and "segmentation": as in pycocotools, their areas come from the box (w*h) for the small/medium/large ranges; drop "bbox" from segm results to use the mask area'
        : "segm evaluation of box results: each box is rasterised as a polygon mask, as in pycocotools",
    );
  }
  const tPlan = performance.now();
  timings.geometry = tPlan - t0;
  const plan = planEvaluation(gt, dt, p, kernels ? planKernel(engine) : null);
  checkEntries(gt, dt, plan);
  timings.plan = performance.now() - tPlan;
  const usable = kernels !== null && plan.T > 0 && plan.A > 0 && p.maxDets.length > 0 && p.recThrs.length > 0;
  const kpNoOks = p.iouType === "keypoints" && !p.useCats;
  const mode = p.iouType === "bbox" ? 0 : p.iouType === "segm" && maskKernels(engine) ? 3 : kpNoOks ? 2 : 1;
  return { engine, gt, dt, p, plan, warnings, timings, t0, kernels: usable ? kernels : null, mode, gtBaseIgnore: baseIgnoreOf(gt, p.iouType) };
}

/** The columns the matching kernel reads (mode 1 computes the IoU / OKS here; mode 3 builds the masks here). */
/**
 * `resident`: the label masks' counts stay pinned in the engine's memory for runCocoMatch to read in
 * place; the caller unpins them (maskKernels(engine).unpin()) after the match.
 */
export function matchColumnsOf(prep: PreparedCoco, resident = false): MatchColumns {
  const { engine, gt, dt, plan, mode } = prep;
  let iou: Float64Array | null = null;
  let blockIouStart: Int32Array | undefined;
  let masks: MatchColumns["masks"];
  if (mode === 1) {
    blockIouStart = iouOffsets(plan);
    iou = computeIou(engine, gt, dt, plan, blockIouStart);
  } else if (mode === 3) masks = maskInputs(maskKernels(engine)!, engine, gt, dt, plan, resident);
  return {
    mode,
    masks,
    iou,
    blockIouStart,
    gtBox: gt.annotations.box,
    gtArea: gt.annotations.area,
    gtCrowd: gt.annotations.crowd,
    gtBaseIgnore: prep.gtBaseIgnore,
    gtIdZero: gt.annotations.idIsZero,
    dtBox: dt.box,
    dtArea: dt.area,
  };
}

/** Accumulate and summarize from the matching bits (wasm path); `matchStart`: performance.now() when matching began. */
export function finishCoco(prep: PreparedCoco, bits: MatchBits, matchStart: number): CocoEvaluation {
  const { engine, gt, dt, p, plan, warnings, timings, t0 } = prep;
  const t1 = performance.now();
  timings.match = t1 - matchStart;
  timings.evaluate = t1 - t0;
  if (bits.zeroIdMatches > 0) warnings.push(zeroIdWarning(gt, plan, bits.zeroIdMatches));
  const acc = runCocoAccumulate(prep.kernels!, plan, bits, dt.score, gt.annotations.area, prep.gtBaseIgnore);
  timings.accumulate = performance.now() - t1;
  let cached: CocoMatches | undefined;
  return result(prep, acc, () => {
    if (!cached) {
      if (dt.geometryPending) resolveResultGeometry(engine, dt);
      const offs = iouOffsets(plan);
      cached = matchReference(gt, dt, plan, computeIou(engine, gt, dt, plan, offs), offs).matches;
    }
    return cached;
  });
}

function result(prep: PreparedCoco, acc: Accumulated, matchesLazy: () => CocoMatches): CocoEvaluation {
  const { gt, p, warnings, timings } = prep;
  const tSum = performance.now();
  const stats = summarize(acc, p);
  timings.summarize = performance.now() - tSum;
  const useCats = p.useCats;
  const categoryIds: CocoId[] = useCats ? [...p.catIds] : [-1];
  return {
    params: p,
    stats,
    statsLabels: statsLabels(p),
    summary: () => summaryLines(acc, p, stats).join("\n"),
    precision: acc.precision,
    precisionShape: acc.precisionShape,
    recall: acc.recall,
    recallShape: acc.recallShape,
    scores: acc.scores,
    perCategory: () =>
      perCategory(acc, p, categoryIds, (id) => {
        const k = gt.categories.indexOf(id);
        return k >= 0 ? gt.categories.names[k]! : useCats ? String(id) : "all";
      }),
    get matches() {
      return matchesLazy();
    },
    warnings,
    timings,
  };
}

/**
 * Runs pycocotools' evaluate(), accumulate() and summarize() on parsed ground truth and results.
 * `engine` computes box / mask IoU (the wasm engine from createEngine(), or the TypeScript reference);
 * with the wasm engine, matching and accumulation run in its kernels too. On several threads:
 * evaluateCocoParallel (bindings/workers/), with the same numbers.
 */
export function evaluateCoco(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, paramsInput: CocoParamsInput, options: EvaluateOptions = {}): CocoEvaluation {
  const prep = prepareCoco(engine, gt, dt, paramsInput, options);
  const { p, plan, warnings, timings } = prep;
  if (prep.kernels) {
    const tIou = performance.now();
    let bits: MatchBits;
    let matchStart: number;
    try {
      const cols = matchColumnsOf(prep, true);
      matchStart = performance.now();
      timings.iou = matchStart - tIou;
      bits = runCocoMatch(prep.kernels, matchPlanOf(plan), cols);
    } finally {
      if (prep.mode === 3) maskKernels(engine)!.unpin();
    }
    return finishCoco(prep, bits, matchStart);
  }
  const tIou = performance.now();
  const blockIouStart = iouOffsets(plan);
  const iou = computeIou(engine, gt, dt, plan, blockIouStart);
  const tMatch = performance.now();
  timings.iou = tMatch - tIou;
  const { matches, zeroIdMatches } = matchReference(gt, dt, plan, iou, blockIouStart);
  if (zeroIdMatches > 0) warnings.push(zeroIdWarning(gt, plan, zeroIdMatches));
  const t1 = performance.now();
  timings.match = t1 - tMatch;
  timings.evaluate = t1 - prep.t0;
  const acc = accumulate(matches, p, dt.score, gt.annotations.idIsZero);
  timings.accumulate = performance.now() - t1;
  return result(prep, acc, () => matches);
}
