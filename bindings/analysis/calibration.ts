// Detection calibration of a view: do the confidences say how often a prediction is right? Counted
// predictions are binned by confidence; a bin's accuracy is its precision at the view's IoU threshold.
import { AnalysisInputError } from "./types.js";

export interface CalibrationBin {
  /** [lo, hi) (the last bin includes 1) */
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  readonly tp: number;
  /** mean confidence of the bin's predictions (NaN when empty) */
  readonly confidence: number;
  /** TP / count (NaN when empty) */
  readonly precision: number;
}

export interface Calibration {
  readonly iou: number;
  readonly bins: CalibrationBin[];
  /** expected calibration error: sum over bins of count / total * |precision - confidence| (0 without predictions) */
  readonly ece: number;
  /** maximum calibration error: the largest |precision - confidence| of a non-empty bin (0 without predictions) */
  readonly mce: number;
  /** counted predictions (true and false positives of the view) */
  readonly count: number;
  /** predictions whose confidence lies outside [0, 1], put in the first or last bin */
  readonly outOfRange: number;
}

const TP = 1;
const FP = 2;

/**
 * @param status  by sorted position (1 TP, 2 FP; others not counted)
 * @param conf  confidence by sorted position
 */
export function calibration(status: Uint8Array, conf: Float64Array, iou: number, bins = 10): Calibration {
  if (!(Number.isInteger(bins) && bins > 0 && bins <= 1000)) throw new AnalysisInputError(`bins: expected an integer in 1..1000, got ${JSON.stringify(bins)}`);
  const count = new Float64Array(bins);
  const tp = new Float64Array(bins);
  const sum = new Float64Array(bins);
  let outOfRange = 0;
  let total = 0;
  for (let i = 0; i < status.length; i++) {
    const s = status[i];
    if (s !== TP && s !== FP) continue;
    const c = conf[i]!;
    if (!(c >= 0 && c <= 1)) outOfRange++;
    const b = c >= 1 ? bins - 1 : c > 0 ? Math.floor(c * bins) : 0;
    count[b]!++;
    sum[b]! += c;
    if (s === TP) tp[b]!++;
    total++;
  }
  let ece = 0;
  let mce = 0;
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b]!;
    const confidence = n > 0 ? sum[b]! / n : NaN;
    const precision = n > 0 ? tp[b]! / n : NaN;
    if (n > 0) {
      const gap = Math.abs(precision - confidence);
      ece += (n / total) * gap;
      if (gap > mce) mce = gap;
    }
    out.push({ lo: b / bins, hi: (b + 1) / bins, count: n, tp: tp[b]!, confidence, precision });
  }
  return { iou, bins: out, ece, mce, count: total, outOfRange };
}
