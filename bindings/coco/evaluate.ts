// pycocotools COCOeval.evaluate(), columnar: ground truth and detections are grouped into (category,
// image) blocks in pycocotools' order, the IoU (or OKS) of each block is computed once through the
// geometry engine, and the greedy matching is run for every area range and IoU threshold.
import type { GeometryEngine, Rle } from "../geometry-types.js";
import { accumulate, type Accumulated } from "./accumulate.js";
import { BOX_MISSING, BOX_OK, type CocoDataset } from "./dataset.js";
import { CocoInputError, describeValue } from "./errors.js";
import type { CocoId } from "./ids.js";
import { npSum } from "./numeric.js";
import { type CocoParams, type CocoParamsInput, resolveParams } from "./params.js";
import type { CocoResults } from "./results.js";
import { annotationRle, resolveResultGeometry, resultRle } from "./shapes.js";
import { type CategoryResult, perCategory, statsLabels, summarize, summaryLines } from "./summarize.js";

/**
 * Per-image matching, for analysis layers. A block is one (image, category) pair with ground truth or
 * detections (one image when useCats is false), in pycocotools' evalImgs order: category-major, images
 * in sorted id order. Arrays indexed [a][t][...] are flattened: index (a * T + t) * n + position.
 */
export interface CocoMatches {
  /** IoU thresholds (T) and area ranges (A) of the match arrays. */
  readonly T: number;
  readonly A: number;
  readonly blockCount: number;
  /** Index into dataset.images. */
  readonly blockImage: Int32Array;
  /** Index into params.catIds (the K axis), or -1 when useCats is false. */
  readonly blockCategory: Int32Array;
  /** Block b's detections are dt[blockDtStart[b] .. blockDtStart[b+1]) (length blockCount + 1). */
  readonly blockDtStart: Int32Array;
  /** Block b's ground truth is gt[blockGtStart[b] .. blockGtStart[b+1]). */
  readonly blockGtStart: Int32Array;
  /** Block b's IoU matrix is iou[blockIouStart[b] ..), detection-major (d * G + g); empty when D or G is 0. */
  readonly blockIouStart: Int32Array;
  /** Result indices: per block sorted by score (stable) and cut to maxDets[-1]. Result i has id i + 1. */
  readonly dt: Int32Array;
  /** Annotation indices, per block in file order (pycocotools' repeated-id substitution applied). */
  readonly gt: Int32Array;
  /** IoU (bbox / segm) or OKS (keypoints). Mask IoU is -1 between masks of different sizes. */
  readonly iou: Float64Array;
  /** [A][T][dt]: the matched annotation index, or -1. */
  readonly dtMatch: Int32Array;
  /**
   * [A][T][dt]: pycocotools' dtIgnore (matched to an ignored label, or unmatched and outside the area
   * range; a match to an annotation with id 0 counts as unmatched there, as in pycocotools).
   */
  readonly dtIgnore: Uint8Array;
  /** [A][T][gt]: the index of the result matched to it (the last one, for a crowd), or -1. */
  readonly gtMatch: Int32Array;
  /** [A][gt]: ignored (crowd, keypoints without visible points, or area outside the range). */
  readonly gtIgnore: Uint8Array;
}

export interface CocoCategoryResult extends CategoryResult {}

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
  readonly matches: CocoMatches;
  /** Quirks reproduced for parity and other remarks (parsing warnings included). */
  readonly warnings: string[];
  /** Milliseconds per phase. */
  readonly timings: { evaluate: number; accumulate: number };
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

