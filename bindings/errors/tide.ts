// TIDE (Bolya et al., ECCV 2020): which kinds of error cost a detector how much AP, with the numbers
// of the reference implementation tidecv 1.0.1 (github.com/dbolya/tide, quantify.py, errors/, ap.py).
// Each prediction that is not a true positive gets one error (Loc, Cls, Dupe, Bkg, Both, in that order
// of tests), each label no error can fix is a Miss; fixing one kind re-scores or drops its predictions
// (or labels) and measures TIDE's AP50 again. Geometry comes from a GeometryEngine (pycocotools' box /
// mask IoU bit for bit), the AP from tide-ap.ts.
import { checkArgument, CocoInputError, describeValue, isGeometryEngine } from "../coco/errors.js";
import type { CocoId } from "../coco/ids.js";
import { BOX_OK, type CocoDataset, type CocoResults } from "../coco/inputs.js";
import { argsortDescendingStable } from "../coco/numeric.js";
import { annotationRle, resolveResultGeometry, resultRle } from "../coco/object-rle.js";
import type { GeometryEngine, Rle } from "../geometry/types.js";
import { TideApData } from "./tide-ap.js";

/** tidecv's main errors, in its order (TIDE._error_types). */
export const TIDE_MAIN_ERRORS = ["Cls", "Loc", "Both", "Dupe", "Bkg", "Miss"] as const;
/** tidecv's special errors: perfect precision (FalsePos), perfect recall (FalseNeg). */
export const TIDE_SPECIAL_ERRORS = ["FalsePos", "FalseNeg"] as const;
export type TideMainError = (typeof TIDE_MAIN_ERRORS)[number];
export type TideSpecialError = (typeof TIDE_SPECIAL_ERRORS)[number];

export interface TideOptions {
  /** "bbox" (TIDE.BOX, the default) or "segm" (TIDE.MASK). */
  iouType?: "bbox" | "segm";
  /** IoU at or above which a prediction matches a label; default 0.5. */
  posThreshold?: number;
  /** IoU at or below which a prediction is background; default 0.1. */
  backgroundThreshold?: number;
  /** Predictions kept per image (highest scores, all classes together); default 100 as tidecv's COCO loader. */
  maxDets?: number;
}

export interface TideClassResult {
  readonly categoryId: CocoId;
  /** Labels of the class (crowd regions excluded). */
  readonly numGt: number;
  /** The class's predictions in the AP (true and false positives; predictions inside a crowd region are not). */
  readonly numPredictions: number;
  /** TIDE's AP50 of the class, 0..100 (0 for a class with predictions and no labels). */
  readonly ap: number;
  /**
   * The class's AP after fixing each kind, minus `ap` (not clamped at 0, as tidecv clamps only the
   * mean). NaN when the fix leaves the class with neither predictions nor labels: tidecv then drops it
   * from the mean (a class without labels whose every prediction is removed).
   */
  readonly main: Readonly<Record<TideMainError, number>>;
  readonly special: Readonly<Record<TideSpecialError, number>>;
}

export interface TideResult {
  readonly iouType: "bbox" | "segm";
  readonly posThreshold: number;
  readonly backgroundThreshold: number;
  readonly maxDets: number;
  /**
   * TIDE's AP at posThreshold (AP50 by default) in AP points (0..100): the mean over every class with
   * labels or predictions, classes with predictions but no labels counting 0. NaN when there are neither.
   */
  readonly ap: number;
  /** dAP of each main error: the mean AP with that kind fixed, minus `ap`, at least 0 (tidecv's max(., 0)). */
  readonly main: Readonly<Record<TideMainError, number>>;
  /** dAP of the special errors (not clamped). */
  readonly special: Readonly<Record<TideSpecialError, number>>;
  /** The mean AP with each kind fixed (what the dAPs are measured from). NaN when the fix leaves no class. */
  readonly fixedAp: Readonly<Record<TideMainError | TideSpecialError, number>>;
  /** How many errors of each main kind (predictions inside crowd regions included, as in tidecv). */
  readonly counts: Readonly<Record<TideMainError, number>>;
  /** Every class of the AP, in tidecv's order (first seen, image by image). */
  readonly classes: readonly TideClassResult[];
  readonly warnings: readonly string[];
}

// error kinds (indices into TIDE_MAIN_ERRORS)
const CLS = 0;
const LOC = 1;
const BOTH = 2;
const DUPE = 3;
const BKG = 4;
const MISS = 5;

// prediction states (tidecv's pred['used']: False, True, None)
const UNUSED = 0;
const USED = 1;
const IGNORED = 2;

