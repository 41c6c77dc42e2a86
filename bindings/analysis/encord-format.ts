// The Encord-style JSON input of analysis mode (documented in docs/analysis-format.md):
// images with width/height, categories, labels and predictions whose shapes are Encord's
// boundingBox / rotatableBoundingBox / polygon objects or a COCO compressed-RLE bitmask,
// normalised to [0, 1] by default. Every error names the JSON path of the offending value.
import type { Box, RotatedBox } from "../geometry/types.js";
import { AnalysisInputError, type AnalysisInput, type CategoryInfo, type ImageInfo, type ObjectInput, type Shape } from "./types.js";

type Json = unknown;
type Coordinates = "normalized" | "pixels";

const SHAPE_KEYS = ["boundingBox", "rotatableBoundingBox", "polygon", "polyline", "bitmask", "keypoints"] as const;

function describe(v: Json): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "an array";
  if (v !== null && typeof v === "object") return "an object";
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
}

function fail(path: string, expected: string, got: Json): never {
  throw new AnalysisInputError(`${path}: expected ${expected}, got ${describe(got)}`);
}

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function num(o: Record<string, Json>, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isFinite(v)) fail(`${path}.${key}`, "a number", v);
  return v;
}

function idValue(v: Json, path: string): number | string {
  if ((typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v.length > 0)) return v;
  fail(path, "a number or a non-empty string", v);
}

function coordinatesOf(v: Json, path: string, dflt: Coordinates): Coordinates {
  if (v === undefined) return dflt;
  if (v === "normalized" || v === "normalised") return "normalized";
  if (v === "pixels") return "pixels";
  fail(path, '"normalized" or "pixels"', v);
}

