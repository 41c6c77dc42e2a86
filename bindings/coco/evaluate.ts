// COCO evaluation, orchestrated: params, result geometry, plan (plan.ts), overlaps (overlaps.ts),
// matching and accumulate, then pycocotools' summarize. Two implementations share the plan: the wasm
// kernels (kernels.ts over assembly/match.ts), whenever the engine is the wasm engine, and the
// TypeScript twins (match-ts.ts, accumulate.ts) for any GeometryEngine; the TypeScript match also
// builds the per-detection `matches`, which the wasm path computes only when they are read.
import type { GeometryEngine } from "../geometry/types.js";
import { accumulate } from "./accumulate.js";
import { type Accumulated, type CocoMatches, type CocoPlan, MATCH_BOX_IOU, MATCH_GIVEN_IOU, MATCH_MASK_IOU, MATCH_NO_IOU, type MatchMode } from "./types.js";
import { BOX_MISSING, BOX_OK, type CocoDataset, type CocoResults } from "./inputs.js";
import { CocoInputError, describeValue } from "./errors.js";
import type { CocoId } from "./ids.js";
import { engineKernels, type Kernels } from "../engine/host.js";
import { type MatchBits, type MatchColumns, matchPlanOf, runCocoAccumulate, runCocoMatch } from "./kernels.js";
import { type CocoParams, type CocoParamsInput, resolveParams } from "./params.js";
import { checkMasksBulk, resolveResultGeometryBulk } from "./masks.js";
import { resolveResultGeometry } from "./shapes.js";
import { planEvaluation } from "./plan.js";
import { computeIou, iouOffsets, maskInputs } from "./overlaps.js";
import { baseIgnoreOf, matchReference } from "./match-ts.js";
import { type CategoryResult, perCategory, statsLabels, summarize, summaryLines } from "./summarize.js";

export interface CocoCategoryResult extends CategoryResult {}

/** Milliseconds per stage; `evaluate` covers everything before accumulate (plan, geometry, IoU, matching). */
export interface CocoTimings {
  evaluate: number;
  accumulate: number;
  [stage: string]: number;
}

export interface CocoEvaluation {
  readonly params: CocoParams;
  /** pycocotools' stats: 12 values (10 for keypoints), -1 where nothing was evaluated. */
  readonly stats: number[];
  /** Short labels of stats, e.g. "AP@[.50:.95|all|100]". */
  readonly statsLabels: string[];
  /** pycocotools' summarize() print-out, line for line. */
  summary(): string;
  /** precision[T,R,K,A,M], C order; -1 where a category has no ground truth. */
  readonly precision: Float64Array;
  readonly precisionShape: readonly [number, number, number, number, number];
  /** recall[T,K,A,M], C order. */
  readonly recall: Float64Array;
  readonly recallShape: readonly [number, number, number, number];
  /** scores[T,R,K,A,M]: the score at each precision point. */
  readonly scores: Float64Array;
  /** AP (IoU .50:.95), AP50, AP75, AR at the last maxDets; area "all"; -1 where pycocotools has -1. */
  perCategory(): CocoCategoryResult[];
  /** Per-detection matching (computed on first access when the wasm kernels evaluated). */
  readonly matches: CocoMatches;
  /** Quirks reproduced for parity and other remarks (parsing warnings included). */
  readonly warnings: string[];
  /** Milliseconds per stage. */
  readonly timings: CocoTimings;
}

export interface EvaluateOptions {
  /** "auto" (default): the wasm kernels when `engine` is the wasm engine; "reference": the TypeScript path. */
  kernels?: "auto" | "reference";
}


function zeroIdWarning(gt: CocoDataset, plan: CocoPlan, zeroIdMatches: number): string {
  let first = -1;
  for (let j = 0; j < plan.gtList.length && first < 0; j++) if (gt.annotations.idIsZero[plan.gtList[j]!]) first = plan.gtList[j]!;
  return (
    `annotations[${first}].id is 0: pycocotools records matches as annotation ids with 0 meaning "unmatched", so detections matched to it count as false positives` +
    ` (reproduced for parity, ${zeroIdMatches} matches affected); number annotation ids from 1`
  );
}

