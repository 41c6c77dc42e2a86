// An independent, deliberately naive implementation of model-performance.md, written straight from the
// rules: for each question, filter by confidence (and the other filters), find every prediction's
// candidate, pick each label's true positive directly, then count and integrate. No dup encoding, no
// presorting, no typed-array layout. Used by test/analysis*.test.ts to check analyze().at().

export interface BruteObject {
  image: number;
  category: number;
  crowd?: boolean;
  confidence?: number;
}

export interface BruteData {
  nClass: number;
  nImage: number;
  labels: BruteObject[];
  predictions: BruteObject[];
  /** IoU of prediction p with label l (same image); for crowd labels: intersection / area(p). */
  iou(p: number, l: number): number;
}

export interface BruteQuery {
  t: number;
  c: number;
  mode: "same-class" | "any-class";
  classes?: Set<number>;
  images?: Set<number>;
  predKeep?: (p: number) => boolean;
  labelKeep?: (l: number) => boolean;
}

export interface BruteClass {
  k: number;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  labels: number;
  ap: number;
  precision: number;
  recall: number;
  f1: number;
  avgIou: number;
}

export interface BruteResult {
  classes: BruteClass[];
  mAP: number;
  mAR: number;
  mP: number;
  mF1: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  avgIou: number;
  /** per prediction: undefined when not kept, else outcome and reason */
  pred: ({ outcome: "TP" | "FP" | "ignored"; reason: string | null; iou: number; cand: number } | undefined)[];
  /** per label: undefined when not kept */
  label: ({ outcome: "TP" | "FN" | "crowd"; reason: string | null; matchedBy: number } | undefined)[];
}

const R = Array.from({ length: 101 }, (_, i) => (i === 100 ? 1 : i * 0.01));

/** The candidate of prediction p: highest IoU > 0 among the image's non-crowd labels (own class or any), first on ties. */
export function candidateOf(d: BruteData, p: number, mode: BruteQuery["mode"]): { cand: number; iou: number } {
  const P = d.predictions[p]!;
  let cand = -1;
  let best = 0;
  for (let l = 0; l < d.labels.length; l++) {
    const L = d.labels[l]!;
    if (L.image !== P.image || L.crowd) continue;
    if (mode === "same-class" && L.category !== P.category) continue;
    const v = d.iou(p, l);
    if (v > best) {
      best = v;
      cand = l;
    }
  }
  return { cand, iou: best };
}

/** Rank: confidence descending, then candidate IoU descending, then input order. */
function rankCompare(d: BruteData, cands: { iou: number }[]) {
  return (a: number, b: number): number => {
    const ca = d.predictions[a]!.confidence!;
    const cb = d.predictions[b]!.confidence!;
    if (ca !== cb) return cb - ca;
    if (cands[a]!.iou !== cands[b]!.iou) return cands[b]!.iou - cands[a]!.iou;
    return a - b;
  };
}

