// Bootstrap confidence intervals over images: resample the images with replacement and re-score the
// view's fixed per-image matching with image weights (a drawn image counts as often as it was drawn).
// No geometry and no matching per resample: one weighted pass over the counted predictions and labels.
import { AnalysisInputError } from "./types.js";
import { RECALL_THRESHOLDS } from "./thresholds.js";
import { drawWeights, interval, type Interval, rng } from "../coco/resample.js";

export type { Interval };

export interface ClassIntervals {
  readonly categoryId: number | string;
  readonly ap: Interval;
  readonly precision: Interval;
  readonly recall: Interval;
  readonly f1: Interval;
}

export interface BootstrapResult {
  readonly resamples: number;
  readonly seed: number;
  readonly level: number;
  readonly iou: number;
  readonly confidence: number;
  readonly mAP: Interval;
  readonly mAR: Interval;
  readonly mP: Interval;
  readonly mF1: Interval;
  /** of the pooled counts */
  readonly precision: Interval;
  readonly recall: Interval;
  readonly f1: Interval;
  readonly classes: ClassIntervals[];
  /** every resample's values (with `keepSamples`): for paired comparisons, or a histogram */
  readonly samples?: BootstrapSamples;
}

export interface BootstrapSamples {
  readonly mAP: Float64Array;
  readonly mAR: Float64Array;
  readonly mP: Float64Array;
  readonly mF1: Float64Array;
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly f1: Float64Array;
  /** per class (the result's class order); NaN where a resample holds no object of the class */
  readonly ap: Float64Array[];
}

export interface BootstrapOptions {
  /** number of resamples (default 1000) */
  resamples?: number;
  /** seed of the generator (default 0): the same seed gives the same intervals */
  seed?: number;
  /** coverage of the intervals (default 0.95) */
  level?: number;
  /** keep every resample's values in `samples` (default false) */
  keepSamples?: boolean;
}

/** What the view gives the bootstrap: its counted predictions and kept labels, and the images to draw from. */
export interface BootstrapInput {
  readonly iou: number;
  readonly confidence: number;
  /** the view's classes (category indices) and their ids */
  readonly classes: readonly number[];
  readonly classIds: readonly (number | string)[];
  /** per class (same order): counted predictions in rank order, as image index and TP flag */
  readonly predImage: readonly Int32Array[];
  readonly predTp: readonly Uint8Array[];
  /** kept non-crowd labels: image index and position of the class in `classes` */
  readonly labelImage: Int32Array;
  readonly labelClass: Int32Array;
  /** images to draw from (the view's image selection, or all) */
  readonly images: Int32Array;
  readonly nImage: number;
  /** the statistics on the data as given */
  readonly estimate: { mAP: number; mAR: number; mP: number; mF1: number; precision: number; recall: number; f1: number };
  readonly classEstimate: readonly { ap: number; precision: number; recall: number; f1: number }[];
}

/** 101-point AP of weighted cumulative counts (the same arithmetic as the view's AP with w = 1). */
function weightedAp(tp: Float64Array, fp: Float64Array, n: number, nLab: number, prec: Float64Array): number {
  if (nLab === 0 || n === 0) return 0;
  for (let j = 0; j < n; j++) prec[j] = tp[j]! / (tp[j]! + fp[j]!);
  for (let j = n - 1; j > 0; j--) if (prec[j]! > prec[j - 1]!) prec[j - 1] = prec[j]!;
  let sum = 0;
  let j = 0;
  for (let i = 0; i < 101; i++) {
    const r = RECALL_THRESHOLDS[i]!;
    while (j < n && tp[j]! / nLab < r) j++;
    if (j === n) break;
    sum += prec[j]!;
  }
  return sum / 101;
}

