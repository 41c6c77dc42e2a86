// Analysis.at(): every number of the model-performance pages for one question (IoU threshold,
// confidence, class / image / metric filter), from the typed arrays analyze() prepared (prepared.ts), in one linear
// pass over the class-sorted predictions. Everything beyond the per-class summary (curves,
// histogram, outcomes, explorer, metric pages) is computed lazily on request.
import { AnalysisInputError, type CategoryInfo, type ImageInfo } from "./types.js";
import { addUserMetrics, type Prepared, type UserMetricValues } from "./prepared.js";
import { IMAGE_METRICS, LABEL_METRICS, PREDICTION_METRICS, type MetricTable } from "./metric-names.js";
import { collectSorted, sortColumn, subsetCorrelation, type SortedColumn } from "./stats.js";
import { imagePixelMetrics, type ImagePixelMetrics } from "./pixels.js";
import { csvCell } from "./csv.js";
import { COCO_IOU_THRESHOLDS, RECALL_THRESHOLDS } from "./thresholds.js";
import { confusionMatrix, type ConfusionMatrix } from "./confusion.js";
import { calibration, type Calibration } from "./calibration.js";
import { bootstrap, type BootstrapOptions, type BootstrapResult } from "./bootstrap.js";

export const FP_REASONS = [
  "IoU below threshold",
  "a higher-confidence prediction already matched the label",
  "no overlapping label",
  "closest label is another class",
] as const;
export const FN_REASONS = ["no prediction", "predictions below IoU threshold", "only other classes", "same-class predictions matched elsewhere"] as const;
export type FpReason = (typeof FP_REASONS)[number];
export type FnReason = (typeof FN_REASONS)[number];

export interface MetricRange {
  metric: string;
  /** inclusive bounds; omitted = unbounded */
  min?: number;
  max?: number;
  /** which objects the range filters; default: every kind that has the metric */
  target?: "predictions" | "labels" | "both";
}

export interface AtOptions {
  /** IoU threshold t in (0, 1]; a prediction matches when IoU >= t. Default 0.5. */
  iou?: number;
  /** Predictions with confidence below this are discarded first. Default: keep all. */
  confidence?: number;
  /** Categories to evaluate, by id or (for a string that is no id) by name (default all). */
  classes?: readonly (number | string)[];
  /** Image ids to evaluate (default all). */
  images?: readonly (number | string)[];
  /** Keep-mask by prediction index: the others are removed and the rest re-matched exactly as if analysed alone. */
  predictions?: ArrayLike<number | boolean>;
  /** Keep-mask by label index: the others are ignored (never FN), with every prediction whose candidate they are. */
  labels?: ArrayLike<number | boolean>;
  /** Metric ranges, each turned into a prediction and/or label keep-mask (NaN values are outside any range). */
  metricRanges?: readonly MetricRange[];
}

export interface ClassResult {
  categoryId: number | string;
  name: string;
  /** index into the analysis' categories */
  index: number;
  ap: number;
  tp: number;
  fp: number;
  fn: number;
  /** predictions absorbed by a crowd label */
  ignored: number;
  /** non-crowd labels in the filter */
  labels: number;
  precision: number;
  recall: number;
  f1: number;
  /** mean IoU of the true positives; NaN without any */
  avgIou: number;
}

export interface PrCurve {
  /** raw points, one per counted prediction in rank order */
  confidence: Float64Array;
  precision: Float64Array;
  recall: Float64Array;
  /** precision made non-increasing from the right (the envelope COCO interpolates) */
  envelope: Float64Array;
  /** the 101-point interpolation: precision at each of RECALL_THRESHOLDS (0 past the last recall) */
  interpolated: Float64Array;
  ap: number;
}

export interface ConfidenceCurve {
  /** distinct confidences, descending; each point counts the predictions with confidence >= it */
  confidence: Float64Array;
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  best: { confidence: number; precision: number; recall: number; f1: number };
}

export interface PredictionRow {
  index: number;
  id: number | string | null;
  imageId: number | string;
  categoryId: number | string;
  confidence: number;
  candidate: number;
  candidateId: number | string | null;
  candidateCategoryId: number | string | null;
  iou: number;
  outcome: "TP" | "FP" | "ignored";
  reason: FpReason | "crowd region" | null;
}

export interface LabelRow {
  index: number;
  id: number | string | null;
  imageId: number | string;
  categoryId: number | string;
  crowd: boolean;
  /** best IoU among the kept same-class predictions whose candidate it is; null if none */
  bestIou: number | null;
  /** the true positive's prediction index, -1 if none */
  matchedBy: number;
  outcome: "TP" | "FN" | "crowd";
  reason: FnReason | null;
}

export interface OutcomeCounts {
  categoryId: number | string | null;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  fpReasons: Record<FpReason, number>;
  fnReasons: Record<FnReason, number>;
}

export interface CorrelationRow {
  metric: string;
  target: "predictions" | "labels";
  /** samples used (finite metric value, counted object) */
  n: number;
  /** correlation with the 0/1 outcome (TP for predictions, detected for labels); NaN when undefined */
  pearson: number;
  spearman: number;
}

export interface PerformanceBin {
  min: number;
  max: number;
  count: number;
  tp: number;
  /** predictions: false positives; labels: false negatives */
  fp: number;
  fn: number;
  /** predictions: TP / count */
  precision: number;
  /** labels: FN / count */
  fnRate: number;
}

const CODE_TP = 1;
const CODE_FP = 2;
const CODE_IGN = 3;

