// Geometry against the shared fixtures (pycocotools' own areas and strings), known cases from
// the parity notes, and the exact messages of bad input.
import { SHARED_FIXTURES } from "../helpers/paths.js";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { GeometryInputError, type GeometryEngine, type Rle } from "../../bindings/geometry/types.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";

const FIXTURES = SHARED_FIXTURES;
const haveFixtures = existsSync(FIXTURES);
const ref = new ReferenceGeometry();
let wasm: Engine;

beforeAll(async () => {
  wasm = await createEngine({ wasm: readFileSync(new URL("../../build/engine.debug.wasm", import.meta.url)) });
});

function readJson(path: string): unknown {
  let buf = readFileSync(path);
  if (path.endsWith(".gz")) buf = gunzipSync(buf);
  return JSON.parse(buf.toString("utf8"));
}

interface Annotation {
  id: number;
  image_id: number | string;
  area: number;
  iscrowd?: number;
  segmentation?: number[][] | { counts: number[] | string; size: [number, number] };
}
interface Dataset {
  images: { id: number | string; height: number; width: number }[];
  annotations: Annotation[];
}

describe.skipIf(!haveFixtures)(`fixtures in ${FIXTURES}`, () => {
  if (!haveFixtures) it.skip(`shared fixtures not found at ${FIXTURES}: skipped`, () => {});

  const sets: [string, number | undefined][] = [
    ["synth_small/gt.json", undefined],
    ["synth_ties/gt.json", undefined],
    ["synth_val/gt.json.gz", 34117],
  ];
  for (const [file, expected] of sets) {
    it(`every polygon of ${file} rasterises to exactly its area; crowd RLEs too`, () => {
      const d = readJson(FIXTURES + file) as Dataset;
      const size = new Map(d.images.map((im) => [im.id, [im.height, im.width] as const]));
      let polygons = 0;
      let crowd = 0;
      const bad: string[] = [];
      for (const a of d.annotations) {
        const seg = a.segmentation;
        if (Array.isArray(seg)) {
          expect(a.iscrowd ?? 0).toBe(0);
          const [h, w] = size.get(a.image_id)!;
          const area = wasm.rleArea(wasm.rleFromPolygons(seg, h, w));
          if (area !== a.area && bad.length < 5) bad.push(`annotation ${a.id}: ${area} != ${a.area}`);
          polygons++;
        } else if (seg && Array.isArray(seg.counts)) {
          const rle = wasm.rleFromCounts(seg.counts, seg.size[0], seg.size[1]);
          const ones = seg.counts.reduce((s, c, i) => (i % 2 ? s + c : s), 0);
          expect(wasm.rleArea(rle)).toBe(ones);
          if (ones !== a.area && bad.length < 5) bad.push(`crowd annotation ${a.id}: ${ones} != ${a.area}`);
          crowd++;
        }
      }
      expect(bad).toEqual([]);
      expect(polygons).toBeGreaterThan(0);
      expect(crowd).toBeGreaterThan(0);
      if (expected !== undefined) expect(polygons + crowd).toBe(expected);
    });
  }

  it("the reference agrees on synth_small's polygons (counts, not just areas)", () => {
    const d = readJson(FIXTURES + "synth_small/gt.json") as Dataset;
    const size = new Map(d.images.map((im) => [im.id, [im.height, im.width] as const]));
    for (const a of d.annotations) {
      if (!Array.isArray(a.segmentation)) continue;
      const [h, w] = size.get(a.image_id)!;
      expect(Array.from(wasm.rleFromPolygons(a.segmentation, h, w).counts)).toEqual(Array.from(ref.rleFromPolygons(a.segmentation, h, w).counts));
    }
  });

  it("every compressed RLE string of every fixture file decodes and re-encodes identically (wasm)", () => {
    let strings = 0;
    let files = 0;
    const bad: string[] = [];
    const walk = (o: unknown, where: string): void => {
      if (Array.isArray(o)) {
        for (const x of o) walk(x, where);
        return;
      }
      if (o === null || typeof o !== "object") return;
      const seg = (o as { segmentation?: { counts?: unknown; size?: [number, number] } }).segmentation;
      if (seg && typeof seg.counts === "string" && Array.isArray(seg.size)) {
        const rle = wasm.rleFromString(seg.counts, seg.size[0], seg.size[1]);
        if (wasm.rleToString(rle) !== seg.counts && bad.length < 5) bad.push(`${where}: ${seg.counts.slice(0, 40)}`);
        strings++;
        return;
      }
      for (const v of Object.values(o)) walk(v, where);
    };
    for (const dir of readdirSync(FIXTURES, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      for (const f of readdirSync(FIXTURES + dir.name)) {
        if (!/\.json(\.gz)?$/.test(f)) continue;
        const before = strings;
        walk(readJson(`${FIXTURES}${dir.name}/${f}`), `${dir.name}/${f}`);
        if (strings > before) files++;
      }
    }
    expect(bad).toEqual([]);
    expect(files).toBeGreaterThanOrEqual(5);
    expect(strings).toBeGreaterThan(45_000);
  });
});

describe("known cases (both implementations)", () => {
  const engines = (): [string, GeometryEngine][] => [
    ["wasm", wasm],
    ["reference", ref],
  ];
  it("boxes and squares through the polygon rule", () => {
    for (const [name, e] of engines()) {
      expect(e.rleArea(e.rleFromBox([0.6, 0.6, 0.5, 0.5], 10, 10)), name).toBe(0);
      expect(e.rleArea(e.rleFromBox([1.6, 1.6, 2, 2], 10, 10)), name).toBe(4);
      expect(e.rleArea(e.rleFromPolygon([0, 0, 4, 0, 4, 4, 0, 4], 10, 10)), name).toBe(16);
      expect(e.rleToBbox(e.rleFromPolygon([0, 0, 4, 0, 4, 4, 0, 4], 10, 10)), name).toEqual([0, 0, 4, 4]);
      expect(e.rleToBbox(e.rleFromBox([1.6, 1.6, 2, 2], 10, 10)), name).toEqual([2, 2, 2, 2]);
    }
  });
  it("strings: pycocotools' encoding, deltas from the fourth count on", () => {
    for (const [name, e] of engines()) {
      const r = e.rleFromCounts([3, 2, 0, 4, 1], 2, 5);
      expect(e.rleToString(r), name).toBe("32021");
      expect(Array.from(e.rleFromString("32021", 2, 5).counts), name).toEqual([3, 2, 0, 4, 1]);
    }
  });
  it("toBbox is tight with zero-length runs (pycocotools 2.0.11); [0,0,0,0] when empty", () => {
    for (const [name, e] of engines()) {
      // runs: 2 bg, 0 fg, 3 bg, 2 fg (column 1, rows 1-2 of a 4-high mask), 1 bg
      expect(e.rleToBbox(e.rleFromCounts([2, 0, 3, 2, 1], 4, 2)), name).toEqual([1, 1, 1, 2]);
      expect(e.rleToBbox(e.rleFromCounts([8, 0], 4, 2)), name).toEqual([0, 0, 0, 0]);
      expect(e.rleToBbox(e.rleFromCounts([3, 2, 3], 4, 2)), name).toEqual([0, 0, 2, 4]); // crosses a column
    }
  });
  it("mask IoU: crowd, size mismatch, disjoint", () => {
    for (const [name, e] of engines()) {
      const a = e.rleFromBox([0, 0, 4, 4], 10, 10);
      const b = e.rleFromBox([2, 0, 4, 4], 10, 10);
      const c = e.rleFromBox([0, 0, 4, 4], 10, 11);
      const far = e.rleFromBox([6, 6, 2, 2], 10, 10);
      expect(Array.from(e.maskIou([a, b], [b, c, far], new Uint8Array([1, 0, 0]))), name).toEqual([0.5, -1, 0, 1, -1, 0]);
      expect(Array.from(e.maskIou([a], [b], null)), name).toEqual([8 / 24]);
      expect(Array.from(e.boxIou(new Float64Array([0, 0, 4, 4]), new Float64Array([2, 0, 4, 4, 4, 0, 2, 2]), new Uint8Array([1, 0]))), name).toEqual([0.5, 0]);
    }
  });
});

describe("bad input: GeometryInputError with one-line messages, the same from both implementations", () => {
  const cases: [string, (e: GeometryEngine) => unknown, string][] = [
    ["bad character", (e) => e.rleFromString("12z", 2, 2), `rleFromString: compressed RLE invalid character "z" at index 2 (allowed: '0' to 'o')`],
    ["non-ASCII character", (e) => e.rleFromString("1\u00e92", 2, 2), `rleFromString: compressed RLE invalid character "\u00e9" at index 1 (allowed: '0' to 'o')`],
    ["dangling continuation", (e) => e.rleFromString("1P", 2, 2), "rleFromString: compressed RLE string ends inside count 1 (its last character has the continuation bit 0x20)"],
    ["negative count", (e) => e.rleFromString("@", 2, 2), "rleFromString: compressed RLE count 0 decodes to -16, which is negative"],
    ["count past 2^32-1", (e) => e.rleFromString("1PPPPPP4", 2, 2), "rleFromString: compressed RLE count 1 decodes to 4294967296, more than 4294967295"],
    ["11-character count", (e) => e.rleFromString("PPPPPPPPPPP0", 2, 2), "rleFromString: compressed RLE count 0 is longer than 10 characters"],
    ["counts not summing to h*w", (e) => e.rleFromString("4", 2, 3), "rleFromString: compressed RLE counts sum to 4, expected h*w = 6 (h 2, w 3)"],
    ["not a string", (e) => e.rleFromString([1, 2] as unknown as string, 2, 3), "rleFromString: counts must be a string, got object"],
    ["negative height", (e) => e.rleFromString("", -1, 3), "rleFromString: mask height -1 is not a non-negative integer"],
    ["fractional width", (e) => e.rleFromString("", 2, 2.5), "rleFromString: mask width 2.5 is not a non-negative integer"],
    ["too many pixels", (e) => e.rleFromString("", 20000, 20000), "rleFromString: mask of height 20000 and width 20000 has 400000000 pixels, more than the engine limit of 268435456 (2^28)"],
    ["counts sum", (e) => e.rleFromCounts([1, 2], 2, 2), "rleFromCounts: RLE counts sum to 3, expected h*w = 4 (h 2, w 2)"],
    ["negative count", (e) => e.rleFromCounts([5, -1], 2, 2), "rleFromCounts: RLE counts[1] = -1 is not an integer in [0, 4294967295]"],
    ["NaN count", (e) => e.rleFromCounts([NaN], 2, 2), "rleFromCounts: RLE counts[0] = NaN is not an integer in [0, 4294967295]"],
    ["bad Rle object", (e) => e.rleArea({ h: 2, w: 2, counts: new Uint32Array([1, 2]) }), "rleArea: RLE counts sum to 3, expected h*w = 4 (h 2, w 2)"],
    ["short polygon", (e) => e.rleFromPolygon([1, 2, 3, 4], 5, 5), "rleFromPolygon: polygon has 4 numbers; a polygon needs at least 6 (3 points)"],
    ["odd polygon", (e) => e.rleFromPolygon([1, 2, 3, 4, 5, 6, 7], 5, 5), "rleFromPolygon: polygon has an odd number of coordinates (7)"],
    ["NaN coordinate", (e) => e.rleFromPolygon([1, 2, 3, NaN, 5, 6], 5, 5), "rleFromPolygon: polygon[3] is NaN, not a finite number"],
    ["infinite coordinate", (e) => e.rleFromPolygon([1, 2, 3, 4, Infinity, 6], 5, 5), "rleFromPolygon: polygon[4] is Infinity, not a finite number"],
    ["coordinate out of int range", (e) => e.rleFromPolygon([1, 2, 3, 4, 5e8, 6], 5, 5), "rleFromPolygon: polygon[4] = 500000000 is out of range (|5*v + 0.5| must stay below 2^31)"],
    ["boundary too long", (e) => e.rleFromPolygon([0, 0, 1e7, 0, 0, 1e7], 5, 5), "rleFromPolygon: polygon boundary is too long: 150000003 points on rleFrPoly's 5x grid, limit 67108864 (2^26)"],
    ["no parts", (e) => e.rleFromPolygons([], 5, 5), "rleFromPolygons: no polygon parts given"],
    ["bad part", (e) => e.rleFromPolygons([[0, 0, 1, 0, 1, 1], [0, 0, 1, 1]], 5, 5), "rleFromPolygons: polygon part 1 has 4 numbers; a polygon needs at least 6 (3 points)"],
    ["short box", (e) => e.rleFromBox([1, 2, 3] as unknown as [number, number, number, number], 5, 5), "rleFromBox: box must have 4 numbers, got 3"],
    ["NaN box", (e) => e.rleFromBox([1, NaN, 3, 4], 5, 5), "rleFromBox: box[1] is NaN, not a finite number"],
    ["NaN rotated box", (e) => e.rleFromRotatedBox([1, 2, 3, 4, NaN], 5, 5), "rleFromRotatedBox: rotated box[4] is NaN, not a finite number"],
    ["box array length", (e) => e.boxIou(new Float64Array(5), new Float64Array(4), null), "boxIou: dt has 5 numbers, not a multiple of 4"],
    ["NaN in boxes", (e) => e.boxIou(new Float64Array(4), new Float64Array([0, 0, NaN, 1]), null), "boxIou: gt[2] is NaN, not a finite number"],
    ["crowd length", (e) => e.boxIou(new Float64Array(4), new Float64Array(8), new Uint8Array(1)), "boxIou: crowd has 1 flags for 2 ground truth objects"],
    ["bad mask in a list", (e) => e.maskIou([okRle(), { h: 2, w: 2, counts: new Uint32Array([5]) }], [], null), "maskIou: dt[1] counts sum to 5, expected h*w = 4 (h 2, w 2)"],
    ["merge of nothing", (e) => e.rleMerge([], false), "rleMerge: no masks given"],
    ["merge of sizes", (e) => e.rleMerge([okRle(), { h: 1, w: 4, counts: new Uint32Array([4]) }], true), "rleMerge: mask 1 has size [h 1, w 4], mask 0 has [h 2, w 2]"],
    ["bitmask length", (e) => e.rleFromBitmask(new Uint8Array(5), 2, 2, "column-major"), "rleFromBitmask: mask has 5 values, expected 4 for height 2, width 2, stride 1, offset 0"],
    ["RGBA length", (e) => e.rleFromBitmask(new Uint8Array(10), 2, 2, "row-major", 4, 3), "rleFromBitmask: mask has 10 values, expected 16 for height 2, width 2, stride 4, offset 3"],
    ["offset past stride", (e) => e.rleFromBitmask(new Uint8Array(16), 2, 2, "row-major", 4, 4), "rleFromBitmask: offset 4 is not an integer in [0, stride-1] (stride 4)"],
    ["stride 0", (e) => e.rleFromBitmask(new Uint8Array(4), 2, 2, "row-major", 0), "rleFromBitmask: stride 0 is not a positive integer"],
    ["pixel order", (e) => e.rleToBitmask(okRle(), "rows" as "row-major"), 'rleToBitmask: order must be "column-major" or "row-major", got "rows"'],
  ];
  function okRle(): Rle {
    return { h: 2, w: 2, counts: new Uint32Array([1, 2, 1]) };
  }
  for (const [what, call, message] of cases) {
    it(what, () => {
      for (const e of [wasm, ref] as GeometryEngine[]) {
        let err: unknown;
        try {
          call(e);
        } catch (x) {
          err = x;
        }
        expect(err).toBeInstanceOf(GeometryInputError);
        expect((err as Error).message).toBe(message);
        expect((err as Error).message).not.toContain("\n");
      }
    });
  }
});
