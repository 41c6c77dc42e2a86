// The input model of analysis mode: images, categories, labels and predictions in PIXEL coordinates.
// Every parser (the Encord-style format in ./encord-format.ts, COCO in ./coco-input.ts) produces this.
import type { Box, Rle, RotatedBox } from "../geometry/types.js";

/** One shape, in pixels of its image. */
export type Shape =
  /** Axis-aligned box [x, y, width, height]. */
  | { readonly kind: "box"; readonly box: Box }
  /** [cx, cy, width, height, angleDegrees], rotated clockwise about its centre (see rotatedBoxToPolygon). */
  | { readonly kind: "rotated"; readonly box: RotatedBox }
  /** One or more polygon parts [x0,y0,x1,y1,...], merged by union. */
  | { readonly kind: "polygon"; readonly parts: readonly (readonly number[])[] }
  /** pycocotools compressed RLE string at the image's resolution. */
  | { readonly kind: "rleString"; readonly counts: string }
  /** A decoded run-length mask (column-major, background first) of the image's size. */
  | { readonly kind: "rle"; readonly rle: Rle }
  /**
   * Keypoints [x1, y1, v1, ...] (v > 0: labelled), compared by OKS (analysis/keypoints.ts). Labels: `box`
   * [x, y, w, h] (default: the visible keypoints' extent) and `area` (default: the box's) as COCO's bbox and area.
   */
  | { readonly kind: "keypoints"; readonly keypoints: readonly number[]; readonly box?: Box; readonly area?: number }
  /** An open path [x0, y0, x1, y1, ...] (one point or more), rendered as the pixels within lineWidth / 2 of it (geometry/polyline.ts). */
  | { readonly kind: "polyline"; readonly points: readonly number[] };

export interface ImageInfo {
  /** The user's image id (number or string); unique. */
  readonly id: number | string;
  readonly width: number;
  readonly height: number;
  readonly name?: string;
}

export interface CategoryInfo {
  readonly id: number | string;
  readonly name: string;
}

export interface ObjectInput {
  /** The user's object id, if any (used by the explorer and to key user metrics). */
  readonly id?: number | string;
  /** Index into `images`. */
  readonly image: number;
  /** Index into `categories`. */
  readonly category: number;
  readonly shape: Shape;
  /** Labels only: a crowd region (COCO iscrowd = 1): never a false negative, absorbs false positives. */
  readonly crowd?: boolean;
  /** Predictions only. */
  readonly confidence?: number;
}

export interface AnalysisInput {
  readonly images: readonly ImageInfo[];
  readonly categories: readonly CategoryInfo[];
  readonly labels: readonly ObjectInput[];
  readonly predictions: readonly ObjectInput[];
  /** Non-fatal remarks from the parser (unknown category added, ...). */
  readonly warnings?: readonly string[];
}

/** Bad analysis input; the message starts with the JSON path of the offending value. */
export class AnalysisInputError extends Error {
  override name = "AnalysisInputError";
}