/** An Encord point list: [{x,y},...] or {"0": {x,y}, "1": ...} (keys in numeric order). */
function pointList(v: Json, path: string, sx: number, sy: number, polyline = false): number[] {
  let entries: [string, Json][];
  if (Array.isArray(v)) entries = v.map((p, i) => [String(i), p]);
  else if (isObject(v)) {
    entries = Object.entries(v);
    for (const [k] of entries) if (!/^\d+$/.test(k)) fail(`${path}.${k}`, "a point keyed by its index", v[k]);
    entries.sort((a, b) => Number(a[0]) - Number(b[0]));
  } else fail(path, "a list of {x, y} points", v);
  const xy: number[] = [];
  for (const [k, p] of entries) {
    const pp = Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`;
    if (!isObject(p)) fail(pp, "a point {x, y}", p);
    xy.push(num(p, "x", pp) * sx, num(p, "y", pp) * sy);
  }
  if (polyline) {
    if (xy.length < 2) throw new AnalysisInputError(`${path}: a polyline needs at least 1 point, got 0`);
    return xy;
  }
  if (xy.length < 6) throw new AnalysisInputError(`${path}: a polygon needs at least 3 points, got ${xy.length / 2}`);
  return xy;
}

function parseShape(o: Record<string, Json>, path: string, image: ImageInfo, coords: Coordinates): Shape {
  const present = SHAPE_KEYS.filter((k) => o[k] !== undefined);
  if (present.length === 0) throw new AnalysisInputError(`${path}: expected one of ${SHAPE_KEYS.join(", ")}`);
  if (present.length > 1) throw new AnalysisInputError(`${path}: expected one shape, got ${present.join(" and ")}`);
  const key = present[0]!;
  const v = o[key];
  const p = `${path}.${key}`;
  const sx = coords === "normalized" ? image.width : 1;
  const sy = coords === "normalized" ? image.height : 1;
  switch (key) {
    case "boundingBox": {
      if (!isObject(v)) fail(p, "an object {x, y, w, h}", v);
      const box: Box = [num(v, "x", p) * sx, num(v, "y", p) * sy, num(v, "w", p) * sx, num(v, "h", p) * sy];
      if (box[2] < 0 || box[3] < 0) throw new AnalysisInputError(`${p}: width and height must not be negative`);
      return { kind: "box", box };
    }
    case "rotatableBoundingBox": {
      if (!isObject(v)) fail(p, "an object {x, y, w, h, theta}", v);
      const x = num(v, "x", p) * sx;
      const y = num(v, "y", p) * sy;
      const w = num(v, "w", p) * sx;
      const h = num(v, "h", p) * sy;
      const theta = num(v, "theta", p);
      if (w < 0 || h < 0) throw new AnalysisInputError(`${p}: width and height must not be negative`);
      const box: RotatedBox = [x + w / 2, y + h / 2, w, h, theta];
      return { kind: "rotated", box };
    }
    case "polygon": {
      // one part ([{x,y}...] or {"0": {x,y}...}) or several parts ([[{x,y}...], [...]])
      if (Array.isArray(v) && v.length > 0 && (Array.isArray(v[0]) || (isObject(v[0]) && !("x" in v[0]))))
        return { kind: "polygon", parts: v.map((part, i) => pointList(part, `${p}[${i}]`, sx, sy)) };
      return { kind: "polygon", parts: [pointList(v, p, sx, sy)] };
    }
    case "keypoints": {
      // [x1, y1, v1, ...] or {points: [...] | [{x, y, v}...], box?: {x, y, w, h}, area?} (docs/analysis-format.md)
      const spec = isObject(v) ? v : { points: v };
      const pts = spec.points;
      const pp = isObject(v) ? `${p}.points` : p;
      if (!Array.isArray(pts)) fail(pp, "a list [x1, y1, v1, ...] or [{x, y, v}, ...]", pts);
      const kp: number[] = [];
      if (pts.every((x) => typeof x === "number")) {
        if (pts.length % 3 !== 0) throw new AnalysisInputError(`${pp}: expected 3*K numbers [x1, y1, v1, ...], got ${pts.length}`);
        for (let i = 0; i < pts.length; i += 3) {
          for (let j = 0; j < 3; j++) if (!Number.isFinite(pts[i + j])) fail(`${pp}[${i + j}]`, "a number", pts[i + j]);
          kp.push((pts[i] as number) * sx, (pts[i + 1] as number) * sy, pts[i + 2] as number);
        }
      } else
        pts.forEach((q, i) => {
          if (!isObject(q)) fail(`${pp}[${i}]`, "a point {x, y, v}", q);
          const vis = q.v ?? q.visible ?? 2;
          const vv = typeof vis === "boolean" ? (vis ? 2 : 0) : vis;
          if (typeof vv !== "number" || !Number.isFinite(vv)) fail(`${pp}[${i}].v`, "a number (0: not labelled) or a boolean", vis);
          kp.push(num(q, "x", `${pp}[${i}]`) * sx, num(q, "y", `${pp}[${i}]`) * sy, vv);
        });
      const out: { kind: "keypoints"; keypoints: number[]; box?: Box; area?: number } = { kind: "keypoints", keypoints: kp };
      if (isObject(v) && v.box !== undefined) {
        const b = v.box;
        if (!isObject(b)) fail(`${p}.box`, "an object {x, y, w, h}", b);
        out.box = [num(b, "x", `${p}.box`) * sx, num(b, "y", `${p}.box`) * sy, num(b, "w", `${p}.box`) * sx, num(b, "h", `${p}.box`) * sy];
        if (out.box[2] < 0 || out.box[3] < 0) throw new AnalysisInputError(`${p}.box: width and height must not be negative`);
      }
      if (isObject(v) && v.area !== undefined) {
        const a = num(v, "area", p);
        if (a < 0) throw new AnalysisInputError(`${p}.area: expected a number >= 0, got ${a}`);
        out.area = a * sx * sy;
      }
      return out;
    }
    case "polyline":
      // an open path (Encord's polyline object): [{x,y}...] or {"0": {x,y}...}, rendered lineWidth px wide
      return { kind: "polyline", points: pointList(v, p, sx, sy, true) };
    case "bitmask": {
      if (typeof v === "string") return { kind: "rleString", counts: v };
      if (!isObject(v)) fail(p, "a COCO compressed RLE string or {counts, size}", v);
      if (typeof v.counts !== "string") fail(`${p}.counts`, "a COCO compressed RLE string", v.counts);
      const size = v.size;
      if (size !== undefined) {
        if (!Array.isArray(size) || size.length !== 2) fail(`${p}.size`, "[height, width]", size);
        if (size[0] !== image.height || size[1] !== image.width)
          throw new AnalysisInputError(`${p}.size: [${size[0]}, ${size[1]}] differs from the image's [${image.height}, ${image.width}]`);
      }
      return { kind: "rleString", counts: v.counts };
    }
  }
  throw new Error(`${path}: unknown shape key ${key}`); // unreachable: SHAPE_KEYS lists the cases
}

export interface ParsedEncord extends AnalysisInput {
  readonly coordinates: Coordinates;
}

/** JSON text (a string or UTF-8 bytes) parsed, anything else as it is; a syntax error names `path`. */
export function jsonOf(input: Json | string | Uint8Array, path: string): Json {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) return input;
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new AnalysisInputError(`${path}: not valid JSON text (${(e as Error).message})`);
  }
}

/**
 * Parses the Encord-style analysis format (parsed JSON, or JSON text as a string or bytes). `gt` holds images, categories (optional) and labels; `dt`
 * (optional) holds the predictions, as `{ "predictions": [...] }` or a bare array. A single document
 * may hold everything.
 */
