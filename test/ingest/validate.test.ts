// Input validation, rule by rule, with the exact one-line messages of docs/errors.md: JSON syntax,
// top-level shape, ids, required fields, boxes, polygons, RLEs, scores, unknown categories, mask size
// limits; and the valid edge cases that must keep working.
import { beforeAll, describe, expect, it } from "vitest";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { CocoInputError } from "../../bindings/coco/errors.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import type { IouType } from "../../bindings/coco/params.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { findJsonProblem, parseJsonText } from "../../bindings/ingest/json-text.js";
import { rleStringProblem } from "../../bindings/ingest/check-segmentation.js";
import { showValue } from "../../bindings/coco/show.js";

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

// biome-ignore lint/suspicious/noExplicitAny: mutations reach into JSON of any shape
type Obj = Record<string, any>;

/** 2 images of 20 x 20, 2 categories, a polygon and an uncompressed RLE; 2 box results. */
function gtBase(): Obj {
  return {
    images: [
      { id: 1, width: 20, height: 20 },
      { id: 2, width: 20, height: 20 },
    ],
    categories: [
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 5, 5], area: 25, iscrowd: 0, segmentation: [[1, 1, 6, 1, 6, 6, 1, 6]] },
      { id: 2, image_id: 2, category_id: 2, bbox: [2, 2, 4, 4], area: 16, iscrowd: 0, segmentation: { size: [20, 20], counts: [42, 4, 16, 4, 16, 4, 16, 4, 294] } },
    ],
  };
}
/** A segm-branch result (RLE with its own size): its mask needs no image size. */
const RLE_RESULT = { image_id: 1, category_id: 1, segmentation: { size: [20, 20], counts: [400] }, score: 1 };

function dtBase(): Obj[] {
  return [
    { image_id: 1, category_id: 1, bbox: [1, 1, 5, 5], score: 0.9 },
    { image_id: 2, category_id: 2, bbox: [2, 2, 4, 4], score: 0.8 },
  ];
}

async function evaluate(gt: unknown, dt: unknown, iouType: IouType = "bbox") {
  const ds = parseCocoDataset(gt as object);
  const res = parseCocoResults(dt as object, ds);
  return evaluateCoco(engine, ds, res, { iouType });
}

/** The message of the CocoInputError that evaluating the mutated base throws. */
async function messageOf(mutate: (gt: Obj, dt: Obj[]) => void, iouType: IouType = "bbox"): Promise<string> {
  const gt = gtBase();
  const dt = dtBase();
  mutate(gt, dt);
  try {
    await evaluate(gt, dt, iouType);
  } catch (e) {
    expect(e).toBeInstanceOf(CocoInputError);
    const m = (e as Error).message;
    expect(m).not.toMatch(/[\r\n]/);
    return m;
  }
  throw new Error("accepted bad input");
}

