// The LVIS federated evaluation protocol (lvis-api's LVISEval), expressed as COCO inputs: lvis-api's
// evaluate / accumulate are pycocotools' with other inputs, so this file builds those inputs (a view
// of the dataset and results) and runs the COCO machinery (evaluate.ts: plan, either backend's
// matching and accumulate) on them; lvis-summarize.ts then averages the precision / recall its way.
//   - results: at most 300 per image (LVISResults' limit_dets_per_image: by score, ties in file order);
//   - labels and results with an area not in (0, inf) are left out (get_ann_ids' area filter);
//   - a result is evaluated only where its category is positive (has a label) or negative
//     (`neg_category_ids`) in its image; elsewhere it is dropped;
//   - an unmatched result of a category in the image's `not_exhaustive_category_ids` is ignored: its
//     area is set to -1, outside every area range, which is how pycocotools ignores an unmatched
//     detection (a matched one keeps the label's ignore flag, as in lvis-api);
//   - iscrowd is not read (lvis-api passes iscrowd = 0 to the IoU and never ignores a crowd label);
//   - one maxDets (300), pycocotools' IoU / recall thresholds and area ranges.
// Left-out results get category -1 (each keeps its image: the mask checks read it), left-out labels
// image -1: both are what the plan never evaluates. The annotations' `ignore` field is not read.
import type { GeometryEngine } from "../geometry/types.js";
import { engineKernels } from "../engine/host.js";
import type { CocoDataset, CocoResults } from "./inputs.js";
import { checkArgument, CocoInputError, describeValue } from "./errors.js";
import { isId } from "./ids.js";
import { resolveResultGeometryBulk, sharePoolWith } from "./mask-pool.js";
import { resolveResultGeometry } from "./object-rle.js";
import { type CocoEvaluation, type EvaluateOptions, finishCocoAccumulated, prepareCoco } from "./evaluate.js";
import type { CocoParams } from "./params.js";
import { argsortDescendingStable } from "./numeric.js";
import { LVIS_FREQUENCIES, type LvisResultName, lvisResults, lvisSummaryLines } from "./lvis-summarize.js";

export { LVIS_RESULT_NAMES, type LvisResultName } from "./lvis-summarize.js";

/** lvis-api's max_dets: results kept per image (LVISResults) and Params.max_dets. */
export const LVIS_MAX_DETS = 300;

export interface LvisParamsInput {
  iouType: "bbox" | "segm";
}

export interface LvisEvaluation {
  /** The COCO params the protocol ran with (maxDets [300]). */
  readonly params: CocoParams;
  /** lvis-api's `results` dict: AP, AP50, AP75, APs, APm, APl, APr, APc, APf, AR@300, ARs@300, ARm@300, ARl@300 (-1 where nothing was evaluated). */
  readonly results: Readonly<Record<LvisResultName, number>>;
  /** The values of `results`, in its order (lvis-api's print order). */
  readonly stats: number[];
  /** lvis-api's print_results() lines. */
  summary(): string;
  /** The underlying COCO evaluation of the protocol's view: precision / recall arrays, matches, per category. */
  readonly coco: CocoEvaluation;
  readonly warnings: string[];
}

/** The category indices a per-image LVIS list names (ids not in the dataset's categories name nothing). */
function categoryList(value: unknown, path: string, field: string, gt: CocoDataset): number[] {
  if (value === undefined) throw new CocoInputError(path, `missing (the LVIS protocol needs ${field} on every image; lvis-api fails with a KeyError)`);
  if (!Array.isArray(value)) throw new CocoInputError(path, `expected a list of category ids, got ${describeValue(value)}`);
  const out: number[] = [];
  for (let j = 0; j < value.length; j++) {
    const id: unknown = value[j];
    if (!isId(id)) throw new CocoInputError(`${path}[${j}]`, `expected a category id (number or string), got ${describeValue(id)}`);
    const k = gt.categories.indexOf(id);
    if (k >= 0) out.push(k);
  }
  return out;
}

/** Each category's frequency group (0 r, 1 c, 2 f), by dataset category index. */
export function lvisFrequencies(gt: CocoDataset): Uint8Array {
  const out = new Uint8Array(gt.categories.count);
  for (let k = 0; k < gt.categories.count; k++) {
    const f = gt.categories.frequency?.[k];
    const path = `categories[${k}].frequency`;
    if (f === undefined) throw new CocoInputError(path, 'missing (the LVIS protocol needs "r", "c" or "f" on every category; lvis-api fails with a KeyError)');
    const g = typeof f === "string" ? LVIS_FREQUENCIES.indexOf(f as "r") : -1;
    if (g < 0) throw new CocoInputError(path, `expected "r", "c" or "f", got ${describeValue(f)}`);
    out[k] = g;
  }
  return out;
}

