// COCO results (detections) -> columnar arrays, with pycocotools' loadRes semantics: the FIRST result
// picks the branch (bbox / segmentation / keypoints), ids are renumbered 1..n in file order, area and
// bbox are derived as loadRes derives them.
import { BOX_OK, BOX_MISSING, type JsonInput, type CocoDataset, type ResultSource, type CocoResults } from "../coco/inputs.js";
import { checkSegmentation, SEG_EMPTY } from "./check-segmentation.js";
import { expectedGot, showValue } from "../coco/show.js";
import { idTypeHint, isKeypointList, parseJsonInput, readBox, stringRootProblem } from "./coco-dataset.js";
import type { JsonSourceKind } from "./json-text.js";
import { checkArgument, CocoInputError, describeValue, listValues } from "../coco/errors.js";
import { type CocoId, isId } from "../coco/ids.js";


function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(path: string, problem: string): never {
  throw new CocoInputError(path, problem);
}

/** The loadRes branch that the FIRST result picks (pycocotools: `'bbox' in anns[0] and not anns[0]['bbox'] == []`, ...). */
export function resultSource(first: unknown): ResultSource {
  if (!isRecord(first)) fail("results[0]", `expected an object, got ${showValue(first)}`);
  const fb = first.bbox;
  if ("bbox" in first && !(Array.isArray(fb) && fb.length === 0)) return "bbox";
  if ("segmentation" in first) return "segm";
  if ("keypoints" in first) return "keypoints";
  if ("caption" in first) fail("results[0]", "caption results are not detections");
  fail("results[0]", "needs a bbox, a segmentation or keypoints (the first result decides which)");
}

/**
 * The state of results being parsed against a dataset: the columnar arrays and what the per-element
 * check collects. checkResult fills it one element at a time (a streaming parser can call it as
 * elements arrive).
 */
export class ResultsBuilder {
  readonly raw: Record<string, unknown>[];
  readonly image: Int32Array;
  readonly category: Int32Array;
  readonly score: Float64Array;
  readonly area: Float64Array;
  readonly box: Float64Array;
  readonly boxState: Uint8Array;
  withSegmentation = 0;
  readonly unknownImages: CocoId[] = [];
  readonly unknownSeen = new Set<CocoId>();
  firstUnknownImage = -1;
  unknownCatCount = 0;
  firstUnknownCat = -1;
  readonly unknownCatIds: CocoId[] = [];

  /**
   * `given`: columns already holding every result's image index, category index, score and box (a
   * streaming reader's own, used as they are instead of copied).
   */
  constructor(
    readonly dataset: CocoDataset,
    readonly source: ResultSource,
    n: number,
    given?: { image: Int32Array; category: Int32Array; score: Float64Array; box: Float64Array; area?: Float64Array },
  ) {
    this.raw = new Array(n);
    this.image = given?.image ?? new Int32Array(n);
    this.category = given?.category ?? new Int32Array(n);
    this.score = given?.score ?? new Float64Array(n);
    this.area = given?.area ?? new Float64Array(n);
    this.box = given?.box ?? new Float64Array(4 * n).fill(NaN);
    this.boxState = new Uint8Array(n);
  }
}

/**
 * results[i]: image_id (a dataset image: collected, reported together at the end), category_id (an
 * unknown one is not evaluated, with a warning), score (a finite number), and what the branch needs:
 * bbox (4 finite numbers), segmentation (bindings/ingest/check-segmentation.ts) or keypoints (x, y, v
 * triples). Optional keys (id, area, iscrowd) are ignored, as loadRes overwrites them.
 */
export function checkResult(r: unknown, i: number, b: ResultsBuilder): void {
  if (!isRecord(r)) fail(`results[${i}]`, `expected an object, got ${showValue(r)}`);
  b.raw[i] = r;
  const ds = b.dataset;
  const imgId = r.image_id;
  if (!isId(imgId)) fail(`results[${i}].image_id`, expectedGot("a number or a string", imgId));
  const ii = ds.images.indexOf(imgId);
  b.image[i] = ii;
  if (ii < 0) {
    if (b.firstUnknownImage < 0) b.firstUnknownImage = i;
    if (!b.unknownSeen.has(imgId)) {
      b.unknownSeen.add(imgId);
      b.unknownImages.push(imgId);
    }
  }
  const catId = r.category_id;
  if (!isId(catId)) fail(`results[${i}].category_id`, expectedGot("a number or a string", catId));
  const ci = ds.categories.indexOf(catId);
  b.category[i] = ci;
  if (ci < 0) {
    if (b.unknownCatCount++ === 0) b.firstUnknownCat = i;
    if (b.unknownCatIds.length < 6 && !b.unknownCatIds.includes(catId)) b.unknownCatIds.push(catId);
  }
  const s = r.score;
  if (typeof s !== "number" || !Number.isFinite(s)) fail(`results[${i}].score`, expectedGot("a finite number", s));
  b.score[i] = s;

  const seg = r.segmentation;
  const source = b.source;
  if (seg !== undefined) {
    b.withSegmentation++;
    if (seg !== null || source === "segm") {
      if (seg === null || checkSegmentation(seg, "results", i) === SEG_EMPTY) {
        if (source === "segm") {
          fail(`results[${i}].segmentation`, seg === null ? "expected polygons (an array) or an RLE object {size, counts}, got null" : "empty (loadRes computes the area of every segmentation)");
        }
      }
    }
  }
  const kp = r.keypoints;
  if (source === "bbox") {
    const bb = r.bbox;
    if (bb === undefined) fail(`results[${i}].bbox`, "missing (the first result has a bbox, so every result needs one)");
    if (!readBox(bb, b.box, i)) fail(`results[${i}].bbox`, `expected 4 finite numbers, got ${showValue(bb)}`);
    b.area[i] = b.box[4 * i + 2]! * b.box[4 * i + 3]!;
  } else if (source === "segm") {
    if (seg === undefined) fail(`results[${i}].segmentation`, "missing (the first result has a segmentation and no bbox, so every result needs one)");
    b.area[i] = NaN;
    // loadRes keeps a given bbox (an empty one reads as none here) and derives a missing one with toBbox
    const bb = r.bbox;
    if (bb === undefined || bb === null || (Array.isArray(bb) && bb.length === 0)) b.boxState[i] = BOX_MISSING;
    else if (readBox(bb, b.box, i)) b.boxState[i] = BOX_OK;
    else fail(`results[${i}].bbox`, `expected 4 finite numbers, got ${showValue(bb)}`);
  } else {
    if (kp === undefined) fail(`results[${i}].keypoints`, "missing (the first result has keypoints, so every result needs them)");
    if (!isKeypointList(kp) || kp.length === 0) {
      fail(`results[${i}].keypoints`, `expected a list of x, y, v triples (finite numbers), got ${showValue(kp)}`);
    }
    // loadRes: area and bbox from the keypoints' extent
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let j = 0; j < kp.length; j += 3) {
      const x = kp[j]!;
      const y = kp[j + 1]!;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    b.area[i] = (x1 - x0) * (y1 - y0);
    b.box[4 * i] = x0;
    b.box[4 * i + 1] = y0;
    b.box[4 * i + 2] = x1 - x0;
    b.box[4 * i + 3] = y1 - y0;
  }
  if (source !== "keypoints" && kp !== undefined && kp !== null && !isKeypointList(kp)) {
    fail(`results[${i}].keypoints`, `expected a list of x, y, v triples (finite numbers), got ${showValue(kp)}`);
  }
}

