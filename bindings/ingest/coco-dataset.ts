// COCO ground truth -> columnar arrays. Semantics follow pycocotools' COCO(): images and categories are
// indexed by id, annotations are kept in file order. Every field is validated as it is read, by the
// per-element checks below (checkImage / checkCategory / checkAnnotation), with one-line messages that
// name the JSON path and the value (docs/errors.md). A repeated image or category id is an error
// (pycocotools would silently keep the last record); a repeated annotation id is reproduced with a warning.
import { BOX_OK, BOX_MISSING, CROWD_IGNORE_ONLY, type JsonInput, type CocoDataset } from "../coco/inputs.js";
import { checkSegmentation } from "./check-segmentation.js";
import { type JsonSourceKind, parseJsonText, wideEncoding, wideEncodingProblem } from "./json-text.js";
import { expectedGot, showValue } from "../coco/show.js";
import { CocoInputError, describeValue, listValues } from "../coco/errors.js";
import { type CocoId, isId } from "../coco/ids.js";

/**
 * JSON text / bytes -> value (a parsed value is returned as is). `what` names the input in messages
 * (`dataset: text is truncated (...)`); JSON syntax errors give line, column and what was found.
 */
export function parseJsonInput(input: JsonInput, what: string): unknown {
  if (typeof input === "string") return parseJsonText(input, what, "text");
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;
  if (bytes === undefined) return input;
  const enc = wideEncoding(bytes.subarray(0, 4));
  if (enc) throw new CocoInputError(what, wideEncodingProblem(enc, "text"));
  // (a leading byte order mark is kept here: parseJsonText skips one, as for a file)
  return parseJsonText(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes), what, "text", bytes.length);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(path: string, problem: string): never {
  throw new CocoInputError(path, problem);
}

function requireArray(root: Record<string, unknown>, key: string): unknown[] {
  const v = root[key];
  if (!Array.isArray(v)) throw requiredArrayProblem(key, v);
  return v;
}

/** A number or string id; `base[i].key` names it in the message. */
function requireId(obj: Record<string, unknown>, key: string, base: string, i: number): CocoId {
  const v = obj[key];
  if (!isId(v)) fail(`${base}[${i}].${key}`, expectedGot("a number or a string", v));
  return v;
}

/** A hint for ids that JavaScript numbers cannot hold exactly (two such ids may become equal). */
function unsafeIdHint(id: CocoId): string {
  return typeof id === "number" && Number.isInteger(id) && !Number.isSafeInteger(id)
    ? "; integer ids beyond 2^53 lose precision in JavaScript, write them as strings"
    : "";
}

/** An optional image dimension: a finite number, or NaN when missing / null. */
function dimension(v: unknown, i: number, key: string): number {
  if (v === undefined || v === null) return NaN;
  if (typeof v !== "number" || !Number.isFinite(v)) fail(`images[${i}].${key}`, `expected a non-negative integer, got ${showValue(v)}`);
  return v;
}

/**
 * The state of a dataset being parsed: the columnar arrays and what the per-element checks collect.
 * checkImage / checkCategory / checkAnnotation fill it one element at a time (a streaming parser can
 * call them as elements arrive, with capacities from a first pass or grown arrays).
 */
export class DatasetBuilder {
  readonly imageIds: CocoId[] = [];
  readonly imageMap = new Map<CocoId, number>();
  readonly width: Float64Array;
  readonly height: Float64Array;
  readonly fileNames: (string | undefined)[] = [];
  readonly catIds: CocoId[] = [];
  readonly catMap = new Map<CocoId, number>();
  readonly names: string[] = [];
  readonly supercategories: (string | undefined)[] = [];
  /** LVIS's fields as given (undefined where absent), for the LVIS protocol (coco/lvis.ts). */
  readonly negCategoryIds: unknown[] = [];
  readonly notExhaustiveCategoryIds: unknown[] = [];
  readonly frequency: unknown[] = [];
  readonly annIds: CocoId[];
  readonly image: Int32Array;
  readonly category: Int32Array;
  readonly area: Float64Array;
  readonly crowd: Uint8Array;
  readonly box: Float64Array;
  readonly boxState: Uint8Array;
  readonly idIsZero: Uint8Array;
  readonly raw: Record<string, unknown>[];
  /** Annotations whose image id is not an image: count, first index, distinct ids (a few). */
  unknownImageCount = 0;
  firstUnknownImage = -1;
  readonly unknownImageIds: CocoId[] = [];
  unknownCatCount = 0;
  firstUnknownCat = -1;
  readonly unknownCatIds: CocoId[] = [];
  noCrowd = 0;
  /** iscrowd values other than 0 / 1 (count and first index), for a warning */
  oddCrowd = 0;
  firstOddCrowd = -1;
  /** Given when the whole annotation list is at hand: counts the annotations without area (message detail). */
  countMissingArea?: () => number;

