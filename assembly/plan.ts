// The evaluation plan (bindings/coco/evaluate.ts planEvaluation, the TypeScript reference) over raw
// pointers: labels and detections grouped into (category, image) blocks in pycocotools' evalImgs
// order, detections sorted by score and cut to maxDets[-1], and accumulate's order of the detections.
// The host (bindings/coco/kernel-host.ts runCocoPlan) lays the inputs out, writes a plan context (fields
// in assembly/abi/contexts.json) and reads the outputs back.
//
// No sort of all the detections at once: the evaluated detections are grouped by block in the order
// pycocotools lists a block's detections (file order; with useCats false: category, then file order),
// each block is sorted stably by score (a short sort: pycocotools' order, ties in list order), and the
// kept detections of each category, one run in block order, are sorted stably by score: accumulate's
// order (ties in the concatenation order of the blocks: image, then rank). Every sort works on a run
// that is read and written in place (a whole-array sort scattered and gathered across all of them).

import { field } from "./context";
import { sortScores } from "./sort";
import {
  P_ACC, P_ANN_CAT, P_ANN_IMG, P_BLOCK_DT, P_BLOCK_GT, P_BLOCK_IMG,
  P_BLOCK_K, P_CANON, P_CAT_POS, P_DT_LIST, P_DT_RANK,
  P_GT_LIST, P_I, P_IMG_POS, P_KC, P_K_EVAL, P_K_START,
  P_MAX_DET, P_NA, P_NR, P_OUT_MAXD, P_OUT_MAXG, P_OUT_NBLOCKS,
  P_OUT_NDT, P_OUT_NGT, P_RES_CAT, P_RES_IMG, P_SCORE, P_S_A,
  P_S_B, P_S_COUNT, P_S_KEYS, P_S_KEYS2, P_S_PERM, P_S_PERM2,
  P_USE_CATS,
} from "./generated/contexts";


