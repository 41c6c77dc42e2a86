// COCO results (detections) -> columnar arrays, with pycocotools' loadRes semantics: the FIRST result
// picks the branch (bbox / segmentation / keypoints), ids are renumbered 1..n in file order, area and
// bbox are derived as loadRes derives them.
import { BOX_MALFORMED, BOX_MISSING, BOX_OK, type CocoDataset, type JsonInput, parseJsonInput } from "./dataset.js";
import { CocoInputError, describeValue, listValues } from "./errors.js";
import { isId } from "./ids.js";

/**
 * The loadRes branch: "bbox" (area = w*h, missing segmentation = the box polygon), "segm" (area and
 * missing bbox from the compressed RLE), "keypoints" (area and bbox from the keypoints' extent),
 * "none" (an empty results list, which pycocotools cannot load; evaluated as no detections).
 */
export type ResultSource = "bbox" | "segm" | "keypoints" | "none";

export interface CocoResults {
  readonly kind: "coco-results";
  /** The dataset these results were checked against (image and category indices refer to it). */
  readonly dataset: CocoDataset;
  readonly source: ResultSource;
  readonly count: number;
  /** Index into dataset.images (every result image is in the dataset). */
  readonly image: Int32Array;
  /** Index into dataset.categories, or -1 (such results are not evaluated, as in pycocotools). */
  readonly category: Int32Array;
  readonly score: Float64Array;
  /**
   * loadRes' area. For the "segm" branch it is the mask area, filled in by the evaluation (it needs a
   * geometry engine): NaN until then, see `geometryPending`.
   */
  readonly area: Float64Array;
  /** [x, y, w, h] per result; NaN unless boxState is BOX_OK (segm branch: derived by the evaluation). */
  readonly box: Float64Array;
  readonly boxState: Uint8Array;
  /** How many results carry a `segmentation`. */
  readonly withSegmentation: number;
  /** The source objects (segmentation, keypoints). Result i has id i + 1. */
  readonly raw: readonly Record<string, unknown>[];
  readonly warnings: readonly string[];
  /** True while segm-branch areas / boxes still need a geometry engine. */
  geometryPending: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readBox(bb: unknown, out: Float64Array, i: number): number {
  if (bb === undefined) return BOX_MISSING;
  if (
    Array.isArray(bb) &&
    bb.length === 4 &&
    typeof bb[0] === "number" &&
    typeof bb[1] === "number" &&
    typeof bb[2] === "number" &&
    typeof bb[3] === "number"
  ) {
    out[4 * i] = bb[0];
    out[4 * i + 1] = bb[1];
    out[4 * i + 2] = bb[2];
    out[4 * i + 3] = bb[3];
    return BOX_OK;
  }
  return BOX_MALFORMED;
}

/**
 * Parses COCO results (a JSON array of detections) against the dataset they are evaluated on.
 * Every result image id must be a dataset image (pycocotools asserts it): otherwise CocoInputError
 * names the unknown ids.
 */
export function parseCocoResults(input: JsonInput, dataset: CocoDataset): CocoResults {
  const list = parseJsonInput(input, "results");
  if (!Array.isArray(list)) {
    const hint = isRecord(list) && Array.isArray(list.annotations) ? ' (this looks like a dataset; results are the plain array of detections)' : "";
    throw new CocoInputError("results", `expected a JSON array of result objects, got ${describeValue(list)}${hint}`);
  }
  const n = list.length;
  const warnings: string[] = [];
  const raw: Record<string, unknown>[] = new Array(n);
  const image = new Int32Array(n);
  const category = new Int32Array(n);
  const score = new Float64Array(n);
  const area = new Float64Array(n);
  const box = new Float64Array(4 * n).fill(NaN);
  const boxState = new Uint8Array(n);
  let withSegmentation = 0;

  let source: ResultSource = "none";
  if (n > 0) {
    const first = list[0];
    if (!isRecord(first)) throw new CocoInputError("results[0]", `expected an object, got ${describeValue(first)}`);
    const fb = first.bbox;
    if ("bbox" in first && !(Array.isArray(fb) && fb.length === 0)) source = "bbox";
    else if ("segmentation" in first) source = "segm";
    else if ("keypoints" in first) source = "keypoints";
    else if ("caption" in first) throw new CocoInputError("results[0]", "caption results are not detections");
    else throw new CocoInputError("results[0]", "needs a bbox, a segmentation or keypoints (the first result decides which)");
  } else {
    warnings.push("results: the list is empty (pycocotools cannot load it); evaluated as no detections");
  }

  const unknownImages: unknown[] = [];
  const unknownSeen = new Set<unknown>();
  let firstUnknownImage = -1;
  let unknownCat = -1;
  let unknownCatCount = 0;
  for (let i = 0; i < n; i++) {
    const r = list[i];
    const path = `results[${i}]`;
    if (!isRecord(r)) throw new CocoInputError(path, `expected an object, got ${describeValue(r)}`);
    raw[i] = r;
    const imgId = r.image_id;
    if (!isId(imgId)) {
      throw new CocoInputError(`${path}.image_id`, imgId === undefined ? "missing" : `expected a number or string id, got ${describeValue(imgId)}`);
    }
    const ii = dataset.images.indexOf(imgId);
    image[i] = ii;
    if (ii < 0) {
      if (firstUnknownImage < 0) firstUnknownImage = i;
      if (!unknownSeen.has(imgId)) {
        unknownSeen.add(imgId);
        unknownImages.push(imgId);
      }
    }
    const catId = r.category_id;
    if (!isId(catId)) {
      throw new CocoInputError(`${path}.category_id`, catId === undefined ? "missing" : `expected a number or string id, got ${describeValue(catId)}`);
    }
    const ci = dataset.categories.indexOf(catId);
    category[i] = ci;
    if (ci < 0 && unknownCatCount++ === 0) unknownCat = i;
    const s = r.score;
    if (typeof s !== "number") {
      throw new CocoInputError(`${path}.score`, s === undefined ? "missing" : `expected a number, got ${describeValue(s)}`);
    }
    score[i] = s;
    if (r.segmentation !== undefined) withSegmentation++;

    if (source === "bbox") {
      const st = readBox(r.bbox, box, i);
      if (st !== BOX_OK) {
        throw new CocoInputError(`${path}.bbox`, st === BOX_MISSING ? "missing (the first result has a bbox, so every result needs one)" : `expected [x, y, width, height], got ${describeValue(r.bbox)}`);
      }
      area[i] = box[4 * i + 2]! * box[4 * i + 3]!;
    } else if (source === "segm") {
      const seg = r.segmentation;
      if (seg === undefined) throw new CocoInputError(`${path}.segmentation`, "missing (the first result has a segmentation and no bbox, so every result needs one)");
      if (!isRecord(seg) && !Array.isArray(seg)) throw new CocoInputError(`${path}.segmentation`, `expected an RLE object or polygons, got ${describeValue(seg)}`);
      area[i] = NaN;
      boxState[i] = readBox(r.bbox, box, i);
      if (boxState[i] === BOX_MISSING) box.fill(NaN, 4 * i, 4 * i + 4);
    } else {
      const kp = r.keypoints;
      if (!Array.isArray(kp) || kp.length < 3 || kp.length % 3 !== 0 || !kp.every((v) => typeof v === "number")) {
        throw new CocoInputError(`${path}.keypoints`, kp === undefined ? "missing (the first result has keypoints, so every result needs them)" : "expected [x1, y1, v1, x2, y2, v2, ...] numbers");
      }
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      let nanX = false, nanY = false;
      for (let j = 0; j < kp.length; j += 3) {
        const x = kp[j] as number;
        const y = kp[j + 1] as number;
        if (Number.isNaN(x)) nanX = true;
        if (Number.isNaN(y)) nanY = true;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
      // np.min / np.max propagate NaN
      if (nanX) x0 = x1 = NaN;
      if (nanY) y0 = y1 = NaN;
      area[i] = (x1 - x0) * (y1 - y0);
      box[4 * i] = x0;
      box[4 * i + 1] = y0;
      box[4 * i + 2] = x1 - x0;
      box[4 * i + 3] = y1 - y0;
    }
  }
  if (unknownImages.length > 0) {
    let hint = "";
    const types = new Set(dataset.images.ids.map((v) => typeof v));
    const other = unknownImages.find((v) => dataset.images.indexOf(typeof v === "number" ? String(v) : Number(v)) >= 0);
    if (other !== undefined) {
      const theirs = typeof other === "number" ? String(other) : Number(other);
      hint = `; the dataset has ${describeValue(theirs)}: use the same id type as the dataset's images`;
    } else if (types.size === 1) hint = `; the dataset's image ids are ${[...types][0]}s`;
    throw new CocoInputError(
      "results",
      `image ids not in the dataset: ${listValues(unknownImages)} (first at results[${firstUnknownImage}].image_id)${hint}`,
    );
  }
  if (unknownCatCount > 0) {
    warnings.push(
      `results[${unknownCat}].category_id: ${describeValue(raw[unknownCat]!.category_id)} is not a dataset category` +
        ` (${unknownCatCount} results in all); they are not evaluated, as in pycocotools`,
    );
  }
  return {
    kind: "coco-results",
    dataset,
    source,
    count: n,
    image,
    category,
    score,
    area,
    box,
    boxState,
    withSegmentation,
    raw,
    warnings,
    geometryPending: source === "segm",
  };
}