  constructor(images: number, annotations: number) {
    this.width = new Float64Array(images);
    this.height = new Float64Array(images);
    this.annIds = new Array(annotations);
    this.image = new Int32Array(annotations);
    this.category = new Int32Array(annotations);
    this.area = new Float64Array(annotations);
    this.crowd = new Uint8Array(annotations);
    this.box = new Float64Array(4 * annotations);
    this.boxState = new Uint8Array(annotations);
    this.idIsZero = new Uint8Array(annotations);
    this.raw = new Array(annotations);
  }
}

/** images[i]: an object with a unique id; width / height optional (needed for polygon masks). */
export function checkImage(img: unknown, i: number, b: DatasetBuilder): void {
  if (!isRecord(img)) fail(`images[${i}]`, `expected an object, got ${showValue(img)}`);
  const id = requireId(img, "id", "images", i);
  const prev = b.imageMap.get(id);
  if (prev !== undefined) fail("images", `duplicate id ${showValue(id)} (images[${prev}] and images[${i}])${unsafeIdHint(id)}`);
  const k = b.imageIds.length;
  b.imageMap.set(id, k);
  b.imageIds.push(id);
  b.width[k] = dimension(img.width, i, "width");
  b.height[k] = dimension(img.height, i, "height");
  b.fileNames.push(typeof img.file_name === "string" ? img.file_name : undefined);
  b.negCategoryIds.push(img.neg_category_ids);
  b.notExhaustiveCategoryIds.push(img.not_exhaustive_category_ids);
}

/** categories[i]: an object with a unique id. */
export function checkCategory(cat: unknown, i: number, b: DatasetBuilder): void {
  if (!isRecord(cat)) fail(`categories[${i}]`, `expected an object, got ${showValue(cat)}`);
  const id = requireId(cat, "id", "categories", i);
  const prev = b.catMap.get(id);
  if (prev !== undefined) fail("categories", `duplicate id ${showValue(id)} (categories[${prev}] and categories[${i}])${unsafeIdHint(id)}`);
  b.catMap.set(id, b.catIds.length);
  b.catIds.push(id);
  b.names.push(typeof cat.name === "string" ? cat.name : String(cat.name ?? id));
  b.supercategories.push(typeof cat.supercategory === "string" ? cat.supercategory : undefined);
  b.frequency.push(cat.frequency);
}

/** 4 finite numbers into out[4i..4i+3]; false when `bb` is not such a box. */
export function readBox(bb: unknown, out: Float64Array, i: number): boolean {
  if (!Array.isArray(bb) || bb.length !== 4) return false;
  const x = bb[0];
  const y = bb[1];
  const w = bb[2];
  const h = bb[3];
  if (
    typeof x !== "number" ||
    typeof y !== "number" ||
    typeof w !== "number" ||
    typeof h !== "number" ||
    !Number.isFinite(x) ||
    !Number.isFinite(y) ||
    !Number.isFinite(w) ||
    !Number.isFinite(h)
  ) {
    return false;
  }
  out[4 * i] = x;
  out[4 * i + 1] = y;
  out[4 * i + 2] = w;
  out[4 * i + 3] = h;
  return true;
}

/** x, y, v triples of finite numbers. */
export function isKeypointList(kp: unknown): kp is number[] {
  if (!Array.isArray(kp) || kp.length % 3 !== 0) return false;
  for (let j = 0; j < kp.length; j++) {
    const v = kp[j];
    if (typeof v !== "number" || !Number.isFinite(v)) return false;
  }
  return true;
}

