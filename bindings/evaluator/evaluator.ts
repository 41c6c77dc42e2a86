// The training-loop evaluator: results arrive in batches (a validation loop's forward passes), each
// batch is matched at once (pycocotools' evaluateImg depends on one image only) and kept as a partial
// state (coco/state.ts); result() merges them, with the images no batch named (their labels are
// misses), into the stats of one evaluation of every batch's results together, bit for bit
// (test/evaluator/evaluator.test.ts). Each add() answers the batch's own TP / FP / FN, precision,
// recall and F1 at one IoU threshold, read from its state.
import type { GeometryEngine } from "../geometry/types.js";
import { CocoInputError, isGeometryEngine } from "../coco/errors.js";
import type { CocoDataset, CocoResults, JsonInput } from "../coco/inputs.js";
import type { CocoId } from "../coco/ids.js";
import { type CocoParams, type CocoParamsInput, resolveParams } from "../coco/params.js";
import { evaluateCocoState } from "../coco/evaluate.js";
import type { CocoSummary } from "../coco/result.js";
import { type CocoState, mergeCocoStates, restrictState } from "../coco/state.js";
import { parseCocoDataset } from "../ingest/coco-dataset.js";
import { parseCocoResults } from "../ingest/coco-results.js";

export interface EvaluatorOptions extends CocoParamsInput {
  /** The geometry engine (await createEngine()). */
  engine: GeometryEngine;
  /** IoU threshold of each batch's TP / FP / FN (one of iouThrs; default 0.5). */
  iou?: number;
  /** Detections below this score are left out of each batch's counts (default: none left out; result() is unaffected). */
  confidence?: number;
}

/** A batch's counts at the evaluator's IoU threshold (area "all", the last maxDets). */
export interface BatchCounts {
  readonly images: number;
  readonly detections: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  /** tp / (tp + fp); NaN without detections. */
  readonly precision: number;
  /** tp / (tp + fn); NaN without labels. */
  readonly recall: number;
  /** NaN when precision or recall is. */
  readonly f1: number;
}

export interface Evaluator {
  readonly params: CocoParams;
  /** Matches a batch of COCO results (an array of result objects, or its JSON text). */
  add(batch: JsonInput): BatchCounts;
  /** The evaluation of every batch so far, as evaluateCoco of all their results together would give it. */
  result(): CocoSummary;
  /** Batches added, and the images they named. */
  readonly batches: number;
  readonly images: number;
}

interface Part {
  state: CocoState;
  /** Images of this part that a later batch re-evaluated (with their new detections). */
  superseded: Set<CocoId>;
}

/**
 * An incremental COCO evaluation over ground truth `gt` (a parsed dataset or its JSON): add() batches
 * of results, result() at any time. An image named again by a later batch is evaluated again with
 * all its detections (in arrival order, as one results list would hold them).
 */
