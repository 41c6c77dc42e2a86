// COCO ground truth -> columnar arrays. Semantics follow pycocotools' COCO(): images and categories are
// indexed by id (a repeated id keeps its last record), annotations are kept in file order.
import { CocoInputError, describeValue } from "./errors.js";
import { type CocoId, isId } from "./ids.js";

/** Parsed JSON, JSON text, or UTF-8 bytes of JSON text. */
export type JsonInput = string | Uint8Array | ArrayBuffer | object;

export interface CocoImages {
  readonly count: number;
  /** Unique ids in order of first appearance. */
  readonly ids: readonly CocoId[];
  /** NaN where the record has no number. */
  readonly width: Float64Array;
  readonly height: Float64Array;
  readonly fileNames: readonly (string | undefined)[];
  /** Index of an id, or -1. */
  indexOf(id: unknown): number;
}

export interface CocoCategories {
  readonly count: number;
  /** Unique ids in order of first appearance. */
  readonly ids: readonly CocoId[];
  readonly names: readonly string[];
  readonly supercategories: readonly (string | undefined)[];
  indexOf(id: unknown): number;
}

/** Bounding box state per annotation. */
export const BOX_OK = 0;
export const BOX_MISSING = 1;
export const BOX_MALFORMED = 2;

export interface CocoAnnotations {
  readonly count: number;
  /** The annotation ids as written (number or string). */
  readonly ids: readonly CocoId[];
  /** Index into images, or -1 when the image id is not in `images` (pycocotools never evaluates these). */
  readonly image: Int32Array;
  /** Index into categories, or -1 when the category id is not in `categories`. */
  readonly category: Int32Array;
  /** As given (pycocotools never recomputes it). */
  readonly area: Float64Array;
  /** 1 when iscrowd is truthy. */
  readonly crowd: Uint8Array;
  /** [x, y, w, h] per annotation (4 * count); NaN unless boxState is BOX_OK. */
  readonly box: Float64Array;
  readonly boxState: Uint8Array;
  /** 1 when the id is 0 (pycocotools' "unmatched" marker: matches to it count as false positives). */
  readonly idIsZero: Uint8Array;
  /**
   * pycocotools' anns dict keeps the LAST annotation of a repeated id, and loadAnns returns it for every
   * occurrence: canonical[i] is that annotation's index (null when all ids are unique).
   */
  readonly canonical: Int32Array | null;
  /** The source objects, for segmentation and keypoints (read lazily by the evaluation). */
  readonly raw: readonly Record<string, unknown>[];
}

export interface CocoDataset {
  readonly kind: "coco-dataset";
  readonly images: CocoImages;
  readonly categories: CocoCategories;
  readonly annotations: CocoAnnotations;
  /** Non-fatal remarks (dropped annotations, defaults applied). */
  readonly warnings: readonly string[];
}