// @ts-ignore: decorator
@inline function ld(p: usize, i: u32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function st(p: usize, i: u32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

/**
 * Stable counting sort: the n entries of src (indices) into dst by key[entry] in [0, nKeys).
 * count: room for nKeys + 1 i32.
 */
function sortBy(src: usize, dst: usize, n: u32, key: usize, nKeys: u32, count: usize): void {
  memory.fill(count, 0, <usize>(nKeys + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    const q = count + (<usize>(ld(key, <u32>ld(src, i)) + 1) << 2);
    store<i32>(q, load<i32>(q) + 1);
  }
  let sum = 0;
  for (let k: u32 = 0; k <= nKeys; k++) {
    const q = count + (<usize>k << 2);
    sum += load<i32>(q);
    store<i32>(q, sum);
  }
  // count[k] is now the end of key k - 1's range, i.e. the start of key k
  for (let i: u32 = 0; i < n; i++) {
    const e = ld(src, i);
    const q = count + (<usize>ld(key, <u32>e) << 2);
    const at = load<i32>(q);
    store<i32>(q, at + 1);
    st(dst, <u32>at, e);
  }
}

/**
 * src's n entries into dst, stable, by (category, image) (useCats) or (image, category): two LSD
 * counting sorts through tmp. img / cat: each entry's evaluation positions.
 */
function groupByBlock(src: usize, tmp: usize, dst: usize, n: u32, img: usize, cat: usize, I: u32, Kc: u32, useCats: bool, count: usize): void {
  if (useCats) {
    sortBy(src, tmp, n, img, I, count);
    sortBy(tmp, dst, n, cat, Kc, count);
  } else {
    sortBy(src, tmp, n, cat, Kc, count);
    sortBy(tmp, dst, n, img, I, count);
  }
}

// @ts-ignore: decorator
@inline function blockKey(cat: usize, img: usize, e: u32, useCats: bool): u64 {
  return useCats ? (<u64>(<u32>ld(cat, e)) << 32) | <u64>(<u32>ld(img, e)) : <u64>(<u32>ld(img, e));
}

/** The plan of one evaluation (the plan block of assembly/abi/contexts.json); returns the number of blocks. */
export function cocoPlan(ctx: usize): u32 {
  const nA = <u32>field(ctx, P_NA);
  const nR = <u32>field(ctx, P_NR);
  const I = <u32>field(ctx, P_I);
  const Kc = <u32>field(ctx, P_KC);
  const useCats = field(ctx, P_USE_CATS) != 0;
  const maxDet = <u32>field(ctx, P_MAX_DET);
  const imgPos = field(ctx, P_IMG_POS);
  const catPos = field(ctx, P_CAT_POS);
  const annImg = field(ctx, P_ANN_IMG);
  const annCat = field(ctx, P_ANN_CAT);
  const canon = field(ctx, P_CANON);
  const resImg = field(ctx, P_RES_IMG);
  const resCat = field(ctx, P_RES_CAT);
  const score = field(ctx, P_SCORE);
  const count = field(ctx, P_S_COUNT);
  const sa = field(ctx, P_S_A);
  const sb = field(ctx, P_S_B);
  const keys = field(ctx, P_S_KEYS);
  const keys2 = field(ctx, P_S_KEYS2);
  const perm = field(ctx, P_S_PERM);
  const perm2 = field(ctx, P_S_PERM2);
  const gtList = field(ctx, P_GT_LIST);
  const blockImg = field(ctx, P_BLOCK_IMG);
  const blockK = field(ctx, P_BLOCK_K);
  const blockGt = field(ctx, P_BLOCK_GT);
  const blockDt = field(ctx, P_BLOCK_DT);
  const dtList = field(ctx, P_DT_LIST);
  const dtRank = field(ctx, P_DT_RANK);
  const acc = field(ctx, P_ACC);
  const kStart = field(ctx, P_K_START);
  const kEval = field(ctx, P_K_EVAL);
  const K: u32 = useCats ? Kc : 1;

  // ---- ground truth: evaluation positions, pycocotools' gts list, grouped by block
  for (let a: u32 = 0; a < nA; a++) {
    const im = ld(annImg, a);
    const c = ld(annCat, a);
    st(annImg, a, im >= 0 ? ld(imgPos, <u32>im) : -1);
    st(annCat, a, c >= 0 ? ld(catPos, <u32>c) : -1);
  }
  let nGt: u32 = 0;
  if (canon == 0) {
    for (let a: u32 = 0; a < nA; a++) if (ld(annImg, a) >= 0 && ld(annCat, a) >= 0) { st(sa, nGt, <i32>a); nGt++; }
  } else {
    // listed by image (stable), then loadAnns' substitution of repeated ids
    let n: u32 = 0;
    for (let a: u32 = 0; a < nA; a++) if (ld(annImg, a) >= 0 && (!useCats || ld(annCat, a) >= 0)) { st(sb, n, <i32>a); n++; }
    sortBy(sb, gtList, n, annImg, I, count);
    for (let j: u32 = 0; j < n; j++) {
      const s = ld(canon, <u32>ld(gtList, j));
      if (ld(annImg, <u32>s) >= 0 && ld(annCat, <u32>s) >= 0) { st(sa, nGt, s); nGt++; }
    }
  }
  groupByBlock(sa, sb, gtList, nGt, annImg, annCat, I, Kc, useCats, count);

  // ---- detections: the evaluated ones
  let nE: u32 = 0;
  for (let r: u32 = 0; r < nR; r++) {
    const im = ld(resImg, r);
    const c = ld(resCat, r);
    const i = im >= 0 ? ld(imgPos, <u32>im) : -1;
    const k = c >= 0 ? ld(catPos, <u32>c) : -1;
    st(resImg, r, i);
    st(resCat, r, k);
    if (i >= 0 && k >= 0) { st(sa, nE, <i32>r); nE++; }
  }
  // perm: grouped by block in the pre-order of equal scores: file order (useCats), else category then
  // file order (pycocotools' dt list of an image)
  groupByBlock(sa, sb, perm, nE, resImg, resCat, I, Kc, useCats, count);
  // each block by score (stable), a short sort of its own detections (keys, keys2, perm2, sb: scratch)
  {
    let d0: u32 = 0;
    while (d0 < nE) {
      const key = blockKey(resCat, resImg, <u32>ld(perm, d0), useCats);
      let d1 = d0 + 1;
      while (d1 < nE && blockKey(resCat, resImg, <u32>ld(perm, d1), useCats) == key) d1++;
      const n = d1 - d0;
      if (n > 1) {
        for (let j: u32 = 0; j < n; j++) store<f64>(keys + (<usize>j << 3), load<f64>(score + (<usize>ld(perm, d0 + j) << 3)));
        sortScores(keys, n, perm2, keys, keys2, sb);
        for (let j: u32 = 0; j < n; j++) st(sb, j, ld(perm, d0 + <u32>ld(perm2, j)));
        memory.copy(perm + (<usize>d0 << 2), sb, <usize>n << 2);
      }
      d0 = d1;
    }
  }

  // ---- blocks: the union of label and detection keys in key order; detections cut to maxDet.
  // perm2[r]: the detection entry of result r, or -1 (cut)
  let gi: u32 = 0;
  let di: u32 = 0;
  let nB: u32 = 0;
  let nDt: u32 = 0;
  let maxG: u32 = 0;
  let maxD: u32 = 0;
  while (gi < nGt || di < nE) {
    const gk = gi < nGt ? blockKey(annCat, annImg, <u32>ld(gtList, gi), useCats) : u64.MAX_VALUE;
    const dk = di < nE ? blockKey(resCat, resImg, <u32>ld(perm, di), useCats) : u64.MAX_VALUE;
    const key = gk < dk ? gk : dk;
    const g0 = gi;
    while (gi < nGt && blockKey(annCat, annImg, <u32>ld(gtList, gi), useCats) == key) gi++;
    const d0 = di;
    while (di < nE && blockKey(resCat, resImg, <u32>ld(perm, di), useCats) == key) di++;
    st(blockGt, nB, <i32>g0);
    st(blockDt, nB, <i32>nDt);
    const D = min(di - d0, maxDet);
    for (let j: u32 = 0; j < di - d0; j++) {
      const r = <u32>ld(perm, d0 + j);
      if (j < D) {
        st(dtList, nDt, <i32>r);
        st(dtRank, nDt, <i32>j);
        st(perm2, r, <i32>nDt);
        nDt++;
      } else st(perm2, r, -1);
    }
    if (gi - g0 > maxG) maxG = gi - g0;
    if (D > maxD) maxD = D;
    if (useCats) {
      st(blockK, nB, <i32>(key >> 32));
      st(blockImg, nB, <i32>(<u32>key));
    } else {
      st(blockK, nB, 0);
      st(blockImg, nB, <i32>(<u32>key));
    }
    nB++;
  }
  st(blockGt, nB, <i32>nGt);
  st(blockDt, nB, <i32>nDt);

  // ---- accumulate order: per K index, the kept detections by score (stable: ties in entry order,
  // which is image order, then rank). Index k's entries are one run, kStart[k] .. kStart[k + 1]
  memory.fill(kStart, 0, <usize>(K + 1) << 2);
  memory.fill(kEval, 0, <usize>K);
  for (let b: u32 = 0; b < nB; b++) store<u8>(kEval + <usize>ld(blockK, b), 1);
  for (let b: u32 = 0; b < nB; b++) {
    const q = kStart + (<usize>(ld(blockK, b) + 1) << 2);
    store<i32>(q, load<i32>(q) + ld(blockDt, b + 1) - ld(blockDt, b));
  }
  for (let k: u32 = 0; k < K; k++) st(kStart, k + 1, ld(kStart, k + 1) + ld(kStart, k));
  for (let k: u32 = 0; k < K; k++) {
    const lo = <u32>ld(kStart, k);
    const n = <u32>ld(kStart, k + 1) - lo;
    if (n == 0) continue;
    for (let j: u32 = 0; j < n; j++) store<f64>(keys + (<usize>j << 3), load<f64>(score + (<usize>ld(dtList, lo + j) << 3)));
    sortScores(keys, n, perm, keys, keys2, perm2);
    for (let i: u32 = 0; i < n; i++) st(acc, lo + i, <i32>(lo + <u32>ld(perm, i)));
  }

  store<u32>(ctx + (<usize>P_OUT_NGT << 2), nGt);
  store<u32>(ctx + (<usize>P_OUT_NBLOCKS << 2), nB);
  store<u32>(ctx + (<usize>P_OUT_NDT << 2), nDt);
  store<u32>(ctx + (<usize>P_OUT_MAXG << 2), maxG);
  store<u32>(ctx + (<usize>P_OUT_MAXD << 2), maxD);
  return nB;
}