describe("JSON syntax", () => {
  const cases: [string, string][] = [
    ['{"images": [', "gt.json: file is truncated (unexpected end of JSON at byte 12)"],
    ['{\n  "images": [],\n  "annotations": [}\n', 'gt.json: invalid JSON at line 3 column 19: unexpected character "}" (expected a value)'],
    ['[{"score": NaN}]', "gt.json: invalid JSON at line 1 column 12: NaN is not valid JSON (Python's json module writes it for a non-finite float; write null or a number)"],
    ['[{"score": -Infinity}]', "gt.json: invalid JSON at line 1 column 12: -Infinity is not valid JSON (Python's json module writes it for a non-finite float; write null or a number)"],
    ["{'images': []}", "gt.json: invalid JSON at line 1 column 2: unexpected character \"'\" (JSON strings use double quotes; expected a property name in double quotes)"],
    ['{"a": 1,}', 'gt.json: invalid JSON at line 1 column 9: unexpected character "}" (expected a property name in double quotes)'],
    ['{"a" 1}', 'gt.json: invalid JSON at line 1 column 6: unexpected character "1" (expected \':\' after the property name)'],
    ["[1 2]", "gt.json: invalid JSON at line 1 column 4: unexpected character \"2\" (expected ',' or ']')"],
    ["[01]", "gt.json: invalid JSON at line 1 column 2: invalid number (no leading zeros in JSON)"],
    ['["a\u0001"]', "gt.json: invalid JSON at line 1 column 4: control character U+0001 inside a string (write it escaped)"],
    ['["\\x"]', "gt.json: invalid JSON at line 1 column 3: invalid escape \\x in a string"],
    ["[] []", 'gt.json: invalid JSON at line 1 column 4: unexpected data after the JSON value ("[")'],
    ["", "gt.json: file is empty"],
    [" \n ", "gt.json: file is empty"],
    ['{"é": [', "gt.json: file is truncated (unexpected end of JSON at byte 8)"],
  ];
  it.each(cases)("%j", (text, message) => {
    expect(() => parseJsonText(text, "gt.json", "file")).toThrow(new CocoInputError("", "", message));
  });

  it("text handed to the API names the input: dataset / results", () => {
    expect(() => parseCocoDataset('{"images": [')).toThrow(/^dataset: text is truncated \(unexpected end of JSON at byte 12\)$/);
    expect(() => parseCocoResults("[{]", parseCocoDataset(gtBase()))).toThrow(/^results: invalid JSON at line 1 column 3: unexpected character "\]" \(expected a property name in double quotes\)$/);
    expect(() => parseCocoDataset(new TextEncoder().encode("{,}"))).toThrow(/^dataset: invalid JSON at line 1 column 2/);
  });

  it("a byte order mark is skipped; deep nesting is fine", () => {
    expect(parseJsonText('\ufeff{"a": 1}', "x", "file")).toEqual({ a: 1 });
    const deep = "[".repeat(100_000) + "]".repeat(99_999);
    expect(() => parseJsonText(deep, "x.json", "file")).toThrow(/^x\.json: file is truncated \(unexpected end of JSON at byte 199999\)$/);
  });

  it("the scanner agrees with JSON.parse on random texts", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = '{}[]",:0123456789-.eE+ \ntruefalsnNaI\\u';
    for (let k = 0; k < 20_000; k++) {
      let s = "";
      for (let j = 1 + Math.floor(rnd() * 12); j > 0; j--) s += alphabet[Math.floor(rnd() * alphabet.length)];
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      expect(findJsonProblem(s) === null, JSON.stringify(s)).toBe(valid);
    }
  });
});