/** Input checks of the evaluated entries (the parsers accept what other iouTypes do not need). */
function checkEntries(gt: CocoDataset, dt: CocoResults, plan: CocoPlan): void {
  const { p, gtList, dtList } = plan;
  const anns = gt.annotations;
  if (p.iouType === "bbox") {
    for (let j = 0; j < gtList.length; j++) {
      const a = gtList[j]!;
      if (anns.boxState[a] !== BOX_OK) {
        throw new CocoInputError(`annotations[${a}].bbox`, anns.boxState[a] === BOX_MISSING ? "missing (needed for bbox evaluation)" : `expected [x, y, width, height], got ${describeValue(anns.raw[a]!.bbox)}`);
      }
    }
    for (let j = 0; j < dtList.length; j++) {
      const r = dtList[j]!;
      if (dt.boxState[r] !== BOX_OK) throw new CocoInputError(`results[${r}].bbox`, `expected [x, y, width, height], got ${describeValue(dt.raw[r]!.bbox)}`);
    }
  }
  if (p.iouType === "keypoints") {
    for (let j = 0; j < gtList.length; j++) {
      const a = gtList[j]!;
      if (typeof anns.raw[a]!.num_keypoints !== "number") {
        throw new CocoInputError(`annotations[${a}].num_keypoints`, anns.raw[a]!.num_keypoints === undefined ? "missing (needed for keypoints evaluation)" : "expected a number");
      }
    }
  }
}

/** What evaluateCoco computes before matching: shared by the single-thread and the worker paths. */
export interface PreparedCoco {
  readonly engine: GeometryEngine;
  readonly gt: CocoDataset;
  readonly dt: CocoResults;
  readonly p: CocoParams;
  readonly plan: CocoPlan;
  readonly warnings: string[];
  readonly timings: CocoTimings;
  readonly t0: number;
  /** The wasm kernels, or null (the TypeScript reference path). */
  readonly kernels: Kernels | null;
  /** The matching mode of the kernels (see MatchColumns.mode). */
  readonly mode: MatchMode;
  readonly gtBaseIgnore: Uint8Array;
}

/**
 * Params, result geometry, plan and input checks. `deferMasks`: segm evaluation whose masks (and the
 * segm-branch areas of the evaluated results) are made later, by the workers.
 */
export function prepareCoco(
  engine: GeometryEngine,
  gt: CocoDataset,
  dt: CocoResults,
  paramsInput: CocoParamsInput,
  options: EvaluateOptions = {},
  deferMasks = false,
): PreparedCoco {
  const t0 = performance.now();
  if (dt.dataset !== gt) throw new Error("evaluateCoco: the results were parsed against another dataset (pass the same CocoDataset to parseCocoResults)");
  const p = resolveParams(paramsInput, gt.images.ids, gt.categories.ids);
  const warnings: string[] = [...gt.warnings, ...dt.warnings];
  const timings: CocoTimings = { evaluate: 0, accumulate: 0 };

  // segm-branch results: mask areas (and boxes when missing) need the engine, whatever the iouType
  const kernels = options.kernels === "reference" ? null : engineKernels(engine);
  const defer = deferMasks && kernels !== null && p.iouType === "segm";
  if (defer) checkMasksBulk(gt, dt);
  else if (!(kernels && resolveResultGeometryBulk(engine, dt))) resolveResultGeometry(engine, dt);
  if (p.iouType === "segm" && dt.source === "bbox") {
    warnings.push(
      dt.withSegmentation > 0
        ? 'results carry both "bbox" and "segmentation": as in pycocotools, their areas come from the box (w*h) for the small/medium/large ranges; drop "bbox" from segm results to use the mask area'
        : "segm evaluation of box results: each box is rasterised as a polygon mask, as in pycocotools",
    );
  }
  const tPlan = performance.now();
  timings.geometry = tPlan - t0;
  const plan = planEvaluation(gt, dt, p, kernels);
  checkEntries(gt, dt, plan);
  timings.plan = performance.now() - tPlan;
  const usable = kernels !== null && plan.T > 0 && plan.A > 0 && p.maxDets.length > 0 && p.recThrs.length > 0;
  const kpNoOks = p.iouType === "keypoints" && !p.useCats;
  const mode: MatchMode =
    p.iouType === "bbox" ? MATCH_BOX_IOU : p.iouType === "segm" && engineKernels(engine) ? MATCH_MASK_IOU : kpNoOks ? MATCH_NO_IOU : MATCH_GIVEN_IOU;
  return { engine, gt, dt, p, plan, warnings, timings, t0, kernels: usable ? kernels : null, mode, gtBaseIgnore: baseIgnoreOf(gt, p.iouType) };
}

/** The columns the matching kernel reads (MATCH_GIVEN_IOU computes the IoU / OKS here; MATCH_MASK_IOU builds the masks here). */
/**
 * `resident`: the label masks' counts stay pinned in the engine's memory for runCocoMatch to read in
 * place; the caller unpins them (engineKernels(engine).unpin()) after the match.
 */