function truthyMask(mask: ArrayLike<number | boolean>, n: number, path: string): Uint8Array {
  if (mask.length !== n) throw new AnalysisInputError(`${path}: expected ${n} entries, got ${mask.length}`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = mask[i] ? 1 : 0;
  return out;
}

/** 101-point interpolated AP from cumulative counts ptTp/ptFp[s..s+n). scratch holds >= n doubles. */
function ap101(ptTp: Int32Array, ptFp: Int32Array, s: number, n: number, nLab: number, scratch: Float64Array, interp?: Float64Array): number {
  if (nLab === 0 || n === 0) return 0;
  for (let j = 0; j < n; j++) {
    const tp = ptTp[s + j]!;
    scratch[j] = tp / (tp + ptFp[s + j]!);
  }
  for (let j = n - 1; j > 0; j--) if (scratch[j]! > scratch[j - 1]!) scratch[j - 1] = scratch[j]!;
  let sum = 0;
  let j = 0;
  for (let i = 0; i < 101; i++) {
    const r = RECALL_THRESHOLDS[i]!;
    while (j < n && ptTp[s + j]! / nLab < r) j++;
    if (j === n) break;
    sum += scratch[j]!;
    if (interp) interp[i] = scratch[j]!;
  }
  return sum / 101;
}

/**
 * The core pass over one class: statuses, and the cumulative counts of the counted predictions written to
 * ptTp/ptFp from index 0 (scratch). out = [tp, fp, ignored, points, iouSum].
 */
function scoreClass(
  s: number,
  e: number,
  t: number,
  c: number,
  sConf: Float64Array,
  sMatch: Float64Array,
  dup: Float64Array,
  sCrowd: Float64Array,
  keep: Uint8Array | null,
  status: Uint8Array,
  ptTp: Int32Array,
  ptFp: Int32Array,
  out: Float64Array,
): void {
  let tp = 0;
  let fp = 0;
  let ign = 0;
  let n = 0;
  let iouSum = 0;
  for (let i = s; i < e; i++) {
    if (sConf[i]! < c) break;
    if (keep !== null && keep[i] === 0) continue;
    const m = sMatch[i]!;
    if (m >= t && dup[i]! < t) {
      tp++;
      iouSum += m;
      status[i] = CODE_TP;
    } else if (sCrowd[i]! >= t) {
      ign++;
      status[i] = CODE_IGN;
      continue;
    } else {
      fp++;
      status[i] = CODE_FP;
    }
    ptTp[n] = tp;
    ptFp[n] = fp;
    n++;
  }
  out[0] = tp;
  out[1] = fp;
  out[2] = ign;
  out[3] = n;
  out[4] = iouSum;
}

/** 101-point interpolated AP from a curve's recall and envelope (same arithmetic as ap101). */
function apFromCurve(recall: Float64Array, envelope: Float64Array, nLab: number, interp: Float64Array): number {
  const n = recall.length;
  if (nLab === 0 || n === 0) return 0;
  let sum = 0;
  let j = 0;
  for (let i = 0; i < 101; i++) {
    const r = RECALL_THRESHOLDS[i]!;
    while (j < n && recall[j]! < r) j++;
    if (j === n) break;
    sum += envelope[j]!;
    interp[i] = envelope[j]!;
  }
  return sum / 101;
}

/** TP count only, for the COCO-style AR thresholds. */
function countTp(s: number, e: number, t: number, c: number, sConf: Float64Array, sMatch: Float64Array, dup: Float64Array, keep: Uint8Array | null): number {
  let tp = 0;
  for (let i = s; i < e; i++) {
    if (sConf[i]! < c) break;
    if (keep !== null && keep[i] === 0) continue;
    if (sMatch[i]! >= t && dup[i]! < t) tp++;
  }
  return tp;
}

export class Analysis {
  /** @internal */
  readonly p: Prepared;
  /** @internal scratch of the pass (AP is computed inside at(), so views never keep these) */
  readonly scratch: { tp: Int32Array; fp: Int32Array; prec: Float64Array };
  private catIndex?: Map<string, number>;
  private catNames?: Map<string, number>;
  private imgIndex?: Map<string, number>;
  /** per metric column: its sorted order, computed on first use (never serialised with the Prepared) */
  private readonly orders = new WeakMap<Float64Array, SortedColumn>();
  private samplesScratch?: { xs: Float64Array; ys: Uint8Array };
  private objectsByImage?: { pStart: Int32Array; pIdx: Int32Array; lStart: Int32Array; lIdx: Int32Array };

  constructor(prepared: Prepared) {
    this.p = prepared;
    const m = prepared.maxClass;
    this.scratch = { tp: new Int32Array(m), fp: new Int32Array(m), prec: new Float64Array(m) };
  }

  /** @internal A metric column's finite values sorted by value (ties: index), runs of equal values marked; cached per column. */
  sortedColumn(col: Float64Array): SortedColumn {
    let o = this.orders.get(col);
    if (!o) {
      o = sortColumn(col);
      this.orders.set(col, o);
    }
    return o;
  }

  /** @internal Scratch for the sorted samples of one metric (one per Analysis: the metric pages are synchronous). */
  sampleScratch(): { xs: Float64Array; ys: Uint8Array } {
    const n = Math.max(this.p.nPred, this.p.nLabel);
    if (!this.samplesScratch || this.samplesScratch.xs.length < n) this.samplesScratch = { xs: new Float64Array(n), ys: new Uint8Array(n) };
    return this.samplesScratch;
  }

  get categories(): readonly CategoryInfo[] {
    return this.p.categories;
  }
  get images(): readonly ImageInfo[] {
    return this.p.images;
  }
  get candidates(): "same-class" | "any-class" {
    return this.p.mode;
  }
  /** Which IoU the analysis uses: "mask" (of the rendered shapes: boxes become pixel masks) or "box" (exact box IoU). */
  get iouKind(): "mask" | "box" | "oks" {
    return this.p.iouKind;
  }
  get predictionCount(): number {
    return this.p.nPred;
  }
  get labelCount(): number {
    return this.p.nLabel;
  }
  /** Milliseconds spent in prepare: rendering, IoU, encoding. */
  get timings(): Prepared["timings"] {
    return this.p.timings;
  }
  get predictionMetricNames(): string[] {
    return Object.keys(this.p.predMetrics);
  }
  get labelMetricNames(): string[] {
    return Object.keys(this.p.labelMetrics);
  }
  /** A metric column (by object index), built-in or user. */
  metric(target: "predictions" | "labels", name: string): Float64Array | undefined {
    return (target === "predictions" ? this.p.predMetrics : this.p.labelMetrics)[name];
  }
  /** An image metric column by image index (brightness, contrast, sharpness; NaN without pixels), undefined before any pixels. */
  imageMetric(name: string): Float64Array | undefined {
    return this.p.imageMetrics?.[name];
  }
  /** Adds (or replaces) a user metric: values by object index (array) or by object id (record / Map). */
  addMetric(target: "predictions" | "labels", name: string, values: UserMetricValues): void {
    const builtin: readonly string[] = target === "predictions" ? PREDICTION_METRICS : LABEL_METRICS;
    if (builtin.includes(name) || (IMAGE_METRICS as readonly string[]).includes(name))
      throw new AnalysisInputError(`${target}.${name}: a built-in metric has this name`);
    const table = target === "predictions" ? this.p.predMetrics : this.p.labelMetrics;
    delete table[name];
    addUserMetrics(table, { [name]: values }, target === "predictions" ? this.p.predIds : this.p.labelIds, `metrics.${target}`);
  }

  /**
   * Gives the RGBA pixels of one image (row-major, 4 values per pixel, alpha ignored; width and height must be
   * the image's): computes its brightness, contrast and sharpness (docs/analysis-format.md) and sets them as
   * the image metrics of the image and of every prediction and label in it (metric columns "brightness",
   * "contrast", "sharpness", NaN for images without pixels). Calling it again for an image replaces its values.
   * Views created before keep the answers they already computed.
   */
  addImagePixels(imageId: number | string, rgba: ArrayLike<number>, width: number, height: number, path = "pixels"): ImagePixelMetrics {
    const p = this.p;
    let im: number;
    try {
      im = this.imageIndex(imageId);
    } catch {
      throw new AnalysisInputError(`${path}.imageId: no image with id ${JSON.stringify(imageId)}`);
    }
    const info = p.images[im]!;
    if (width !== info.width || height !== info.height)
      throw new AnalysisInputError(`${path}: pixels are ${width}x${height}, image ${JSON.stringify(imageId)} is ${info.width}x${info.height}`);
    const values = imagePixelMetrics(rgba, width, height, path);
    const nanColumn = (n: number) => new Float64Array(n).fill(NaN);
    const mp = p as { imageMetrics?: MetricTable };
    const table = (mp.imageMetrics ??= {});
    if (!this.objectsByImage) {
      const csr = (img: Int32Array) => {
        const start = new Int32Array(p.nImage + 1);
        for (let i = 0; i < img.length; i++) start[img[i]! + 1]!++;
        for (let i = 0; i < p.nImage; i++) start[i + 1]! += start[i]!;
        const fill = start.slice(0, p.nImage);
        const idx = new Int32Array(img.length);
        for (let i = 0; i < img.length; i++) idx[fill[img[i]!]!++] = i;
        return { start, idx };
      };
      const a = csr(p.pImage);
      const b = csr(p.lImage);
      this.objectsByImage = { pStart: a.start, pIdx: a.idx, lStart: b.start, lIdx: b.idx };
    }
    const { pStart, pIdx, lStart, lIdx } = this.objectsByImage;
    for (const name of IMAGE_METRICS) {
      const v = values[name];
      (table[name] ??= nanColumn(p.nImage))[im] = v;
      const pc = (p.predMetrics[name] ??= nanColumn(p.nPred));
      const lc = (p.labelMetrics[name] ??= nanColumn(p.nLabel));
      for (let j = pStart[im]!; j < pStart[im + 1]!; j++) pc[pIdx[j]!] = v;
      for (let j = lStart[im]!; j < lStart[im + 1]!; j++) lc[lIdx[j]!] = v;
      this.orders.delete(pc);
      this.orders.delete(lc);
    }
    return values;
  }

  /** Category index for a category id (number or string; "3" finds 3) or, failing that, a category name. */
  categoryIndex(id: number | string): number {
    this.catIndex ??= indexById(this.p.categories);
    const i = this.catIndex.get(String(id));
    if (i !== undefined) return i;
    if (typeof id === "string") {
      this.catNames ??= indexByName(this.p.categories);
      const j = this.catNames.get(id);
      if (j === -1) throw new AnalysisInputError(`classes: ${JSON.stringify(id)} is the name of several categories: give their ids`);
      if (j !== undefined) return j;
    }
    throw new AnalysisInputError(`classes: no category with id${typeof id === "string" ? " or name" : ""} ${JSON.stringify(id)}`);
  }
  imageIndex(id: number | string): number {
    this.imgIndex ??= indexById(this.p.images);
    return lookupId(this.imgIndex, id, "images", "image");
  }

  /** Answers one question; no geometry is touched. */
  at(options: AtOptions = {}): AnalysisView {
    return new AnalysisView(this, options);
  }
}

export class AnalysisView {
  readonly iou: number;
  readonly confidence: number;
  /** per included class of the selection, in category order */
  readonly classes: ClassResult[];
  readonly mAP: number;
  /** mean recall at this IoU threshold over the included classes */
  readonly mAR: number;
  readonly mP: number;
  readonly mR: number;
  readonly mF1: number;
  /** totals over the included classes, and the precision / recall / F1 of the totals */
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly ignored: number;
  readonly labels: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly avgIou: number;

  private readonly a: Analysis;
  private readonly p: Prepared;
  private readonly classSel: Uint8Array;
  private readonly imgSel: Uint8Array | null;
  private readonly labelKeep: Uint8Array | null;
  /** by sorted position: kept by image / prediction mask / label mask (confidence and class handled by ranges) */
  private readonly keep: Uint8Array | null;
  private readonly dup: Float64Array;
  /** by sorted position: 0 not kept, 1 TP, 2 FP, 3 ignored */
  readonly status: Uint8Array;
  private readonly included: Uint8Array;
  private readonly classByIndex: (ClassResult | undefined)[];
  private cache = new Map<string, unknown>();

  constructor(analysis: Analysis, o: AtOptions) {
    this.a = analysis;
    const p = (this.p = analysis.p);
    const t = o.iou ?? 0.5;
    if (typeof t !== "number" || !(t > 0 && t <= 1)) throw new AnalysisInputError(`iou: expected a number in (0, 1], got ${JSON.stringify(t)}`);
    const c = o.confidence ?? -Infinity;
    if (typeof c !== "number" || Number.isNaN(c)) throw new AnalysisInputError(`confidence: expected a number, got ${JSON.stringify(c)}`);
    this.iou = t;
    this.confidence = c;
    const K = p.nClass;
    const N = p.nPred;

    // ---- resolve the filter
    const classSel = new Uint8Array(K);
    if (o.classes) for (const id of o.classes) classSel[analysis.categoryIndex(id)] = 1;
    else classSel.fill(1);
    this.classSel = classSel;
    let imgSel: Uint8Array | null = null;
    if (o.images) {
      imgSel = new Uint8Array(p.nImage);
      for (const id of o.images) imgSel[analysis.imageIndex(id)] = 1;
    }
    this.imgSel = imgSel;
    let predKeep: Uint8Array | null = o.predictions ? truthyMask(o.predictions, N, "predictions") : null;
    let labelKeep: Uint8Array | null = o.labels ? truthyMask(o.labels, p.nLabel, "labels") : null;
    for (const [ri, r] of (o.metricRanges ?? []).entries()) {
      const lo = r.min ?? -Infinity;
      const hi = r.max ?? Infinity;
      const pc = r.target !== "labels" ? p.predMetrics[r.metric] : undefined;
      const lc = r.target !== "predictions" ? p.labelMetrics[r.metric] : undefined;
      if (!pc && !lc) throw new AnalysisInputError(`metricRanges[${ri}].metric: unknown metric ${JSON.stringify(r.metric)}`);
      if (pc) {
        predKeep ??= new Uint8Array(N).fill(1);
        for (let i = 0; i < N; i++) if (!(pc[i]! >= lo && pc[i]! <= hi)) predKeep[i] = 0;
      }
      if (lc) {
        labelKeep ??= new Uint8Array(p.nLabel).fill(1);
        for (let i = 0; i < p.nLabel; i++) if (!(lc[i]! >= lo && lc[i]! <= hi)) labelKeep[i] = 0;
      }
    }
    this.labelKeep = labelKeep;
    // keep mask by sorted position
    let keep: Uint8Array | null = null;
    if (imgSel || predKeep || labelKeep) {
      keep = new Uint8Array(N);
      for (let i = 0; i < N; i++) {
        let ok = 1;
        if (imgSel && !imgSel[p.sImage[i]!]) ok = 0;
        else if (predKeep && !predKeep[p.sPred[i]!]) ok = 0;
        else if (labelKeep) {
          const cand = p.sCand[i]!;
          if (cand >= 0 && !labelKeep[cand]) ok = 0;
        }
        keep[i] = ok;
      }
    }
    this.keep = keep;
    // removed predictions change who is "higher-ranked": recompute dup over the kept ones of each group
    let dup = p.sDup;
    if (predKeep) {
      dup = new Float64Array(N).fill(-1);
      const { groupStart, groupPos, sIou } = p;
      for (let l = 0; l < p.nLabel; l++) {
        let run = -1;
        for (let j = groupStart[l]!; j < groupStart[l + 1]!; j++) {
          const pos = groupPos[j]!;
          if (keep![pos] === 0) continue;
          dup[pos] = run;
          if (sIou[pos]! > run) run = sIou[pos]!;
        }
      }
    }
    this.dup = dup;

    // ---- labels per class in the filter
    let nLab: Int32Array;
    if (!imgSel && !labelKeep) nLab = p.classLabels;
    else {
      nLab = new Int32Array(K);
      for (let l = 0; l < p.nLabel; l++) {
        if (p.lCrowd[l] || (imgSel && !imgSel[p.lImage[l]!]) || (labelKeep && !labelKeep[l])) continue;
        nLab[p.lClass[l]!]!++;
      }
    }

    // ---- the pass
    const status = (this.status = new Uint8Array(N));
    const { tp: ptTp, fp: ptFp, prec: scratch } = analysis.scratch;
    const included = (this.included = new Uint8Array(K));
    const out = new Float64Array(5);
    const classes: ClassResult[] = [];
    const byIndex: (ClassResult | undefined)[] = new Array(K);
    let TP = 0,
      FP = 0,
      FN = 0,
      IGN = 0,
      LAB = 0,
      iouSum = 0,
      sAP = 0,
      sR = 0,
      sP = 0,
      sF = 0;
    const cats = p.categories;
    for (let k = 0; k < K; k++) {
      if (!classSel[k]) continue;
      scoreClass(p.classStart[k]!, p.classStart[k + 1]!, t, c, p.sConf, p.sMatch, dup, p.sCrowd, keep, status, ptTp, ptFp, out);
      const tp = out[0]!,
        fp = out[1]!,
        ign = out[2]!,
        n = out[3]!;
      const L = nLab[k]!;
      if (L === 0 && tp + fp === 0) continue;
      included[k] = 1;
      const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
      const recall = L > 0 ? tp / L : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      const ap = ap101(ptTp, ptFp, 0, n, L, scratch);
      const r: ClassResult = {
        categoryId: cats[k]!.id,
        name: cats[k]!.name,
        index: k,
        ap,
        tp,
        fp,
        fn: L - tp,
        ignored: ign,
        labels: L,
        precision,
        recall,
        f1,
        avgIou: tp > 0 ? out[4]! / tp : NaN,
      };
      classes.push(r);
      byIndex[k] = r;
      TP += tp;
      FP += fp;
      FN += L - tp;
      IGN += ign;
      LAB += L;
      iouSum += out[4]!;
      sAP += ap;
      sR += recall;
      sP += precision;
      sF += f1;
    }
    this.classes = classes;
    this.classByIndex = byIndex;
    const nc = classes.length;
    this.mAP = nc ? sAP / nc : 0;
    this.mAR = nc ? sR / nc : 0;
    this.mR = this.mAR;
    this.mP = nc ? sP / nc : 0;
    this.mF1 = nc ? sF / nc : 0;
    this.tp = TP;
    this.fp = FP;
    this.fn = FN;
    this.ignored = IGN;
    this.labels = LAB;
    this.precision = TP + FP > 0 ? TP / (TP + FP) : 0;
    this.recall = LAB > 0 ? TP / LAB : 0;
    this.f1 = this.precision + this.recall > 0 ? (2 * this.precision * this.recall) / (this.precision + this.recall) : 0;
    this.avgIou = TP > 0 ? iouSum / TP : NaN;
  }

  /** The analysis this view reads (compare() checks that two views share their labels). */
  get analysis(): Analysis {
    return this.a;
  }

  /** The result of one class (by category id), undefined when it is not included. */
  class(categoryId: number | string): ClassResult | undefined {
    return this.classByIndex[this.a.categoryIndex(categoryId)];
  }

  private memo<T>(key: string, f: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, f());
    return this.cache.get(key) as T;
  }

  /** COCO-style AR: per included class the mean recall over t = .50:.05:.95, then the mean over classes. */
  get cocoAR(): number {
    return this.memo("cocoAR", () => {
      const p = this.p;
      if (this.classes.length === 0) return 0;
      let sum = 0;
      for (const r of this.classes) {
        if (r.labels === 0) continue;
        const k = r.index;
        let rs = 0;
        for (const t of COCO_IOU_THRESHOLDS)
          rs += countTp(p.classStart[k]!, p.classStart[k + 1]!, t, this.confidence, p.sConf, p.sMatch, this.dup, this.keep) / r.labels;
        sum += rs / COCO_IOU_THRESHOLDS.length;
      }
      return sum / this.classes.length;
    });
  }

  /** Precision-recall curve of one class (category id) or, without an argument, of all selected classes pooled. */
  prCurve(categoryId?: number | string): PrCurve {
    return this.memo(`pr:${categoryId ?? "*"}`, () => {
      const p = this.p;
      const st = this.status;
      let n: number;
      let nLab: number;
      let confidence: Float64Array, precision: Float64Array, recall: Float64Array;
      let a = 0,
        b = 0,
        j = 0;
      if (categoryId !== undefined) {
        const k = this.a.categoryIndex(categoryId);
        const r = this.classByIndex[k];
        n = r ? r.tp + r.fp : 0;
        nLab = r ? r.labels : 0;
        confidence = new Float64Array(n);
        precision = new Float64Array(n);
        recall = new Float64Array(n);
        const sConf = p.sConf;
        for (let i = p.classStart[k]!, e = p.classStart[k + 1]!; i < e && j < n; i++) {
          const v = st[i];
          if (v === CODE_TP) a++;
          else if (v === CODE_FP) b++;
          else continue;
          confidence[j] = sConf[i]!;
          precision[j] = a / (a + b);
          recall[j] = nLab > 0 ? a / nLab : 0;
          j++;
        }
      } else {
        // every counted prediction belongs to an included class (included = has labels or TP/FP)
        n = this.tp + this.fp;
        nLab = this.labels;
        confidence = new Float64Array(n);
        precision = new Float64Array(n);
        recall = new Float64Array(n);
        const order = p.globalOrder;
        const gConf = p.globalConf;
        for (let i = 0; i < order.length && j < n; i++) {
          const v = st[order[i]!];
          if (v === CODE_TP) a++;
          else if (v === CODE_FP) b++;
          else continue;
          confidence[j] = gConf[i]!;
          precision[j] = a / (a + b);
          recall[j] = nLab > 0 ? a / nLab : 0;
          j++;
        }
      }
      const envelope = precision.slice();
      for (let i = n - 1; i > 0; i--) if (envelope[i]! > envelope[i - 1]!) envelope[i - 1] = envelope[i]!;
      const interpolated = new Float64Array(101);
      const ap = apFromCurve(recall, envelope, nLab, interpolated);
      return jsonArrays({ confidence, precision, recall, envelope, interpolated, ap });
    });
  }

  /** Precision, recall and F1 as functions of the confidence threshold (raw counts), with the best-F1 point. */
  confidenceCurve(categoryId?: number | string): ConfidenceCurve {
    return this.memo(`conf:${categoryId ?? "*"}`, () => {
      const pr = this.prCurve(categoryId);
      const n = pr.confidence.length;
      const ends: number[] = [];
      for (let j = 0; j < n; j++) if (j === n - 1 || pr.confidence[j + 1] !== pr.confidence[j]) ends.push(j);
      const m = ends.length;
      const confidence = new Float64Array(m);
      const precision = new Float64Array(m);
      const recall = new Float64Array(m);
      const f1 = new Float64Array(m);
      const best = { confidence: NaN, precision: 0, recall: 0, f1: 0 };
      for (let i = 0; i < m; i++) {
        const j = ends[i]!;
        const P = pr.precision[j]!;
        const R = pr.recall[j]!;
        const F = P + R > 0 ? (2 * P * R) / (P + R) : 0;
        confidence[i] = pr.confidence[j]!;
        precision[i] = P;
        recall[i] = R;
        f1[i] = F;
        if (F > best.f1 || Number.isNaN(best.confidence)) Object.assign(best, { confidence: confidence[i], precision: P, recall: R, f1: F });
      }
      return jsonArrays({ confidence, precision, recall, f1, best });
    });
  }

  /** Histogram over [0, 1] of the candidate IoU of the counted predictions, split TP / FP (one class or all selected). */
  iouHistogram(options: { bins?: number; categoryId?: number | string } = {}): { edges: Float64Array; tp: Int32Array; fp: Int32Array } {
    const bins = options.bins ?? 20;
    if (!(Number.isInteger(bins) && bins > 0)) throw new AnalysisInputError(`bins: expected a positive integer, got ${bins}`);
    const edges = new Float64Array(bins + 1);
    for (let i = 0; i <= bins; i++) edges[i] = i / bins;
    const tp = new Int32Array(bins);
    const fp = new Int32Array(bins);
    const p = this.p;
    let s = 0,
      e = p.nPred;
    if (options.categoryId !== undefined) {
      const k = this.a.categoryIndex(options.categoryId);
      s = p.classStart[k]!;
      e = p.classStart[k + 1]!;
    }
    const st = this.status;
    for (let i = s; i < e; i++) {
      const v = st[i];
      if (v !== CODE_TP && v !== CODE_FP) continue;
      const b = Math.min(bins - 1, Math.floor(p.sIou[i]! * bins));
      if (v === CODE_TP) tp[b]!++;
      else fp[b]!++;
    }
    return jsonArrays({ edges, tp, fp });
  }

  private labelKept(l: number): boolean {
    const p = this.p;
    return (
      this.classSel[p.lClass[l]!] === 1 && (!this.imgSel || this.imgSel[p.lImage[l]!] === 1) && (!this.labelKeep || this.labelKeep[l] === 1)
    );
  }

  /** Per label (input order): 1 when kept by the view's class, image and label filters. */
  private keptLabels(): Uint8Array {
    return this.memo("keptLabels", () => {
      const p = this.p;
      const kept = new Uint8Array(p.nLabel);
      const { classSel, imgSel, labelKeep } = this;
      for (let l = 0; l < p.nLabel; l++)
        kept[l] = classSel[p.lClass[l]!] === 1 && (!imgSel || imgSel[p.lImage[l]!] === 1) && (!labelKeep || labelKeep[l] === 1) ? 1 : 0;
      return kept;
    });
  }

  /** Per label (input order): kept (1/0), matchedBy (prediction index or -1), view-best IoU (NaN if none), FN reason code. */
  private labelState(): { kept: Uint8Array; matchedBy: Int32Array; best: Float64Array; fnReason: Int8Array } {
    return this.memo("labels", () => {
      const p = this.p;
      const nL = p.nLabel;
      const kept = new Uint8Array(nL);
      const matchedBy = new Int32Array(nL).fill(-1);
      const best = new Float64Array(nL).fill(NaN);
      const fnReason = new Int8Array(nL).fill(-1);
      const st = this.status;
      for (let l = 0; l < nL; l++) {
        if (!this.labelKept(l)) continue;
        kept[l] = 1;
        for (let j = p.groupStart[l]!; j < p.groupStart[l + 1]!; j++) {
          const pos = p.groupPos[j]!;
          const v = st[pos];
          if (v === 0) continue;
          if (!(best[l]! >= p.sIou[pos]!)) best[l] = p.sIou[pos]!;
          if (v === CODE_TP) matchedBy[l] = p.sPred[pos]!;
        }
        if (p.lCrowd[l] || matchedBy[l]! >= 0) continue;
        if (!Number.isNaN(best[l])) fnReason[l] = 1;
        else {
          fnReason[l] = 0;
          // an overlapping same-class prediction that went to another label says more than "no prediction"
          for (let j = p.lSameStart[l]!; j < p.lSameStart[l + 1]!; j++) {
            if (st[p.lSamePos[j]!] !== 0) {
              fnReason[l] = 3;
              break;
            }
          }
          if (fnReason[l] === 3) continue;
          for (let j = p.lOtherStart[l]!; j < p.lOtherStart[l + 1]!; j++) {
            if (st[p.lOtherPos[j]!] !== 0 && p.lOtherIou[j]! >= this.iou) {
              fnReason[l] = 2;
              break;
            }
          }
        }
      }
      return { kept, matchedBy, best, fnReason };
    });
  }

  /** FP reason code of a counted FP at sorted position i. */
  private fpReason(i: number): number {
    const p = this.p;
    if (p.sCand[i]! < 0) return 2;
    if (p.sMatch[i]! < 0) return 3;
    if (p.sIou[i]! < this.iou) return 0;
    return 1;
  }

  /**
   * The class confusion matrix at this view's IoU threshold, confidence and filters (rows: predicted class,
   * columns: true class, background last; see ConfusionMatrix for the rule). No geometry: one pass in rank order.
   */
  confusion(): ConfusionMatrix {
    return this.memo("confusion", () =>
      confusionMatrix(
        this.p,
        this.status,
        this.keptLabels(),
        this.classes.map((r) => r.index),
        this.iou,
        this.confidence,
      ),
    );
  }

  /** Confidence calibration of the counted predictions: precision per confidence bin, ECE and MCE. */
  calibration(options: { bins?: number } = {}): Calibration {
    return this.memo(`calibration:${options.bins ?? 10}`, () => calibration(this.status, this.p.sConf, this.iou, options.bins ?? 10));
  }

  /**
   * Bootstrap intervals over images (seeded) for mAP, mAR, mean precision / F1, the pooled precision /
   * recall / F1 and each class' AP, precision, recall and F1. The matching of each image is this view's;
   * a resample only re-weights it, so 1,000 resamples cost about 1,000 linear passes.
   */
  bootstrap(options: BootstrapOptions = {}): BootstrapResult {
    const p = this.p;
    const classes = this.classes.map((r) => r.index);
    const slot = new Int32Array(p.nClass).fill(-1);
    classes.forEach((k, j) => {
      slot[k] = j;
    });
    const predImage: Int32Array[] = [];
    const predTp: Uint8Array[] = [];
    for (const r of this.classes) {
      const n = r.tp + r.fp;
      const im = new Int32Array(n);
      const tp = new Uint8Array(n);
      let j = 0;
      for (let i = p.classStart[r.index]!, e = p.classStart[r.index + 1]!; i < e && j < n; i++) {
        const v = this.status[i];
        if (v !== CODE_TP && v !== CODE_FP) continue;
        im[j] = p.sImage[i]!;
        tp[j++] = v === CODE_TP ? 1 : 0;
      }
      predImage.push(im);
      predTp.push(tp);
    }
    const kept = this.keptLabels();
    const li: number[] = [];
    const lc: number[] = [];
    for (let l = 0; l < p.nLabel; l++) {
      if (!kept[l] || p.lCrowd[l] || slot[p.lClass[l]!]! < 0) continue;
      li.push(p.lImage[l]!);
      lc.push(slot[p.lClass[l]!]!);
    }
    const images: number[] = [];
    for (let i = 0; i < p.nImage; i++) if (!this.imgSel || this.imgSel[i]) images.push(i);
    return bootstrap(
      {
        iou: this.iou,
        confidence: this.confidence,
        classes,
        classIds: this.classes.map((r) => r.categoryId),
        predImage,
        predTp,
        labelImage: Int32Array.from(li),
        labelClass: Int32Array.from(lc),
        images: Int32Array.from(images),
        nImage: p.nImage,
        estimate: { mAP: this.mAP, mAR: this.mAR, mP: this.mP, mF1: this.mF1, precision: this.precision, recall: this.recall, f1: this.f1 },
        classEstimate: this.classes,
      },
      options,
    );
  }

  /** TP / FP / FN / ignored counts with the FP and FN reasons: per included class, and the total (categoryId null). */
  outcomes(): { total: OutcomeCounts; classes: OutcomeCounts[] } {
    return this.memo("outcomes", () => {
      const p = this.p;
      const mk = (categoryId: number | string | null): OutcomeCounts => ({
        categoryId,
        tp: 0,
        fp: 0,
        fn: 0,
        ignored: 0,
        fpReasons: Object.fromEntries(FP_REASONS.map((r) => [r, 0])) as Record<FpReason, number>,
        fnReasons: Object.fromEntries(FN_REASONS.map((r) => [r, 0])) as Record<FnReason, number>,
      });
      const total = mk(null);
      const per: (OutcomeCounts | undefined)[] = new Array(p.nClass);
      const classes: OutcomeCounts[] = [];
      for (const r of this.classes) classes.push((per[r.index] = mk(r.categoryId)));
      const st = this.status;
      for (let i = 0; i < p.nPred; i++) {
        const v = st[i];
        if (v === 0) continue;
        const o = per[p.pClass[p.sPred[i]!]!];
        if (!o) continue;
        if (v === CODE_TP) {
          o.tp++;
          total.tp++;
        } else if (v === CODE_IGN) {
          o.ignored++;
          total.ignored++;
        } else {
          const r = FP_REASONS[this.fpReason(i)]!;
          o.fp++;
          o.fpReasons[r]++;
          total.fp++;
          total.fpReasons[r]++;
        }
      }
      const ls = this.labelState();
      for (let l = 0; l < p.nLabel; l++) {
        if (ls.fnReason[l]! < 0) continue;
        const o = per[p.lClass[l]!];
        if (!o) continue;
        const r = FN_REASONS[ls.fnReason[l]!]!;
        o.fn++;
        o.fnReasons[r]++;
        total.fn++;
        total.fnReasons[r]!++;
      }
      return { total, classes };
    });
  }

  /** Every kept prediction (confidence, class, image and metric filter) and every kept label, in input order. */
  explorer(): { predictions: PredictionRow[]; labels: LabelRow[] } {
    return this.memo("explorer", () => ({ predictions: this.predictionRows(0, this.p.nPred), labels: this.labelRows(0, this.p.nLabel) }));
  }

  /**
   * Per object, input order, as typed arrays (the explorer's outcome and reason without row objects; read by
   * objectTable): predictions 0 not kept, 1 TP, 2 FP, 3 ignored (crowd), with the FP reason (index into
   * FP_REASONS, -1 otherwise); labels 0 not kept, 1 TP, 2 FN, 3 crowd, with the FN reason (index into
   * FN_REASONS, -1 otherwise), the true positive's prediction index (-1 none) and the label's best IoU (the
   * explorer's `bestIou`, NaN for none).
   */
  objectOutcomes(): { predictions: Uint8Array; fpReason: Int8Array; labels: Uint8Array; fnReason: Int8Array; matchedBy: Int32Array; labelBest: Float64Array } {
    return this.memo("objectOutcomes", () => {
      const p = this.p;
      const predictions = new Uint8Array(p.nPred);
      const fpReason = new Int8Array(p.nPred).fill(-1);
      for (let q = 0; q < p.nPred; q++) {
        const i = p.pPos[q]!;
        const v = this.status[i]!;
        predictions[q] = v;
        if (v === CODE_FP) fpReason[q] = this.fpReason(i);
      }
      const ls = this.labelState();
      const labels = new Uint8Array(p.nLabel);
      for (let l = 0; l < p.nLabel; l++) {
        if (!ls.kept[l]) continue;
        labels[l] = p.lCrowd[l] === 1 ? 3 : ls.matchedBy[l]! >= 0 ? 1 : 2;
      }
      return { predictions, fpReason, labels, fnReason: ls.fnReason, matchedBy: ls.matchedBy, labelBest: ls.best };
    });
  }

  /** Explorer rows of the kept predictions with index in [from, to). */
  private predictionRows(from: number, to: number): PredictionRow[] {
    const p = this.p;
    const { images, categories, predIds, labelIds } = p;
    const preds: PredictionRow[] = [];
    for (let q = from; q < to; q++) {
      const i = p.pPos[q]!;
      const v = this.status[i];
      if (v === 0) continue;
      const cand = p.pCand[q]!;
      preds.push({
        index: q,
        id: predIds[q] ?? null,
        imageId: images[p.pImage[q]!]!.id,
        categoryId: categories[p.pClass[q]!]!.id,
        confidence: p.pConf[q]!,
        candidate: cand,
        candidateId: cand >= 0 ? (labelIds[cand] ?? null) : null,
        candidateCategoryId: cand >= 0 ? categories[p.lClass[cand]!]!.id : null,
        iou: p.pIou[q]!,
        outcome: v === CODE_TP ? "TP" : v === CODE_FP ? "FP" : "ignored",
        reason: v === CODE_FP ? FP_REASONS[this.fpReason(i)]! : v === CODE_IGN ? "crowd region" : null,
      });
    }
    return preds;
  }

  /** Explorer rows of the kept labels with index in [from, to). */
  private labelRows(from: number, to: number): LabelRow[] {
    const p = this.p;
    const { images, categories, labelIds } = p;
    const ls = this.labelState();
    const rows: LabelRow[] = [];
    for (let l = from; l < to; l++) {
      if (!ls.kept[l]) continue;
      const crowd = p.lCrowd[l] === 1;
      rows.push({
        index: l,
        id: labelIds[l] ?? null,
        imageId: images[p.lImage[l]!]!.id,
        categoryId: categories[p.lClass[l]!]!.id,
        crowd,
        bestIou: Number.isNaN(ls.best[l]!) ? null : ls.best[l]!,
        matchedBy: ls.matchedBy[l]!,
        outcome: crowd ? "crowd" : ls.matchedBy[l]! >= 0 ? "TP" : "FN",
        reason: ls.fnReason[l]! >= 0 ? FN_REASONS[ls.fnReason[l]!]! : null,
      });
    }
    return rows;
  }

  /**
   * The explorer as CSV: one row per prediction then per label (column `kind`). Prediction rows: candidate
   * label index (-1 none), its id and class, the candidate IoU. Label rows: `iou` = best IoU (empty if none),
   * `matchedBy` = the true positive's prediction index (-1 none).
   */
  explorerCsv(): string {
    return Array.from(this.explorerCsvChunks()).join("");
  }

  /**
   * explorerCsv() in pieces, for streaming: the header line, then up to `rows` rows per piece (each line ends
   * with a newline). Written straight from the typed arrays, without the row objects of explorer().
   */
  *explorerCsvChunks(rows = 8192): Generator<string, void, undefined> {
    const p = this.p;
    if (!(Number.isInteger(rows) && rows > 0)) throw new AnalysisInputError(`rows: expected a positive integer, got ${rows}`);
    const esc = csvCell;
    const num = (v: number): string => (Number.isNaN(v) ? "" : String(v));
    const imgE = p.images.map((m) => esc(m.id));
    const catE = p.categories.map((c) => esc(c.id));
    const fpE = FP_REASONS.map(esc);
    const fnE = FN_REASONS.map(esc);
    const st = this.status;
    yield "kind,index,id,imageId,categoryId,confidence,candidate,candidateId,candidateCategoryId,iou,matchedBy,outcome,reason\n";
    let out: string[] = [];
    for (let q = 0; q < p.nPred; q++) {
      const i = p.pPos[q]!;
      const v = st[i];
      if (v === 0) continue;
      const cand = p.pCand[q]!;
      const outcome = v === CODE_TP ? "TP," : v === CODE_FP ? `FP,${fpE[this.fpReason(i)]}` : "ignored,crowd region";
      out.push(`prediction,${q},${esc(p.predIds[q])},${imgE[p.pImage[q]!]},${catE[p.pClass[q]!]},${num(p.pConf[q]!)},${cand},${cand >= 0 ? esc(p.labelIds[cand]) : ""},${cand >= 0 ? catE[p.lClass[cand]!] : ""},${num(p.pIou[q]!)},,${outcome}\n`);
      if (out.length === rows) {
        yield out.join("");
        out = [];
      }
    }
    const ls = this.labelState();
    for (let l = 0; l < p.nLabel; l++) {
      if (!ls.kept[l]) continue;
      const crowd = p.lCrowd[l] === 1;
      const outcome = crowd ? "crowd" : ls.matchedBy[l]! >= 0 ? "TP" : "FN";
      out.push(`label,${l},${esc(p.labelIds[l])},${imgE[p.lImage[l]!]},${catE[p.lClass[l]!]},,,,,${num(ls.best[l]!)},${ls.matchedBy[l]},${outcome},${ls.fnReason[l]! >= 0 ? fnE[ls.fnReason[l]!] : ""}\n`);
      if (out.length === rows) {
        yield out.join("");
        out = [];
      }
    }
    if (out.length) yield out.join("");
  }

  /** The explorer as JSON: JSON.stringify(explorer()) (explorerJsonChunks() streams the same text without every row at once). */
  explorerJson(): string {
    return JSON.stringify(this.explorer());
  }

  /**
   * explorerJson() in pieces, for streaming: the rows of every `rows` objects (by index) are built and
   * serialised together, so that the whole row list never exists at once.
   */
  *explorerJsonChunks(rows = 8192): Generator<string, void, undefined> {
    const p = this.p;
    if (!(Number.isInteger(rows) && rows > 0)) throw new AnalysisInputError(`rows: expected a positive integer, got ${rows}`);
    let first = true;
    yield '{"predictions":[';
    for (let q = 0; q < p.nPred; q += rows) {
      const batch = this.predictionRows(q, Math.min(p.nPred, q + rows));
      if (batch.length === 0) continue;
      const text = JSON.stringify(batch);
      yield (first ? "" : ",") + text.slice(1, -1);
      first = false;
    }
    yield '],"labels":[';
    first = true;
    for (let l = 0; l < p.nLabel; l += rows) {
      const batch = this.labelRows(l, Math.min(p.nLabel, l + rows));
      if (batch.length === 0) continue;
      const text = JSON.stringify(batch);
      yield (first ? "" : ",") + text.slice(1, -1);
      first = false;
    }
    yield "]}";
  }

  /** Per object (input order): its 0/1 outcome when it is a sample of the metric pages, else -1. */
  private outcomeCodes(target: "predictions" | "labels"): Int8Array {
    return this.memo(`codes:${target}`, () => {
      const p = this.p;
      const inc = this.included;
      if (target === "predictions") {
        const codes = new Int8Array(p.nPred);
        const st = this.status;
        for (let q = 0; q < p.nPred; q++) {
          const v = st[p.pPos[q]!];
          codes[q] = (v === CODE_TP || v === CODE_FP) && inc[p.pClass[q]!] ? (v === CODE_TP ? 1 : 0) : -1;
        }
        return codes;
      }
      const ls = this.labelState();
      const codes = new Int8Array(p.nLabel);
      for (let l = 0; l < p.nLabel; l++) codes[l] = ls.kept[l] && !p.lCrowd[l] && inc[p.lClass[l]!] ? (ls.matchedBy[l]! >= 0 ? 1 : 0) : -1;
      return codes;
    });
  }

  /**
   * Samples of one metric, sorted by value (ties: object index): the counted predictions (TP = 1, FP = 0) or
   * the kept non-crowd labels (detected = 1) with a finite value, in the analysis' scratch (valid until the
   * next call). One pass over the metric's presorted order.
   */
  private sortedSamples(target: "predictions" | "labels", metric: string): { xs: Float64Array; ys: Uint8Array; n: number } {
    const p = this.p;
    const col = (target === "predictions" ? p.predMetrics : p.labelMetrics)[metric];
    if (!col) throw new AnalysisInputError(`metric: unknown ${target} metric ${JSON.stringify(metric)}`);
    const { xs, ys } = this.a.sampleScratch();
    const n = collectSorted(col, this.a.sortedColumn(col).order, this.outcomeCodes(target), xs, ys);
    return { xs, ys, n };
  }

  /** Pearson and Spearman correlation of every prediction metric with TP, and of every label metric with "detected". */
  metricCorrelation(): CorrelationRow[] {
    return this.memo("correlation", () => {
      const rows: CorrelationRow[] = [];
      for (const target of ["predictions", "labels"] as const) {
        for (const metric of Object.keys(target === "predictions" ? this.p.predMetrics : this.p.labelMetrics)) {
          const col = (target === "predictions" ? this.p.predMetrics : this.p.labelMetrics)[metric]!;
          const r = subsetCorrelation(col, this.a.sortedColumn(col), this.outcomeCodes(target));
          rows.push({ metric, target, n: r.n, pearson: r.pearson, spearman: r.spearman });
        }
      }
      return rows;
    });
  }

  /**
   * Equal-count bins of a metric (default 10; sizes differ by at most one, ties split by input order):
   * per bin the count and precision (predictions) or false-negative rate (labels).
   */
  metricPerformance(metric: string, options: { target?: "predictions" | "labels"; bins?: number } = {}): PerformanceBin[] {
    const target = options.target ?? (this.p.predMetrics[metric] ? "predictions" : "labels");
    const B = options.bins ?? 10;
    if (!(Number.isInteger(B) && B > 0)) throw new AnalysisInputError(`bins: expected a positive integer, got ${B}`);
    const { xs, ys, n } = this.sortedSamples(target, metric);
    const bins: PerformanceBin[] = [];
    for (let b = 0; b < B; b++) {
      const lo = Math.floor((b * n) / B);
      const hi = Math.floor(((b + 1) * n) / B);
      if (hi <= lo) continue;
      let pos = 0;
      for (let j = lo; j < hi; j++) pos += ys[j]!;
      const count = hi - lo;
      bins.push({
        min: xs[lo]!,
        max: xs[hi - 1]!,
        count,
        tp: pos,
        fp: target === "predictions" ? count - pos : 0,
        fn: target === "labels" ? count - pos : 0,
        precision: target === "predictions" ? pos / count : NaN,
        fnRate: target === "labels" ? (count - pos) / count : NaN,
      });
    }
    return bins;
  }

  /** A JSON-ready summary (NaN as null): the `analyze --format json` object. */
  summary(): AnalysisSummary {
    const num = (v: number): number | null => (Number.isFinite(v) ? v : null);
    return {
      iou: this.iou,
      confidence: Number.isFinite(this.confidence) ? this.confidence : null,
      candidates: this.a.candidates,
      iouKind: this.a.iouKind,
      mAP: this.mAP,
      mAR: this.mAR,
      AR: this.cocoAR,
      mP: this.mP,
      mR: this.mR,
      mF1: this.mF1,
      tp: this.tp,
      fp: this.fp,
      fn: this.fn,
      ignored: this.ignored,
      labels: this.labels,
      precision: this.precision,
      recall: this.recall,
      f1: this.f1,
      avgIou: num(this.avgIou),
      classes: this.classes.map(({ index: _index, ...r }) => ({ ...r, avgIou: num(r.avgIou) })),
    };
  }
}