/**
 * annotations[i]: id, image_id, category_id (numbers or strings), area (a finite number, required:
 * pycocotools never derives it), iscrowd (0/1, optional), bbox (4 finite numbers when present),
 * segmentation (see bindings/ingest/check-segmentation.ts), keypoints / num_keypoints when present.
 */
export function checkAnnotation(a: unknown, i: number, b: DatasetBuilder): void {
  if (!isRecord(a)) fail(`annotations[${i}]`, `expected an object, got ${showValue(a)}`);
  b.raw[i] = a;
  const id = requireId(a, "id", "annotations", i);
  b.annIds[i] = id;
  b.idIsZero[i] = id === 0 ? 1 : 0;
  const imgId = requireId(a, "image_id", "annotations", i);
  const catId = requireId(a, "category_id", "annotations", i);
  const ii = b.imageMap.get(imgId);
  if (ii === undefined) {
    if (b.unknownImageCount++ === 0) b.firstUnknownImage = i;
    if (b.unknownImageIds.length < 6 && !b.unknownImageIds.includes(imgId)) b.unknownImageIds.push(imgId);
    b.image[i] = -1;
  } else b.image[i] = ii;
  const ci = b.catMap.get(catId);
  if (ci === undefined) {
    if (b.unknownCatCount++ === 0) b.firstUnknownCat = i;
    if (b.unknownCatIds.length < 6 && !b.unknownCatIds.includes(catId)) b.unknownCatIds.push(catId);
    b.category[i] = -1;
  } else b.category[i] = ci;

  const ar = a.area;
  if (typeof ar === "number" && Number.isFinite(ar)) b.area[i] = ar;
  else if (ar === undefined || ar === null) {
    const n = b.countMissingArea?.() ?? 0;
    fail(
      `annotations[${i}].area`,
      n > 0
        ? `missing (${n} of ${b.raw.length} annotations have no area; pycocotools needs it for the area ranges and never derives it)`
        : "missing (pycocotools needs it for the area ranges and never derives it)",
    );
  } else fail(`annotations[${i}].area`, `expected a finite number, got ${showValue(ar)}`);

  const c = a.iscrowd;
  if (c === undefined || c === null) {
    b.noCrowd++;
    b.crowd[i] = 0;
  } else if (typeof c === "number" && (c < 0 || c >= 256)) {
    // pycocotools passes int(iscrowd) to its uint8 mask.iou: OverflowError
    fail(`annotations[${i}].iscrowd`, `expected 0 or 1, got ${showValue(c)} (pycocotools cannot evaluate it: iscrowd goes to a uint8)`);
  } else if (typeof c === "boolean" || (typeof c === "number" && Number.isFinite(c))) {
    // pycocotools ignores a label whose iscrowd is truthy, but computes IoU and lets it match once
    // more only when int(iscrowd) != 0: 0.5 is ignored with a normal IoU (CROWD_IGNORE_ONLY)
    b.crowd[i] = !c ? 0 : Math.trunc(Number(c)) !== 0 ? 1 : CROWD_IGNORE_ONLY;
    if (c !== 0 && c !== 1 && typeof c === "number" && b.oddCrowd++ === 0) b.firstOddCrowd = i;
  }
  else fail(`annotations[${i}].iscrowd`, `expected 0 or 1, got ${showValue(c)}`);

  const bb = a.bbox;
  if (bb === undefined || bb === null) {
    b.boxState[i] = BOX_MISSING;
    b.box.fill(NaN, 4 * i, 4 * i + 4);
  } else if (readBox(bb, b.box, i)) b.boxState[i] = BOX_OK;
  else fail(`annotations[${i}].bbox`, `expected 4 finite numbers, got ${showValue(bb)}`);

  const seg = a.segmentation;
  if (seg !== undefined && seg !== null) checkSegmentation(seg, "annotations", i);

  const kp = a.keypoints;
  if (kp !== undefined && kp !== null && !isKeypointList(kp)) {
    fail(`annotations[${i}].keypoints`, `expected a list of x, y, v triples (finite numbers), got ${showValue(kp)}`);
  }
  const nk = a.num_keypoints;
  if (nk !== undefined && nk !== null && !(typeof nk === "number" && Number.isFinite(nk))) {
    fail(`annotations[${i}].num_keypoints`, `expected a number, got ${showValue(nk)}`);
  }
}

