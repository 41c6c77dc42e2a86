// The parsed inputs of an evaluation: COCO ground truth and results as columnar arrays. The
// readers that build them live in bindings/ingest/; the evaluation reads only these shapes.
import type { ColumnarSegmentations } from "../columns/segmentations.js";
import type { CocoId } from "./ids.js";

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
  /** LVIS's `neg_category_ids` / `not_exhaustive_category_ids` as given (undefined where absent; read by coco/lvis.ts). */
  readonly negCategoryIds?: readonly unknown[];
  readonly notExhaustiveCategoryIds?: readonly unknown[];
  /** Index of an id, or -1. */
  indexOf(id: unknown): number;
}

export interface CocoCategories {
  readonly count: number;
  /** Unique ids in order of first appearance. */
  readonly ids: readonly CocoId[];
  readonly names: readonly string[];
  readonly supercategories: readonly (string | undefined)[];
  /** LVIS's `frequency` ("r", "c", "f") as given (undefined where absent; read by coco/lvis.ts). */
  readonly frequency?: readonly unknown[];
  indexOf(id: unknown): number;
}

/** CocoAnnotations.crowd of a label pycocotools ignores (truthy iscrowd) whose int(iscrowd) is 0. */
export const CROWD_IGNORE_ONLY = 2;

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
  /**
   * 0: not crowd; 1: crowd (iscrowd truthy and int(iscrowd) != 0: ignored, crowd IoU, may match more
   * than once); CROWD_IGNORE_ONLY (2): truthy but int(iscrowd) == 0 (e.g. 0.5): ignored, normal IoU, as in
   * pycocotools. Test `!== 0` for "ignored", `=== 1` for "crowd region".
   */
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
  /** The segmentations in pools, when the streaming reader parsed the file (else read `annotations.raw`). */
  readonly segments?: ColumnarSegmentations;
  /** Non-fatal remarks (dropped annotations, defaults applied). */
  readonly warnings: readonly string[];
}

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
  /** The segmentations in pools, when the streaming reader parsed the file (else read `raw`). */
  readonly segments?: ColumnarSegmentations;
  readonly warnings: readonly string[];
  /** True while segm-branch areas / boxes still need a geometry engine. */
  geometryPending: boolean;
}
