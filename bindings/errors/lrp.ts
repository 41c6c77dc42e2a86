// LRP error (Oksuz et al., "One Metric to Measure them All", TPAMI 2021): the optimal LRP (oLRP) per
// class, its components and LRP-optimal confidence thresholds, and their means (moLRP), as the
// LRP-Error fork of pycocotools (github.com/kemaloksuz/LRP-Error, pycocotools/) computes them in
// COCOeval.accumulate() and summarize(). The fork's matching is pycocotools' evaluateImg (plus the
// IoU of each match), so this reads our matching (CocoMatches) and adds no geometry.
import { checkArgument, CocoInputError } from "../coco/errors.js";
import type { CocoId } from "../coco/ids.js";
import type { CocoResults } from "../coco/inputs.js";
import { argsortDescendingStable, npMean } from "../coco/numeric.js";
import type { CocoParams } from "../coco/params.js";
import type { CocoMatches } from "../coco/types.js";

/** What lrp() reads of an evaluation: a CocoEvaluation (evaluateCoco's result) is one. */
export interface LrpSource {
  readonly params: CocoParams;
  /** The per-detection matching (a CocoEvaluation computes it on first access). */
  readonly matches: CocoMatches;
}

export interface LrpOptions {
  /**
   * The TP validation IoU threshold tau: one of the evaluation's `iouThrs` (its exact value is used).
   * Default `iouThrs[0]` (0.5 with the default params), which is what the fork uses.
   */
  tau?: number;
  /** Area range, by label (`params.areaRngLbl`); default "all" (the fork also reports small / medium / large oLRP). */
  areaRng?: string;
  /** Detections per image, one of `params.maxDets`; default the last (100; the fork's summary reads maxDets[2]). */
  maxDets?: number;
}

/**
 * One class's optimal LRP. -1 everywhere when the class has no ground truth that counts (none, or all
 * crowd / outside the area range): the fork leaves its -1 initial values. With ground truth but no true
 * positive at any threshold (no detections, or only false positives), `olrp` and `olrpFn` are 1 and
 * `olrpLoc`, `olrpFp` and `threshold` are NaN. `olrpLoc` / `olrpFp` are also NaN when the optimum falls
 * where no TP (or no TP and no FP) is counted yet, as in the fork (0 / 0).
 */
export interface LrpClassResult {
  /** The category id (-1 when the evaluation pooled categories: useCats false). */
  readonly categoryId: CocoId;
  /** oLRP in [0, 1]: the least LRP error over the confidence thresholds. */
  readonly olrp: number;
  /** Mean 1 - IoU of the true positives at the optimum (not divided by 1 - tau). */
  readonly olrpLoc: number;
  /** FP / (TP + FP) at the optimum. */
  readonly olrpFp: number;
  /** FN / (number of ground truth that counts) at the optimum. */
  readonly olrpFn: number;
  /** The LRP-optimal confidence threshold: the score of the detection at the optimum (keep scores >= it). */
  readonly threshold: number;
}

/**
 * moLRP and its components: the mean over the classes whose value is neither NaN nor -1 (np.mean, as the
 * fork's summarize), -1 when no class has one. So `olrpLoc` / `olrpFp` average only the classes with a
 * true positive, and `olrp` / `olrpFn` include the classes without one (at 1).
 */
export interface LrpResult {
  readonly olrp: number;
  readonly olrpLoc: number;
  readonly olrpFp: number;
  readonly olrpFn: number;
  /** One entry per params.catIds (one entry, categoryId -1, when useCats is false). */
  readonly classes: LrpClassResult[];
  /** The tau, area range label and maxDets used. */
  readonly tau: number;
  readonly areaRng: string;
  readonly maxDets: number;
}

function optionError(name: string, problem: string): CocoInputError {
  return new CocoInputError(`lrp options.${name}`, problem);
}

/**
 * Optimal LRP per class and its means, equal to the LRP-Error fork's COCOeval (accumulate's olrp,
 * olrp_loc, olrp_fp, olrp_fn, lrp_opt_thr and summarize's moLRP stats). `dt` is the results the
 * evaluation was run on (for the scores). For each class, the detections of every image (each cut to
 * maxDets) are ranked by score (stable); at every rank the LRP of keeping the detections up to it is
 * (sum(1 - IoU of TPs) / (1 - tau) + FP + FN) / (TP + FP + FN), and the first minimum is the optimum.
 */