export function parseEncordJson(gtInput: Json | string | Uint8Array, dtInput?: Json | string | Uint8Array): ParsedEncord {
  const gt = jsonOf(gtInput, "$");
  const dt = dtInput === undefined ? undefined : jsonOf(dtInput, "predictions");
  if (!isObject(gt)) fail("$", "an object with images and labels", gt);
  const coords = coordinatesOf(gt.coordinates, "coordinates", "normalized");
  const warnings: string[] = [];

  // images
  const imagesJson = gt.images;
  if (!Array.isArray(imagesJson)) fail("images", "an array", imagesJson);
  const images: ImageInfo[] = [];
  const imageIndex = new Map<string, number>();
  imagesJson.forEach((im, i) => {
    const p = `images[${i}]`;
    if (!isObject(im)) fail(p, "an object {id, width, height}", im);
    const id = idValue(im.id, `${p}.id`);
    const width = im.width;
    const height = im.height;
    if (typeof width !== "number" || !Number.isInteger(width) || width <= 0) fail(`${p}.width`, "a positive integer", width);
    if (typeof height !== "number" || !Number.isInteger(height) || height <= 0) fail(`${p}.height`, "a positive integer", height);
    if (imageIndex.has(String(id))) throw new AnalysisInputError(`${p}.id: duplicate image id ${JSON.stringify(id)}`);
    imageIndex.set(String(id), i);
    const name = typeof im.name === "string" ? im.name : typeof im.file === "string" ? im.file : undefined;
    images.push({ id, width, height, ...(name !== undefined ? { name } : {}) });
  });

  // categories: declared, or created from the classes met (in order of first appearance)
  const categories: CategoryInfo[] = [];
  const byId = new Map<string, number>();
  const byName = new Map<string, number>();
  const declared = gt.categories !== undefined;
  if (declared) {
    if (!Array.isArray(gt.categories)) fail("categories", "an array", gt.categories);
    gt.categories.forEach((c, i) => {
      const p = `categories[${i}]`;
      if (!isObject(c)) fail(p, "an object {id, name}", c);
      const id = idValue(c.id, `${p}.id`);
      const name = c.name === undefined ? String(id) : c.name;
      if (typeof name !== "string") fail(`${p}.name`, "a string", name);
      if (byId.has(String(id))) throw new AnalysisInputError(`${p}.id: duplicate category id ${JSON.stringify(id)}`);
      byId.set(String(id), i);
      if (!byName.has(name)) byName.set(name, i);
      categories.push({ id, name });
    });
  }
  const classOf = (v: Json, path: string): number => {
    if (!(typeof v === "number" && Number.isFinite(v)) && !(typeof v === "string" && v.length > 0)) fail(path, "a class id (number) or name (string)", v);
    if (declared) {
      const i = typeof v === "number" ? byId.get(String(v)) : (byName.get(v) ?? byId.get(v));
      if (i === undefined) throw new AnalysisInputError(`${path}: no category with ${typeof v === "number" ? "id" : "name or id"} ${JSON.stringify(v)}`);
      return i;
    }
    const key = `${typeof v}:${v}`;
    let i = byId.get(key);
    if (i === undefined) {
      i = categories.length;
      categories.push({ id: v, name: String(v) });
      byId.set(key, i);
    }
    return i;
  };

  const objects = (arr: Json, what: "labels" | "predictions", pathRoot: string, c: Coordinates): ObjectInput[] => {
    if (!Array.isArray(arr)) fail(pathRoot, "an array", arr);
    const out: ObjectInput[] = new Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const o = arr[i];
      const p = `${pathRoot}[${i}]`;
      if (!isObject(o)) fail(p, "an object", o);
      const imgId = idValue(o.image, `${p}.image`);
      const image = imageIndex.get(String(imgId));
      if (image === undefined) throw new AnalysisInputError(`${p}.image: no image with id ${JSON.stringify(imgId)}`);
      const category = classOf(o.class, `${p}.class`);
      const shape = parseShape(o, p, images[image]!, c);
      const obj: { -readonly [K in keyof ObjectInput]: ObjectInput[K] } = { image, category, shape };
      if (o.id !== undefined) obj.id = idValue(o.id, `${p}.id`);
      if (what === "predictions") {
        const conf = o.confidence;
        if (typeof conf !== "number" || !Number.isFinite(conf)) fail(`${p}.confidence`, "a number", conf);
        obj.confidence = conf;
      } else if (o.crowd !== undefined) {
        if (typeof o.crowd !== "boolean" && o.crowd !== 0 && o.crowd !== 1) fail(`${p}.crowd`, "a boolean", o.crowd);
        obj.crowd = Boolean(o.crowd);
      }
      out[i] = obj;
    }
    return out;
  };

  const labels = gt.labels === undefined ? [] : objects(gt.labels, "labels", "labels", coords);
  let predJson: Json = gt.predictions;
  let predCoords = coords;
  if (dt !== undefined) {
    if (gt.predictions !== undefined) throw new AnalysisInputError("predictions: given in both files");
    if (Array.isArray(dt)) predJson = dt;
    else if (isObject(dt)) {
      predCoords = coordinatesOf(dt.coordinates, "coordinates", coords);
      predJson = dt.predictions;
      if (predJson === undefined) fail("predictions", "an array", undefined);
    } else fail("$", "an object with predictions or an array", dt);
  }
  const predictions = predJson === undefined ? [] : objects(predJson, "predictions", "predictions", predCoords);
  if (gt.labels === undefined) warnings.push("no labels given: every prediction is a false positive");
  return { images, categories, labels, predictions, coordinates: coords, warnings };
}

/** True when a parsed JSON document looks like the Encord-style format (rather than COCO). */
export function isEncordJson(doc: Json): boolean {
  return isObject(doc) && Array.isArray(doc.images) && (Array.isArray(doc.labels) || Array.isArray(doc.predictions)) && !("annotations" in doc);
}