function checkThreshold(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new CocoInputError(`options.${name}`, `expected a finite number, got ${describeValue(v)}`);
  return v;
}

/** The class of an annotation / result: its category id as written (tidecv keeps ids unknown to `categories`). */
function classOf(raw: Record<string, unknown>, index: number, ids: readonly CocoId[]): CocoId {
  return index >= 0 ? ids[index]! : (raw.category_id as CocoId);
}

/**
 * TIDE's error decomposition of `dt` on `gt`, as tidecv's `TIDE().evaluate(COCO(gt), COCOResult(dt),
 * mode)` followed by get_main_errors / get_special_errors, with the same numbers. `gt` and `dt` come
 * from parseCocoDataset / parseCocoResults (dt parsed against gt); `engine` from createEngine() (or
 * any GeometryEngine). Crowd labels are tidecv's ignore regions. Throws CocoInputError (one line) on
 * bad options or inputs TIDE cannot evaluate; where tidecv would divide by zero the numbers are NaN.
 */
export function tide(gt: CocoDataset, dt: CocoResults, engine: GeometryEngine, options: TideOptions = {}): TideResult {
  checkArgument(gt?.kind === "coco-dataset", "tide", "the first argument", "a parsed dataset (parseCocoDataset)", gt);
  checkArgument(dt?.kind === "coco-results", "tide", "the second argument", "parsed results (parseCocoResults)", dt);
  checkArgument(isGeometryEngine(engine), "tide", "the third argument", "an engine (createEngine() or ReferenceGeometry)", engine);
  if (dt.dataset !== gt) throw new Error("tide: the results were parsed against another dataset (pass the same CocoDataset to parseCocoResults)");
  const iouType = options.iouType ?? "bbox";
  if (iouType !== "bbox" && iouType !== "segm") throw new CocoInputError("options.iouType", `expected "bbox" or "segm", got ${describeValue(iouType)}`);
  const pos = checkThreshold(options.posThreshold, "posThreshold", 0.5);
  const bg = checkThreshold(options.backgroundThreshold, "backgroundThreshold", 0.1);
  const maxDets = options.maxDets ?? 100;
  if (!Number.isInteger(maxDets) || maxDets < 1) throw new CocoInputError("options.maxDets", `expected a positive integer, got ${describeValue(maxDets)}`);
  if (dt.source === "keypoints") throw new CocoInputError("results", "keypoint results: TIDE evaluates boxes (bbox) or masks (segm)");

  const ann = gt.annotations;
  const nAnn = ann.count;
  const nDt = dt.count;
  const warnings: string[] = [];
  const box = iouType === "bbox";
  if (box) {
    for (let a = 0; a < nAnn; a++) {
      if (ann.boxState[a] !== BOX_OK) throw new CocoInputError(`annotations[${a}].bbox`, "missing (TIDE bbox mode reads every label's box)");
    }
    // segm-branch results without a bbox: loadRes derives it from the mask (tidecv would stop)
    resolveResultGeometry(engine, dt);
  }

  // classes as small integers for the per-image comparisons
  const code = new Map<CocoId, number>();
  const codeOf = (c: CocoId): number => {
    let k = code.get(c);
    if (k === undefined) code.set(c, (k = code.size));
    return k;
  };
  const gtCls: CocoId[] = new Array(nAnn);
  const gtCode = new Int32Array(nAnn);
  let unknownGt = 0;
  for (let a = 0; a < nAnn; a++) {
    gtCls[a] = classOf(ann.raw[a]!, ann.category[a]!, gt.categories.ids);
    gtCode[a] = codeOf(gtCls[a]!);
    if (ann.category[a]! < 0) unknownGt++;
  }
  const dtCls: CocoId[] = new Array(nDt);
  const dtCode = new Int32Array(nDt);
  let unknownDt = 0;
  for (let i = 0; i < nDt; i++) {
    dtCls[i] = classOf(dt.raw[i]!, dt.category[i]!, gt.categories.ids);
    dtCode[i] = codeOf(dtCls[i]!);
    if (dt.category[i]! < 0) unknownDt++;
  }
  if (unknownGt > 0)
    warnings.push(`annotations: ${unknownGt} labels have a category id not in categories; TIDE evaluates them as their own classes (as tidecv)`);
  if (unknownDt > 0) {
    warnings.push(
      `results: ${unknownDt} predictions have a category id not in the dataset; TIDE evaluates them as their own classes (as tidecv), AP 0 unless labels have that id`,
    );
  }

  // images in tidecv's order: the dataset's, then those only annotations name (first seen); labels and
  // predictions of an image in file order
  const nImg = gt.images.count;
  const orphanImage = new Map<CocoId, number>();
  const gtImage = new Int32Array(nAnn);
  for (let a = 0; a < nAnn; a++) {
    let k = ann.image[a]!;
    if (k < 0) {
      const id = ann.raw[a]!.image_id as CocoId;
      let o = orphanImage.get(id);
      if (o === undefined) orphanImage.set(id, (o = nImg + orphanImage.size));
      k = o;
    }
    gtImage[a] = k;
  }
  if (orphanImage.size > 0) {
    warnings.push(`annotations: labels on ${orphanImage.size} image ids not in images count as missed (as tidecv's bbox mode; no prediction can be on them)`);
  }
  const nAll = nImg + orphanImage.size;
  const gtStart = groupStarts(gtImage, nAll);
  const gtList = groupList(gtImage, gtStart);
  const dtStart = groupStarts(dt.image, nAll);
  const dtList = groupList(dt.image, dtStart);

  // per prediction / label state, as tidecv keeps it in its dicts
  const state = new Uint8Array(nDt);
  const gtUsed = new Uint8Array(nAnn);
  const gtUsable = new Uint8Array(nAnn);
  const bestScore = new Float64Array(nAnn).fill(-1);
  const bestPred = new Int32Array(nAnn).fill(-1);
  const fnCount = new Map<CocoId, number>();

  // the errors, in tidecv's order: per image its predictions' errors, then its missed labels
  const errKind: number[] = [];
  const errPred: number[] = [];
  const errGt: number[] = [];
  /** Box / class errors: 1 when the label was unused (tidecv's BestGTMatch exists). */
  const errMatch: number[] = [];
  const addError = (kind: number, p: number, g: number, match: boolean): void => {
    errKind.push(kind);
    errPred.push(p);
    errGt.push(g);
    errMatch.push(match ? 1 : 0);
  };
  /** BestGTMatch: the label is usable; the highest-scored error on it (first on ties) would become its match. */
  const bestMatch = (p: number, g: number): boolean => {
    if (gtUsed[g]) return false;
    gtUsable[g] = 1;
    const s = dt.score[p]!;
    if (bestScore[g]! < s) {
      bestScore[g] = s;
      bestPred[g] = p;
    }
    return true;
  };

  const base = new TideApData();
  let truncated = 0;
  const labels: number[] = [];
  const crowds: number[] = [];
  for (let img = 0; img < nAll; img++) {
    labels.length = 0;
    crowds.length = 0;
    for (let k = gtStart[img]!; k < gtStart[img + 1]!; k++) {
      const a = gtList[k]!;
      if (ann.crowd[a]) crowds.push(a);
      else {
        labels.push(a);
        base.addGt(gtCls[a]!, 1);
      }
    }
    const d0 = dtStart[img]!;
    const nPred = dtStart[img + 1]! - d0;
    if (nPred === 0) {
      // no predictions: every label is missed
      for (const a of labels) {
        fnCount.set(gtCls[a]!, (fnCount.get(gtCls[a]!) ?? 0) + 1);
        addError(MISS, -1, a, false);
      }
      continue;
    }
    // predictions by descending score (stable: list.sort(key=-score)), the first maxDets
    const scores = new Float64Array(nPred);
    for (let j = 0; j < nPred; j++) scores[j] = dt.score[dtList[d0 + j]!]!;
    const order = argsortDescendingStable(scores);
    const n = Math.min(nPred, maxDets);
    if (nPred > maxDets) truncated++;
    const preds = new Int32Array(n);
    for (let j = 0; j < n; j++) preds[j] = dtList[d0 + order[j]!]!;

    const m = labels.length;
    const c = crowds.length;
    const W = m + c;
    // one IoU call per image: labels first (iscrowd 0), crowd regions after (crowd IoU = intersection / prediction area)
    const iou = W > 0 ? imageIou(engine, box, gt, dt, preds, labels, crowds) : new Float64Array(0);

    // greedy matching by score: each prediction takes its best same-class label left (first on ties) at IoU >= pos
    if (m > 0) {
      const taken = new Uint8Array(m);
      for (let d = 0; d < n; d++) {
        const p = preds[d]!;
        const pc = dtCode[p]!;
        let bi = 0;
        let bv = -Infinity;
        for (let g = 0; g < m; g++) {
          const v = taken[g] || gtCode[labels[g]!] !== pc ? 0 : iou[d * W + g]!;
          if (v > bv) {
            bv = v;
            bi = g;
          }
        }
        state[p] = UNUSED;
        if (bv >= pos) {
          state[p] = USED;
          gtUsed[labels[bi]!] = 1;
          taken[bi] = 1;
        }
      }
    } else for (let d = 0; d < n; d++) state[preds[d]!] = UNUSED;

    // crowd regions: an unmatched prediction of the region's class (or any, for class -1) with crowd IoU > pos is ignored
    for (let r = 0; r < c; r++) {
      const a = crowds[r]!;
      const anyClass = gtCls[a] === -1;
      for (let d = 0; d < n; d++) {
        const p = preds[d]!;
        if (state[p] !== USED && iou[d * W + m + r]! > pos && (anyClass || gtCode[a] === dtCode[p])) state[p] = IGNORED;
      }
    }

    for (let d = 0; d < n; d++) {
      const p = preds[d]!;
      const st = state[p]!;
      if (st !== IGNORED) base.push(dtCls[p]!, dt.score[p]!, st === USED);
      if (st === USED) continue;
      if (m === 0) {
        addError(BKG, p, -1, false);
        continue;
      }
      const pc = dtCode[p]!;
      const row = d * W;
      // the rows of tidecv's matrices: same class, other class, same class and used, any label (argmax: first maximum)
      let clsI = 0;
      let clsV = -Infinity;
      let othI = 0;
      let othV = -Infinity;
      let dupV = -Infinity;
      let anyV = -Infinity;
      for (let g = 0; g < m; g++) {
        const a = labels[g]!;
        const v = iou[row + g]!;
        const same = gtCode[a] === pc;
        const vc = same ? v : 0;
        const vo = same ? 0 : v;
        const vu = same && gtUsed[a] ? v : 0;
        if (vc > clsV) {
          clsV = vc;
          clsI = g;
        }
        if (vo > othV) {
          othV = vo;
          othI = g;
        }
        if (vu > dupV) dupV = vu;
        if (v > anyV) anyV = v;
      }
      if (bg <= clsV && clsV <= pos) {
        const g = labels[clsI]!;
        addError(LOC, p, g, bestMatch(p, g));
      } else if (othV >= pos) {
        const g = labels[othI]!;
        addError(CLS, p, g, bestMatch(p, g));
      } else if (dupV >= pos) addError(DUPE, p, -1, false);
      else if (anyV <= bg) addError(BKG, p, -1, false);
      else addError(BOTH, p, -1, false);
    }
    for (const a of labels) {
      if (gtUsed[a]) continue;
      fnCount.set(gtCls[a]!, (fnCount.get(gtCls[a]!) ?? 0) + 1);
      // a label that a Loc / Cls fix could match is not missed
      if (!gtUsable[a]) addError(MISS, -1, a, false);
    }
  }
  if (truncated > 0) warnings.push(`results: ${truncated} images have more than ${maxDets} predictions; the lowest-scored are left out (as tidecv)`);

  const nErr = errKind.length;
  const counts = [0, 0, 0, 0, 0, 0];
  for (let e = 0; e < nErr; e++) counts[errKind[e]!]!++;

  /** tidecv's fix_errors: a new AP data with the errors of `kind` fixed, or a special fix. */
  const fixRun = (kind: number, special: "" | "FalsePos" | "FalseNeg"): TideApData => {
    const gtPos = new Map<CocoId, number>();
    for (const [k, v] of base.classes) gtPos.set(k, v.numGt);
    const out = new TideApData();
    const fp = special === "FalsePos";
    for (let e = 0; e < nErr; e++) {
      const kd = errKind[e]!;
      const p = errPred[e]!;
      const g = errGt[e]!;
      // the original point: a false positive, unless the prediction is ignored (or the error is a miss)
      let has = p >= 0 && state[p] !== IGNORED;
      let cls = has ? dtCls[p]! : 0;
      let tp = false;
      if (kd === kind) {
        has = false;
        if (kd === MISS) gtPos.set(gtCls[g]!, gtPos.get(gtCls[g]!)! - 1);
        else if ((kd === LOC || kd === CLS) && errMatch[e] && bestPred[g] === p) {
          // the best error on an unused label becomes its true positive (Cls: in the label's class)
          has = true;
          tp = true;
          cls = kd === CLS ? gtCls[g]! : dtCls[p]!;
        }
        // Dupe, Bkg, Both, and Loc / Cls that another error or a match already covers: suppressed
      }
      if (has) out.push(cls, fp ? (tp ? 1 : 0) : dt.score[p]!, tp);
    }
    for (const [k, v] of base.classes) {
      for (let i = 0; i < v.size; i++) if (v.tps[i]) out.push(k, fp ? 1 : v.scores[i]!, true);
    }
    for (const [k, v] of gtPos) out.addGt(k, special === "FalseNeg" ? v - (fnCount.get(k) ?? 0) : v);
    return out;
  };

  const baseEval = base.evaluate();
  const fixes: { mAP: number; perClass: Map<CocoId, number> }[] = [];
  for (let k = 0; k < TIDE_MAIN_ERRORS.length; k++) fixes.push(fixRun(k, "").evaluate());
  fixes.push(fixRun(-1, "FalsePos").evaluate(), fixRun(-1, "FalseNeg").evaluate());
  const ap = baseEval.mAP;
  const NAMES = [...TIDE_MAIN_ERRORS, ...TIDE_SPECIAL_ERRORS];
  const record = <K extends string>(keys: readonly K[], offset: number, f: (i: number) => number): Record<K, number> => {
    const r = {} as Record<K, number>;
    keys.forEach((key, i) => {
      r[key] = f(offset + i);
    });
    return r;
  };
  // Python's max(d, 0): d unless 0 > d (so NaN stays NaN)
  const clampDap = (d: number): number => (d < 0 ? 0 : d);

  const classes: TideClassResult[] = [];
  for (const [k, a] of baseEval.perClass) {
    const c = base.classes.get(k)!;
    const dap = (i: number): number => (fixes[i]!.perClass.get(k) ?? NaN) - a;
    classes.push({
      categoryId: k,
      numGt: c.numGt,
      numPredictions: c.size,
      ap: a,
      main: record(TIDE_MAIN_ERRORS, 0, dap),
      special: record(TIDE_SPECIAL_ERRORS, TIDE_MAIN_ERRORS.length, dap),
    });
  }
  return {
    iouType,
    posThreshold: pos,
    backgroundThreshold: bg,
    maxDets,
    ap,
    main: record(TIDE_MAIN_ERRORS, 0, (i) => clampDap(fixes[i]!.mAP - ap)),
    special: record(TIDE_SPECIAL_ERRORS, TIDE_MAIN_ERRORS.length, (i) => fixes[i]!.mAP - ap),
    fixedAp: record(NAMES, 0, (i) => fixes[i]!.mAP),
    counts: record(TIDE_MAIN_ERRORS, 0, (i) => counts[i]!),
    classes,
    warnings,
  };
}