export function lrp(evaluation: LrpSource, dt: CocoResults, options: LrpOptions = {}): LrpResult {
  checkArgument(typeof evaluation === "object" && evaluation !== null && "params" in evaluation && "matches" in evaluation, "lrp", "the first argument", "an evaluation (evaluateCoco's result)", evaluation);
  checkArgument(dt?.kind === "coco-results", "lrp", "the second argument", "the parsed results the evaluation ran on", dt);
  const p = evaluation.params;
  const m = evaluation.matches;
  const T = m.T;
  if (T === 0 || p.iouThrs.length === 0) throw optionError("tau", "the evaluation has no IoU thresholds (params.iouThrs is empty)");
  const t = options.tau === undefined ? 0 : p.iouThrs.indexOf(options.tau);
  if (t < 0) throw optionError("tau", `${options.tau} is not one of the evaluation's iouThrs (${p.iouThrs.join(", ")})`);
  const tau = p.iouThrs[t]!;
  const areaRng = options.areaRng ?? "all";
  const a = p.areaRngLbl.indexOf(areaRng);
  if (a < 0 || a >= m.A) throw optionError("areaRng", `${JSON.stringify(areaRng)} is not one of the evaluation's area ranges (${p.areaRngLbl.join(", ")})`);
  if (p.maxDets.length === 0) throw optionError("maxDets", "the evaluation has no maxDets");
  const maxDet = options.maxDets ?? p.maxDets[p.maxDets.length - 1]!;
  if (!p.maxDets.includes(maxDet)) throw optionError("maxDets", `${maxDet} is not one of the evaluation's maxDets (${p.maxDets.join(", ")})`);

  const nDt = m.dt.length;
  const nGt = m.gt.length;
  const idIsZero = dt.dataset.annotations.idIsZero;
  const resPos = new Int32Array(dt.count).fill(-1);
  for (let j = 0; j < nDt; j++) {
    const r = m.dt[j]!;
    if (r >= dt.count) throw new CocoInputError("lrp", "the results are not the ones this evaluation was run on (a matched result index is out of range)");
    resPos[r] = j;
  }

  // per detection at (a, t): 0 ignored, 1 TP, 2 FP (accumulate's rule: a match to id 0 is an FP), and a TP's IoU
  const base = (a * T + t) * nDt;
  const status = new Uint8Array(nDt);
  for (let j = 0; j < nDt; j++) {
    if (m.dtIgnore[base + j]) continue;
    const mt = m.dtMatch[base + j]!;
    status[j] = mt >= 0 && !idIsZero[mt] ? 1 : 2;
  }
  // the IoU of a TP's match (the fork's dtIoUs): via the label it matched, by position in the block
  const tpIou = new Float64Array(nDt);
  const gBase = (a * T + t) * nGt;
  for (let b = 0; b < m.blockCount; b++) {
    const g0 = m.blockGtStart[b]!;
    const G = m.blockGtStart[b + 1]! - g0;
    const d0 = m.blockDtStart[b]!;
    for (let q = 0; q < G; q++) {
      const r = m.gtMatch[gBase + g0 + q]!;
      if (r < 0) continue;
      const j = resPos[r]!;
      if (j < 0 || status[j] !== 1 || m.dtMatch[base + j] !== m.gt[g0 + q]) continue; // crowd: several, all ignored
      tpIou[j] = m.iou[m.blockIouStart[b]! + (j - d0) * G + q]!;
    }
  }

  const K = p.useCats ? p.catIds.length : 1;
  const classes: LrpClassResult[] = [];
  const oneMinusTau = 1 - tau;
  let b = 0;
  for (let k = 0; k < K; k++) {
    const categoryId: CocoId = p.useCats ? p.catIds[k]! : -1;
    // this class's blocks (category-major, images in order): the fork's evalImgs E
    const b0 = b;
    while (b < m.blockCount && (!p.useCats || m.blockCategory[b] === k)) b++;
    const none = { categoryId, olrp: -1, olrpLoc: -1, olrpFp: -1, olrpFn: -1, threshold: -1 };
    if (b === b0) {
      classes.push(none);
      continue;
    }
    let npig = 0;
    for (let g = m.blockGtStart[b0]!; g < m.blockGtStart[b]!; g++) if (!m.gtIgnore[a * nGt + g]) npig++;
    if (npig === 0) {
      classes.push(none);
      continue;
    }
    // each image's first maxDet detections, concatenated in image order, then ranked by score (stable)
    const sel: number[] = [];
    for (let bb = b0; bb < b; bb++) {
      const d0 = m.blockDtStart[bb]!;
      const d1 = Math.min(m.blockDtStart[bb + 1]!, d0 + maxDet);
      for (let j = d0; j < d1; j++) sel.push(j);
    }
    const keys = new Float64Array(sel.length);
    for (let i = 0; i < sel.length; i++) keys[i] = dt.score[m.dt[sel[i]!]!]!;
    const order = argsortDescendingStable(keys);

    let tp = 0;
    let fp = 0;
    let cumIou = 0; // np.cumsum: sequential
    let best = Number.POSITIVE_INFINITY;
    let bestI = -1;
    let bestTp = 0;
    let bestFp = 0;
    let bestLoc = 0;
    for (let i = 0; i < order.length; i++) {
      const j = sel[order[i]!]!;
      const st = status[j]!;
      if (st === 1) {
        tp++;
        cumIou += tpIou[j]!;
      } else if (st === 2) fp++;
      const fn = npig - tp;
      const totalLoc = tp - cumIou;
      const v = (totalLoc / oneMinusTau + fp + fn) / (tp + fp + fn);
      if (v < best) {
        // np.argmin: the first minimum
        best = v;
        bestI = i;
        bestTp = tp;
        bestFp = fp;
        bestLoc = totalLoc;
      }
    }
    if (tp === 0) {
      // no detections, or no TP among them
      classes.push({ categoryId, olrp: 1, olrpLoc: Number.NaN, olrpFp: Number.NaN, olrpFn: 1, threshold: Number.NaN });
      continue;
    }
    classes.push({
      categoryId,
      olrp: best,
      olrpLoc: bestLoc / bestTp,
      olrpFp: bestFp / (bestTp + bestFp),
      olrpFn: (npig - bestTp) / npig,
      threshold: keys[order[bestI]!]!,
    });
  }

  return {
    olrp: classMean(classes, "olrp"),
    olrpLoc: classMean(classes, "olrpLoc"),
    olrpFp: classMean(classes, "olrpFp"),
    olrpFn: classMean(classes, "olrpFn"),
    classes,
    tau,
    areaRng,
    maxDets: maxDet,
  };
}

/** The fork's summarize(): np.mean of the values that are neither NaN nor -1, or -1 when there is none. */
function classMean(classes: readonly LrpClassResult[], key: "olrp" | "olrpLoc" | "olrpFp" | "olrpFn"): number {
  const kept: number[] = [];
  for (const c of classes) {
    const v = c[key];
    if (!Number.isNaN(v) && v > -1) kept.push(v);
  }
  return kept.length === 0 ? -1 : npMean(Float64Array.from(kept));
}