describe("top-level shape", () => {
  it("dataset and results", () => {
    expect(() => parseCocoDataset([{ image_id: 1 }] as unknown as object)).toThrow(
      new CocoInputError("", "", 'dataset: expected a JSON object with images, annotations and categories, got [{"image_id":1}] (this looks like a results file: a dataset is an object)'),
    );
    expect(() => parseCocoDataset("42")).toThrow(new CocoInputError("", "", "dataset: expected a JSON object with images, annotations and categories, got 42"));
    expect(() => parseCocoDataset({ images: [], categories: [] })).toThrow(new CocoInputError("", "", "annotations: missing (a COCO dataset needs images, annotations and categories)"));
    expect(() => parseCocoDataset({ images: {}, annotations: [], categories: [] })).toThrow(new CocoInputError("", "", "images: expected an array, got {}"));
    const ds = parseCocoDataset(gtBase());
    expect(() => parseCocoResults({ annotations: [] }, ds)).toThrow(
      new CocoInputError("", "", 'results: expected a JSON array of result objects, got {"annotations":[]} (results are the plain array of detections: pass the "annotations" array)'),
    );
    expect(() => parseCocoResults(gtBase(), ds)).toThrow(/^results: expected a JSON array of result objects, got \{"images".*\(this looks like a dataset; results are the plain array of detections\)$/);
    expect(() => parseCocoResults([5], ds)).toThrow(new CocoInputError("", "", "results[0]: expected an object, got 5"));
    expect(() => parseCocoResults([{ image_id: 1, category_id: 1, score: 1 }], ds)).toThrow(
      new CocoInputError("", "", "results[0]: needs a bbox, a segmentation or keypoints (the first result decides which)"),
    );
  });
});

describe("rules and their messages", () => {
  const cases: [string, (gt: Obj, dt: Obj[]) => void, IouType, string][] = [
    // elements and ids
    ["image not an object", (g) => (g.images[1] = "x"), "bbox", 'images[1]: expected an object, got "x"'],
    ["image id missing", (g) => delete g.images[0].id, "bbox", "images[0].id: missing"],
    ["image id type", (g) => (g.images[0].id = true), "bbox", "images[0].id: expected a number or a string, got true"],
    ["duplicate image id", (g) => g.images.push({ id: 7 }, { id: 3 }, { id: 7 }), "bbox", "images: duplicate id 7 (images[2] and images[4])"],
    ["duplicate string image id", (g) => g.images.push({ id: "7" }, { id: "7" }), "bbox", 'images: duplicate id "7" (images[2] and images[3])'],
    [
      "duplicate unsafe integer id",
      (g) => g.images.push({ id: 2 ** 60 }, { id: 2 ** 60 + 1 }),
      "bbox",
      "images: duplicate id 1152921504606847000 (images[2] and images[3]); integer ids beyond 2^53 lose precision in JavaScript, write them as strings",
    ],
    ["duplicate category id", (g) => g.categories.push({ id: 1, name: "again" }), "bbox", "categories: duplicate id 1 (categories[0] and categories[2])"],
    ["category id type", (g) => (g.categories[1].id = [2]), "bbox", "categories[1].id: expected a number or a string, got [2]"],
    ["annotation not an object", (g) => (g.annotations[1] = null), "bbox", "annotations[1]: expected an object, got null"],
    ["annotation id missing", (g) => delete g.annotations[1].id, "bbox", "annotations[1].id: missing"],
    ["annotation image_id type", (g) => (g.annotations[0].image_id = null), "bbox", "annotations[0].image_id: expected a number or a string, got null"],
    ["annotation category_id missing", (g) => delete g.annotations[0].category_id, "bbox", "annotations[0].category_id: missing"],
    // required values
    [
      "area missing",
      (g) => delete g.annotations[1].area,
      "bbox",
      "annotations[1].area: missing (1 of 2 annotations have no area; pycocotools needs it for the area ranges and never derives it)",
    ],
    ["area type", (g) => (g.annotations[0].area = "25"), "bbox", 'annotations[0].area: expected a finite number, got "25"'],
    ["area non-finite", (g) => (g.annotations[0].area = Infinity), "bbox", "annotations[0].area: expected a finite number, got Infinity"],
    ["iscrowd type", (g) => (g.annotations[0].iscrowd = "no"), "bbox", 'annotations[0].iscrowd: expected 0 or 1, got "no"'],
    ["image width type", (g) => (g.images[0].width = "20"), "bbox", 'images[0].width: expected a non-negative integer, got "20"'],
    ["image height missing (polygons)", (g) => delete g.images[0].height, "segm", "images[0].height: missing (needed to rasterise results[0].bbox)"],
    ["image height missing (ground truth polygons)", (g, d) => (delete g.images[0].height, d.splice(0, 2, RLE_RESULT)), "segm", "images[0].height: missing (needed to rasterise annotations[0].segmentation)"],
    [
      "image height not an integer (polygons)",
      (g, d) => ((g.images[0].height = 20.5), d.splice(0, 2, RLE_RESULT)),
      "segm",
      "images[0].height: expected a non-negative integer, got 20.5 (needed to rasterise annotations[0].segmentation)",
    ],
    ["ground truth bbox missing (bbox evaluation)", (g) => delete g.annotations[0].bbox, "bbox", "annotations[0].bbox: missing (needed for bbox evaluation)"],
    ["ground truth segmentation missing (segm)", (g, d) => (delete g.annotations[0].segmentation, d.splice(0, 2, RLE_RESULT)), "segm", "annotations[0].segmentation: missing (needed for segm evaluation)"],
    ["ground truth segmentation empty (segm)", (g, d) => ((g.annotations[0].segmentation = []), d.splice(0, 2, RLE_RESULT)), "segm", "annotations[0].segmentation: empty (pycocotools cannot rasterise an empty segmentation list)"],
    // boxes
    ["bbox with a string", (g) => (g.annotations[0].bbox = [1, 2, "x", 4]), "bbox", 'annotations[0].bbox: expected 4 finite numbers, got [1,2,"x",4]'],
    ["bbox of 3", (g) => (g.annotations[0].bbox = [1, 2, 3]), "bbox", "annotations[0].bbox: expected 4 finite numbers, got [1,2,3]"],
    ["result bbox NaN", (g, d) => (d[1]!.bbox = [1, 2, NaN, 4]), "bbox", "results[1].bbox: expected 4 finite numbers, got [1,2,NaN,4]"],
    ["result bbox missing", (g, d) => delete d[1]!.bbox, "bbox", "results[1].bbox: missing (the first result has a bbox, so every result needs one)"],
    ["result bbox empty (bbox branch)", (g, d) => (d[1]!.bbox = []), "bbox", "results[1].bbox: expected 4 finite numbers, got []"],
    // polygons
    ["polygon odd", (g) => (g.annotations[0].segmentation = [[1, 2, 3, 4, 5, 6, 7]]), "bbox", "annotations[0].segmentation[0]: expected a polygon of an even number (at least 6) of coordinates, got 7 numbers"],
    [
      "polygon of 2 points after a polygon",
      (g) => (g.annotations[0].segmentation = [[1, 1, 6, 1, 6, 6], [1, 2, 3, 4]]),
      "bbox",
      "annotations[0].segmentation[1]: expected a polygon of an even number (at least 6) of coordinates, got 4 numbers",
    ],
    ["polygon empty part", (g) => (g.annotations[0].segmentation = [[]]), "bbox", "annotations[0].segmentation[0]: expected a polygon of an even number (at least 6) of coordinates, got 0 numbers"],
    ["polygon NaN", (g) => (g.annotations[0].segmentation = [[1, 2, NaN, 4, 5, 6]]), "bbox", "annotations[0].segmentation[0][2]: expected a finite number, got NaN"],
    ["polygon string", (g) => (g.annotations[0].segmentation = [[1, 2, "3", 4, 5, 6]]), "bbox", 'annotations[0].segmentation[0][2]: expected a finite number, got "3"'],
    [
      "polygon coordinate out of range",
      (g) => (g.annotations[0].segmentation = [[1, 2, 1e12, 4, 5, 6]]),
      "bbox",
      "annotations[0].segmentation[0][2]: coordinate 1000000000000 is out of range (|5*x + 0.5| must stay below 2^31 to rasterise, as in maskApi.c)",
    ],
    [
      "polygon boundary too long",
      (g) => (g.annotations[0].segmentation = [[0, 0, 4e8, 0, 0, 4e8]]),
      "bbox",
      "annotations[0].segmentation[0]: polygon boundary is too long: 6000000003 points on rleFrPoly's 5x grid, limit 67108864 (2^26)",
    ],
    [
      "flat coordinate list",
      (g) => (g.annotations[0].segmentation = [1, 2, 3, 4, 5, 6]),
      "bbox",
      "annotations[0].segmentation: expected a list of polygons, got a flat list of numbers [1,2,3,4,5,6] (wrap a single polygon: [[x0, y0, x1, y1, ...]])",
    ],
    [
      "boxes list with a non-box",
      (g) => (g.annotations[0].segmentation = [[1, 2, 3, 4], [1, 2, 3]]),
      "bbox",
      "annotations[0].segmentation[1]: expected a box of 4 numbers (annotations[0].segmentation[0] has 4 numbers, which makes the list boxes), got [1,2,3]",
    ],
    ["segmentation of the wrong type", (g) => (g.annotations[0].segmentation = "poly"), "bbox", 'annotations[0].segmentation: expected polygons (an array) or an RLE object {size, counts}, got "poly"'],
    // RLE
    ["RLE size missing", (g) => delete g.annotations[1].segmentation.size, "bbox", "annotations[1].segmentation.size: missing"],
    ["RLE size malformed", (g) => (g.annotations[1].segmentation.size = [20]), "bbox", "annotations[1].segmentation.size: expected [height, width] (2 non-negative integers), got [20]"],
    ["RLE counts missing", (g) => delete g.annotations[1].segmentation.counts, "bbox", "annotations[1].segmentation.counts: missing"],
    ["RLE counts type", (g) => (g.annotations[1].segmentation.counts = 5), "bbox", "annotations[1].segmentation.counts: expected a compressed RLE string or an array of run lengths, got 5"],
    ["RLE counts sum", (g) => (g.annotations[1].segmentation.counts = [42, 4, 16]), "bbox", "annotations[1].segmentation.counts: counts sum to 62, expected h*w = 400"],
    ["RLE negative count", (g) => (g.annotations[1].segmentation.counts = [42, -4, 362]), "bbox", "annotations[1].segmentation.counts[1]: expected an integer in [0, 4294967295], got -4"],
    ["RLE fractional count", (g) => (g.annotations[1].segmentation.counts = [42.5, 357.5]), "bbox", "annotations[1].segmentation.counts[0]: expected an integer in [0, 4294967295], got 42.5"],
    ["RLE string alphabet", (g) => (g.annotations[1].segmentation.counts = "abc~"), "bbox", "annotations[1].segmentation.counts: invalid character \"~\" at index 3 (allowed: '0' to 'o')"],
    ["RLE string dangling", (g) => (g.annotations[1].segmentation.counts = "0l"), "bbox", "annotations[1].segmentation.counts: string ends inside count 1 (its last character has the continuation bit 0x20)"],
    ["RLE string 64-bit overflow", (g) => (g.annotations[1].segmentation.counts = "ooooooooooooooo0"), "bbox", "annotations[1].segmentation.counts: count 0 is longer than 10 characters"],
    ["RLE string count beyond uint32", (g) => (g.annotations[1].segmentation.counts = "0ooooooo0"), "bbox", "annotations[1].segmentation.counts: count 1 decodes to 34359738367, more than 4294967295"],
    ["RLE string negative count", (g) => (g.annotations[1].segmentation.counts = "0@"), "bbox", "annotations[1].segmentation.counts: count 1 decodes to -16, which is negative"],
    ["RLE string continuation at the end", (g) => (g.annotations[1].segmentation.counts = "0P"), "bbox", "annotations[1].segmentation.counts: string ends inside count 1 (its last character has the continuation bit 0x20)"],
    [
      "RLE string written as a Python bytes literal",
      (g) => (g.annotations[1].segmentation.counts = "b'52'"),
      "bbox",
      "annotations[1].segmentation.counts: invalid character \"'\" at index 1 (allowed: '0' to 'o') (this is a Python bytes literal: write counts.decode(\"ascii\") to the JSON)",
    ],
    [
      "polygon of points",
      (g) => (g.annotations[0].segmentation = [[[1, 1], [6, 1], [6, 6]]]),
      "bbox",
      "annotations[0].segmentation[0][0]: expected a finite number, got [1,1] (a polygon is a flat list: [x0, y0, x1, y1, ...], not points [[x0, y0], ...])",
    ],
    ["RLE string sum", (g) => (g.annotations[1].segmentation.counts = "52"), "bbox", "annotations[1].segmentation.counts: counts sum to 7, expected h*w = 400"],
    [
      "list of RLEs must be uncompressed",
      (g) => (g.annotations[1].segmentation = [{ size: [20, 20], counts: "0" }]),
      "bbox",
      'annotations[1].segmentation[0].counts: expected an array of run lengths (the RLEs of a list must be uncompressed), got "0"',
    ],
    ["result RLE string", (g, d) => (d[0] = { image_id: 1, category_id: 1, segmentation: { size: [20, 20], counts: "p" }, score: 1 }), "segm", "results[0].segmentation.counts: invalid character \"p\" at index 0 (allowed: '0' to 'o')"],
    // scores
    ["score a string", (g, d) => (d[1]!.score = "high"), "bbox", 'results[1].score: expected a finite number, got "high"'],
    ["score NaN", (g, d) => (d[1]!.score = NaN), "bbox", "results[1].score: expected a finite number, got NaN"],
    ["score missing", (g, d) => delete d[1]!.score, "bbox", "results[1].score: missing"],
    // result ids and branches
    ["result image_id type", (g, d) => (d[0]!.image_id = [1]), "bbox", "results[0].image_id: expected a number or a string, got [1]"],
    [
      "result image ids unknown",
      (g, d) => d.push({ ...d[0], image_id: 7 }, { ...d[0], image_id: 8 }, { ...d[0], image_id: 7 }),
      "bbox",
      "results: image ids not in the dataset: 7 (number), 8 (number) (first at results[2].image_id); the dataset's image ids are numbers",
    ],
    [
      "result image ids of the other type",
      (g, d) => (d[1]!.image_id = "2"),
      "bbox",
      'results: image ids not in the dataset: "2" (string) (first at results[1].image_id); the dataset has 2 (number): use the same id type as the dataset\'s images',
    ],
    ["segm branch without segmentation", (g, d) => (d.splice(0), d.push({ image_id: 1, category_id: 1, segmentation: { size: [20, 20], counts: [400] }, score: 1 }, { image_id: 1, category_id: 1, score: 1 })), "segm", "results[1].segmentation: missing (the first result has a segmentation and no bbox, so every result needs one)"],
    ["segm branch empty segmentation", (g, d) => (d.splice(0), d.push({ image_id: 1, category_id: 1, segmentation: [], score: 1 })), "segm", "results[0].segmentation: empty (loadRes computes the area of every segmentation)"],
    ["keypoints malformed", (g, d) => (d.splice(0), d.push({ image_id: 1, category_id: 1, keypoints: [1, 2], score: 1 })), "keypoints", "results[0].keypoints: expected a list of x, y, v triples (finite numbers), got [1,2]"],
    ["ground truth keypoints malformed", (g) => (g.annotations[0].keypoints = [1, 2, "v"]), "bbox", 'annotations[0].keypoints: expected a list of x, y, v triples (finite numbers), got [1,2,"v"]'],
    ["num_keypoints type", (g) => (g.annotations[0].num_keypoints = "3"), "bbox", 'annotations[0].num_keypoints: expected a number, got "3"'],
    // mask size limits (wasm32)
    [
      "image too large for a mask",
      (g, d) => ((g.images[0].width = 30000), (g.images[0].height = 30000), d.splice(0, 2, RLE_RESULT)),
      "segm",
      "images[0]: height 30000 x width 30000 = 900000000 pixels, more than a wasm32 mask can hold (limit 268435456 = 2^28) (needed to rasterise annotations[0].segmentation)",
    ],
    [
      "RLE too large for a mask",
      (g, d) => ((g.annotations[1].segmentation = { size: [20000, 20000], counts: [400000000] }), d.splice(0, 2, RLE_RESULT)),
      "segm",
      "annotations[1].segmentation.size: [20000, 20000] = 400000000 pixels, more than a wasm32 mask can hold (limit 268435456 = 2^28)",
    ],
    [
      "box result out of range for a mask",
      (g, d) => (d[1]!.bbox = [1e10, 0, 5, 5]),
      "segm",
      "results[1].bbox: [10000000000,0,5,5] reaches 10000000000, out of range for a mask (|5*x + 0.5| must stay below 2^31, as in maskApi.c)",
    ],
  ];
  it.each(cases)("%s", async (_name, mutate, iouType, message) => {
    expect(await messageOf(mutate, iouType)).toBe(message);
  });

  it("long values are cut in messages", async () => {
    const poly = Array.from({ length: 1001 }, (_, i) => i);
    expect(await messageOf((g) => (g.annotations[0].segmentation = [poly]))).toBe(
      "annotations[0].segmentation[0]: expected a polygon of an even number (at least 6) of coordinates, got 1001 numbers",
    );
    expect(showValue(poly)).toBe("[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,...");
    const cyclic: Obj = { a: 1 };
    cyclic.self = cyclic;
    expect(showValue(cyclic).length).toBeLessThan(70);
    expect(showValue("x".repeat(1000)).length).toBeLessThan(70);
  });
});

describe("warnings (the input is evaluated, as pycocotools would)", () => {
  it("unknown categories in results are ignored with a warning", async () => {
    const dt = dtBase();
    dt.push({ image_id: 1, category_id: 9, bbox: [0, 0, 2, 2], score: 0.5 }, { image_id: 1, category_id: "1", bbox: [0, 0, 2, 2], score: 0.4 });
    const ev = await evaluate(gtBase(), dt);
    expect(ev.stats[0]).toBeCloseTo(1, 12);
    expect(ev.warnings).toContain(
      'results: 2 of 4 results have a category id not in the dataset: 9 (number), "1" (string) (first at results[2].category_id; the dataset has 1 (number): use the same id type); they are not evaluated, as in pycocotools',
    );
  });

  it("annotations of unknown images or categories are left out with a warning", async () => {
    const gt = gtBase();
    gt.annotations.push({ id: 3, image_id: 5, category_id: 1, bbox: [0, 0, 2, 2], area: 4 }, { id: 4, image_id: 1, category_id: 7, bbox: [0, 0, 2, 2], area: 4, iscrowd: 0 });
    const ev = await evaluate(gt, dtBase());
    expect(ev.stats[0]).toBeCloseTo(1, 12);
    expect(ev.warnings).toEqual(
      expect.arrayContaining([
        "annotations: 1 of 4 annotations have an image id not in images: 5 (number) (first at annotations[2].image_id); they are not evaluated, as in pycocotools",
        "annotations: 1 of 4 annotations have a category id not in categories: 7 (number) (first at annotations[3].category_id); they are not evaluated, as in pycocotools",
        "annotations: 1 annotations have no iscrowd; treated as iscrowd = 0 (pycocotools would stop with KeyError)",
      ]),
    );
  });
});

describe("valid edge cases keep working", () => {
  it("empty results: AP 0 where labels exist, -1 where none", async () => {
    const gt = gtBase();
    gt.categories.push({ id: 3, name: "unlabelled" });
    const ev = await evaluate(gt, []);
    expect(ev.stats[0]).toBe(0);
    expect(ev.perCategory().map((c) => c.ap)).toEqual([0, 0, -1]);
    expect(ev.warnings).toContain("results: the list is empty (pycocotools cannot load it); evaluated as no detections");
  });

  it("images without labels or predictions, categories without either", async () => {
    const gt = gtBase();
    gt.images.push({ id: 3, width: 10, height: 10 }, { id: 4 }); // 4: no size, no labels, no predictions
    gt.categories.push({ id: 3, name: "c" });
    const dt = dtBase();
    dt.push({ image_id: 3, category_id: 1, bbox: [0, 0, 2, 2], score: 0.1 });
    for (const iouType of ["bbox", "segm"] as const) {
      const ev = await evaluate(gt, dt, iouType);
      expect(ev.stats.every((v) => Number.isFinite(v))).toBe(true);
      expect(ev.perCategory()[2]!.ap).toBe(-1);
    }
  });

  it("a dataset without annotations, results without detections", async () => {
    const ev = await evaluate({ images: [{ id: 1 }], annotations: [], categories: [{ id: 1 }] }, []);
    expect(ev.stats).toEqual(new Array(12).fill(-1));
  });

  it("pycocotools' forms: boxes list, uncompressed RLE with its own size, segmentation [] in bbox mode, string ids, optional result keys", async () => {
    const gt = gtBase();
    gt.annotations[0].segmentation = [[1, 1, 5, 5]]; // a first element of 4 numbers: boxes
    gt.annotations[1].segmentation = { size: [30, 10], counts: [300] }; // its own size (IoU -1 with 20 x 20 masks)
    gt.annotations.push({ id: 3, image_id: 2, category_id: 1, bbox: [9, 9, 3, 3], area: 9, iscrowd: 0, segmentation: [] });
    const dt: Obj[] = [
      { image_id: 1, category_id: 1, bbox: [1, 1, 5, 5], score: 0.9, id: "ignored", area: "ignored", iscrowd: "ignored" },
      { image_id: 2, category_id: 1, bbox: [9, 9, 3, 3], score: 0.7, segmentation: null },
    ];
    const bbox = await evaluate(gt, dt, "bbox");
    expect(bbox.perCategory().map((c) => c.ap50)).toEqual([1 - 2.220446049250313e-16, 0].map((v) => expect.closeTo(v, 12)));
    // string ids everywhere
    const s = structuredClone(gt);
    for (const im of s.images) im.id = `img-${im.id}`;
    for (const a of s.annotations) a.image_id = `img-${a.image_id}`;
    const sd = structuredClone(dt);
    for (const d of sd) d.image_id = `img-${d.image_id}`;
    expect((await evaluate(s, sd, "bbox")).stats).toEqual(bbox.stats);
    // segm: the boxes list and the RLE with its own size are masks; segmentation [] is an error only now
    gt.annotations.pop();
    const segm = await evaluate(gt, dt.slice(0, 1), "segm");
    expect(segm.perCategory().map((c) => c.ap50)).toEqual([expect.closeTo(1, 12), 0]);
  });

  it("an input changed only in what pycocotools ignores gives the same stats", async () => {
    const base = await evaluate(gtBase(), dtBase());
    const gt = gtBase();
    gt.info = { year: 2024 };
    for (const a of gt.annotations) a.ignore = 1; // overwritten by iscrowd
    const ev = await evaluate(gt, dtBase().map((d) => ({ ...d, area: -1, id: 99 })));
    expect(ev.stats).toEqual(base.stats);
  });
});

describe("compressed RLE string validator", () => {
  it("agrees with the engine's decoder", () => {
    const good = engine.rleToString(engine.rleFromPolygon([1, 1, 9, 1, 9, 7], 12, 14));
    expect(rleStringProblem(good, 12 * 14)).toBe("");
    for (const [s, hw] of [
      ["", 0],
      ["", 1],
      [good, 12 * 14 + 1],
      ["~", 1],
      ["0oooooooooooooo", 5],
      ["l", 5],
      ["0P", 0],
    ] as const) {
      const mine = rleStringProblem(s, hw);
      let theirs = "";
      try {
        engine.rleFromString(s, hw, 1);
      } catch (e) {
        theirs = (e as Error).message.replace(/^rleFromString: compressed RLE /, "");
      }
      expect(mine === "" ? theirs : theirs.startsWith(mine) ? mine : theirs, JSON.stringify(s)).toBe(mine);
    }
  });
});