export function parseJsonInput(input: JsonInput, what: string): unknown {
  let text: string | undefined;
  if (typeof input === "string") text = input;
  else if (input instanceof Uint8Array) text = new TextDecoder().decode(input);
  else if (input instanceof ArrayBuffer) text = new TextDecoder().decode(new Uint8Array(input));
  if (text === undefined) return input;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CocoInputError(what, `invalid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function requireArray(root: Record<string, unknown>, key: string): unknown[] {
  const v = root[key];
  if (v === undefined) throw new CocoInputError(key, "missing (a COCO dataset needs images, annotations and categories)");
  if (!Array.isArray(v)) throw new CocoInputError(key, `expected an array, got ${describeValue(v)}`);
  return v;
}

function requireId(obj: Record<string, unknown>, key: string, path: string): CocoId {
  const v = obj[key];
  if (!isId(v)) {
    throw new CocoInputError(`${path}.${key}`, v === undefined ? "missing" : `expected a number or string id, got ${describeValue(v)}`);
  }
  return v;
}

function indexIds(ids: CocoId[]): { unique: CocoId[]; map: Map<CocoId, number>; last: number[] } {
  const map = new Map<CocoId, number>();
  const unique: CocoId[] = [];
  const last: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const k = map.get(id);
    if (k === undefined) {
      map.set(id, unique.length);
      unique.push(id);
      last.push(i);
    } else last[k] = i;
  }
  return { unique, map, last };
}

const num = (v: unknown): number => (typeof v === "number" ? v : NaN);

/** Parses a COCO dataset (ground truth): a parsed object, JSON text or UTF-8 bytes. */
export function parseCocoDataset(input: JsonInput): CocoDataset {
  const root = parseJsonInput(input, "dataset");
  if (!isRecord(root)) {
    throw new CocoInputError("dataset", `expected a JSON object with images, annotations and categories, got ${describeValue(root)}`);
  }
  const warnings: string[] = [];
  const imagesIn = requireArray(root, "images");
  const annsIn = requireArray(root, "annotations");
  const catsIn = requireArray(root, "categories");

  // images
  const imageIdList: CocoId[] = [];
  for (let i = 0; i < imagesIn.length; i++) {
    const img = imagesIn[i];
    if (!isRecord(img)) throw new CocoInputError(`images[${i}]`, `expected an object, got ${describeValue(img)}`);
    imageIdList.push(requireId(img, "id", `images[${i}]`));
  }
  const im = indexIds(imageIdList);
  const nImages = im.unique.length;
  const width = new Float64Array(nImages);
  const height = new Float64Array(nImages);
  const fileNames: (string | undefined)[] = new Array(nImages);
  for (let k = 0; k < nImages; k++) {
    const img = imagesIn[im.last[k]!] as Record<string, unknown>;
    width[k] = num(img.width);
    height[k] = num(img.height);
    fileNames[k] = typeof img.file_name === "string" ? img.file_name : undefined;
  }
  if (nImages !== imagesIn.length) {
    warnings.push(`images: ${imagesIn.length - nImages} repeated image ids; the last record of each is used, as in pycocotools`);
  }

  // categories
  const catIdList: CocoId[] = [];
  for (let i = 0; i < catsIn.length; i++) {
    const cat = catsIn[i];
    if (!isRecord(cat)) throw new CocoInputError(`categories[${i}]`, `expected an object, got ${describeValue(cat)}`);
    catIdList.push(requireId(cat, "id", `categories[${i}]`));
  }
  const cm = indexIds(catIdList);
  const nCats = cm.unique.length;
  const names: string[] = new Array(nCats);
  const supercategories: (string | undefined)[] = new Array(nCats);
  for (let k = 0; k < nCats; k++) {
    const cat = catsIn[cm.last[k]!] as Record<string, unknown>;
    names[k] = typeof cat.name === "string" ? cat.name : String(cat.name ?? cm.unique[k]);
    supercategories[k] = typeof cat.supercategory === "string" ? cat.supercategory : undefined;
  }

  // annotations
  const n = annsIn.length;
  const ids: CocoId[] = new Array(n);
  const image = new Int32Array(n);
  const category = new Int32Array(n);
  const area = new Float64Array(n);
  const crowd = new Uint8Array(n);
  const box = new Float64Array(4 * n);
  const boxState = new Uint8Array(n);
  const idIsZero = new Uint8Array(n);
  const raw: Record<string, unknown>[] = new Array(n);
  let unknownImage = -1;
  let unknownImageCount = 0;
  let unknownCat = -1;
  let unknownCatCount = 0;
  let noCrowd = 0;
  let firstNoArea = -1;
  let noAreaCount = 0;
  for (let i = 0; i < n; i++) {
    const a = annsIn[i];
    const path = `annotations[${i}]`;
    if (!isRecord(a)) throw new CocoInputError(path, `expected an object, got ${describeValue(a)}`);
    raw[i] = a;
    const id = requireId(a, "id", path);
    ids[i] = id;
    idIsZero[i] = id === 0 ? 1 : 0;
    const imgId = requireId(a, "image_id", path);
    const catId = requireId(a, "category_id", path);
    const ii = im.map.get(imgId);
    image[i] = ii ?? -1;
    if (ii === undefined && unknownImageCount++ === 0) unknownImage = i;
    const ci = cm.map.get(catId);
    category[i] = ci ?? -1;
    if (ci === undefined && unknownCatCount++ === 0) unknownCat = i;
    const ar = a.area;
    if (typeof ar === "number") area[i] = ar;
    else if (ar === undefined || ar === null) {
      area[i] = NaN;
      if (noAreaCount++ === 0) firstNoArea = i;
    } else throw new CocoInputError(`${path}.area`, `expected a number, got ${describeValue(ar)}`);
    const c = a.iscrowd;
    if (c === undefined) noCrowd++;
    else if (typeof c === "number" || typeof c === "boolean") crowd[i] = c ? 1 : 0;
    else throw new CocoInputError(`${path}.iscrowd`, `expected 0 or 1, got ${describeValue(c)}`);
    const bb = a.bbox;
    if (bb === undefined) boxState[i] = BOX_MISSING;
    else if (
      Array.isArray(bb) &&
      bb.length === 4 &&
      typeof bb[0] === "number" &&
      typeof bb[1] === "number" &&
      typeof bb[2] === "number" &&
      typeof bb[3] === "number"
    ) {
      box[4 * i] = bb[0];
      box[4 * i + 1] = bb[1];
      box[4 * i + 2] = bb[2];
      box[4 * i + 3] = bb[3];
    } else boxState[i] = BOX_MALFORMED;
    if (boxState[i] !== BOX_OK) box.fill(NaN, 4 * i, 4 * i + 4);
  }
  if (noAreaCount > 0) {
    throw new CocoInputError(
      `annotations[${firstNoArea}].area`,
      `missing (${noAreaCount} of ${n} annotations have no area; pycocotools needs it for the area ranges and never derives it)`,
    );
  }
  if (unknownImageCount > 0) {
    warnings.push(
      `annotations[${unknownImage}].image_id: ${describeValue(raw[unknownImage]!.image_id)} is not in images` +
        ` (${unknownImageCount} annotations in all); they are not evaluated, as in pycocotools`,
    );
  }
  if (unknownCatCount > 0) {
    warnings.push(
      `annotations[${unknownCat}].category_id: ${describeValue(raw[unknownCat]!.category_id)} is not in categories` +
        ` (${unknownCatCount} annotations in all); they are not evaluated, as in pycocotools`,
    );
  }
  if (noCrowd > 0) {
    warnings.push(`annotations: ${noCrowd} annotations have no iscrowd; treated as iscrowd = 0 (pycocotools would stop with KeyError)`);
  }

  // repeated annotation ids: pycocotools' anns dict keeps the last one, and loadAnns returns it for each occurrence
  let canonical: Int32Array | null = null;
  const am = indexIds(ids);
  if (am.unique.length !== n) {
    canonical = new Int32Array(n);
    for (let i = 0; i < n; i++) canonical[i] = am.last[am.map.get(ids[i]!)!]!;
    warnings.push(
      `annotations: ${n - am.unique.length} repeated annotation ids; pycocotools looks annotations up by id, so each repeat` +
        " evaluates the last annotation with that id (reproduced; give every annotation a unique id)",
    );
  }

  const imageMap = im.map;
  const catMap = cm.map;
  return {
    kind: "coco-dataset",
    images: {
      count: nImages,
      ids: im.unique,
      width,
      height,
      fileNames,
      indexOf: (id: unknown) => imageMap.get(id as CocoId) ?? -1,
    },
    categories: {
      count: nCats,
      ids: cm.unique,
      names,
      supercategories,
      indexOf: (id: unknown) => catMap.get(id as CocoId) ?? -1,
    },
    annotations: { count: n, ids, image, category, area, crowd, box, boxState, idIsZero, canonical, raw },
    warnings,
  };
}