/** The results kept by LVISResults' limit_dets_per_image: per image the `max` best by score (stable). */
export function capPerImage(dt: CocoResults, max: number): Uint8Array {
  const keep = new Uint8Array(dt.count).fill(1);
  const nImages = dt.dataset.images.count;
  const count = new Int32Array(nImages + 1);
  for (let r = 0; r < dt.count; r++) count[dt.image[r]! + 1]!++;
  let over = false;
  for (let i = 0; i < nImages; i++) if (count[i + 1]! > max) over = true;
  if (!over) return keep;
  for (let i = 0; i < nImages; i++) count[i + 1]! += count[i]!;
  const byImage = new Int32Array(dt.count);
  const fill = count.slice(0, nImages);
  for (let r = 0; r < dt.count; r++) byImage[fill[dt.image[r]!]!++] = r; // file order within an image
  for (let i = 0; i < nImages; i++) {
    const s = count[i]!;
    const n = count[i + 1]! - s;
    if (n <= max) continue;
    // Python's sorted(key=score, reverse=True) keeps equal scores in list order, as the stable argsort does
    const scores = new Float64Array(n);
    for (let q = 0; q < n; q++) scores[q] = dt.score[byImage[s + q]!]!;
    const order = argsortDescendingStable(scores);
    for (let q = max; q < n; q++) keep[byImage[s + order[q]!]!] = 0;
  }
  return keep;
}

/** The COCO inputs of lvis-api's evaluation (see the header); `dt`'s geometry must be resolved. */
export function lvisView(gt: CocoDataset, dt: CocoResults): { gt: CocoDataset; dt: CocoResults; warnings: string[] } {
  const nCats = gt.categories.count;
  const nImages = gt.images.count;
  const key = (image: number, cat: number) => image * nCats + cat;
  const negative = new Set<number>();
  const notExhaustive = new Set<number>();
  for (let i = 0; i < nImages; i++) {
    for (const k of categoryList(gt.images.negCategoryIds?.[i], `images[${i}].neg_category_ids`, "neg_category_ids", gt)) negative.add(key(i, k));
    const path = `images[${i}].not_exhaustive_category_ids`;
    for (const k of categoryList(gt.images.notExhaustiveCategoryIds?.[i], path, "not_exhaustive_category_ids", gt)) notExhaustive.add(key(i, k));
  }
  const warnings: string[] = [];

  // labels: get_ann_ids keeps those with 0 < area < inf; the positive categories of an image are those
  // of the kept labels (after loadAnns' repeated-id substitution, as lvis-api builds them from the loaded ones)
  const A = gt.annotations;
  const positive = new Set<number>();
  const annImage = new Int32Array(A.count);
  let crowds = 0;
  let dropped = 0;
  for (let a = 0; a < A.count; a++) {
    if (A.crowd[a] !== 0) crowds++;
    const area = A.area[a]!;
    const kept = A.image[a]! >= 0 && A.category[a]! >= 0 && area > 0 && area < Number.POSITIVE_INFINITY;
    annImage[a] = kept ? A.image[a]! : -1;
    if (!kept) {
      if (A.image[a]! >= 0 && A.category[a]! >= 0) dropped++;
      continue;
    }
    const s = A.canonical ? A.canonical[a]! : a;
    if (A.image[s]! >= 0 && A.category[s]! >= 0) positive.add(key(A.image[s]!, A.category[s]!));
  }
  if (A.canonical) {
    // a label left out by its area but evaluated in place of a kept one with its id: not expressible here
    for (let a = 0; a < A.count; a++) {
      const s = A.canonical[a]!;
      if (annImage[a]! >= 0 && annImage[s]! < 0 && A.image[s]! >= 0 && A.category[s]! >= 0) {
        throw new CocoInputError(
          `annotations[${s}].area`,
          `${describeValue(A.area[s])}: the LVIS protocol leaves this label out, but annotations[${a}] has the same id and lvis-api evaluates this one in its place (not supported: give every annotation a unique id)`,
        );
      }
    }
  }
  if (dropped > 0) warnings.push(`annotations: ${dropped} labels with an area not above 0 are left out, as lvis-api's get_ann_ids does (their category is then not positive in their image)`);
  if (crowds > 0) warnings.push(`annotations: ${crowds} labels have iscrowd set; lvis-api does not read iscrowd (they are evaluated as ordinary labels)`);

  // results: the 300 cap first (LVISResults), then the area, category and federated filters (_prepare)
  const keep = capPerImage(dt, LVIS_MAX_DETS);
  const resCategory = new Int32Array(dt.count);
  const resArea = new Float64Array(dt.count);
  let capped = 0;
  for (let r = 0; r < dt.count; r++) {
    resCategory[r] = -1;
    resArea[r] = dt.area[r]!;
    if (!keep[r]) {
      capped++;
      continue;
    }
    const im = dt.image[r]!;
    const c = dt.category[r]!;
    const area = dt.area[r]!;
    if (c < 0 || !(area > 0 && area < Number.POSITIVE_INFINITY)) continue;
    const k = key(im, c);
    if (!positive.has(k) && !negative.has(k)) continue;
    resCategory[r] = c;
    if (notExhaustive.has(k)) resArea[r] = -1; // ignored when unmatched, in every area range
  }
  if (capped > 0) warnings.push(`results: ${capped} results beyond the ${LVIS_MAX_DETS} best of their image are left out, as lvis-api's LVISResults does`);

  const vGt: CocoDataset = {
    ...gt,
    annotations: { ...A, image: annImage, crowd: new Uint8Array(A.count) },
    warnings: [],
  };
  const vDt: CocoResults = { ...dt, dataset: vGt, category: resCategory, area: resArea, warnings: [], geometryPending: false };
  return { gt: vGt, dt: vDt, warnings };
}

