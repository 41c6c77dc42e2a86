// The input's shapes (labels and predictions) packed into typed arrays for the report page, which draws them
// over the images (page/viewer.ts). Every object has a kind and one or more parts (ranges of a Float32
// coordinate pool); masks keep pycocotools' compressed RLE string as bytes (a decoded Rle is encoded to that
// string first: it is several times smaller). Browser-safe.
import type { AnalysisInput, ObjectInput, Shape } from "../analysis/types.js";
import type { Box, RotatedBox } from "../geometry/types.js";
import { rleFrString, rleToString } from "../geometry/reference.js";

/** Kind codes, in PackedShapes.kind. */
export const SHAPE_KINDS = ["box", "rotated", "polygon", "rleString", "rle", "keypoints", "polyline"] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];

/**
 * The shapes of one list of objects (input order). Object i has parts objPart[i]..objPart[i+1]-1; part j
 * is coords[partStart[j]..partStart[j+1]). box / rotated / polyline: one part; polygon: one per polygon
 * part; rleString / rle: one part [h, w] (rle: the mask's own size) and bytes rleStart[i]..rleStart[i+1];
 * keypoints: [x, y, v, ...], then [box] and [area] when given (empty parts when absent).
 */
export interface PackedShapes {
  n: number;
  kind: Uint8Array;
  objPart: Uint32Array;
  partStart: Uint32Array;
  coords: Float32Array;
  rleStart: Uint32Array;
  rleBytes: Uint8Array;
}

/** The report's shapes: the labels once, the predictions of every model (the report's model order). */
export interface ReportShapes {
  labels: PackedShapes;
  predictions: PackedShapes[];
}

class Grow<T extends Float32Array | Uint32Array | Uint8Array> {
  a: T;
  n = 0;
  constructor(private readonly make: (n: number) => T) {
    this.a = make(1024);
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = this.make(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): T {
    return this.a.slice(0, this.n) as T;
  }
}

/** Packs the shapes of these objects. */
export function packShapes(objects: readonly ObjectInput[]): PackedShapes {
  const n = objects.length;
  const kind = new Uint8Array(n);
  const objPart = new Uint32Array(n + 1);
  const rleStart = new Uint32Array(n + 1);
  const partStart = new Grow((k) => new Uint32Array(k));
  const coords = new Grow((k) => new Float32Array(k));
  const bytes = new Grow((k) => new Uint8Array(k));
  partStart.push(0);
  const part = (values: ArrayLike<number>) => {
    for (let i = 0; i < values.length; i++) coords.push(values[i]!);
    partStart.push(coords.n);
  };
  const str = (s: string) => {
    for (let i = 0; i < s.length; i++) bytes.push(s.charCodeAt(i));
  };
  for (let i = 0; i < n; i++) {
    const s = objects[i]!.shape;
    kind[i] = SHAPE_KINDS.indexOf(s.kind);
    switch (s.kind) {
      case "box":
      case "rotated":
        part(s.box);
        break;
      case "polyline":
        part(s.points);
        break;
      case "polygon":
        for (const p of s.parts) part(p);
        break;
      case "rleString":
        part([NaN, NaN]); // at the image's size
        str(s.counts);
        break;
      case "rle":
        part([s.rle.h, s.rle.w]);
        str(rleToString(s.rle));
        break;
      case "keypoints":
        part(s.keypoints);
        part(s.box ?? []);
        part(s.area !== undefined ? [s.area] : []);
        break;
    }
    objPart[i + 1] = partStart.n - 1;
    rleStart[i + 1] = bytes.n;
  }
  return { n, kind, objPart, partStart: partStart.done(), coords: coords.done(), rleStart, rleBytes: bytes.done() };
}

/** The report's shapes of the inputs analysed, in model order (the labels are the first input's). */
export function reportShapes(inputs: readonly AnalysisInput[]): ReportShapes {
  if (inputs.length === 0) throw new RangeError("shapes: expected one input per model, got none");
  return { labels: packShapes(inputs[0]!.labels), predictions: inputs.map((x) => packShapes(x.predictions)) };
}

/** One object's kind. */
export function shapeKind(s: PackedShapes, i: number): ShapeKind {
  return SHAPE_KINDS[s.kind[i]!]!;
}

/** The coordinates of object i's parts (views of the pool). */
export function shapeParts(s: PackedShapes, i: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let j = s.objPart[i]!; j < s.objPart[i + 1]!; j++) out.push(s.coords.subarray(s.partStart[j]!, s.partStart[j + 1]!));
  return out;
}

/** Object i's compressed RLE string ("" for other kinds). */
export function shapeRleString(s: PackedShapes, i: number): string {
  let out = "";
  const b = s.rleBytes;
  for (let k = s.rleStart[i]!; k < s.rleStart[i + 1]!; k++) out += String.fromCharCode(b[k]!);
  return out;
}

/**
 * Object i's shape read back (coordinates as stored: Float32). A decoded `rle` comes back decoded from
 * its string; an `rleString` is returned as the string.
 */
export function readShape(s: PackedShapes, i: number): Shape {
  const k = shapeKind(s, i);
  const parts = shapeParts(s, i);
  const list = (j: number) => Array.from(parts[j] ?? []);
  switch (k) {
    case "box":
      return { kind: "box", box: list(0) as unknown as Box };
    case "rotated":
      return { kind: "rotated", box: list(0) as unknown as RotatedBox };
    case "polyline":
      return { kind: "polyline", points: list(0) };
    case "polygon":
      return { kind: "polygon", parts: parts.map((p) => Array.from(p)) };
    case "rleString":
      return { kind: "rleString", counts: shapeRleString(s, i) };
    case "rle": {
      const [h, w] = list(0) as [number, number];
      const r = rleFrString(shapeRleString(s, i), h, w);
      if ("error" in r) throw new Error(`shapes: object ${i}: a stored mask string does not decode`);
      return { kind: "rle", rle: { h, w, counts: r.counts } };
    }
    case "keypoints": {
      const box = list(1);
      const area = list(2);
      return {
        kind: "keypoints",
        keypoints: list(0),
        ...(box.length === 4 ? { box: box as unknown as Box } : {}),
        ...(area.length === 1 ? { area: area[0]! } : {}),
      };
    }
  }
}
