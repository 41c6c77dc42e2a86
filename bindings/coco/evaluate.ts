// COCO evaluation, orchestrated: params, result geometry, input checks, the plan (plan.ts), then
// one backend's matching and accumulate (backend.ts: the wasm kernels, backend-wasm.ts, whenever the
// engine is the wasm engine; the TypeScript twins, backend-ts.ts, for any GeometryEngine), then
// pycocotools' summarize.
import type { GeometryEngine } from "../geometry/types.js";
import { engineKernels } from "../engine/host.js";
import type { CocoBackend, CocoMatched, CocoTimings, PreparedCoco } from "./backend.js";
import { wasmBackend } from "./backend-wasm.js";
import { typescriptBackend } from "./backend-ts.js";
import { checkRotatedBoxes, withRotatedAreas } from "./rotated-boxes.js";
import { type Accumulated, type CocoMatches, type CocoPlan, MATCH_BOX_IOU, MATCH_GIVEN_IOU, MATCH_MASK_IOU, MATCH_NO_IOU, type MatchMode } from "./types.js";
import { BOX_MISSING, BOX_OK, type CocoDataset, type CocoResults } from "./inputs.js";
import { checkArgument, CocoInputError, describeValue, isGeometryEngine } from "./errors.js";
import { type CocoParamsInput, resolveParams } from "./params.js";
import { checkMasksBulk, resolveResultGeometryBulk } from "./mask-pool.js";
import { resolveResultGeometry } from "./object-rle.js";
import { planEvaluation } from "./plan.js";
import { baseIgnoreOf } from "./match-ts.js";
import { type CocoSummary, cocoSummary } from "./result.js";
import { type CocoState, cocoState } from "./state.js";

export type { CocoTimings, PreparedCoco } from "./backend.js";

export type { CocoCategoryResult, CocoSummary } from "./result.js";