export function bootstrap(input: BootstrapInput, options: BootstrapOptions = {}): BootstrapResult {
  const B = options.resamples ?? 1000;
  const seed = options.seed ?? 0;
  const level = options.level ?? 0.95;
  if (!(Number.isInteger(B) && B >= 1 && B <= 1_000_000)) throw new AnalysisInputError(`resamples: expected an integer in 1..1000000, got ${JSON.stringify(B)}`);
  if (!Number.isInteger(seed)) throw new AnalysisInputError(`seed: expected an integer, got ${JSON.stringify(seed)}`);
  if (!(level > 0 && level < 1)) throw new AnalysisInputError(`level: expected a number in (0, 1), got ${JSON.stringify(level)}`);
  const K = input.classes.length;
  const next = rng(seed);
  const w = new Float64Array(input.nImage);
  const nLab = new Float64Array(K);
  let maxN = 0;
  for (const a of input.predImage) maxN = Math.max(maxN, a.length);
  const cumTp = new Float64Array(maxN);
  const cumFp = new Float64Array(maxN);
  const prec = new Float64Array(maxN);
  const series = (): Float64Array => new Float64Array(B);
  const sMAP = series(),
    sMAR = series(),
    sMP = series(),
    sMF1 = series(),
    sP = series(),
    sR = series(),
    sF = series();
  const cAp = input.classes.map(series),
    cP = input.classes.map(series),
    cR = input.classes.map(series),
    cF = input.classes.map(series);
  const imgs = input.images;
  for (let b = 0; b < B; b++) {
    drawWeights(next, imgs, w);
    nLab.fill(0);
    for (let l = 0; l < input.labelImage.length; l++) nLab[input.labelClass[l]!]! += w[input.labelImage[l]!]!;
    let nc = 0,
      sumAp = 0,
      sumR = 0,
      sumP = 0,
      sumF = 0,
      TP = 0,
      FP = 0,
      LAB = 0;
    for (let k = 0; k < K; k++) {
      const im = input.predImage[k]!;
      const isTp = input.predTp[k]!;
      let tp = 0,
        fp = 0,
        n = 0;
      for (let j = 0; j < im.length; j++) {
        const wt = w[im[j]!]!;
        if (wt === 0) continue;
        if (isTp[j]) tp += wt;
        else fp += wt;
        cumTp[n] = tp;
        cumFp[n] = fp;
        n++;
      }
      const L = nLab[k]!;
      if (L === 0 && tp + fp === 0) {
        // a class absent from this resample is left out of the means, as the view leaves it out
        cAp[k]![b] = cP[k]![b] = cR[k]![b] = cF[k]![b] = NaN;
        continue;
      }
      const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
      const recall = L > 0 ? tp / L : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      const ap = weightedAp(cumTp, cumFp, n, L, prec);
      cAp[k]![b] = ap;
      cP[k]![b] = precision;
      cR[k]![b] = recall;
      cF[k]![b] = f1;
      nc++;
      sumAp += ap;
      sumR += recall;
      sumP += precision;
      sumF += f1;
      TP += tp;
      FP += fp;
      LAB += L;
    }
    sMAP[b] = nc ? sumAp / nc : 0;
    sMAR[b] = nc ? sumR / nc : 0;
    sMP[b] = nc ? sumP / nc : 0;
    sMF1[b] = nc ? sumF / nc : 0;
    const P = TP + FP > 0 ? TP / (TP + FP) : 0;
    const R = LAB > 0 ? TP / LAB : 0;
    sP[b] = P;
    sR[b] = R;
    sF[b] = P + R > 0 ? (2 * P * R) / (P + R) : 0;
  }
  const e = input.estimate;
  return {
    resamples: B,
    seed,
    level,
    iou: input.iou,
    confidence: input.confidence,
    mAP: interval(e.mAP, sMAP, level),
    mAR: interval(e.mAR, sMAR, level),
    mP: interval(e.mP, sMP, level),
    mF1: interval(e.mF1, sMF1, level),
    precision: interval(e.precision, sP, level),
    recall: interval(e.recall, sR, level),
    f1: interval(e.f1, sF, level),
    classes: input.classes.map((_, k) => {
      const ce = input.classEstimate[k]!;
      return {
        categoryId: input.classIds[k]!,
        ap: interval(ce.ap, cAp[k]!, level),
        precision: interval(ce.precision, cP[k]!, level),
        recall: interval(ce.recall, cR[k]!, level),
        f1: interval(ce.f1, cF[k]!, level),
      };
    }),
    ...(options.keepSamples ? { samples: { mAP: sMAP, mAR: sMAR, mP: sMP, mF1: sMF1, precision: sP, recall: sR, f1: sF, ap: cAp } } : {}),
  };
}
