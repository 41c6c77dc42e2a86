// COCO evaluate() and accumulate() kernels (pycocotools' greedy matching and precision sampling),
// over raw pointers. The host (bindings/coco/kernels.ts) lays out one batch in linear memory, writes a
// context block of u32 fields (pointers, sizes) and calls the kernels on ranges of blocks or
// categories, so that each call takes a few milliseconds (V8 never swaps a running wasm call to its
// optimised code). The field numbers below are mirrored in bindings/coco/kernels.ts.
//
// Matching writes, per (area range a, detection), bit t of tp / ign words: detection matched to a
// regular label at IoU threshold t (true positive), or ignored (matched to an ignored label, or
// unmatched and outside the area range); neither = false positive. Bits go to the detection's
// position in accumulate order (out[(a * nOut + pos) * W + w], W = ceil(T / 32)).

import { boxIouOne, describeMask, maskIouRows } from "./iou";
import { rleFrPoly } from "./raster";
import { mergeTwo, rleFromString } from "./rle";

// ---- shared helpers ----------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function field(ctx: usize, i: u32): usize {
  return <usize>load<u32>(ctx + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function i32At(p: usize, i: u32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function f64At(p: usize, i: u32): f64 {
  return load<f64>(p + (<usize>i << 3));
}


// ---- stable descending sort of f64 scores ------------------------------------------------------

const RADIX_BITS: u32 = 11;
const RADIX: u32 = 1 << RADIX_BITS;
const PASSES: u32 = 6; // 66 bits >= 64
const hist = memory.data(<i32>(PASSES * RADIX * 4), 16);

/**
 * Stable sort of n f64 scores, descending, NaN last, -0 equal to 0 (numpy's argsort(-s, 'mergesort')).
 * Writes the permutation to perm (n i32: perm[j] = index of the j-th largest). keys/keys2: room for
 * n u64 each; perm2: room for n i32.
 */
export function sortDescending(scores: usize, n: u32, perm: usize, keys: usize, keys2: usize, perm2: usize): void {
  memory.fill(hist, 0, PASSES * RADIX * 4);
  for (let i: u32 = 0; i < n; i++) {
    const s = load<f64>(scores + (<usize>i << 3));
    let k: u64;
    if (s != s) k = u64.MAX_VALUE;
    else {
      const b = s == 0 ? <u64>0 : reinterpret<u64>(s);
      const asc = (b >> 63) != 0 ? ~b : b | (<u64>1 << 63);
      k = ~asc;
    }
    store<u64>(keys + (<usize>i << 3), k);
    store<i32>(perm + (<usize>i << 2), <i32>i);
    for (let p: u32 = 0; p < PASSES; p++) {
      const q = hist + ((<usize>(p * RADIX) + <usize>((k >> (<u64>(p * RADIX_BITS))) & <u64>(RADIX - 1))) << 2);
      store<u32>(q, load<u32>(q) + 1);
    }
  }
  let ks = keys, kd = keys2, ps = perm, pd = perm2;
  for (let p: u32 = 0; p < PASSES; p++) {
    const h = hist + (<usize>(p * RADIX) << 2);
    // a pass where every key has the same digit changes nothing
    let skip = false;
    let sum: u32 = 0;
    for (let b: u32 = 0; b < RADIX; b++) {
      const q = h + (<usize>b << 2);
      const c = load<u32>(q);
      if (c == n) skip = true;
      store<u32>(q, sum);
      sum += c;
    }
    if (skip) continue;
    const shift = <u64>(p * RADIX_BITS);
    for (let i: u32 = 0; i < n; i++) {
      const k = load<u64>(ks + (<usize>i << 3));
      const q = h + (<usize>((k >> shift) & <u64>(RADIX - 1)) << 2);
      const at = load<u32>(q);
      store<u32>(q, at + 1);
      store<u64>(kd + (<usize>at << 3), k);
      store<i32>(pd + (<usize>at << 2), load<i32>(ps + (<usize>i << 2)));
    }
    let t = ks; ks = kd; kd = t;
    t = ps; ps = pd; pd = t;
  }
  if (ps != perm) memory.copy(perm, ps, <usize>n << 2);
}

// ---- matching ----------------------------------------------------------------------------------

// Context fields of cocoMatch (u32 each).
const M_MODE: u32 = 0; // 0: box IoU computed here, 1: IoU given (M_IOU at M_BLOCK_IOU), 2: no IoU (nothing matches)
const M_T: u32 = 1;
const M_A: u32 = 2;
const M_W: u32 = 3;
const M_THR: u32 = 4; // f64[T], already min(t, 1 - 1e-10)
const M_AREA: u32 = 5; // f64[2A] (lo, hi)
const M_BLOCK_GT: u32 = 6; // i32[nBlocks + 1]: block b's labels are gtList[BLOCK_GT[b] .. BLOCK_GT[b+1])
const M_BLOCK_DT: u32 = 7; // i32[nBlocks + 1]
const M_BLOCK_IOU: u32 = 8; // i32[nBlocks + 1]: f64 index of block b's IoU matrix (d * G + g) in M_IOU
const M_IOU: u32 = 9;
const M_GT_LIST: u32 = 10; // i32[nGt]: annotation index of each label
const M_DT_LIST: u32 = 11; // i32[nDt]: result index of each detection
const M_GT_BOX: u32 = 12; // f64[4 * annotations]
const M_GT_AREA: u32 = 13; // f64[annotations]
const M_GT_CROWD: u32 = 14; // u8[annotations]
const M_GT_BASE_IGNORE: u32 = 15; // u8[annotations]
const M_GT_ID_ZERO: u32 = 16; // u8[annotations]
const M_DT_BOX: u32 = 17; // f64[4 * results]
const M_DT_AREA: u32 = 18; // f64[results]
const M_DT_POS: u32 = 19; // i32[nDt]: output position of each detection
const M_OUT_TP: u32 = 20; // u32[A * nOut * W]
const M_OUT_IGN: u32 = 21;
const M_NOUT: u32 = 22;
const M_S_IOU: u32 = 23; // f64[maxD * maxG]
const M_S_ROWMAX: u32 = 24; // f64[maxD]
const M_S_GTIG: u32 = 25; // u8[A * maxG]
const M_S_ORDER: u32 = 26; // i32[maxG]
const M_S_GTM: u32 = 27; // i32[maxG]
const M_S_MATCH: u32 = 28; // i32[A * T * maxD]
const M_S_REP: u32 = 29; // i32[A]
const M_S_DTOUT: u32 = 30; // u8[A * maxD]
const M_S_ANY: u32 = 31; // u8[A * maxD]: 1 when the detection matched at some threshold (per representative range)
// mode 3 (mask IoU computed here, from masks built by buildMasks and described by rlePrepare)
const M_CNTS: u32 = 32; // u32 counts pool
const M_MTAB: u32 = 33; // 8 u32 per mask (assembly/iou.ts table entries)
const M_MBOX: u32 = 34; // 4 f64 per mask
const M_DT_MASK: u32 = 35; // i32[nDt]: mask of each detection entry
const M_GT_MASK: u32 = 36; // i32[nGt]: mask of each label entry
const M_S_TAB: u32 = 37; // 8 u32 * (maxD + maxG)
const M_S_BOX: u32 = 38; // 4 f64 * (maxD + maxG)
const M_S_CROWD: u32 = 39; // u8[maxG]

/**
 * pycocotools' evaluateImg for blocks b0..b1-1, every area range and IoU threshold. Returns how many
 * (area, threshold, detection) matches went to a label with id 0 (pycocotools counts them as false
 * positives; the host warns).
 */
export function cocoMatch(ctx: usize, b0: u32, b1: u32): u32 {
  const mode = field(ctx, M_MODE);
  const T = <u32>field(ctx, M_T), A = <u32>field(ctx, M_A), W = <u32>field(ctx, M_W);
  const thr = field(ctx, M_THR), area = field(ctx, M_AREA);
  const blockGt = field(ctx, M_BLOCK_GT), blockDt = field(ctx, M_BLOCK_DT), blockIou = field(ctx, M_BLOCK_IOU);
  const iouAll = field(ctx, M_IOU);
  const gtList = field(ctx, M_GT_LIST), dtList = field(ctx, M_DT_LIST);
  const gtBox = field(ctx, M_GT_BOX), gtArea = field(ctx, M_GT_AREA), gtCrowd = field(ctx, M_GT_CROWD);
  const gtBase = field(ctx, M_GT_BASE_IGNORE), gtZero = field(ctx, M_GT_ID_ZERO);
  const dtBox = field(ctx, M_DT_BOX), dtArea = field(ctx, M_DT_AREA), dtPos = field(ctx, M_DT_POS);
  const outTp = field(ctx, M_OUT_TP), outIgn = field(ctx, M_OUT_IGN), nOut = <u32>field(ctx, M_NOUT);
  const sIou = field(ctx, M_S_IOU), rowMax = field(ctx, M_S_ROWMAX), gtIg = field(ctx, M_S_GTIG);
  const order = field(ctx, M_S_ORDER), gtm = field(ctx, M_S_GTM), match = field(ctx, M_S_MATCH);
  const rep = field(ctx, M_S_REP), dtOut = field(ctx, M_S_DTOUT), anyMatch = field(ctx, M_S_ANY);
  const lastMask: u32 = (T & 31) == 0 ? 0xffffffff : (<u32>1 << (T & 31)) - 1;
  let zeroMatches: u32 = 0;

  for (let b = b0; b < b1; b++) {
    const g0 = <u32>i32At(blockGt, b), G = <u32>i32At(blockGt, b + 1) - g0;
    const d0 = <u32>i32At(blockDt, b), D = <u32>i32At(blockDt, b + 1) - d0;
    if (D == 0) continue;
    const haveIou = G > 0 && mode != 2;
    let iou: usize = sIou;
    if (haveIou) {
      if (mode == 3) {
        // this block's masks side by side (detections, then labels), then rleIou rows
        const cnts = field(ctx, M_CNTS), mtab = field(ctx, M_MTAB), mbox = field(ctx, M_MBOX);
        const dtMask = field(ctx, M_DT_MASK), gtMask = field(ctx, M_GT_MASK);
        const sTab = field(ctx, M_S_TAB), sBox = field(ctx, M_S_BOX), sCrowd = field(ctx, M_S_CROWD);
        for (let d: u32 = 0; d < D; d++) {
          const mk = <usize>i32At(dtMask, d0 + d);
          memory.copy(sTab + (<usize>d << 5), mtab + (mk << 5), 32);
          memory.copy(sBox + (<usize>d << 5), mbox + (mk << 5), 32);
        }
        for (let g: u32 = 0; g < G; g++) {
          const mk = <usize>i32At(gtMask, g0 + g);
          memory.copy(sTab + (<usize>(D + g) << 5), mtab + (mk << 5), 32);
          memory.copy(sBox + (<usize>(D + g) << 5), mbox + (mk << 5), 32);
          store<u8>(sCrowd + g, load<u8>(gtCrowd + <u32>i32At(gtList, g0 + g)));
        }
        maskIouRows(cnts, sTab, sBox, 0, D, D, G, sCrowd, sIou);
      } else if (mode == 0) {
        for (let d: u32 = 0; d < D; d++) {
          const Dp = dtBox + (<usize>i32At(dtList, d0 + d) << 5);
          const row = sIou + (<usize>(d * G) << 3);
          for (let g: u32 = 0; g < G; g++) {
            const a = <u32>i32At(gtList, g0 + g);
            store<f64>(row + (<usize>g << 3), boxIouOne(Dp, gtBox + (<usize>a << 5), load<u8>(gtCrowd + a) != 0));
          }
        }
      } else {
        iou = iouAll + (<usize>i32At(blockIou, b) << 3);
      }
      // the largest IoU of each detection (NaN reads as +inf: it can match, as in pycocotools)
      for (let d: u32 = 0; d < D; d++) {
        const row = iou + (<usize>(d * G) << 3);
        let mx: f64 = -Infinity;
        for (let g: u32 = 0; g < G; g++) {
          const v = load<f64>(row + (<usize>g << 3));
          if (v != v) { mx = Infinity; break; }
          if (v > mx) mx = v;
        }
        store<f64>(rowMax + (<usize>d << 3), mx);
      }
    }
    for (let a: u32 = 0; a < A; a++) {
      const lo = f64At(area, 2 * a), hi = f64At(area, 2 * a + 1);
      const ig = gtIg + <usize>(a * G);
      for (let j: u32 = 0; j < G; j++) {
        const ann = <u32>i32At(gtList, g0 + j);
        const ar = f64At(gtArea, ann);
        store<u8>(ig + j, load<u8>(gtBase + ann) != 0 || ar < lo || ar > hi ? 1 : 0);
      }
      for (let d: u32 = 0; d < D; d++) {
        const ar = f64At(dtArea, <u32>i32At(dtList, d0 + d));
        store<u8>(dtOut + <usize>(a * D + d), ar < lo || ar > hi ? 1 : 0);
      }
      // an area range whose ignore flags equal an earlier range's matches the same way
      let r: u32 = a;
      for (let a2: u32 = 0; a2 < a; a2++) {
        if (<u32>i32At(rep, a2) != a2) continue;
        if (memory.compare(gtIg + <usize>(a2 * G), ig, G) == 0) { r = a2; break; }
      }
      store<i32>(rep + (<usize>a << 2), <i32>r);
      if (r == a && haveIou) {
        // ignored labels last (stable)
        let nReg: u32 = 0;
        for (let j: u32 = 0; j < G; j++) if (load<u8>(ig + j) == 0) nReg++;
        let r0: u32 = 0, r1 = nReg;
        for (let j: u32 = 0; j < G; j++) {
          if (load<u8>(ig + j) != 0) { store<i32>(order + (<usize>r1 << 2), <i32>j); r1++; }
          else { store<i32>(order + (<usize>r0 << 2), <i32>j); r0++; }
        }
        memory.fill(anyMatch + <usize>(a * D), 0, D);
        for (let t: u32 = 0; t < T; t++) {
          const th = f64At(thr, t);
          const mrow = match + (<usize>((a * T + t) * D) << 2);
          for (let j: u32 = 0; j < G; j++) store<i32>(gtm + (<usize>j << 2), -1);
          for (let d: u32 = 0; d < D; d++) {
            let m: i32 = -1;
            if (!(f64At(rowMax, d) < th)) {
              let best = th;
              const row = iou + (<usize>(d * G) << 3);
              for (let q: u32 = 0; q < G; q++) {
                const g = <u32>i32At(order, q);
                if (i32At(gtm, g) >= 0 && load<u8>(gtCrowd + <u32>i32At(gtList, g0 + g)) == 0) continue;
                if (m > -1 && load<u8>(ig + <u32>m) == 0 && load<u8>(ig + g) != 0) break;
                const v = load<f64>(row + (<usize>g << 3));
                if (v < best) continue;
                best = v;
                m = <i32>g;
              }
              if (m >= 0) {
                store<i32>(gtm + (<usize>m << 2), <i32>d);
                store<u8>(anyMatch + <usize>(a * D + d), 1);
              }
            }
            store<i32>(mrow + (<usize>d << 2), m);
          }
        }
      }
    }
    // bits per (a, detection)
    for (let a: u32 = 0; a < A; a++) {
      const r = <u32>i32At(rep, a);
      const ig = gtIg + <usize>(a * G);
      for (let d: u32 = 0; d < D; d++) {
        const out = <usize>((a * nOut + <u32>i32At(dtPos, d0 + d)) * W) << 2;
        const outside = load<u8>(dtOut + <usize>(a * D + d)) != 0;
        if (!haveIou || load<u8>(anyMatch + <usize>(r * D + d)) == 0) {
          // unmatched at every threshold: ignored where outside the area range, else a false positive
          for (let w: u32 = 0; w < W; w++) {
            const o = out + (<usize>w << 2);
            store<u32>(outTp + o, 0);
            store<u32>(outIgn + o, outside ? (w == W - 1 ? lastMask : 0xffffffff) : 0);
          }
          continue;
        }
        let tpw: u32 = 0, igw: u32 = 0;
        for (let t: u32 = 0; t < T; t++) {
          const m = haveIou ? i32At(match, (r * T + t) * D + d) : -1;
          let ign = false, tp = false;
          if (m >= 0) {
            const zero = load<u8>(gtZero + <u32>i32At(gtList, g0 + <u32>m)) != 0;
            if (zero) zeroMatches++;
            ign = load<u8>(ig + <u32>m) != 0 || (zero && outside);
            tp = !ign && !zero;
          } else ign = outside;
          const bit: u32 = 1 << (t & 31);
          if (tp) tpw |= bit;
          if (ign) igw |= bit;
          if ((t & 31) == 31 || t == T - 1) {
            const o = out + (<usize>(t >> 5) << 2);
            store<u32>(outTp + o, tpw);
            store<u32>(outIgn + o, igw);
            tpw = 0;
            igw = 0;
          }
        }
      }
    }
  }
  return zeroMatches;
}

// ---- accumulate --------------------------------------------------------------------------------

// Context fields of cocoAccumulate (u32 each).
const C_T: u32 = 0;
const C_R: u32 = 1;
const C_K: u32 = 2;
const C_A: u32 = 3;
const C_M: u32 = 4;
const C_W: u32 = 5;
const C_REC_THRS: u32 = 6; // f64[R]
const C_MAX_DETS: u32 = 7; // i32[M]
const C_K_START: u32 = 8; // i32[K + 1]: category k's detections are positions kStart[k] .. kStart[k+1)
const C_K_EVAL: u32 = 9; // u8[K]: 1 when the category has evaluated blocks (else its cells stay -1)
const C_NPIG: u32 = 10; // i32[K * A]: non-ignored labels
const C_RANK: u32 = 11; // i32[nOut]: rank of the detection in its block (score order)
const C_SCORE: u32 = 12; // f64[nOut]
const C_TP: u32 = 13; // u32[A * nOut * W] (cocoMatch's output)
const C_IGN: u32 = 14;
const C_NOUT: u32 = 15;
const C_PRECISION: u32 = 16; // f64[T * R * K * A * M]
const C_RECALL: u32 = 17; // f64[T * K * A * M]
const C_SCORES: u32 = 18; // f64[T * R * K * A * M]
const C_S_COUNT: u32 = 19; // i32[2 * T]: tp and fp counts
const C_S_EV_FP: u32 = 20; // f64[T * (maxN + 1)]: fp count, then precision, at the v-th true positive
const C_S_EV_SCORE: u32 = 21; // f64[T * (maxN + 1)]
const C_S_FIRST: u32 = 22; // u32[W]: tp bits of the first selected detection
const C_MAXN: u32 = 23;
const C_REC_SORTED: u32 = 24; // 1 when recThrs is non-decreasing (a merge walk replaces the binary searches)

const EPS: f64 = 2.220446049250313e-16; // np.spacing(1)

/**
 * pycocotools' accumulate() for categories k0..k1-1: precision, recall and scores, written into
 * cells (t, r, k, a, m) of arrays the host filled with -1. Only the true positives shape the curve:
 * recall rises at each, precision is non-increasing between them, and searchsorted over recall
 * lands on the first index of each recall value (index 0 for recall thresholds <= rc[0]).
 */
export function cocoAccumulate(ctx: usize, k0: u32, k1: u32): void {
  const T = <u32>field(ctx, C_T), R = <u32>field(ctx, C_R), K = <u32>field(ctx, C_K);
  const A = <u32>field(ctx, C_A), M = <u32>field(ctx, C_M), W = <u32>field(ctx, C_W);
  const recThrs = field(ctx, C_REC_THRS), maxDets = field(ctx, C_MAX_DETS);
  const kStart = field(ctx, C_K_START), kEval = field(ctx, C_K_EVAL), npigs = field(ctx, C_NPIG);
  const rank = field(ctx, C_RANK), score = field(ctx, C_SCORE);
  const bitsTp = field(ctx, C_TP), bitsIgn = field(ctx, C_IGN), nOut = <u32>field(ctx, C_NOUT);
  const precision = field(ctx, C_PRECISION), recall = field(ctx, C_RECALL), scores = field(ctx, C_SCORES);
  const counts = field(ctx, C_S_COUNT), evFp = field(ctx, C_S_EV_FP), evScore = field(ctx, C_S_EV_SCORE);
  const first = field(ctx, C_S_FIRST);
  const cap = <u32>field(ctx, C_MAXN) + 1;
  const recSorted = field(ctx, C_REC_SORTED) != 0;
  const stride = K * A * M; // r step in precision / scores
  const lastMask: u32 = (T & 31) == 0 ? 0xffffffff : (<u32>1 << (T & 31)) - 1;

  for (let k = k0; k < k1; k++) {
    if (load<u8>(kEval + k) == 0) continue;
    const lo = <u32>i32At(kStart, k), hi = <u32>i32At(kStart, k + 1);
    for (let a: u32 = 0; a < A; a++) {
      const npig = i32At(npigs, k * A + a);
      if (npig == 0) continue;
      const fnpig = <f64>npig;
      const tpBase = bitsTp + (<usize>(a * nOut * W) << 2);
      const igBase = bitsIgn + (<usize>(a * nOut * W) << 2);
      for (let mi: u32 = 0; mi < M; mi++) {
        const maxDet = i32At(maxDets, mi);
        memory.fill(counts, 0, <usize>(8 * T));
        let allFp: i32 = 0; // detections that are false positives at every threshold (counted once)
        let nd: u32 = 0;
        let firstScore: f64 = 0;
        for (let i = lo; i < hi; i++) {
          if (i32At(rank, i) >= maxDet) continue;
          const s = f64At(score, i);
          const wp = <usize>(i * W) << 2;
          if (nd == 0) {
            firstScore = s;
            for (let w: u32 = 0; w < W; w++) store<u32>(first + (<usize>w << 2), load<u32>(tpBase + wp + (<usize>w << 2)));
          }
          nd++;
          for (let w: u32 = 0; w < W; w++) {
            const full = w == W - 1 ? lastMask : 0xffffffff;
            const tpw = load<u32>(tpBase + wp + (<usize>w << 2));
            const igw = load<u32>(igBase + wp + (<usize>w << 2));
            let fpw = ~(tpw | igw) & full;
            if (W == 1 && fpw == full) { allFp++; continue; }
            while (fpw != 0) {
              const t = (w << 5) + <u32>ctz(fpw);
              fpw &= fpw - 1;
              const q = counts + (<usize>(T + t) << 2);
              store<i32>(q, load<i32>(q) + 1);
            }
            let bits = tpw;
            while (bits != 0) {
              const t = (w << 5) + <u32>ctz(bits);
              bits &= bits - 1;
              const q = counts + (<usize>t << 2);
              const v = load<i32>(q) + 1;
              store<i32>(q, v);
              const e = <usize>(t * cap + <u32>v) << 3;
              store<f64>(evFp + e, <f64>(i32At(counts, T + t) + allFp));
              store<f64>(evScore + e, s);
            }
          }
        }
        for (let t: u32 = 0; t < T; t++) {
          const TP = i32At(counts, t);
          const cell = (k * A + a) * M + mi;
          store<f64>(recall + (<usize>(t * K * A * M + cell) << 3), nd > 0 ? <f64>TP / fnpig : 0);
          const ev = evFp + (<usize>(t * cap) << 3);
          const es = evScore + (<usize>(t * cap) << 3);
          // precision at each true positive, then non-increasing from the right
          let env: f64 = 0;
          for (let v = TP; v >= 1; v--) {
            const p = ev + (<usize>v << 3);
            let pr = <f64>v / (load<f64>(p) + <f64>v + EPS);
            if (v < TP && env > pr) pr = env;
            store<f64>(p, pr);
            env = pr;
          }
          const firstTp = (load<u32>(first + (<usize>(t >> 5) << 2)) >> (t & 31)) & 1;
          const rc0: f64 = firstTp != 0 ? 1.0 / fnpig : 0.0 / fnpig;
          const env0: f64 = TP > 0 ? load<f64>(ev + 8) : 0;
          const pbase = <usize>(t * R * stride + cell);
          let walk: i32 = 1; // recSorted: the smallest v with v / npig >= the previous threshold
          for (let r: u32 = 0; r < R; r++) {
            const rt = f64At(recThrs, r);
            let pr: f64 = 0, sc: f64 = 0;
            if (nd == 0) pr = -1;
            else if (rc0 >= rt) {
              pr = env0;
              sc = firstScore;
            } else {
              // the smallest v in [1, TP] with v / npig >= rt
              let l: i32;
              if (recSorted) {
                while (walk <= TP && <f64>walk / fnpig < rt) walk++;
                l = walk;
              } else {
                l = 1;
                let h: i32 = TP + 1;
                while (l < h) {
                  const mid = (l + h) >>> 1;
                  if (<f64>mid / fnpig < rt) l = mid + 1;
                  else h = mid;
                }
              }
              if (l > TP) pr = -1;
              else {
                pr = load<f64>(ev + (<usize>l << 3));
                sc = load<f64>(es + (<usize>l << 3));
              }
            }
            if (pr < 0) {
              // pycocotools: the IndexError ends the loop; the rest stay 0
              for (let r2 = r; r2 < R; r2++) {
                const o = (pbase + <usize>(r2 * stride)) << 3;
                store<f64>(precision + o, 0);
                store<f64>(scores + o, 0);
              }
              break;
            }
            const o = (pbase + <usize>(r * stride)) << 3;
            store<f64>(precision + o, pr);
            store<f64>(scores + o, sc);
          }
        }
      }
    }
  }
}

// ---- masks in bulk -----------------------------------------------------------------------------

// Jobs: 8 u32 each: [kind, a, b, h, w, 0, bound, cap]
//   STRING:   compressed RLE, bytes a .. a+b of `bytes`          (rleFrString)
//   POLYGONS: parts a .. a+b of `parts` (i32 pairs: f64 index into `coords`, number count), merged
//   COUNTS:   counts a .. a+b of `srcCounts` (uncompressed RLE, already validated)
//   BOX:      the box polygon of the f64 quad [x, y, w, h] at index a of `boxes` (loadRes' bbox polygon)
// maskBounds fills bound (room for the counts) and cap (the largest rleFrPoly bound of its parts)
// and returns the largest rleFrPoly scratch need; the host then allocates a pool of the bounds'
// sum and calls buildMasks, which writes the masks one after the other (mask j right after mask
// j-1) and each mask's table entry [offset, length, h, w, area, flags, 0, 0] (assembly/iou.ts
// layout, described by describeMask) and box.
const JOB_STRING: u32 = 1;
const JOB_POLYGONS: u32 = 2;
const JOB_COUNTS: u32 = 3;
const JOB_BOX: u32 = 4;

// Context fields of maskBounds / buildMasks (u32 each).
const B_JOBS: u32 = 0;
const B_BYTES: u32 = 1;
const B_COORDS: u32 = 2;
const B_PARTS: u32 = 3;
const B_SRC_COUNTS: u32 = 4;
const B_BOXES: u32 = 5;
const B_POOL: u32 = 6; // u32 counts out
const B_TABLE: u32 = 7; // 8 u32 per job out
const B_SCRATCH: u32 = 8; // u32 scratch (see maskBounds)
const B_ERR: u32 = 9; // 2 f64: rleFrString's error detail
const B_POLY: u32 = 10; // 16 f64: the box polygon of a BOX job
const B_MBOX: u32 = 11; // 4 f64 per job out: the masks' boxes

/** checkPolygon's bound (bindings/geometry/validate.ts) on kept positions of one part (+1), for an image of width w. */
function polygonCap(xy: usize, n: u32, w: u32): u32 {
  // integer sums of the grid points (C's (int)(5*v + .5), inside int32: checked by the host)
  const k = n >> 1;
  let points: i64 = 0;
  let bound: i64 = <i64>k + 1;
  let x0 = gridAt(xy, 0), y0 = gridAt(xy, 1);
  const xf = x0, yf = y0;
  for (let j: u32 = 0; j < k; j++) {
    const x1 = j + 1 < k ? gridAt(xy, 2 * j + 2) : xf;
    const y1 = j + 1 < k ? gridAt(xy, 2 * j + 3) : yf;
    const dx = abs(x1 - x0), dy = abs(y1 - y0);
    points += max(dx, dy) + 1;
    bound += min(dx, <i64>w);
    x0 = x1;
    y0 = y1;
  }
  return <u32>min(bound, points + 1);
}

// @ts-ignore: decorator
@inline function gridAt(xy: usize, i: u32): i64 {
  return <i64>(5.0 * load<f64>(xy + (<usize>i << 3)) + 0.5);
}

/** The box polygon [x1, y1, x1, y2, x2, y2, x2, y1] of job j's box into the context's polygon slot. */
function boxPolygon(ctx: usize, a: u32): usize {
  const bx = field(ctx, B_BOXES) + (<usize>a << 5);
  const p = field(ctx, B_POLY);
  const x1 = load<f64>(bx), y1 = load<f64>(bx, 8);
  const x2 = x1 + load<f64>(bx, 16), y2 = y1 + load<f64>(bx, 24);
  store<f64>(p, x1); store<f64>(p, y1, 8);
  store<f64>(p, x1, 16); store<f64>(p, y2, 24);
  store<f64>(p, x2, 32); store<f64>(p, y2, 40);
  store<f64>(p, x2, 48); store<f64>(p, y1, 56);
  return p;
}

/** Bounds of jobs j0..j1-1 (their `bound` and `cap` fields); returns the largest scratch need in u32 (parts, merges). */
export function maskBounds(ctx: usize, j0: u32, j1: u32): u32 {
  const jobs = field(ctx, B_JOBS), coords = field(ctx, B_COORDS), parts = field(ctx, B_PARTS);
  let need: u32 = 0;
  for (let j = j0; j < j1; j++) {
    const job = jobs + (<usize>j << 5);
    const kind = load<u32>(job), a = load<u32>(job, 4), b = load<u32>(job, 8), w = load<u32>(job, 16);
    let bound: u32 = 0;
    if (kind == JOB_STRING || kind == JOB_COUNTS) bound = b;
    else if (kind == JOB_POLYGONS || kind == JOB_BOX) {
      let capMax: u32 = 0;
      for (let q: u32 = 0; q < (kind == JOB_BOX ? 1 : b); q++) {
        let cap: u32;
        if (kind == JOB_BOX) cap = polygonCap(boxPolygon(ctx, a), 8, w);
        else {
          const pp = parts + (<usize>(a + q) << 3);
          cap = polygonCap(coords + (<usize>load<u32>(pp) << 3), load<u32>(pp, 4), w);
        }
        bound += cap;
        capMax = max(capMax, cap);
      }
      // one part's buffer, rleFrPoly's tmp (2 cap + w + 4), a merge output (the bound)
      need = max(need, capMax + 2 * capMax + w + 4 + (kind == JOB_POLYGONS && b > 1 ? bound : 0));
      // every part is rasterised with room for capMax (its own count stays within its own bound)
      store<u32>(job, capMax, 28);
    }
    store<u32>(job, bound, 24);
  }
  return need;
}

/**
 * Builds jobs j0..j1-1 into the pool, each right after the previous job's counts, and describes
 * them (describeMask). Returns -1, the index of a job whose string is malformed, or -2 - j when
 * job j overflowed its bound or its counts do not sum to h*w (a bug).
 */
export function buildMasks(ctx: usize, j0: u32, j1: u32): i32 {
  const jobs = field(ctx, B_JOBS), bytes = field(ctx, B_BYTES), coords = field(ctx, B_COORDS), parts = field(ctx, B_PARTS);
  const src = field(ctx, B_SRC_COUNTS), pool = field(ctx, B_POOL), table = field(ctx, B_TABLE);
  const scratch = field(ctx, B_SCRATCH), err = field(ctx, B_ERR), mbox = field(ctx, B_MBOX);
  let off: u32 = 0;
  if (j0 > 0) {
    const t = table + (<usize>(j0 - 1) << 5);
    off = load<u32>(t) + load<u32>(t, 4);
  }
  for (let j = j0; j < j1; j++) {
    const job = jobs + (<usize>j << 5);
    const kind = load<u32>(job), a = load<u32>(job, 4), b = load<u32>(job, 8);
    const h = load<u32>(job, 12), w = load<u32>(job, 16), cap = load<u32>(job, 28);
    const out = pool + (<usize>off << 2);
    let m: i32 = 0;
    if (kind == JOB_STRING) {
      m = rleFromString(bytes + <usize>a, b, <f64>h * <f64>w, out, err);
      if (m < 0) return <i32>j;
    } else if (kind == JOB_COUNTS) {
      memory.copy(out, src + (<usize>a << 2), <usize>b << 2);
      m = <i32>b;
    } else if (kind == JOB_BOX) {
      m = rleFrPoly(boxPolygon(ctx, a), 4, <i32>h, <i32>w, out, scratch, cap);
    } else if (kind == JOB_POLYGONS) {
      for (let q: u32 = 0; q < b; q++) {
        const pp = parts + (<usize>(a + q) << 3);
        const xy = coords + (<usize>load<u32>(pp) << 3);
        const n = load<u32>(pp, 4);
        if (q == 0) {
          m = rleFrPoly(xy, n >> 1, <i32>h, <i32>w, out, scratch, cap);
          if (m < 0) return -2 - <i32>j;
        } else {
          // the part into scratch, then union with what `out` holds (annToRLE merges the parts in order)
          const part = scratch;
          const tmp = scratch + (<usize>cap << 2);
          const mp = rleFrPoly(xy, n >> 1, <i32>h, <i32>w, part, tmp, cap);
          if (mp < 0) return -2 - <i32>j;
          const merged = tmp + (<usize>(2 * cap + w + 4) << 2);
          const mm = mergeTwo(out, <u32>m, part, <u32>mp, merged, false, h * w);
          memory.copy(out, merged, <usize>mm << 2);
          m = <i32>mm;
        }
      }
    }
    if (m < 0) return -2 - <i32>j; // (a bound too small: a bug)
    const t = table + (<usize>j << 5);
    store<u32>(t, off);
    store<u32>(t, <u32>m, 4);
    store<u32>(t, h, 8);
    store<u32>(t, w, 12);
    store<u32>(t, 0, 24);
    store<u32>(t, 0, 28);
    if (!describeMask(out, t, mbox + (<usize>j << 5))) return -2 - <i32>j;
    off += <u32>m;
  }
  return -1;
}
