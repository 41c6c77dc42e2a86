// pycocotools' accumulate() kernel, over raw pointers: precision / recall / scores from the tp / ign
// bits cocoMatch wrote (assembly/match.ts), for a range of categories per call.

import { field, i32At, f64At } from "./context";
import {
  C_A, C_ACC, C_DT_LIST, C_DT_RANK, C_IGN, C_RES_SCORE, C_K_EVAL, C_K_LIST, C_K_START, C_M,
  C_MAXN, C_MAX_DETS, C_NOUT, C_NPIG, C_PRECISION, C_R,
  C_RANK, C_RECALL, C_REC_SORTED, C_REC_THRS, C_SCORE, C_SCORES,
  C_S_BITS, C_S_COUNT, C_S_EV_FP, C_S_EV_SCORE, C_S_FIRST, C_T, C_TP,
  C_W,
} from "./generated/contexts";

const EPS: f64 = 2.220446049250313e-16; // np.spacing(1)

/**
 * accumulate's inputs at accumulate positions i0..i1-1: RANK[i] = DT_RANK[ACC[i]] and SCORE[i] =
 * RES_SCORE[DT_LIST[ACC[i]]] (a category's positions and entries are one run: only the scores of the
 * results are read across the whole array).
 */
export function cocoAccumulateInputs(ctx: usize, i0: u32, i1: u32): void {
  const acc = field(ctx, C_ACC), dtRank = field(ctx, C_DT_RANK), dtList = field(ctx, C_DT_LIST);
  const resScore = field(ctx, C_RES_SCORE), rank = field(ctx, C_RANK), score = field(ctx, C_SCORE);
  for (let i = i0; i < i1; i++) {
    const j = <u32>i32At(acc, i);
    store<i32>(rank + (<usize>i << 2), i32At(dtRank, j));
    store<f64>(score + (<usize>i << 3), f64At(resScore, <u32>i32At(dtList, j)));
  }
}

/**
 * pycocotools' accumulate() for the categories at positions q0..q1-1 of the list C_K_LIST:
 * precision, recall and scores, written into cells (t, r, q - q0, a, m) of arrays (of this call's
 * categories alone) the host filled with -1; no scores when C_SCORES is 0. Only the true positives shape the curve: recall rises at
 * each, precision is non-increasing between them, and searchsorted over recall lands on the first
 * index of each recall value (index 0 for recall thresholds <= rc[0]).
 */
export function cocoAccumulate(ctx: usize, q0: u32, q1: u32): void {
  const T = <u32>field(ctx, C_T), R = <u32>field(ctx, C_R), kList = field(ctx, C_K_LIST);
  const K = q1 - q0; // the output arrays' K extent
  const A = <u32>field(ctx, C_A), M = <u32>field(ctx, C_M), W = <u32>field(ctx, C_W);
  const recThrs = field(ctx, C_REC_THRS), maxDets = field(ctx, C_MAX_DETS);
  const kStart = field(ctx, C_K_START), kEval = field(ctx, C_K_EVAL), npigs = field(ctx, C_NPIG);
  const rank = field(ctx, C_RANK), score = field(ctx, C_SCORE), acc = field(ctx, C_ACC);
  const bitsTp = field(ctx, C_TP), bitsIgn = field(ctx, C_IGN), nOut = <u32>field(ctx, C_NOUT);
  const precision = field(ctx, C_PRECISION), recall = field(ctx, C_RECALL), scores = field(ctx, C_SCORES);
  const counts = field(ctx, C_S_COUNT), evFp = field(ctx, C_S_EV_FP), evScore = field(ctx, C_S_EV_SCORE);
  const first = field(ctx, C_S_FIRST), sBits = field(ctx, C_S_BITS);
  const cap = <u32>field(ctx, C_MAXN) + 1;
  const recSorted = field(ctx, C_REC_SORTED) != 0;
  const stride = K * A * M; // r step in precision / scores
  const lastMask: u32 = (T & 31) == 0 ? 0xffffffff : (<u32>1 << (T & 31)) - 1;

  for (let q = q0; q < q1; q++) {
    const k = <u32>i32At(kList, q);
    const slot = q - q0;
    if (load<u8>(kEval + k) == 0) continue;
    const lo = <u32>i32At(kStart, k), hi = <u32>i32At(kStart, k + 1);
    for (let a: u32 = 0; a < A; a++) {
      const npig = i32At(npigs, k * A + a);
      if (npig == 0) continue;
      const fnpig = <f64>npig;
      // the range's words in position order (the bits are by detection entry): read across the
      // category's entries once here, then in order by each maxDets pass
      {
        const tpA = bitsTp + (<usize>(a * nOut * W) << 2);
        const igA = bitsIgn + (<usize>(a * nOut * W) << 2);
        for (let i = lo; i < hi; i++) {
          const e = <usize>(<u32>i32At(acc, i) * W) << 2;
          const o = sBits + (<usize>((i - lo) * 2 * W) << 2);
          for (let w: u32 = 0; w < W; w++) {
            store<u32>(o + (<usize>w << 2), load<u32>(tpA + e + (<usize>w << 2)));
            store<u32>(o + (<usize>(W + w) << 2), load<u32>(igA + e + (<usize>w << 2)));
          }
        }
      }
      const tpBase = sBits;
      const igBase = sBits + (<usize>W << 2);
      for (let mi: u32 = 0; mi < M; mi++) {
        const maxDet = i32At(maxDets, mi);
        memory.fill(counts, 0, <usize>(8 * T));
        let allFp: i32 = 0; // detections that are false positives at every threshold (counted once)
        let nd: u32 = 0;
        let firstScore: f64 = 0;
        for (let i = lo; i < hi; i++) {
          if (i32At(rank, i) >= maxDet) continue;
          const s = f64At(score, i);
          const wp = <usize>((i - lo) * 2 * W) << 2;
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
          const cell = (slot * A + a) * M + mi;
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
                if (scores != 0) store<f64>(scores + o, 0);
              }
              break;
            }
            const o = (pbase + <usize>(r * stride)) << 3;
            store<f64>(precision + o, pr);
            if (scores != 0) store<f64>(scores + o, sc);
          }
        }
      }
    }
  }
}
