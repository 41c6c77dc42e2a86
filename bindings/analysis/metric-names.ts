// The built-in object metrics of analysis mode (model-performance.md, "Built-in object metrics").

/** A set of numeric columns, one value per object (NaN = not available). */
export type MetricTable = Record<string, Float64Array>;

/**
 * - area: pixels of the rendered mask (box IoU mode: w*h)
 * - relativeArea: area / (image width * height)
 * - width, height: the mask's tight bounding box (box IoU mode: the box)
 * - aspectRatio: width / height (NaN when height is 0)
 * - confidence: predictions only
 * - borderDistance: pixels between the bounding box and the nearest image border (0 when touching or outside)
 * - objectsPerImage: predictions (for predictions) or labels (for labels) in the same image
 * - maxIouWithOtherLabel: labels: largest IoU with another label of the image;
 *   predictions: largest IoU with a non-crowd label of the image other than its candidate
 */
export const PREDICTION_METRICS = [
  "area",
  "relativeArea",
  "width",
  "height",
  "aspectRatio",
  "confidence",
  "borderDistance",
  "objectsPerImage",
  "maxIouWithOtherLabel",
] as const;

export const LABEL_METRICS = [
  "area",
  "relativeArea",
  "width",
  "height",
  "aspectRatio",
  "borderDistance",
  "objectsPerImage",
  "maxIouWithOtherLabel",
] as const;

/**
 * Image metrics, present once pixels were given for at least one image (Analysis.addImagePixels); every
 * prediction and label takes its image's value (NaN for images without pixels). Definitions in
 * docs/analysis-format.md and ./pixels.ts.
 * - brightness: mean luma / 255
 * - contrast: standard deviation of luma / 255
 * - sharpness: variance of the Laplacian of luma
 */
export const IMAGE_METRICS = ["brightness", "contrast", "sharpness"] as const;