/** A hint when unknown ids exist with the other type among the known ones (1 vs "1"). */
export function idTypeHint(unknown: readonly CocoId[], known: ReadonlyMap<CocoId, number>, what: string): string {
  for (const v of unknown) {
    const other = typeof v === "number" ? String(v) : Number(v);
    if ((typeof other === "string" || (Number.isFinite(other) && v !== "")) && known.has(other)) {
      return `; ${what} has ${describeValue(other)}: use the same id type`;
    }
  }
  return "";
}

/** The dataset's non-fatal remarks, once every element is checked. */
function datasetWarnings(b: DatasetBuilder, n: number): string[] {
  const warnings: string[] = [];
  if (b.unknownImageCount > 0) {
    warnings.push(
      `annotations: ${b.unknownImageCount} of ${n} annotations have an image id not in images: ${listValues(b.unknownImageIds)}` +
        ` (first at annotations[${b.firstUnknownImage}].image_id${idTypeHint(b.unknownImageIds, b.imageMap, "images")}); they are not evaluated, as in pycocotools`,
    );
  }
  if (b.unknownCatCount > 0) {
    warnings.push(
      `annotations: ${b.unknownCatCount} of ${n} annotations have a category id not in categories: ${listValues(b.unknownCatIds)}` +
        ` (first at annotations[${b.firstUnknownCat}].category_id${idTypeHint(b.unknownCatIds, b.catMap, "categories")}); they are not evaluated, as in pycocotools`,
    );
  }
  if (b.oddCrowd > 0) {
    warnings.push(
      `annotations: ${b.oddCrowd} annotations have an iscrowd other than 0 or 1 (first at annotations[${b.firstOddCrowd}].iscrowd); as in pycocotools, a non-zero value ignores the label, and its IoU is a crowd region's only when int(iscrowd) is not 0 (0.5: ignored, normal IoU)`,
    );
  }
  if (b.noCrowd > 0) {
    warnings.push(`annotations: ${b.noCrowd} annotations have no iscrowd; treated as iscrowd = 0 (pycocotools would stop with KeyError)`);
  }
  return warnings;
}

/**
 * The problem of a document that is one JSON string where `expected` (an object, an array) was due,
 * named by the input (`kind`: "file" or "text"). The usual cause is JSON encoded twice
 * (`json.dumps(json.dumps(d))`): a string whose text starts with '{' or '['.
 */
export function stringRootProblem(s: string, expected: string, kind: JsonSourceKind): string {
  const t = s.trimStart();
  if (t.startsWith("{") || t.startsWith("[")) return `expected ${expected}, got a string (the ${kind} holds JSON text inside a JSON string: decode it once)`;
  return `expected ${expected}, got a string (${showValue(s)})`;
}

/**
 * The error of a dataset document whose root is not an object. A root string names the input
 * (`name`, e.g. the file) as its problem; other roots name "dataset" and show the value.
 */
export function datasetRootError(root: unknown, name: string, kind: JsonSourceKind): CocoInputError {
  if (typeof root === "string") return new CocoInputError(name, stringRootProblem(root, "a JSON object", kind));
  const hint = Array.isArray(root) ? " (this looks like a results file: a dataset is an object)" : "";
  return new CocoInputError("dataset", `expected a JSON object with images, annotations and categories, got ${showValue(root)}${hint}`);
}

/** The three arrays' problems, in parseCocoDataset's order: missing, or not an array. */
export function requiredArrayProblem(key: string, value: unknown): CocoInputError {
  if (value === undefined) return new CocoInputError(key, "missing (a COCO dataset needs images, annotations and categories)");
  return new CocoInputError(key, `expected an array, got ${showValue(value)}`);
}

