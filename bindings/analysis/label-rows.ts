// Encord's label-row JSON export (Annotate > Export > JSON: a list of label rows, each with
// `data_units` keyed by data hash, each unit with `width`, `height` and `labels.objects`) read as
// analysis input. Predictions are label rows too (their objects carry `confidence`), e.g. a
// model's output uploaded to Encord and exported the same way. The rows are turned into the
// Encord-style document of encord-format.ts (same shape keys: boundingBox, rotatableBoundingBox,
// polygon; normalised coordinates), which parseEncordJson validates. Browser-safe.
//
// Read: images and image groups (every data unit an image). Not read (a one-line error): videos and
// image sequences (labels per frame), and bitmask objects (their encoding is not verified here).
import { jsonOf, parseEncordJson, type ParsedEncord } from "./encord-format.js";
import { AnalysisInputError } from "./types.js";

type Row = Record<string, unknown>;

const isObject = (v: unknown): v is Row => typeof v === "object" && v !== null && !Array.isArray(v);
const SHAPES = ["boundingBox", "rotatableBoundingBox", "polygon"] as const;

/** True for a label-row export: a non-empty array whose first element has `data_units`. */
export function isLabelRows(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && isObject(v[0]) && isObject(v[0].data_units);
}


interface ImageEntry {
  id: string;
  width: number;
  height: number;
  name?: string;
}

function convert(rowsIn: unknown, what: "labels" | "predictions", images: Map<string, ImageEntry>): Row[] {
  const root = what === "labels" ? "rows" : "predictionRows";
  if (!Array.isArray(rowsIn)) throw new AnalysisInputError(`${root}: expected a list of label rows (Encord's JSON export)`);
  const objects: Row[] = [];
  rowsIn.forEach((row, r) => {
    const rp = `${root}[${r}]`;
    if (!isObject(row) || !isObject(row.data_units)) throw new AnalysisInputError(`${rp}.data_units: expected an object keyed by data hash`);
    if (row.data_type === "video" || row.is_image_sequence === true) throw new AnalysisInputError(`${rp}: ${String(row.data_type ?? "image sequence")} label rows (labels per frame) are not read; export images or image groups`);
    for (const [hash, unit] of Object.entries(row.data_units)) {
      const up = `${rp}.data_units.${hash}`;
      if (!isObject(unit)) throw new AnalysisInputError(`${up}: expected an object`);
      const width = unit.width;
      const height = unit.height;
      const id = typeof unit.data_hash === "string" ? unit.data_hash : hash;
      if (what === "labels") {
        if (images.has(id)) throw new AnalysisInputError(`${up}: data unit ${JSON.stringify(id)} appears twice`);
        images.set(id, {
          id,
          width: width as number,
          height: height as number,
          ...(typeof unit.data_title === "string" ? { name: unit.data_title } : {}),
        });
      }
      const labels = unit.labels;
      if (!isObject(labels)) throw new AnalysisInputError(`${up}.labels: expected an object with "objects"`);
      if (labels.objects === undefined) continue;
      if (!Array.isArray(labels.objects)) throw new AnalysisInputError(`${up}.labels.objects: expected an array`);
      labels.objects.forEach((o, i) => {
        const op = `${up}.labels.objects[${i}]`;
        if (!isObject(o)) throw new AnalysisInputError(`${op}: expected an object`);
        if (o.bitmask !== undefined) throw new AnalysisInputError(`${op}: bitmask objects are not read from label rows yet (convert them to polygons)`);
        const key = SHAPES.find((k) => o[k] !== undefined);
        if (key === undefined) throw new AnalysisInputError(`${op}: no shape this reader takes (${SHAPES.join(", ")}); shape ${JSON.stringify(o.shape)}`);
        if (typeof o.name !== "string" || o.name === "") throw new AnalysisInputError(`${op}.name: expected the object's ontology name`);
        const obj: Row = { image: id, class: o.name, [key]: o[key] };
        if (typeof o.objectHash === "string") obj.id = o.objectHash;
        if (what === "predictions") {
          if (typeof o.confidence !== "number") throw new AnalysisInputError(`${op}.confidence: expected a number (predictions carry their confidence)`);
          obj.confidence = o.confidence;
        }
        objects.push(obj);
      });
    }
  });
  return objects;
}

/** Label rows (and optionally prediction rows) as analysis input: one image per data unit, classes by ontology name. */
export function parseLabelRows(rows: unknown, predictionRows?: unknown): ParsedEncord {
  const images = new Map<string, ImageEntry>();
  const labels = convert(jsonOf(rows, "rows"), "labels", images);
  const predictions = predictionRows === undefined ? [] : convert(jsonOf(predictionRows, "predictionRows"), "predictions", images);
  return parseEncordJson({ coordinates: "normalized", images: [...images.values()], labels, predictions });
}
