// pycocotools COCOeval.accumulate(): per (category, area range, maxDets) the detections of all images are
// merged by score (stable: image order, then score order within the image), and precision is sampled at
// the recall thresholds after making it non-increasing.
import { EPS } from "./numeric.js";
import type { Accumulated, CocoMatches } from "./types.js";
import type { CocoParams } from "./params.js";


/** np.searchsorted(a[0:n], v, side='left') on a non-decreasing array. */
function searchLeft(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The blocks of each category: kStart[k] .. kStart[k + 1] (blocks are category-major; one range when useCats is false). */
export function categoryBlocks(m: Pick<CocoMatches, "blockCount" | "blockCategory">, K: number, useCats: boolean): Int32Array {
  const kStart = new Int32Array(K + 1);
  let b = 0;
  for (let k = 0; k < K; k++) {
    kStart[k] = b;
    while (b < m.blockCount && (useCats ? m.blockCategory[b] === k : true)) b++;
  }
  kStart[K] = b;
  return kStart;
}

/** Each detection's rank within its block (blocks hold their detections by score, cut to maxDets[-1]). */
export function blockRanks(m: Pick<CocoMatches, "blockCount" | "blockDtStart" | "dt">): Int32Array {
  const rank = new Int32Array(m.dt.length);
  for (let b = 0; b < m.blockCount; b++) for (let j = m.blockDtStart[b]!; j < m.blockDtStart[b + 1]!; j++) rank[j] = j - m.blockDtStart[b]!;
  return rank;
}

/** Positions lo..hi-1 in accumulate's order: by score descending, stable (np.argsort(-s, kind="mergesort"), NaN last). */
export function scoreOrder(lo: number, hi: number, scoreAt: (j: number) => number): number[] {
  const positions: number[] = [];
  for (let j = lo; j < hi; j++) positions.push(j);
  return positions.sort((x, y) => {
    const sx = scoreAt(x);
    const sy = scoreAt(y);
    if (sx > sy) return -1;
    if (sx < sy) return 1;
    if (sx === sy) return x - y;
    const nx = Number.isNaN(sx);
    return nx === Number.isNaN(sy) ? x - y : nx ? 1 : -1;
  });
}

/** What accumulate() reads of a matching: CocoMatches, or a merge of partial states (state.ts). */
export type AccumulateInput = Pick<CocoMatches, "blockCount" | "blockCategory" | "blockDtStart" | "blockGtStart" | "dt" | "gt" | "dtMatch" | "dtIgnore" | "gtIgnore">;

export function accumulate(m: AccumulateInput, p: CocoParams, score: Float64Array, idIsZero: Uint8Array): Accumulated {
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const K = p.useCats ? p.catIds.length : 1;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const nDt = m.dt.length;
  const nGt = m.gt.length;

  const kStart = categoryBlocks(m, K, p.useCats);
  // stored: the K indices with a counted label in some area range (evalImgs and npig > 0; the others
  // stay -1 throughout: types.ts Accumulated)
  const stored: number[] = [];
  for (let k = 0; k < K; k++) {
    let counted = false;
    for (let g = m.blockGtStart[kStart[k]!]!; g < m.blockGtStart[kStart[k + 1]!]! && !counted; g++) {
      for (let a = 0; a < A; a++) {
        if (!m.gtIgnore[a * nGt + g]) {
          counted = true;
          break;
        }
      }
    }
    if (counted) stored.push(k);
  }
  const kIndex = Int32Array.from(stored);
  const Kc = kIndex.length;
  const precision = new Float64Array(T * R * Kc * A * M).fill(-1);
  const recall = new Float64Array(T * Kc * A * M).fill(-1);
  const scores = new Float64Array(T * R * Kc * A * M).fill(-1);
  const rank = blockRanks(m);
  const dtScore = new Float64Array(nDt);
  for (let j = 0; j < nDt; j++) dtScore[j] = score[m.dt[j]!]!;

  let maxN = 0;
  for (let k = 0; k < K; k++) maxN = Math.max(maxN, m.blockDtStart[kStart[k + 1]!]! - m.blockDtStart[kStart[k]!]!);
  const rc = new Float64Array(maxN);
  const pr = new Float64Array(maxN);
  const order = new Int32Array(maxN); // positions sorted by score
  const sortedScore = new Float64Array(maxN);
  const status = new Uint8Array(maxN); // per sorted detection at one (a, t): 0 ignored, 1 tp, 2 fp
  const selBuf = new Int32Array(maxN * M);
  const selLen = new Int32Array(M);
  const selScore = new Float64Array(maxN * M);
  const stride = Kc * A * M;

  for (let c = 0; c < Kc; c++) {
    const k = kIndex[c]!;
    const b0 = kStart[k]!;
    const b1 = kStart[k + 1]!;
    const lo = m.blockDtStart[b0]!;
    const hi = m.blockDtStart[b1]!;
    const glo = m.blockGtStart[b0]!;
    const ghi = m.blockGtStart[b1]!;
    const n = hi - lo;
    // concatenation order is position order
    const positions = scoreOrder(lo, hi, (j) => dtScore[j]!);
    for (let i = 0; i < n; i++) {
      const j = positions[i]!;
      order[i] = j;
      sortedScore[i] = dtScore[j]!;
    }
    // per maxDets: the sorted indices of each image's first maxDet detections
    for (let mi = 0; mi < M; mi++) {
      const maxDet = p.maxDets[mi]!;
      let nd = 0;
      const off = mi * maxN;
      for (let i = 0; i < n; i++) {
        if (rank[order[i]!]! < maxDet) {
          selBuf[off + nd] = i;
          selScore[off + nd++] = sortedScore[i]!;
        }
      }
      selLen[mi] = nd;
    }
    for (let a = 0; a < A; a++) {
      let npig = 0;
      for (let g = glo; g < ghi; g++) if (!m.gtIgnore[a * nGt + g]) npig++;
      if (npig === 0) continue;
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * nDt;
        for (let i = 0; i < n; i++) {
          const j = base + order[i]!;
          if (m.dtIgnore[j]) status[i] = 0;
          else {
            const mt = m.dtMatch[j]!;
            status[i] = mt >= 0 && !idIsZero[mt] ? 1 : 2;
          }
        }
        for (let mi = 0; mi < M; mi++) {
          const nd = selLen[mi]!;
          const off = mi * maxN;
          let tp = 0;
          let fp = 0;
          for (let i = 0; i < nd; i++) {
            const st = status[selBuf[off + i]!]!;
            if (st === 1) tp++;
            else if (st === 2) fp++;
            rc[i] = tp / npig;
            pr[i] = tp / (fp + tp + EPS);
          }
          recall[((t * Kc + c) * A + a) * M + mi] = nd ? rc[nd - 1]! : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          const pbase = t * R * stride + (c * A + a) * M + mi;
          for (let r = 0; r < R; r++) {
            const pi = searchLeft(rc, nd, p.recThrs[r]!);
            if (pi >= nd) {
              // pycocotools: the IndexError ends the loop; the rest stay 0
              for (let r2 = r; r2 < R; r2++) {
                precision[pbase + r2 * stride] = 0;
                scores[pbase + r2 * stride] = 0;
              }
              break;
            }
            precision[pbase + r * stride] = pr[pi]!;
            scores[pbase + r * stride] = selScore[off + pi]!;
          }
        }
      }
    }
  }
  return {
    precisionShape: [T, R, K, A, M],
    recallShape: [T, K, A, M],
    kIndex,
    precision,
    recall,
    scores,
  };
}
