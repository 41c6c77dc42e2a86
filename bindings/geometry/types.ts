// The geometry layer's contract, implemented twice: by the WebAssembly engine (bindings/engine/engine.ts)
// and by the plain TypeScript reference (bindings/geometry/reference.ts), which exists to property-test it.

/** A run-length mask in pycocotools' layout: column-major (x outer, y inner), background run first. */
export interface Rle {
  readonly h: number;
  readonly w: number;
  readonly counts: Uint32Array;
}

/** [x, y, width, height] in pixels, as COCO writes boxes. */
export type Box = readonly [number, number, number, number];

/** `[cx, cy, width, height, angleDegrees]`: a box rotated about its centre (see rotatedBoxToPolygon). */
export type RotatedBox = readonly [number, number, number, number, number];

export type PixelOrder = "column-major" | "row-major";

/** Bad input to a kernel, found before the kernel runs; the message names the problem. */
export class GeometryInputError extends Error {
  override name = "GeometryInputError";
}

/** Crowd flags of the ground truth: a Uint8Array, a plain array of 0 / 1 / booleans, or null for none. */
export type CrowdFlags = Uint8Array | readonly (number | boolean)[] | null;

export interface GeometryEngine {
  /** Decodes a pycocotools compressed RLE string; throws GeometryInputError when malformed. */
  rleFromString(counts: string, h: number, w: number): Rle;
  /** Encodes to pycocotools' compressed string (byte-identical to maskApi.c's rleToString). */
  rleToString(rle: Rle): string;
  /** An uncompressed RLE (`counts` given as numbers); validated to sum to h*w. */
  rleFromCounts(counts: ArrayLike<number>, h: number, w: number): Rle;
  rleArea(rle: Rle): number;
  /** Tight bounding box [x, y, w, h] (pycocotools 2.0.11 toBbox); [0,0,0,0] when empty. */
  rleToBbox(rle: Rle): [number, number, number, number];
  /** Union (intersect = false) or intersection of same-sized masks (rleMerge). */
  rleMerge(rles: readonly Rle[], intersect: boolean): Rle;
  /** A bitmask of h*w bytes (non-zero = set); `stride`/`offset` pick one channel, e.g. RGBA alpha: stride 4, offset 3. */
  rleFromBitmask(mask: ArrayLike<number>, h: number, w: number, order: PixelOrder, stride?: number, offset?: number): Rle;
  rleToBitmask(rle: Rle, order: PixelOrder): Uint8Array;
  /** One polygon [x0,y0,x1,y1,...] rasterised exactly as maskApi.c's rleFrPoly. */
  rleFromPolygon(xy: ArrayLike<number>, h: number, w: number): Rle;
  /** Several polygon parts, merged by union (pycocotools frPyObjects + merge). */
  rleFromPolygons(parts: readonly ArrayLike<number>[], h: number, w: number): Rle;
  /** A box through the polygon rule, as rleFrBbox. */
  rleFromBox(box: Box, h: number, w: number): Rle;
  rleFromRotatedBox(box: RotatedBox, h: number, w: number): Rle;
  /**
   * Box IoU as bbIou: boxes are [x,y,w,h] quads packed in Float64Arrays (4*m detections, 4*n labels).
   * Returns m*n values, detection-major: out[d*n + g]. Crowd labels use the detection's area as union.
   */
  boxIou(dt: Float64Array, gt: Float64Array, crowd: CrowdFlags): Float64Array;
  /**
   * The boundary of a mask at `dilation` pixels (Boundary IoU): the mask pixels within that Chebyshev
   * distance of the background or the image border, as boundary-iou-api's mask_to_boundary
   * (boundaryDilation in geometry/boundary.ts gives its dilation from the image diagonal).
   */
  rleBoundary(rle: Rle, dilation: number): Rle;
  /** Mask IoU as rleIou (box prefilter, crowd = intersection / detection area, -1 on size mismatch); out[d*n + g]. */
  maskIou(dt: readonly Rle[], gt: readonly Rle[], crowd: CrowdFlags): Float64Array;
}

/** Rotated box -> polygon. Angle in degrees, positive = clockwise on screen (y axis pointing down). */
export function rotatedBoxToPolygon(box: RotatedBox): number[] {
  const [cx, cy, w, h, angle] = box;
  const t = (angle * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const out: number[] = [];
  for (const [dx, dy] of [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ] as const) {
    out.push(cx + dx * c - dy * s, cy + dx * s + dy * c);
  }
  return out;
}