export interface AnalysisSummary {
  iou: number;
  confidence: number | null;
  candidates: "same-class" | "any-class";
  /** "mask": IoU of the rendered shapes (Encord Active's rule); "box": exact box IoU (as COCO bbox) */
  iouKind: "mask" | "box" | "oks";
  mAP: number;
  mAR: number;
  /** COCO-style AR: mean recall over t = .50:.05:.95 */
  AR: number;
  mP: number;
  mR: number;
  mF1: number;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  labels: number;
  precision: number;
  recall: number;
  f1: number;
  avgIou: number | null;
  /** ClassResult without its index, avgIou null (JSON has no NaN) when there is no true positive */
  classes: (Omit<ClassResult, "index" | "avgIou"> & { avgIou: number | null })[];
}

/** Position of each object by its id as a string, so that 3 and "3" find the same object. */
function indexById(list: readonly { id: number | string }[]): Map<string, number> {
  return new Map(list.map((o, i) => [String(o.id), i]));
}

/** Index by name; -1 for a name that several entries share. */
function indexByName(list: readonly { name: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  list.forEach((o, i) => m.set(o.name, m.has(o.name) ? -1 : i));
  return m;
}

/** `o` with a toJSON that writes its typed arrays as JSON arrays (JSON.stringify would write {"0": ...}). */
function jsonArrays<T extends object>(o: T): T {
  Object.defineProperty(o, "toJSON", {
    value: () => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v])),
  });
  return o;
}

function lookupId(index: Map<string, number>, id: number | string, path: string, what: string): number {
  const i = index.get(String(id));
  if (i === undefined) throw new AnalysisInputError(`${path}: no ${what} with id ${JSON.stringify(id)}`);
  return i;
}
