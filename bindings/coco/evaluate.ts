// COCO evaluation, orchestrated: params, result geometry, input checks, the plan (plan.ts), then
// one backend's matching and accumulate (backend.ts: the wasm kernels, backend-wasm.ts, whenever the
// engine is the wasm engine; the TypeScript twins, backend-ts.ts, for any GeometryEngine), then
// pycocotools' summarize.
import type { GeometryEngine } from "../geometry/types.js";
import { engineKernels } from "../engine/host.js";
import type { CocoBackend, CocoMatched, CocoTimings, PreparedCoco } from "./backend.js";
import { wasmBackend } from "./backend-wasm.js";
import { typescriptBackend } from "./backend-ts.js";
import { type Accumulated, type CocoMatches, type CocoPlan, MATCH_BOX_IOU, MATCH_GIVEN_IOU, MATCH_MASK_IOU, MATCH_NO_IOU, type MatchMode } from "./types.js";
import { BOX_MISSING, BOX_OK, type CocoDataset, type CocoResults } from "./inputs.js";
import { checkArgument, CocoInputError, describeValue, isGeometryEngine } from "./errors.js";
import type { CocoId } from "./ids.js";
import { type CocoParams, type CocoParamsInput, resolveParams } from "./params.js";
import { checkMasksBulk, resolveResultGeometryBulk } from "./mask-pool.js";
import { resolveResultGeometry } from "./object-rle.js";
import { planEvaluation } from "./plan.js";
import { densePrecision, denseRecall, denseScores } from "./accumulated.js";
import { baseIgnoreOf } from "./match-ts.js";
import { type CategoryResult, perCategory, statsLabels, summarize, summaryLines } from "./summarize.js";

export type { CocoTimings, PreparedCoco } from "./backend.js";

export interface CocoCategoryResult extends CategoryResult {}

export interface CocoEvaluation {
  readonly params: CocoParams;
  /** pycocotools' stats: 12 values (10 for keypoints), -1 where nothing was evaluated. */
  readonly stats: number[];
  /** Short labels of stats, e.g. "AP@[.50:.95|all|100]". */
  readonly statsLabels: string[];
  /** pycocotools' summarize() print-out, line for line. */
  summary(): string;
  /** precision[T,R,K,A,M], C order; -1 where a category has no ground truth (made on first access: T*R*K*A*M float64). */
  readonly precision: Float64Array;
  readonly precisionShape: readonly [number, number, number, number, number];
  /** recall[T,K,A,M], C order. */
  readonly recall: Float64Array;
  readonly recallShape: readonly [number, number, number, number];
  /** scores[T,R,K,A,M]: the score at each precision point (made on first access). */
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
  return { evaluation: result(prep, acc, () => matched.matches()), accumulated: acc };
}

function result(prep: PreparedCoco, acc: Accumulated, matchesLazy: () => CocoMatches): CocoEvaluation {
  const { gt, p, warnings, timings } = prep;
  const tSum = performance.now();
  const stats = summarize(acc, p);
  timings.summarize = performance.now() - tSum;
  const useCats = p.useCats;
  const categoryIds: CocoId[] = useCats ? [...p.catIds] : [-1];
  // pycocotools' arrays, made on first access (their size follows the categories of the
  // evaluation, the stored slices those with data)
  let precision: Float64Array | undefined;
  let recall: Float64Array | undefined;
  let scores: Float64Array | undefined;
  return {
    params: p,
    stats,
    statsLabels: statsLabels(p),
    summary: () => summaryLines(acc, p, stats).join("\n"),
    get precision() {
      precision ??= densePrecision(acc);
      return precision;
    },
    precisionShape: acc.precisionShape,
    get recall() {
      recall ??= denseRecall(acc);
      return recall;
    },
    recallShape: acc.recallShape,
    get scores() {
      scores ??= denseScores(acc);
      return scores;
    },
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
  const start = performance.now();
  const matched = prep.backend.match(prep);
  return finishCoco(prep, matched, start + (prep.timings.iou ?? 0));
}