/** Parses a COCO dataset (ground truth): a parsed object, JSON text or UTF-8 bytes. */
export function parseCocoDataset(input: JsonInput): CocoDataset {
  const root = parseJsonInput(input, "dataset");
  if (!isRecord(root)) throw datasetRootError(root, "dataset", "text");
  const imagesIn = requireArray(root, "images");
  const annsIn = requireArray(root, "annotations");
  const catsIn = requireArray(root, "categories");
  const n = annsIn.length;
  const b = new DatasetBuilder(imagesIn.length, n);
  b.countMissingArea = () => {
    let k = 0;
    for (const a of annsIn) if (isRecord(a) && (a.area === undefined || a.area === null)) k++;
    return k;
  };
  for (let i = 0; i < imagesIn.length; i++) checkImage(imagesIn[i], i, b);
  for (let i = 0; i < catsIn.length; i++) checkCategory(catsIn[i], i, b);
  for (let i = 0; i < n; i++) checkAnnotation(annsIn[i], i, b);
  return finishDataset(b, n);
}

/** True when ids[0..n) are distinct integers in 0..2^24 (the usual case: a bitmap, not a Map, tells); false also for other ids. */
function distinctSmallIds(ids: readonly CocoId[], n: number): boolean {
  let max = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > 1 << 24) return false;
    if (id > max) max = id;
  }
  const seen = new Uint8Array(max + 1);
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    if (seen[id]) return false;
    seen[id] = 1;
  }
  return true;
}

/** The CocoDataset of a builder whose n annotations are all checked. */
/** A warning for integer ids beyond 2^53: JSON.parse rounds them, so every output shows them altered. */
function unsafeIdWarnings(lists: [string, readonly CocoId[]][]): string[] {
  const out: string[] = [];
  for (const [what, ids] of lists) {
    let count = 0;
    let first = -1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (typeof id === "number" && Number.isInteger(id) && !Number.isSafeInteger(id) && count++ === 0) first = i;
    }
    if (count > 0)
      out.push(
        `${what}: ${count} ids are integers beyond 2^53 (first ${what}[${first}].id, read as ${String(ids[first])}): JavaScript numbers cannot hold them exactly, so outputs show them altered and two may become one; write ids as strings`,
      );
  }
  return out;
}

export function finishDataset(b: DatasetBuilder, n: number): CocoDataset {
  const warnings = datasetWarnings(b, n);
  const ids = b.annIds;
  warnings.push(
    ...unsafeIdWarnings([
      ["images", b.imageIds],
      ["categories", b.catIds],
      ["annotations", ids],
    ]),
  );

  // repeated annotation ids: pycocotools' anns dict keeps the last one, and loadAnns returns it for each occurrence
  let canonical: Int32Array | null = null;
  if (!distinctSmallIds(ids, n)) {
    const last = new Map<CocoId, number>();
    for (let i = 0; i < n; i++) last.set(ids[i]!, i);
    if (last.size !== n) {
      canonical = new Int32Array(n);
      for (let i = 0; i < n; i++) canonical[i] = last.get(ids[i]!)!;
      warnings.push(
        `annotations: ${n - last.size} repeated annotation ids; pycocotools looks annotations up by id, so each repeat` +
          " evaluates the last annotation with that id (reproduced; give every annotation a unique id)",
      );
    }
  }

  const imageMap = b.imageMap;
  const catMap = b.catMap;
  const nImages = b.imageIds.length;
  return {
    kind: "coco-dataset",
    images: {
      count: nImages,
      ids: b.imageIds,
      width: b.width.length === nImages ? b.width : b.width.slice(0, nImages),
      height: b.height.length === nImages ? b.height : b.height.slice(0, nImages),
      fileNames: b.fileNames,
      negCategoryIds: b.negCategoryIds,
      notExhaustiveCategoryIds: b.notExhaustiveCategoryIds,
      indexOf: (id: unknown) => imageMap.get(id as CocoId) ?? -1,
    },
    categories: {
      count: b.catIds.length,
      ids: b.catIds,
      names: b.names,
      supercategories: b.supercategories,
      frequency: b.frequency,
      indexOf: (id: unknown) => catMap.get(id as CocoId) ?? -1,
    },
    annotations: {
      count: n,
      ids,
      image: b.image,
      category: b.category,
      area: b.area,
      crowd: b.crowd,
      box: b.box,
      boxState: b.boxState,
      idIsZero: b.idIsZero,
      canonical,
      raw: b.raw,
    },
    warnings,
  };
}
