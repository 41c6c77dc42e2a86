// Bootstrap intervals of the COCO stats: the images are resampled with replacement and pycocotools'
// accumulate() is re-run with image weights over the matching already done (evaluateImg's per-image
// results do not depend on the other images), then summarize(). With every weight 1 this is
// accumulate() exactly; with integer weights it equals accumulate() on the data set in which each image
// is copied as often as it was drawn (test/coco/bootstrap.test.ts builds that data set and checks).
// Per resample: one pass per (category, area range, maxDets, IoU threshold) that a stat reads, over
// the detections sorted once; no geometry, no matching, no sorting.
import { EPS, npSum } from "./numeric.js";
import { blockRanks, categoryBlocks, scoreOrder } from "./accumulate.js";
import type { Accumulated } from "./types.js";
import type { CocoEvaluation } from "./evaluate.js";
import { statPairs, summarize, statsLabels } from "./summarize.js";
import { drawWeights, interval, type Interval, rng } from "./resample.js";
import type { CocoDataset, CocoResults } from "./inputs.js";
import type { CocoId } from "./ids.js";

export interface CocoBootstrapOptions {
  /** number of resamples (default 1000) */
  resamples?: number;
  /** seed of the generator (default 0) */
  seed?: number;
  /** coverage of the intervals (default 0.95) */
  level?: number;
  /** keep every resample's stats in `samples` (default false) */
  keepSamples?: boolean;
}

export interface CocoBootstrap {
  readonly resamples: number;
  readonly seed: number;
  readonly level: number;
  /** one interval per stat, in pycocotools' order (estimate: the stat itself; -1 stats stay -1) */
  readonly stats: Interval[];
  readonly statsLabels: string[];
  /** per category: AP at IoU .50:.95 (area all, last maxDets), as perCategory() */
  readonly perCategory: { readonly categoryId: CocoId; readonly ap: Interval }[];
  /** [resample][stat] (with keepSamples) */
  readonly samples?: Float64Array[];
}

/**
 * One (category, area, maxDets) pass over the selected detections in score order: per detection its
 * image and, per IoU threshold, its status (status[i * T + t]: 0 ignored, 1 tp, 2 fp), so the weight
 * of a detection is read once for every threshold.
 */
interface Pass {
  k: number;
  /** k's stored position */
  c: number;
  a: number;
  m: number;
  status: Uint8Array;
  image: Int32Array;
  /** recall only (no precision sampling) */
  recallOnly: boolean;
}

function validate(o: CocoBootstrapOptions): { B: number; seed: number; level: number } {
  const B = o.resamples ?? 1000;
  const seed = o.seed ?? 0;
  const level = o.level ?? 0.95;
  if (!(Number.isInteger(B) && B >= 1 && B <= 1_000_000)) throw new RangeError(`resamples: expected an integer in 1..1000000, got ${JSON.stringify(B)}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed: expected an integer, got ${JSON.stringify(seed)}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level: expected a number in (0, 1), got ${JSON.stringify(level)}`);
  return { B, seed, level };
}

/**
 * Bootstrap intervals of the 12 stats (10 for keypoints) and of each category's AP, over the images
 * of the evaluation (params.imgIds); `ev` is evaluateCoco's result for the same gt and dt.
 */
