// The plan of a COCO evaluation, shared by both backends: (image, category) blocks in pycocotools'
// evalImgs order, labels and score-sorted detections per block, accumulate's order. planEvaluation
// lays the inputs out as evaluation positions; planBlocks, below, is the TypeScript twin of the wasm
// plan kernel (assembly/plan.ts), and the oracle test/coco/plan.test.ts compares it with.
import type { CocoPlan, PlanInput, PlanOutput } from "./types.js";
import { argsortDescendingStable, countingSortBy } from "./numeric.js";
import type { CocoParams } from "./params.js";
import type { CocoDataset, CocoResults } from "./inputs.js";
import type { CocoId } from "./ids.js";

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

/** The plan of an evaluation, its blocks made by `blocks` (a backend's plan: the kernel or planBlocks). */
export function planEvaluation(gt: CocoDataset, dt: CocoResults, p: CocoParams, blocks: (input: PlanInput) => PlanOutput = planBlocks): CocoPlan {
  const useCats = p.useCats;
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
  // a few images of many (a shard, a training-loop batch): only their annotations go to the plan
  // (in file order, so the entries' order is unchanged; without repeated ids, which need them all)
  const subset = anns.canonical === null && p.imgIds.length * 8 < gt.images.count ? annotationsOf(gt, imgPos, p.imgIds) : null;
  const out = blocks({
    imgPos,
    catPos,
    annImage: subset ? gather(anns.image, subset) : anns.image,
    annCategory: subset ? gather(anns.category, subset) : anns.category,
    canonical: anns.canonical,
    resImage: dt.image,
    resCategory: dt.category,
    score: dt.score,
    I: p.imgIds.length,
    Kc: p.catIds.length,
    useCats,
    maxDet: p.maxDets.length ? p.maxDets[p.maxDets.length - 1]! : 0,
  });
  if (subset) for (let j = 0; j < out.gtList.length; j++) out.gtList[j] = subset[out.gtList[j]!]!;
  return { p, T: p.iouThrs.length, A: p.areaRng.length, K: useCats ? p.catIds.length : 1, ...out };
}

// each dataset image's annotations (CSR, ascending), made once per dataset
const byImageCache = new WeakMap<CocoDataset, { start: Int32Array; list: Int32Array }>();

/** The annotations of the evaluated images, ascending (file order). */
function annotationsOf(gt: CocoDataset, imgPos: Int32Array, imgIds: readonly CocoId[]): Int32Array {
  let idx = byImageCache.get(gt);
  if (!idx) {
    const image = gt.annotations.image;
    const start = new Int32Array(gt.images.count + 1);
    for (let a = 0; a < image.length; a++) if (image[a]! >= 0) start[image[a]! + 1]!++;
    for (let i = 0; i < gt.images.count; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, gt.images.count);
    const list = new Int32Array(start[gt.images.count]!);
    for (let a = 0; a < image.length; a++) if (image[a]! >= 0) list[fill[image[a]!]!++] = a;
    idx = { start, list };
    byImageCache.set(gt, idx);
  }
  const out: number[] = [];
  for (const id of imgIds) {
    const x = gt.images.indexOf(id);
    if (x < 0 || imgPos[x]! < 0) continue;
    for (let q = idx.start[x]!; q < idx.start[x + 1]!; q++) out.push(idx.list[q]!);
  }
  return Int32Array.from(out).sort();
}

function gather(values: Int32Array, at: Int32Array): Int32Array {
  const out = new Int32Array(at.length);
  for (let j = 0; j < at.length; j++) out[j] = values[at[j]!]!;
  return out;
}

/** The blocks and orders of a plan, in TypeScript (the twin of assembly/plan.ts). */
export function planBlocks(input: PlanInput): PlanOutput {
  const { imgPos, catPos, useCats, I, Kc } = input;
  const K = useCats ? Kc : 1;
  const maxDetLast = input.maxDet;
  // ground truth entries, in the order of pycocotools' gts list (images sorted, file order), after the
  // repeated-id substitution of loadAnns; kept when the (substituted) annotation's image and category are evaluated
  const nA = input.annImage.length;
  const annImg = new Int32Array(nA);
  const annCat = new Int32Array(nA);
  for (let a = 0; a < nA; a++) {
    const im = input.annImage[a]!;
    const c = input.annCategory[a]!;
    annImg[a] = im >= 0 ? imgPos[im]! : -1;
    annCat[a] = c >= 0 ? catPos[c]! : -1;
  }
  let gtEntries: Int32Array;
  if (input.canonical === null) {
    let n = 0;
    const tmp = new Int32Array(nA);
    for (let a = 0; a < nA; a++) if (annImg[a]! >= 0 && annCat[a]! >= 0) tmp[n++] = a;
    gtEntries = tmp.slice(0, n);
  } else {
    const canon = input.canonical;
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
  const nR = input.resImage.length;
  const resImg = new Int32Array(nR);
  const resCat = new Int32Array(nR);
  let nEntries = 0;
  const entryTmp = new Int32Array(nR);
  for (let r = 0; r < nR; r++) {
    const im = input.resImage[r]!;
    const c = input.resCategory[r]!;
    resImg[r] = im >= 0 ? imgPos[im]! : -1;
    resCat[r] = c >= 0 ? catPos[c]! : -1;
    if (resImg[r]! >= 0 && resCat[r]! >= 0) entryTmp[nEntries++] = r;
  }
  let entries: Int32Array = entryTmp.subarray(0, nEntries);
  if (!useCats) entries = countingSortBy(entries, resCat, Kc);
  const score = input.score;
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

  return {
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
    kEval,
    maxG,
    maxD,
  };
}
