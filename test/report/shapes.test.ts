// The report's shapes (report/shapes.ts): every kind of the input packs and reads back as given (coordinates
// at Float32), a decoded mask travels as its compressed string and decodes to the same runs, and the packed
// shapes survive the report's data serialisation.
import { describe, expect, it } from "vitest";
import type { ObjectInput, Shape } from "../../bindings/analysis/types.js";
import { rleEncode, rleToString } from "../../bindings/geometry/reference.js";
import { decodeData, encodeData } from "../../bindings/report/data.js";
import { packShapes, type PackedShapes, readShape, reportShapes, shapeKind, shapeRleString } from "../../bindings/report/shapes.js";

const f32 = (a: readonly number[]) => a.map((v) => Math.fround(v));

// a 5x4 mask (h 5, w 4) with a hole: column-major, background first
const bits = new Uint8Array(20);
for (const i of [1, 2, 3, 6, 8, 11, 12, 13, 19]) bits[i] = 1;
const rle = rleEncode(bits, 5, 4);

const SHAPES: Shape[] = [
  { kind: "box", box: [1.25, 2.5, 10.1, 20.7] },
  { kind: "rotated", box: [50, 40, 30, 10, 33.3] },
  {
    kind: "polygon",
    parts: [
      [0, 0, 10, 0, 10, 10.5],
      [20, 20, 30, 20, 25.2, 28, 21, 27],
    ],
  },
  { kind: "rleString", counts: "0b1Q2`0" },
  { kind: "rle", rle },
  { kind: "keypoints", keypoints: [10, 11, 2, 0, 0, 0, 30.5, 31, 1] },
  { kind: "keypoints", keypoints: [1, 2, 2], box: [0, 0, 5, 6], area: 17.5 },
  { kind: "polyline", points: [0, 0, 100.3, 50, 120, 90] },
  { kind: "polyline", points: [7, 8] },
];
const objects: ObjectInput[] = SHAPES.map((shape, i) => ({ image: i % 2, category: 0, shape }));

function expected(s: Shape): Shape {
  switch (s.kind) {
    case "box":
    case "rotated":
      return { kind: s.kind, box: f32(s.box) as never };
    case "polygon":
      return { kind: "polygon", parts: s.parts.map(f32) };
    case "polyline":
      return { kind: "polyline", points: f32(s.points) };
    case "keypoints":
      return {
        kind: "keypoints",
        keypoints: f32(s.keypoints),
        ...(s.box ? { box: f32(s.box) as never } : {}),
        ...(s.area !== undefined ? { area: Math.fround(s.area) } : {}),
      };
    default:
      return s;
  }
}

function checkAll(packed: PackedShapes) {
  expect(packed.n).toBe(SHAPES.length);
  SHAPES.forEach((s, i) => {
    expect(shapeKind(packed, i)).toBe(s.kind);
    expect(readShape(packed, i)).toEqual(expected(s));
  });
}

describe("report shapes", () => {
  it("read back every kind as given", () => checkAll(packShapes(objects)));

  it("keep a decoded mask as its compressed string, and decode it to the same runs", () => {
    const p = packShapes(objects);
    const i = SHAPES.findIndex((s) => s.kind === "rle");
    expect(shapeRleString(p, i)).toBe(rleToString(rle));
    const back = readShape(p, i);
    expect(back.kind === "rle" && Array.from(back.rle.counts)).toEqual(Array.from(rle.counts));
    expect(back.kind === "rle" && [back.rle.h, back.rle.w]).toEqual([5, 4]);
    // a string mask stays the very string
    expect(shapeRleString(p, 3)).toBe("0b1Q2`0");
  });

  it("survive the report's serialisation (gzip and plain)", async () => {
    const shapes = reportShapes([{ images: [], categories: [], labels: objects, predictions: objects.slice(2) }]);
    for (const compress of [true, false]) {
      const back = (await decodeData(await encodeData(shapes, { compress }))) as typeof shapes;
      checkAll(back.labels);
      expect(back.predictions).toHaveLength(1);
      expect(readShape(back.predictions[0]!, 0)).toEqual(expected(SHAPES[2]!));
    }
  });

  it("an empty list packs to empty arrays", () => {
    const p = packShapes([]);
    expect([p.n, p.coords.length, p.rleBytes.length, p.objPart.length]).toEqual([0, 0, 0, 1]);
  });
});