export function createEvaluator(gt: CocoDataset | JsonInput, options: EvaluatorOptions): Evaluator {
  if (typeof options !== "object" || options === null || !isGeometryEngine(options.engine)) {
    throw new TypeError("createEvaluator: options.engine must be an engine (await createEngine()), e.g. createEvaluator(gt, { engine, iouType: \"bbox\" })");
  }
  const dataset = (gt as { kind?: unknown }).kind === "coco-dataset" ? (gt as CocoDataset) : parseCocoDataset(gt);
  const { engine, iou = 0.5, confidence = Number.NEGATIVE_INFINITY, ...paramsInput } = options;
  const params = resolveParams(paramsInput, dataset.images.ids, dataset.categories.ids);
  const t = params.iouThrs.indexOf(iou);
  if (t < 0) throw new RangeError(`createEvaluator: iou ${iou} is not one of the IoU thresholds (${params.iouThrs.join(", ")})`);
  const evaluated = new Set<CocoId>(params.imgIds);
  const parts: Part[] = [];
  const owner = new Map<CocoId, Part>();
  // each image's results so far, for an image that a later batch names again
  const seen = new Map<CocoId, unknown[]>();
  let source: CocoResults["source"] | undefined;
  let batches = 0;

  const add = (batch: JsonInput): BatchCounts => {
    const n = batches + 1;
    let dt = inBatch(n, () => parseCocoResults(batch, dataset));
    // the batch's images, and those a batch named before: evaluated again with all their results
    const images = new Map<CocoId, Record<string, unknown>[]>();
    for (let r = 0; r < dt.count; r++) {
      const id = dataset.images.ids[dt.image[r]!]!;
      let l = images.get(id);
      if (!l) images.set(id, (l = []));
      l.push(dt.raw[r]!);
    }
    if (dt.count > 0 && source !== undefined && dt.source !== source) {
      throw new CocoInputError("", "", `batch ${n}: ${dt.source} results, where the first batch held ${source} results (one kind per evaluation)`);
    }
    const again = [...images.keys()].filter((id) => seen.has(id));
    if (again.length) dt = inBatch(n, () => parseCocoResults([...again.flatMap((id) => seen.get(id)!), ...dt.raw], dataset));
    if (dt.count > 0) source ??= dt.source;
    batches = n;
    for (const [id, l] of images) seen.set(id, (seen.get(id) ?? []).concat(l));
    const imgIds = [...images.keys()].filter((id) => evaluated.has(id));
    if (imgIds.length === 0) return counts(null, 0);
    const state = evaluateCocoState(engine, dataset, dt, { ...paramsInput, imgIds });
    const part: Part = { state, superseded: new Set() };
    for (const id of imgIds) {
      owner.get(id)?.superseded.add(id);
      owner.set(id, part);
    }
    parts.push(part);
    return counts(state, imgIds.length);
  };

  const counts = (s: CocoState | null, images: number): BatchCounts => {
    let tp = 0;
    let fp = 0;
    let labels = 0;
    let detections = 0;
    if (s) {
      const T = params.iouThrs.length;
      const A = params.areaRng.length;
      const maxDet = params.maxDets.length ? params.maxDets[params.maxDets.length - 1]! : 0;
      for (let b = 0; b < s.blockImage.length; b++) {
        for (let j = s.blockDtStart[b]!, r = 0; j < s.blockDtStart[b + 1]!; j++, r++) {
          detections++;
          if (r >= maxDet || !(s.score[j]! >= confidence)) continue;
          const st = s.status[j * A * T + t]!; // area range 0 ("all")
          if (st === 1) tp++;
          else if (st === 2) fp++;
        }
        for (let g = s.blockGtStart[b]!; g < s.blockGtStart[b + 1]!; g++) if (!s.gtIgnore[g * A]) labels++;
      }
    }
    const fn = labels - tp;
    const precision = tp + fp > 0 ? tp / (tp + fp) : Number.NaN;
    const recall = labels > 0 ? tp / labels : Number.NaN;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : precision === 0 && recall === 0 ? 0 : Number.NaN;
    return { images, detections, tp, fp, fn, precision, recall, f1 };
  };

  const result = (): CocoSummary => {
    const states = parts.map((p) => (p.superseded.size ? restrictState(p.state, (id) => !p.superseded.has(id)) : p.state));
    // the images no batch named: their labels count, with no detections
    const rest = params.imgIds.filter((id) => !owner.has(id));
    if (rest.length > 0 || states.length === 0) {
      states.push(evaluateCocoState(engine, dataset, parseCocoResults([], dataset), { ...paramsInput, imgIds: rest }));
    }
    return mergeCocoStates(states, { engine });
  };

  return {
    params,
    add,
    result,
    get batches() {
      return batches;
    },
    get images() {
      return seen.size;
    },
  };
}

/** A batch's input errors name the batch: `batch 3: results[2].bbox: ...`. */
function inBatch<T>(n: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CocoInputError) throw new CocoInputError("", "", `batch ${n}: ${e.message}`);
    throw e;
  }
}