export function bruteForce(d: BruteData, q: BruteQuery): BruteResult {
  const { t, c, mode } = q;
  const nP = d.predictions.length;
  const nL = d.labels.length;
  const cands = Array.from({ length: nP }, (_, p) => candidateOf(d, p, mode));
  const classOk = (k: number) => !q.classes || q.classes.has(k);
  const imageOk = (i: number) => !q.images || q.images.has(i);
  const labelKept = (l: number) => classOk(d.labels[l]!.category) && imageOk(d.labels[l]!.image) && (!q.labelKeep || q.labelKeep(l));
  const predKept = (p: number) => {
    const P = d.predictions[p]!;
    if (P.confidence! < c || !classOk(P.category) || !imageOk(P.image)) return false;
    if (q.predKeep && !q.predKeep(p)) return false;
    const cand = cands[p]!.cand;
    if (q.labelKeep && cand >= 0 && !q.labelKeep(cand)) return false;
    return true;
  };
  const keptP: number[] = [];
  for (let p = 0; p < nP; p++) if (predKept(p)) keptP.push(p);
  const rank = rankCompare(d, cands);

  // each kept non-crowd label's true positive
  const isTp = new Map<number, number>(); // pred -> label
  const matchedBy = new Array<number>(nL).fill(-1);
  for (let l = 0; l < nL; l++) {
    const L = d.labels[l]!;
    if (L.crowd || !labelKept(l)) continue;
    const eligible = keptP.filter((p) => cands[p]!.cand === l && d.predictions[p]!.category === L.category && cands[p]!.iou >= t);
    if (eligible.length === 0) continue;
    eligible.sort(rank);
    isTp.set(eligible[0]!, l);
    matchedBy[l] = eligible[0]!;
  }

  const pred: BruteResult["pred"] = new Array(nP).fill(undefined);
  for (const p of keptP) {
    const P = d.predictions[p]!;
    const { cand, iou } = cands[p]!;
    if (isTp.has(p)) {
      pred[p] = { outcome: "TP", reason: null, iou, cand };
      continue;
    }
    let crowd = -1;
    for (let l = 0; l < nL; l++) {
      const L = d.labels[l]!;
      if (L.crowd && L.image === P.image && L.category === P.category) crowd = Math.max(crowd, d.iou(p, l));
    }
    if (crowd >= t) {
      pred[p] = { outcome: "ignored", reason: "crowd region", iou, cand };
      continue;
    }
    let reason: string;
    if (cand < 0) reason = "no overlapping label";
    else if (d.labels[cand]!.category !== P.category) reason = "closest label is another class";
    else if (iou < t) reason = "IoU below threshold";
    else reason = "a higher-confidence prediction already matched the label";
    pred[p] = { outcome: "FP", reason, iou, cand };
  }

  const label: BruteResult["label"] = new Array(nL).fill(undefined);
  for (let l = 0; l < nL; l++) {
    if (!labelKept(l)) continue;
    const L = d.labels[l]!;
    if (L.crowd) {
      label[l] = { outcome: "crowd", reason: null, matchedBy: -1 };
      continue;
    }
    if (matchedBy[l]! >= 0) {
      label[l] = { outcome: "TP", reason: null, matchedBy: matchedBy[l]! };
      continue;
    }
    let reason = "no prediction";
    if (keptP.some((p) => cands[p]!.cand === l && d.predictions[p]!.category === L.category)) reason = "predictions below IoU threshold";
    else if (keptP.some((p) => d.predictions[p]!.image === L.image && d.predictions[p]!.category === L.category && cands[p]!.cand !== l && d.iou(p, l) > 0))
      reason = "same-class predictions matched elsewhere";
    else if (keptP.some((p) => d.predictions[p]!.image === L.image && d.predictions[p]!.category !== L.category && d.iou(p, l) >= t))
      reason = "only other classes";
    label[l] = { outcome: "FN", reason, matchedBy: -1 };
  }

  const classes: BruteClass[] = [];
  let TP = 0,
    FP = 0,
    FN = 0,
    iouSum = 0;
  for (let k = 0; k < d.nClass; k++) {
    if (!classOk(k)) continue;
    let nLab = 0;
    for (let l = 0; l < nL; l++) if (label[l] && d.labels[l]!.category === k && !d.labels[l]!.crowd) nLab++;
    const counted = keptP.filter((p) => d.predictions[p]!.category === k && pred[p]!.outcome !== "ignored").sort(rank);
    const ignored = keptP.filter((p) => d.predictions[p]!.category === k && pred[p]!.outcome === "ignored").length;
    const tp = counted.filter((p) => pred[p]!.outcome === "TP").length;
    const fp = counted.length - tp;
    if (nLab === 0 && tp + fp === 0) continue;
    // AP: cumulative precision / recall in rank order, COCO 101-point interpolation
    const rc: number[] = [];
    const pr: number[] = [];
    let a = 0,
      b = 0;
    for (const p of counted) {
      if (pred[p]!.outcome === "TP") a++;
      else b++;
      rc.push(nLab > 0 ? a / nLab : 0);
      pr.push(a / (a + b));
    }
    let ap = 0;
    if (nLab > 0) {
      for (const r of R) {
        const j = rc.findIndex((x) => x >= r);
        if (j < 0) continue;
        ap += Math.max(...pr.slice(j));
      }
      ap /= 101;
    }
    const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
    const recall = nLab > 0 ? tp / nLab : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    let s = 0;
    for (const p of counted) if (pred[p]!.outcome === "TP") s += pred[p]!.iou;
    classes.push({ k, tp, fp, fn: nLab - tp, ignored, labels: nLab, ap, precision, recall, f1, avgIou: tp > 0 ? s / tp : NaN });
    TP += tp;
    FP += fp;
    FN += nLab - tp;
    iouSum += s;
  }
  const mean = (f: (x: BruteClass) => number) => (classes.length ? classes.reduce((s, x) => s + f(x), 0) / classes.length : 0);
  const precision = TP + FP > 0 ? TP / (TP + FP) : 0;
  const recall = TP + FN > 0 ? TP / (TP + FN) : 0;
  return {
    classes,
    mAP: mean((x) => x.ap),
    mAR: mean((x) => x.recall),
    mP: mean((x) => x.precision),
    mF1: mean((x) => x.f1),
    tp: TP,
    fp: FP,
    fn: FN,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    avgIou: TP > 0 ? iouSum / TP : NaN,
    pred,
    label,
  };
}

/** COCO-style AR the naive way: per included class (at the query's t) the mean recall over .50:.05:.95. */
export function bruteCocoAR(d: BruteData, q: BruteQuery): number {
  const base = bruteForce(d, q);
  if (base.classes.length === 0) return 0;
  const ts = Array.from({ length: 10 }, (_, i) => (i === 9 ? 0.95 : 0.5 + i * ((0.95 - 0.5) / 9)));
  const per = ts.map((t) => bruteForce(d, { ...q, t }));
  let sum = 0;
  for (const cl of base.classes) {
    if (cl.labels === 0) continue;
    let s = 0;
    for (const r of per) s += r.classes.find((x) => x.k === cl.k)?.recall ?? 0;
    sum += s / ts.length;
  }
  return sum / base.classes.length;
}