export function bootstrapCoco(
  gt: CocoDataset,
  dt: CocoResults,
  ev: Pick<CocoEvaluation, "params" | "matches" | "stats" | "perCategory">,
  options: CocoBootstrapOptions = {},
): CocoBootstrap {
  const p = ev.params;
  const estimate = { stats: ev.stats, perCategoryAp: ev.perCategory().map((c) => c.ap) };
  const { B, seed, level } = validate(options);
  const m = ev.matches;
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const K = p.useCats ? p.catIds.length : 1;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const nDt = m.dt.length;
  const nGt = m.gt.length;
  const { precision: precPairs, recall: recPairs } = statPairs(p);
  const precSet = new Set(precPairs.map(([a, mi]) => a * M + mi));
  const recSet = new Set(recPairs.map(([a, mi]) => a * M + mi));
  if (A > 0 && M > 0) {
    precSet.add(M - 1); // perCategory: area 0, last maxDets
    recSet.add(M - 1);
  }

  // image of every detection / label position, and the categories' block ranges
  const dtImage = new Int32Array(nDt);
  const gtImage = new Int32Array(nGt);
  for (let b = 0; b < m.blockCount; b++) {
    for (let j = m.blockDtStart[b]!; j < m.blockDtStart[b + 1]!; j++) dtImage[j] = m.blockImage[b]!;
    for (let g = m.blockGtStart[b]!; g < m.blockGtStart[b + 1]!; g++) gtImage[g] = m.blockImage[b]!;
  }
  const kStart = categoryBlocks(m, K, p.useCats);
  const rank = blockRanks(m);
  const score = dt.score;
  const idIsZero = gt.annotations.idIsZero;

  // the passes, each over its detections in accumulate()'s order (stable by score, descending)
  const passes: Pass[] = [];
  /** per (k, a): the labels that count (not ignored), as image indices */
  const gtOf = new Map<number, Int32Array>();
  for (let k = 0; k < K; k++) {
    const b0 = kStart[k]!;
    const b1 = kStart[k + 1]!;
    if (b0 === b1) continue;
    const lo = m.blockDtStart[b0]!;
    const hi = m.blockDtStart[b1]!;
    const order = scoreOrder(lo, hi, (j) => score[m.dt[j]!]!);
    for (let a = 0; a < A; a++) {
      const glo = m.blockGtStart[b0]!;
      const ghi = m.blockGtStart[b1]!;
      const counted: number[] = [];
      for (let g = glo; g < ghi; g++) if (!m.gtIgnore[a * nGt + g]) counted.push(gtImage[g]!);
      if (counted.length === 0) continue; // accumulate leaves this slice at -1
      gtOf.set(k * A + a, Int32Array.from(counted));
      for (let mi = 0; mi < M; mi++) {
        const both = precSet.has(a * M + mi);
        if (!both && !recSet.has(a * M + mi)) continue;
        const sel = order.filter((j) => rank[j]! < p.maxDets[mi]!);
        const st = new Uint8Array(sel.length * T);
        for (let t = 0; t < T; t++) {
          const base = (a * T + t) * nDt;
          sel.forEach((j, i) => {
            if (m.dtIgnore[base + j]) return;
            const mt = m.dtMatch[base + j]!;
            st[i * T + t] = mt >= 0 && !idIsZero[mt] ? 1 : 2;
          });
        }
        passes.push({ k, c: -1, a, m: mi, status: st, image: Int32Array.from(sel, (j) => dtImage[j]!), recallOnly: !both });
      }
    }
  }

  // stored: the K indices with passes (every other one is -1 throughout: types.ts Accumulated)
  const kIndex = Int32Array.from(new Set(passes.map((ps) => ps.k)));
  const Kc = kIndex.length;
  const slot = new Map<number, number>();
  kIndex.forEach((k, c) => slot.set(k, c));
  const stride = Kc * A * M;
  for (const ps of passes) ps.c = slot.get(ps.k)!;
  const precision = new Float64Array(T * R * Kc * A * M).fill(-1);
  const recall = new Float64Array(T * Kc * A * M).fill(-1);
  const acc: Accumulated = { precisionShape: [T, R, K, A, M], recallShape: [T, K, A, M], kIndex, precision, recall, scores: new Float64Array(0) };
  let maxN = 0;
  for (const ps of passes) maxN = Math.max(maxN, ps.image.length);
  // per threshold t: points at rc/pr[t * maxN ..], counts tp/fp[t], points nd[t]
  const rc = new Float64Array(maxN * T);
  const pr = new Float64Array(maxN * T);
  const tps = new Float64Array(T);
  const fps = new Float64Array(T);
  const nds = new Int32Array(T);
  const w = new Float64Array(gt.images.count);
  const pool = Int32Array.from(p.imgIds.map((id) => gt.images.indexOf(id)).filter((i) => i >= 0));
  const npig = new Float64Array(K * A);
  const next = rng(seed);
  const nStats = estimate.stats.length;
  const samples: Float64Array[] = [];
  // per stored category (any other one has no AP in any resample: NaN throughout)
  const catSamples = Array.from({ length: Kc }, () => new Float64Array(B));
  const T_all = Array.from({ length: T }, (_, t) => t);

  for (let b = 0; b < B; b++) {
    drawWeights(next, pool, w);
    for (const [key, imgs] of gtOf) {
      let n = 0;
      for (let i = 0; i < imgs.length; i++) n += w[imgs[i]!]!;
      npig[key] = n;
    }
    for (const ps of passes) {
      const np = npig[ps.k * A + ps.a]!;
      const st = ps.status;
      const im = ps.image;
      if (np === 0) {
        // no counted label drawn: -1, as accumulate leaves a slice without labels
        for (let t = 0; t < T; t++) {
          recall[((t * Kc + ps.c) * A + ps.a) * M + ps.m] = -1;
          const pbase = t * R * stride + (ps.c * A + ps.a) * M + ps.m;
          if (!ps.recallOnly) for (let r = 0; r < R; r++) precision[pbase + r * stride] = -1;
        }
        continue;
      }
      tps.fill(0);
      if (ps.recallOnly) {
        for (let i = 0; i < im.length; i++) {
          const wt = w[im[i]!]!;
          if (wt === 0) continue;
          for (let t = 0, o = i * T; t < T; t++) if (st[o + t] === 1) tps[t]! += wt;
        }
        for (let t = 0; t < T; t++) recall[((t * Kc + ps.c) * A + ps.a) * M + ps.m] = tps[t]! / np;
        continue;
      }
      // Only true positives make points: recall rises only there, so searchsorted lands on one (or on
      // index 0, whose envelope is the maximum, also reached at a true positive), and a false positive's
      // precision is below the point before it, so it never raises the envelope.
      fps.fill(0);
      nds.fill(0);
      for (let i = 0; i < im.length; i++) {
        const wt = w[im[i]!]!;
        if (wt === 0) continue;
        for (let t = 0, o = i * T; t < T; t++) {
          const v = st[o + t];
          if (v === 2) fps[t]! += wt;
          else if (v === 1) {
            const tp = (tps[t]! += wt);
            const at = t * maxN + nds[t]!++;
            rc[at] = tp / np;
            pr[at] = tp / (fps[t]! + tp + EPS);
          }
        }
      }
      for (let t = 0; t < T; t++) {
        recall[((t * Kc + ps.c) * A + ps.a) * M + ps.m] = tps[t]! / np;
        const off = t * maxN;
        const nd = nds[t]!;
        for (let i = off + nd - 1; i > off; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
        const pbase = t * R * stride + (ps.c * A + ps.a) * M + ps.m;
        let j = 0;
        for (let r = 0; r < R; r++) {
          const thr = p.recThrs[r]!;
          while (j < nd && rc[off + j]! < thr) j++; // np.searchsorted(rc, thr, side="left"), thresholds ascending
          precision[pbase + r * stride] = j < nd ? pr[off + j]! : 0;
        }
      }
    }
    const stats = summarize(acc, p);
    samples.push(Float64Array.from(stats));
    if (A > 0 && M > 0)
      for (let c = 0; c < Kc; c++) {
        const vals: number[] = [];
        for (const t of T_all)
          for (let r = 0; r < R; r++) {
            const v = precision[(((t * R + r) * Kc + c) * A + 0) * M + (M - 1)]!;
            if (v > -1) vals.push(v);
          }
        catSamples[c]![b] = vals.length ? npSum(vals, 0, vals.length) / vals.length : Number.NaN; // perCategory's mean
      }
  }
  const column = (s: number) => Float64Array.from(samples, (x) => x[s]!);
  let nan: Float64Array | undefined;
  // (no area range or maxDets: no pass at all, and the samples stay 0 as the per-category loop leaves them)
  const noSamples = () => (nan ??= new Float64Array(B).fill(A > 0 && M > 0 ? Number.NaN : 0));
  const catIds: CocoId[] = p.useCats ? [...p.catIds] : [-1];
  return {
    resamples: B,
    seed,
    level,
    stats: Array.from({ length: nStats }, (_, s) => interval(estimate.stats[s]!, column(s).map((v) => (v === -1 ? Number.NaN : v)), level)),
    statsLabels: statsLabels(p),
    perCategory: catIds.map((categoryId, k) => {
      const c = slot.get(k);
      return { categoryId, ap: interval(estimate.perCategoryAp[k] ?? Number.NaN, c === undefined ? noSamples() : catSamples[c]!, level) };
    }),
    ...(options.keepSamples ? { samples } : {}),
  };
}
