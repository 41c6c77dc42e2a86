// Two or more models side by side on the same labels: each model's numbers (those of analyzing it
// alone), per-class values of every model, and for every model against the first (the baseline)
// the differences with paired bootstrap intervals and p-values over images (both views resampled
// with the same image draws: the same seed over the same images), and the per-label flips (labels
// found by one model and missed by the other).
import type { AnalysisSummary, AnalysisView } from "./analysis.js";
import type { BootstrapResult } from "./bootstrap.js";
import { interval } from "../coco/resample.js";
import { AnalysisInputError } from "./types.js";

export interface CompareOptions {
  /** One name per view (default "model 1", "model 2", ...). */
  names?: readonly string[];
  /** Bootstrap resamples of the images for the intervals and p-values (default 1000; 0: none). */
  resamples?: number;
  /** Seed of the resampling (default 0). */
  seed?: number;
  /** Coverage of the intervals (default 0.95). */
  level?: number;
}

export type ModelResult = Omit<AnalysisSummary, "classes"> & { name: string };

/** Per class: one value per model (null where the model's view has no such class). */
export interface ClassComparison {
  categoryId: number | string;
  name: string;
  ap: (number | null)[];
  tp: (number | null)[];
  fp: (number | null)[];
  fn: (number | null)[];
  precision: (number | null)[];
  recall: (number | null)[];
  f1: (number | null)[];
}

/** model b minus the baseline: the difference, its paired bootstrap interval and two-sided p-value (null without a bootstrap). */
export interface Difference {
  delta: number;
  lo: number | null;
  hi: number | null;
  p: number | null;
}

export interface LabelFlip {
  /** The label's index in the input, its id (when it has one), image and class. */
  index: number;
  id: number | string | null;
  imageId: number | string;
  categoryId: number | string;
}

export interface PairComparison {
  /** model indices: `model` against the baseline (index 0) */
  baseline: number;
  model: number;
  mAP: Difference;
  mAR: Difference;
  mF1: Difference;
  precision: Difference;
  recall: Difference;
  f1: Difference;
  /** AP per class present in both views */
  classes: { categoryId: number | string; ap: Difference }[];
  /** labels the model finds (TP) and the baseline misses (FN), and the reverse */
  gained: LabelFlip[];
  lost: LabelFlip[];
}

export interface Comparison {
  resamples: number;
  seed: number;
  level: number;
  models: ModelResult[];
  classes: ClassComparison[];
  pairs: PairComparison[];
}

/** The labels of two views must be the same objects (one ground truth), else the flips mean nothing. */
function checkSameLabels(views: readonly AnalysisView[]): void {
  const p0 = views[0]!.analysis.p;
  views.forEach((v, i) => {
    const p = v.analysis.p;
    const same =
      p.nLabel === p0.nLabel &&
      p.nImage === p0.nImage &&
      p.nClass === p0.nClass &&
      p.categories.every((c, k) => c.id === p0.categories[k]!.id) &&
      p.images.every((im, k) => im.id === p0.images[k]!.id) &&
      p.lImage.every((x, l) => x === p0.lImage[l] && p.lClass[l] === p0.lClass[l]);
    if (!same) throw new AnalysisInputError(`compare: model ${i + 1} was analysed with other labels, images or classes than model 1 (compare models on the same ground truth)`);
  });
}

function pairedDifference(estimate: number, a: Float64Array | undefined, b: Float64Array | undefined, level: number): Difference {
  if (!a || !b) return { delta: estimate, lo: null, hi: null, p: null };
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = b[i]! - a[i]!;
  const iv = interval(estimate, d, level);
  let n = 0;
  let le = 0;
  let ge = 0;
  for (const v of d) {
    if (Number.isNaN(v)) continue;
    n++;
    if (v <= 0) le++;
    if (v >= 0) ge++;
  }
  const p = n > 0 ? Math.min(1, (2 * Math.min(le, ge)) / n) : null;
  return { delta: estimate, lo: Number.isFinite(iv.lo) ? iv.lo : null, hi: Number.isFinite(iv.hi) ? iv.hi : null, p };
}