export interface CocoEvaluation extends CocoSummary {
  /** Per-detection matching (computed on first access when the wasm kernels evaluated). */
  readonly matches: CocoMatches;
  /**
   * The evaluation's partial state (state.ts): what accumulate() reads of each image, so that
   * evaluations of disjoint image sets merge (mergeCocoStates) into the stats of one evaluation of all.
   */
  state(): CocoState;
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
  if (p.iouType === "rotated") {
    checkRotatedBoxes(anns.raw, gtList, "annotations");
    checkRotatedBoxes(dt.raw, dtList, "results");
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
  checkArgument(isGeometryEngine(engine), "evaluateCoco", "the first argument", "an engine (createEngine() or ReferenceGeometry)", engine);
  checkArgument(gt?.kind === "coco-dataset", "evaluateCoco", "the second argument", "a parsed dataset (parseCocoDataset)", gt);
  checkArgument(dt?.kind === "coco-results", "evaluateCoco", "the third argument", "parsed results (parseCocoResults)", dt);
  checkArgument(typeof paramsInput === "object" && paramsInput !== null, "evaluateCoco", "the fourth argument", 'the params, e.g. { iouType: "bbox" }', paramsInput);
  if (dt.dataset !== gt) throw new Error("evaluateCoco: the results were parsed against another dataset (pass the same CocoDataset to parseCocoResults)");
  const p = resolveParams(paramsInput, gt.images.ids, gt.categories.ids);
  if (p.iouType === "rotated") dt = withRotatedAreas(dt); // (rotated-boxes.ts)
  const warnings: string[] = [...gt.warnings, ...dt.warnings];
  const timings: CocoTimings = { evaluate: 0, accumulate: 0 };

  // segm-branch results: mask areas (and boxes when missing) need the engine, whatever the iouType
  const kernels = options.kernels === "reference" ? null : engineKernels(engine);
  const defer = deferMasks && kernels !== null && p.iouType === "segm";
  if (defer) checkMasksBulk(gt, dt);
  else if (!(kernels && resolveResultGeometryBulk(engine, dt))) resolveResultGeometry(engine, dt);
  if ((p.iouType === "segm" || p.iouType === "boundary") && dt.source === "bbox") {
    warnings.push(
      dt.withSegmentation > 0
        ? 'results carry both "bbox" and "segmentation": as in pycocotools, their areas come from the box (w*h) for the small/medium/large ranges; drop "bbox" from segm results to use the mask area'
        : `${p.iouType} evaluation of box results: each box is rasterised as a polygon mask, as in pycocotools`,
    );
  }
  const tPlan = performance.now();
  timings.geometry = tPlan - t0;
  const plan = planEvaluation(gt, dt, p, (kernels ? wasmBackend(kernels) : typescriptBackend).plan);
  checkEntries(gt, dt, plan);
  timings.plan = performance.now() - tPlan;
  const usable = kernels !== null && plan.T > 0 && plan.A > 0 && p.maxDets.length > 0 && p.recThrs.length > 0;
  const kpNoOks = p.iouType === "keypoints" && !p.useCats;
  const mode: MatchMode =
    p.iouType === "bbox" ? MATCH_BOX_IOU : p.iouType === "segm" && engineKernels(engine) ? MATCH_MASK_IOU : kpNoOks ? MATCH_NO_IOU : MATCH_GIVEN_IOU;
  const backend: CocoBackend = usable ? wasmBackend(kernels) : typescriptBackend;
  return { engine, gt, dt, p, plan, warnings, timings, t0, backend, mode, gtBaseIgnore: baseIgnoreOf(gt, p.iouType) };
}

/** Accumulate and summarize once every block is matched; `matchStart`: performance.now() when matching (after the IoU work) began. */
export function finishCoco(prep: PreparedCoco, matched: CocoMatched, matchStart: number): CocoEvaluation {
  return finishCocoAccumulated(prep, matched, matchStart).evaluation;
}

/** finishCoco, with accumulate's stored slices too (the LVIS protocol, lvis.ts, summarizes them its own way). */
export function finishCocoAccumulated(prep: PreparedCoco, matched: CocoMatched, matchStart: number): { evaluation: CocoEvaluation; accumulated: Accumulated } {
  const { gt, plan, warnings, timings, t0 } = prep;
  const t1 = performance.now();
  timings.match = t1 - matchStart;
  timings.evaluate = t1 - t0;
  if (matched.zeroIdMatches > 0) warnings.push(zeroIdWarning(gt, plan, matched.zeroIdMatches));
  const acc = matched.accumulate();
  timings.accumulate = performance.now() - t1;
  return { evaluation: result(prep, acc, matched), accumulated: acc };
}

function result(prep: PreparedCoco, acc: Accumulated, matched: CocoMatched): CocoEvaluation {
  const { gt, p, warnings, timings } = prep;
  const names = gt.categories;
  const summary = cocoSummary(
    p,
    acc,
    warnings,
    timings,
    (k) => {
      const q = names.indexOf(p.catIds[k]!);
      return q >= 0 ? names.names[q]! : undefined;
    },
    prep.backend.kernels,
  );
  return Object.defineProperties(summary as CocoEvaluation, {
    matches: { get: () => matched.matches(), enumerable: true },
    state: { value: () => cocoState(prep, matched.outcomes()), enumerable: true },
  });
}

/**
 * Runs pycocotools' evaluate(), accumulate() and summarize() on parsed ground truth and results.
 * `engine` computes box / mask IoU (the wasm engine from createEngine(), or the TypeScript reference);
 * with the wasm engine, matching and accumulation run in its kernels too. On several threads:
 * evaluateCocoParallel (bindings/workers/), with the same numbers.
 */
export function evaluateCoco(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, paramsInput: CocoParamsInput, options: EvaluateOptions = {}): CocoEvaluation {
  const prep = prepareCoco(engine, gt, dt, paramsInput, options);
  const start = performance.now();
  const matched = prep.backend.match(prep);
  return finishCoco(prep, matched, start + (prep.timings.iou ?? 0));
}

/**
 * pycocotools' evaluate() only (no accumulate, no summarize): the partial state of the evaluation
 * (state.ts), for a shard or a training-loop batch whose stats come from a merge.
 */
export function evaluateCocoState(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, paramsInput: CocoParamsInput, options: EvaluateOptions = {}): CocoState {
  const prep = prepareCoco(engine, gt, dt, paramsInput, options);
  return cocoState(prep, prep.backend.match(prep).outcomes());
}