/** Box [x,y,w,h] of every listed annotation / result, packed. */
function gatherBoxes(src: Float64Array, idx: Int32Array, from: number, to: number): Float64Array {
  const out = new Float64Array(4 * (to - from));
  for (let j = from; j < to; j++) {
    const o = 4 * idx[j]!;
    out.set(src.subarray(o, o + 4), 4 * (j - from));
  }
  return out;
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

/**
 * Runs pycocotools' evaluate(), accumulate() and summarize() on parsed ground truth and results.
 * `engine` computes box / mask IoU (the wasm engine from createEngine(), or the TypeScript reference).
 */
export function evaluateCoco(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, paramsInput: CocoParamsInput): CocoEvaluation {
  const t0 = performance.now();
  if (dt.dataset !== gt) throw new Error("evaluateCoco: the results were parsed against another dataset (pass the same CocoDataset to parseCocoResults)");
  const p = resolveParams(paramsInput, gt.images.ids, gt.categories.ids);
  const warnings: string[] = [...gt.warnings, ...dt.warnings];
  const iouType = p.iouType;
  const useCats = p.useCats;
  const T = p.iouThrs.length;
  const A = p.areaRng.length;
  const maxDetLast = p.maxDets.length ? p.maxDets[p.maxDets.length - 1]! : 0;
  const I = p.imgIds.length;
  const K = p.catIds.length;
  const anns = gt.annotations;

  // segm-branch results: mask areas (and boxes when missing) need the engine, whatever the iouType
  resolveResultGeometry(engine, dt);
  if (iouType === "segm" && dt.source === "bbox") {
    warnings.push(
      dt.withSegmentation > 0
        ? 'results carry both "bbox" and "segmentation": as in pycocotools, their areas come from the box (w*h) for the small/medium/large ranges; drop "bbox" from segm results to use the mask area'
        : "segm evaluation of box results: each box is rasterised as a polygon mask, as in pycocotools",
    );
  }

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
  const gtGroups = group(gtEntries, annImg, annCat, useCats, I, K);

  const nR = dt.count;
  const resImg = new Int32Array(nR);
  const resCat = new Int32Array(nR);
  let nDtEntries = 0;
  const dtTmp = new Int32Array(nR);
  for (let r = 0; r < nR; r++) {
    const c = dt.category[r]!;
    resImg[r] = imgPos[dt.image[r]!]!;
    resCat[r] = c >= 0 ? catPos[c]! : -1;
    if (resImg[r]! >= 0 && resCat[r]! >= 0) dtTmp[nDtEntries++] = r;
  }
  const dtGroups = group(dtTmp.slice(0, nDtEntries), resImg, resCat, useCats, I, K);

  // blocks: the union of ground-truth and detection keys, in key order
  const blockImageL: number[] = [];
  const blockCatL: number[] = [];
  const blockGtRange: number[] = [];
  const blockDtRange: number[] = [];
  {
    const gk = gtGroups.key;
    const dk = dtGroups.key;
    let gi = 0;
    let di = 0;
    while (gi < gk.length || di < dk.length) {
      const key = Math.min(gi < gk.length ? gk[gi]! : Infinity, di < dk.length ? dk[di]! : Infinity);
      const g0 = gi;
      while (gi < gk.length && gk[gi] === key) gi++;
      const d0 = di;
      while (di < dk.length && dk[di] === key) di++;
      blockGtRange.push(g0, gi);
      blockDtRange.push(d0, di);
      if (useCats) {
        blockCatL.push(Math.floor(key / I));
        blockImageL.push(key - Math.floor(key / I) * I);
      } else {
        blockCatL.push(-1);
        blockImageL.push(key);
      }
    }
  }
  const nBlocks = blockImageL.length;
  const imageIndexOfPos = new Int32Array(I).fill(-1);
  p.imgIds.forEach((id, i) => (imageIndexOfPos[i] = gt.images.indexOf(id)));

  // per block: detections sorted by score (stable mergesort order), cut to maxDets[-1]
  const blockDtStart = new Int32Array(nBlocks + 1);
  const blockGtStart = new Int32Array(nBlocks + 1);
  const blockIouStart = new Int32Array(nBlocks + 1);
  const dtSorted = new Int32Array(nDtEntries);
  let nDt = 0;
  let nIou = 0;
  const score = dt.score;
  const scratch: number[] = [];
  for (let b = 0; b < nBlocks; b++) {
    const d0 = blockDtRange[2 * b]!;
    const d1 = blockDtRange[2 * b + 1]!;
    const g = blockGtRange[2 * b + 1]! - blockGtRange[2 * b]!;
    scratch.length = 0;
    for (let j = d0; j < d1; j++) scratch.push(j);
    const src = dtGroups.idx;
    scratch.sort((x, y) => {
      const sx = score[src[x]!]!;
      const sy = score[src[y]!]!;
      if (sx > sy) return -1;
      if (sx < sy) return 1;
      if (sx === sy) return x - y;
      const nx = Number.isNaN(sx);
      return nx === Number.isNaN(sy) ? x - y : nx ? 1 : -1;
    });
    const D = Math.min(scratch.length, maxDetLast);
    blockDtStart[b] = nDt;
    for (let j = 0; j < D; j++) dtSorted[nDt++] = src[scratch[j]!]!;
    blockGtStart[b + 1] = blockGtRange[2 * b + 1]!;
    blockIouStart[b] = nIou;
    nIou += D * g;
  }
  blockDtStart[nBlocks] = nDt;
  blockIouStart[nBlocks] = nIou;
  const dtList = dtSorted.slice(0, nDt);
  const gtList = gtGroups.idx;
  const nGt = gtList.length;

  // IoU / OKS per block
  const iou = new Float64Array(nIou);
  const gtCrowd = new Uint8Array(nGt);
  for (let j = 0; j < nGt; j++) gtCrowd[j] = anns.crowd[gtList[j]!]!;
  const oksTmp = new Float64Array(Math.max(p.kptOksSigmas.length, 1));
  if (iouType === "bbox") {
    for (let j = 0; j < nGt; j++) {
      const a = gtList[j]!;
      if (anns.boxState[a] !== BOX_OK) {
        throw new CocoInputError(`annotations[${a}].bbox`, anns.boxState[a] === BOX_MISSING ? "missing (needed for bbox evaluation)" : `expected [x, y, width, height], got ${describeValue(anns.raw[a]!.bbox)}`);
      }
    }
    for (let j = 0; j < nDt; j++) {
      const r = dtList[j]!;
      if (dt.boxState[r] !== BOX_OK) throw new CocoInputError(`results[${r}].bbox`, `expected [x, y, width, height], got ${describeValue(dt.raw[r]!.bbox)}`);
    }
  }
  if (iouType === "keypoints") {
    for (let j = 0; j < nGt; j++) {
      const a = gtList[j]!;
      if (typeof anns.raw[a]!.num_keypoints !== "number") {
        throw new CocoInputError(`annotations[${a}].num_keypoints`, anns.raw[a]!.num_keypoints === undefined ? "missing (needed for keypoints evaluation)" : "expected a number");
      }
    }
  }
  for (let b = 0; b < nBlocks; b++) {
    const g0 = blockGtStart[b]!;
    const G = blockGtStart[b + 1]! - g0;
    const d0 = blockDtStart[b]!;
    const D = blockDtStart[b + 1]! - d0;
    if (G === 0 || D === 0) continue;
    const off = blockIouStart[b]!;
    if (iouType === "bbox") {
      const o = engine.boxIou(gatherBoxes(dt.box, dtList, d0, d0 + D), gatherBoxes(anns.box, gtList, g0, g0 + G), gtCrowd.subarray(g0, g0 + G));
      iou.set(o.subarray(0, D * G), off);
    } else if (iouType === "segm") {
      const dr: Rle[] = new Array(D);
      for (let j = 0; j < D; j++) dr[j] = resultRle(engine, dt, dtList[d0 + j]!);
      const gr: Rle[] = new Array(G);
      for (let j = 0; j < G; j++) gr[j] = annotationRle(engine, gt, gtList[g0 + j]!);
      const o = engine.maskIou(dr, gr, gtCrowd.subarray(g0, g0 + G));
      iou.set(o.subarray(0, D * G), off);
    } else if (useCats) {
      // (pycocotools' computeOks reads _gts[imgId, -1] when useCats is 0: no OKS, nothing matches)
      computeOks(gt, dt, gtList, g0, G, dtList, d0, D, p.kptOksSigmas, iou, off, oksTmp);
    }
  }

  // greedy matching for every area range and IoU threshold
  const dtMatch = new Int32Array(A * T * nDt).fill(-1);
  const dtIgnore = new Uint8Array(A * T * nDt);
  const gtMatch = new Int32Array(A * T * nGt).fill(-1);
  const gtIgnore = new Uint8Array(A * nGt);
  const baseIgnore = new Uint8Array(nGt);
  for (let j = 0; j < nGt; j++) {
    const a = gtList[j]!;
    baseIgnore[j] = anns.crowd[a]! || (iouType === "keypoints" && anns.raw[a]!.num_keypoints === 0) ? 1 : 0;
  }
  const thr = p.iouThrs.map((t) => Math.min(t, 1 - 1e-10));
  const idZero = anns.idIsZero;
  let zeroIdMatches = 0;
  let maxG = 0;
  for (let b = 0; b < nBlocks; b++) maxG = Math.max(maxG, blockGtStart[b + 1]! - blockGtStart[b]!);
  const order = new Int32Array(maxG);
  const gtm = new Int32Array(maxG);
  const kpNoOks = iouType === "keypoints" && !useCats;
  const gtArea = new Float64Array(nGt);
  for (let j = 0; j < nGt; j++) gtArea[j] = anns.area[gtList[j]!]!;
  const dtArea = new Float64Array(nDt);
  for (let j = 0; j < nDt; j++) dtArea[j] = dt.area[dtList[j]!]!;
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
  if (zeroIdMatches > 0) {
    let first = -1;
    for (let j = 0; j < nGt && first < 0; j++) if (idZero[gtList[j]!]) first = gtList[j]!;
    warnings.push(
      `annotations[${first}].id is 0: pycocotools records matches as annotation ids with 0 meaning "unmatched", so detections matched to it count as false positives` +
        ` (reproduced for parity, ${zeroIdMatches} matches affected); number annotation ids from 1`,
    );
  }

  const matches: CocoMatches = {
    T,
    A,
    blockCount: nBlocks,
    blockImage: Int32Array.from(blockImageL, (i) => imageIndexOfPos[i]!),
    blockCategory: Int32Array.from(blockCatL),
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
  const t1 = performance.now();
  const acc: Accumulated = accumulate(matches, p, dt.score, anns.idIsZero);
  const t2 = performance.now();
  const stats = summarize(acc, p);
  const categoryIds: CocoId[] = useCats ? [...p.catIds] : [-1];
  return {
    params: p,
    stats,
    statsLabels: statsLabels(p),
    summary: () => summaryLines(acc, p).join("\n"),
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
    matches,
    warnings,
    timings: { evaluate: t1 - t0, accumulate: t2 - t1 },
  };
}