/** The CocoResults of a builder whose n results are all checked (the unknown image ids are an error). */
export function finishResults(b: ResultsBuilder, n: number): CocoResults {
  const dataset = b.dataset;
  const warnings: string[] = [];
  if (n === 0) warnings.push("results: the list is empty (pycocotools cannot load it); evaluated as no detections");
  if (b.unknownImages.length > 0) {
    let hint = "";
    const types = new Set(dataset.images.ids.map((v) => typeof v));
    const other = b.unknownImages.find((v) => dataset.images.indexOf(typeof v === "number" ? String(v) : Number(v)) >= 0);
    if (other !== undefined) {
      const theirs = typeof other === "number" ? String(other) : Number(other);
      hint = `; the dataset has ${describeValue(theirs)}: use the same id type as the dataset's images`;
    } else if (types.size === 1) hint = `; the dataset's image ids are ${[...types][0]}s`;
    fail("results", `image ids not in the dataset: ${listValues(b.unknownImages)} (first at results[${b.firstUnknownImage}].image_id)${hint}`);
  }
  if (b.unknownCatCount > 0) {
    const catMap = new Map(dataset.categories.ids.map((id, k) => [id, k] as const));
    warnings.push(
      `results: ${b.unknownCatCount} of ${n} results have a category id not in the dataset: ${listValues(b.unknownCatIds)}` +
        ` (first at results[${b.firstUnknownCat}].category_id${idTypeHint(b.unknownCatIds, catMap, "the dataset")}); they are not evaluated, as in pycocotools`,
    );
  }
  return {
    kind: "coco-results",
    dataset,
    source: n > 0 ? b.source : "none",
    count: n,
    image: b.image,
    category: b.category,
    score: b.score,
    area: b.area,
    box: b.box,
    boxState: b.boxState,
    withSegmentation: b.withSegmentation,
    raw: b.raw,
    warnings,
    geometryPending: n > 0 && b.source === "segm",
  };
}

/**
 * The error of a results document whose root is not an array. A root string names the input
 * (`name`, e.g. the file); other roots name "results" and show the value. `arrays` says which of
 * an object root's "annotations" / "images" are arrays (default: read from the value).
 */
export function resultsRootError(list: unknown, name: string, kind: JsonSourceKind, arrays?: { annotations: boolean; images: boolean }): CocoInputError {
  if (typeof list === "string") return new CocoInputError(name, stringRootProblem(list, "a JSON array", kind));
  const has = arrays ?? (isRecord(list) ? { annotations: Array.isArray(list.annotations), images: Array.isArray(list.images) } : { annotations: false, images: false });
  const hint =
    isRecord(list) && has.annotations
      ? has.images
        ? " (this looks like a dataset; results are the plain array of detections)"
        : ' (results are the plain array of detections: pass the "annotations" array)'
      : "";
  return new CocoInputError("results", `expected a JSON array of result objects, got ${showValue(list)}${hint}`);
}

/**
 * Parses COCO results (a JSON array of detections) against the dataset they are evaluated on.
 * Every result image id must be a dataset image (pycocotools asserts it): otherwise CocoInputError
 * names the unknown ids.
 */
export function parseCocoResults(input: JsonInput, dataset: CocoDataset): CocoResults {
  checkArgument((dataset as { kind?: unknown } | undefined)?.kind === "coco-dataset", "parseCocoResults", "the second argument", "the dataset parseCocoDataset() returned", dataset);
  const list = parseJsonInput(input, "results");
  if (!Array.isArray(list)) throw resultsRootError(list, "results", "text");
  const n = list.length;
  const b = new ResultsBuilder(dataset, n > 0 ? resultSource(list[0]) : "none", n);
  for (let i = 0; i < n; i++) checkResult(list[i], i, b);
  return finishResults(b, n);
}