/** Compares views of analyses of the same labels (the first is the baseline). */
export function compare(views: readonly AnalysisView[], options: CompareOptions = {}): Comparison {
  if (!Array.isArray(views as unknown) || views.length < 2) throw new TypeError("compare: expected two or more views (analysis.at(...)) of analyses of the same labels");
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 0;
  const level = options.level ?? 0.95;
  const names = views.map((_, i) => options.names?.[i] ?? `model ${i + 1}`);
  checkSameLabels(views);
  const summaries = views.map((v) => v.summary());
  const models: ModelResult[] = summaries.map(({ classes: _classes, ...s }, i) => ({ name: names[i]!, ...s }));

  // classes: the union of the views' classes, in the first appearance order (views list classes by category order)
  const order: { categoryId: number | string; name: string }[] = [];
  const seen = new Set<number | string>();
  for (const s of summaries) for (const c of s.classes) if (!seen.has(c.categoryId)) (seen.add(c.categoryId), order.push({ categoryId: c.categoryId, name: c.name }));
  const p0 = views[0]!.analysis.p;
  const rank = new Map<number | string, number>(p0.categories.map((c, k) => [c.id, k] as const));
  order.sort((x, y) => rank.get(x.categoryId)! - rank.get(y.categoryId)!);
  const byId = summaries.map((s) => new Map(s.classes.map((c) => [c.categoryId, c] as const)));
  const col = <K extends "ap" | "tp" | "fp" | "fn" | "precision" | "recall" | "f1">(id: number | string, key: K) => byId.map((m) => (m.get(id)?.[key] ?? null) as number | null);
  const classes: ClassComparison[] = order.map(({ categoryId, name }) => ({
    categoryId,
    name,
    ap: col(categoryId, "ap"),
    tp: col(categoryId, "tp"),
    fp: col(categoryId, "fp"),
    fn: col(categoryId, "fn"),
    precision: col(categoryId, "precision"),
    recall: col(categoryId, "recall"),
    f1: col(categoryId, "f1"),
  }));

  // paired resamples: the same seed over the same images draws the same weights for every view
  const boots: (BootstrapResult | undefined)[] = views.map((v) => (resamples > 0 ? v.bootstrap({ resamples, seed, level, keepSamples: true }) : undefined));
  const outcomes = views.map((v) => v.objectOutcomes().labels);
  const flip = (l: number): LabelFlip => ({
    index: l,
    id: p0.labelIds[l] ?? null,
    imageId: p0.images[p0.lImage[l]!]!.id,
    categoryId: p0.categories[p0.lClass[l]!]!.id,
  });
  const pairs: PairComparison[] = [];
  for (let j = 1; j < views.length; j++) {
    const a = summaries[0]!;
    const b = summaries[j]!;
    const sa = boots[0]?.samples;
    const sb = boots[j]?.samples;
    const diff = (key: "mAP" | "mAR" | "mF1" | "precision" | "recall" | "f1") =>
      pairedDifference(b[key] - a[key], key === "mAR" ? undefined : sa?.[key as "mAP"], key === "mAR" ? undefined : sb?.[key as "mAP"], level);
    const classDiffs: PairComparison["classes"] = [];
    for (const c of order) {
      const ca = byId[0]!.get(c.categoryId);
      const cb = byId[j]!.get(c.categoryId);
      if (!ca || !cb) continue;
      const ia = boots[0]?.classes.findIndex((x) => x.categoryId === c.categoryId) ?? -1;
      const ib = boots[j]?.classes.findIndex((x) => x.categoryId === c.categoryId) ?? -1;
      classDiffs.push({ categoryId: c.categoryId, ap: pairedDifference(cb.ap - ca.ap, ia >= 0 ? sa?.ap[ia] : undefined, ib >= 0 ? sb?.ap[ib] : undefined, level) });
    }
    const gained: LabelFlip[] = [];
    const lost: LabelFlip[] = [];
    for (let l = 0; l < p0.nLabel; l++) {
      const x = outcomes[0]![l]!;
      const y = outcomes[j]![l]!;
      if (x === 2 && y === 1) gained.push(flip(l));
      else if (x === 1 && y === 2) lost.push(flip(l));
    }
    pairs.push({ baseline: 0, model: j, mAP: diff("mAP"), mAR: diff("mAR"), mF1: diff("mF1"), precision: diff("precision"), recall: diff("recall"), f1: diff("f1"), classes: classDiffs, gained, lost });
  }
  return { resamples, seed, level, models, classes, pairs };
}