/**
 * lvis-api's LVISEval(gt, dt, iouType).run() on parsed inputs (parseCocoDataset / parseCocoResults):
 * the federated protocol, its results dict and print-out. `engine` and `options` as for evaluateCoco
 * (the wasm kernels, or `kernels: "reference"` for the TypeScript path; the same numbers).
 */
export function evaluateLvis(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, params: LvisParamsInput, options: EvaluateOptions = {}): LvisEvaluation {
  checkArgument(gt?.kind === "coco-dataset", "evaluateLvis", "the second argument", "a parsed dataset (parseCocoDataset)", gt);
  checkArgument(dt?.kind === "coco-results", "evaluateLvis", "the third argument", "parsed results (parseCocoResults)", dt);
  checkArgument(typeof params === "object" && params !== null, "evaluateLvis", "the fourth argument", '{ iouType: "bbox" } or { iouType: "segm" }', params);
  if (params.iouType !== "bbox" && params.iouType !== "segm") throw new CocoInputError("params.iouType", `expected bbox or segm (the LVIS protocol), got ${JSON.stringify(params.iouType)}`);
  if (dt.dataset !== gt) throw new Error("evaluateLvis: the results were parsed against another dataset (pass the same CocoDataset to parseCocoResults)");
  // the areas of segm-branch results decide which results count, so they are resolved before the view
  const kernels = options.kernels === "reference" ? null : engineKernels(engine);
  if (!(kernels && resolveResultGeometryBulk(engine, dt))) resolveResultGeometry(engine, dt);
  const view = lvisView(gt, dt);
  sharePoolWith(dt, view.dt); // the masks made for the areas serve the matching (no second pool)
  const freqOfCategory = lvisFrequencies(gt); // after the image lists, as lvis-api's _prepare reads them
  const prep = prepareCoco(engine, view.gt, view.dt, { iouType: params.iouType, maxDets: [LVIS_MAX_DETS] }, options);
  // LVIS files have no iscrowd, which lvis-api never reads: the reader's remark about it does not apply
  const gtWarnings = gt.warnings.filter((w) => !/ have no iscrowd; /.test(w));
  prep.warnings.unshift(...gtWarnings, ...dt.warnings, ...view.warnings);
  const start = performance.now();
  const matched = prep.backend.match(prep);
  const { evaluation, accumulated } = finishCocoAccumulated(prep, matched, start + (prep.timings.iou ?? 0));
  const p = prep.p;
  const groupOfK = Uint8Array.from(p.catIds, (id) => freqOfCategory[gt.categories.indexOf(id)]!);
  const results = lvisResults(accumulated, p, groupOfK);
  return {
    params: p,
    results,
    stats: Object.values(results),
    summary: () => lvisSummaryLines(results, p).join("\n"),
    coco: evaluation,
    warnings: evaluation.warnings,
  };
}
