// Analysis input (the Encord-style format or Encord label rows) as a COCO dataset and COCO results,
// for `detection-eval convert` and for pycocotools-compatible evaluation of those inputs. Images and
// categories are numbered from 1 in input order (the original ids kept as `source_id`); every object
// gets its pixel-space segmentation (boxes and rotated boxes as polygons, masks as compressed RLE),
// and its area and bbox from the rendered mask (pycocotools' annToRLE area; boxes: w * h).
import { rotatedBoxToPolygon, type GeometryEngine, type Rle } from "../geometry/types.js";
import type { AnalysisInput, ObjectInput } from "./types.js";
import { keypointBoxArea } from "./keypoints.js";
import { DEFAULT_LINE_WIDTH, polylineCounts } from "../geometry/polyline.js";

export interface CocoFiles {
  dataset: {
    images: { id: number; width: number; height: number; file_name: string; source_id: number | string }[];
    categories: { id: number; name: string; source_id: number | string }[];
    annotations: Record<string, unknown>[];
  };
  results: Record<string, unknown>[];
}

function geometry(engine: GeometryEngine, o: ObjectInput, h: number, w: number): { segmentation: unknown; area: number; bbox: number[]; keypoints?: number[]; num_keypoints?: number } {
  const s = o.shape;
  if (s.kind === "keypoints") {
    // COCO's keypoint fields; the box and area as analysis reads them (keypoints.ts)
    const { box, area } = keypointBoxArea(s, o.confidence === undefined, "object");
    let visible = 0;
    for (let q = 2; q < s.keypoints.length; q += 3) if (s.keypoints[q]! > 0) visible++;
    return { segmentation: [], area, bbox: [...box], keypoints: [...s.keypoints], num_keypoints: visible };
  }
  if (s.kind === "box") {
    const [x, y, bw, bh] = s.box;
    return { segmentation: [[x, y, x + bw, y, x + bw, y + bh, x, y + bh]], area: bw * bh, bbox: [x, y, bw, bh] };
  }
  let rle: Rle;
  let segmentation: unknown;
  if (s.kind === "polygon" || s.kind === "rotated") {
    const parts = s.kind === "polygon" ? s.parts.map((p) => [...p]) : [Array.from(rotatedBoxToPolygon(s.box))];
    rle = engine.rleFromPolygons(parts, h, w);
    segmentation = parts;
  } else if (s.kind === "polyline") {
    // rendered at the default width (analysis' lineWidth is not an input property)
    rle = engine.rleFromCounts(polylineCounts(s.points, DEFAULT_LINE_WIDTH, h, w), h, w);
    segmentation = { size: [h, w], counts: engine.rleToString(rle) };
  } else {
    rle = s.kind === "rle" ? s.rle : engine.rleFromString(s.counts, h, w);
    segmentation = { size: [h, w], counts: s.kind === "rleString" ? s.counts : engine.rleToString(rle) };
  }
  return { segmentation, area: engine.rleArea(rle), bbox: engine.rleToBbox(rle) };
}

export function toCoco(engine: GeometryEngine, input: AnalysisInput): CocoFiles {
  const images = input.images.map((im, i) => ({ id: i + 1, width: im.width, height: im.height, file_name: im.name ?? String(im.id), source_id: im.id }));
  const categories = input.categories.map((c, k) => ({ id: k + 1, name: c.name, source_id: c.id }));
  const annotations = input.labels.map((o, j) => {
    const im = input.images[o.image]!;
    return { id: j + 1, image_id: o.image + 1, category_id: o.category + 1, iscrowd: o.crowd ? 1 : 0, ...geometry(engine, o, im.height, im.width), ...(o.id !== undefined ? { source_id: o.id } : {}) };
  });
  const results = input.predictions.map((o) => {
    const im = input.images[o.image]!;
    const { segmentation, bbox, keypoints } = geometry(engine, o, im.height, im.width);
    return { image_id: o.image + 1, category_id: o.category + 1, score: o.confidence ?? 0, bbox, ...(keypoints ? { keypoints } : { segmentation }), ...(o.id !== undefined ? { source_id: o.id } : {}) };
  });
  return { dataset: { images, categories, annotations }, results };
}