/** start[k]..start[k+1] of group k in `groupList` (-1 keys belong to no group). */
function groupStarts(key: Int32Array, nGroups: number): Int32Array {
  const start = new Int32Array(nGroups + 1);
  for (let i = 0; i < key.length; i++) if (key[i]! >= 0) start[key[i]! + 1]!++;
  for (let k = 0; k < nGroups; k++) start[k + 1]! += start[k]!;
  return start;
}

/** The indices grouped by key, in index order within a group. */
function groupList(key: Int32Array, start: Int32Array): Int32Array {
  const next = start.slice(0, start.length - 1);
  const out = new Int32Array(start[start.length - 1]!);
  for (let i = 0; i < key.length; i++) if (key[i]! >= 0) out[next[key[i]!]!++] = i;
  return out;
}

/** IoU of the image's predictions (rows) with its labels then its crowd regions (columns), row-major. */
function imageIou(
  engine: GeometryEngine,
  box: boolean,
  gt: CocoDataset,
  dt: CocoResults,
  preds: Int32Array,
  labels: readonly number[],
  crowds: readonly number[],
): Float64Array {
  const n = preds.length;
  const cols = [...labels, ...crowds];
  const crowd = new Uint8Array(cols.length);
  crowd.fill(1, labels.length);
  if (box) {
    const db = new Float64Array(4 * n);
    for (let d = 0; d < n; d++) db.set(dt.box.subarray(4 * preds[d]!, 4 * preds[d]! + 4), 4 * d);
    const gb = new Float64Array(4 * cols.length);
    cols.forEach((a, j) => gb.set(gt.annotations.box.subarray(4 * a, 4 * a + 4), 4 * j));
    return engine.boxIou(db, gb, crowd);
  }
  const dr: Rle[] = new Array(n);
  for (let d = 0; d < n; d++) dr[d] = resultRle(engine, dt, preds[d]!);
  const gr = cols.map((a) => annotationRle(engine, gt, a));
  return engine.maskIou(dr, gr, crowd);
}