export function matchColumnsOf(prep: PreparedCoco, resident = false): MatchColumns {
  const { engine, gt, dt, plan, mode } = prep;
  let iou: Float64Array | null = null;
  let blockIouStart: Int32Array | undefined;
  let masks: MatchColumns["masks"];
  if (mode === MATCH_GIVEN_IOU) {
    blockIouStart = iouOffsets(plan);
    iou = computeIou(engine, gt, dt, plan, blockIouStart);
  } else if (mode === MATCH_MASK_IOU) masks = maskInputs(engineKernels(engine)!, engine, gt, dt, plan, resident);
  return {
    mode,
    masks,
    iou,
    blockIouStart,
    gtBox: gt.annotations.box,
    gtArea: gt.annotations.area,
    gtCrowd: gt.annotations.crowd,
    gtBaseIgnore: prep.gtBaseIgnore,
    gtIdZero: gt.annotations.idIsZero,
    dtBox: dt.box,
    dtArea: dt.area,
  };
}

/** Accumulate and summarize from the matching bits (wasm path); `matchStart`: performance.now() when matching began. */
export function finishCoco(prep: PreparedCoco, bits: MatchBits, matchStart: number): CocoEvaluation {
  const { engine, gt, dt, plan, warnings, timings, t0 } = prep;
  const t1 = performance.now();
  timings.match = t1 - matchStart;
  timings.evaluate = t1 - t0;
  if (bits.zeroIdMatches > 0) warnings.push(zeroIdWarning(gt, plan, bits.zeroIdMatches));
  const acc = runCocoAccumulate(prep.kernels!, plan, bits, dt.score, gt.annotations.area, prep.gtBaseIgnore);
  timings.accumulate = performance.now() - t1;
  let cached: CocoMatches | undefined;
  return result(prep, acc, () => {
    if (!cached) {
      if (dt.geometryPending) resolveResultGeometry(engine, dt);
      const offs = iouOffsets(plan);
      cached = matchReference(gt, dt, plan, computeIou(engine, gt, dt, plan, offs), offs).matches;
    }
    return cached;
  });
}

function result(prep: PreparedCoco, acc: Accumulated, matchesLazy: () => CocoMatches): CocoEvaluation {
  const { gt, p, warnings, timings } = prep;
  const tSum = performance.now();
  const stats = summarize(acc, p);
  timings.summarize = performance.now() - tSum;
  const useCats = p.useCats;
  const categoryIds: CocoId[] = useCats ? [...p.catIds] : [-1];
  return {
    params: p,
    stats,
    statsLabels: statsLabels(p),
    summary: () => summaryLines(acc, p, stats).join("\n"),
    precision: acc.precision,
    precisionShape: acc.precisionShape,
    recall: acc.recall,
    recallShape: acc.recallShape,
    scores: acc.scores,
    perCategory: () =>
      perCategory(acc, p, categoryIds, (id) => {
        const k = gt.categories.indexOf(id);
        return k >= 0 ? gt.categories.names[k]! : useCats ? String(id) : "all";
      }),
    get matches() {
      return matchesLazy();
    },
    warnings,
    timings,
  };
}

/**
 * Runs pycocotools' evaluate(), accumulate() and summarize() on parsed ground truth and results.
 * `engine` computes box / mask IoU (the wasm engine from createEngine(), or the TypeScript reference);
 * with the wasm engine, matching and accumulation run in its kernels too. On several threads:
 * evaluateCocoParallel (bindings/workers/), with the same numbers.
 */
export function evaluateCoco(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, paramsInput: CocoParamsInput, options: EvaluateOptions = {}): CocoEvaluation {
  const prep = prepareCoco(engine, gt, dt, paramsInput, options);
  const { p, plan, warnings, timings } = prep;
  if (prep.kernels) {
    const tIou = performance.now();
    let bits: MatchBits;
    let matchStart: number;
    try {
      const cols = matchColumnsOf(prep, true);
      matchStart = performance.now();
      timings.iou = matchStart - tIou;
      bits = runCocoMatch(prep.kernels, matchPlanOf(plan), cols);
    } finally {
      if (prep.mode === MATCH_MASK_IOU) engineKernels(engine)!.unpin();
    }
    return finishCoco(prep, bits, matchStart);
  }
  const tIou = performance.now();
  const blockIouStart = iouOffsets(plan);
  const iou = computeIou(engine, gt, dt, plan, blockIouStart);
  const tMatch = performance.now();
  timings.iou = tMatch - tIou;
  const { matches, zeroIdMatches } = matchReference(gt, dt, plan, iou, blockIouStart);
  if (zeroIdMatches > 0) warnings.push(zeroIdWarning(gt, plan, zeroIdMatches));
  const t1 = performance.now();
  timings.match = t1 - tMatch;
  timings.evaluate = t1 - prep.t0;
  const acc = accumulate(matches, p, dt.score, gt.annotations.idIsZero);
  timings.accumulate = performance.now() - t1;
  return result(prep, acc, () => matches);
}
