// The Encord-style input format (docs/analysis-format.md), its error messages, and the analyze / bench commands.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { parseEncordJson, isEncordJson } from "../../bindings/analysis/encord-format.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { main } from "../../bindings/cli/main.js";

const engine = new ReferenceGeometry();
const example = (f: string) => new URL(`../../examples/${f}`, import.meta.url);
const labelsDoc = () => JSON.parse(readFileSync(example("analysis-labels.json"), "utf8"));
const predsDoc = () => JSON.parse(readFileSync(example("analysis-predictions.json"), "utf8"));

function base(extra: Record<string, unknown> = {}) {
  return {
    images: [{ id: "a", width: 100, height: 50 }],
    labels: [{ image: "a", class: "cat", boundingBox: { x: 0.1, y: 0.2, w: 0.5, h: 0.4 } }],
    ...extra,
  };
}

describe("Encord-style format", () => {
  it("parses the example: shapes, normalised coordinates, classes by name or id, crowd, two files", () => {
    const input = parseEncordJson(labelsDoc(), predsDoc());
    expect(input.images.map((m) => [m.id, m.width, m.height])).toEqual([
      ["street-001", 64, 48],
      ["street-002", 40, 30],
    ]);
    expect(input.categories.map((c) => c.name)).toEqual(["car", "person", "bicycle"]);
    expect(input.labels.map((l) => l.shape.kind)).toEqual(["box", "polygon", "rotated", "box", "rleString", "polygon"]);
    const box = input.labels[0]!.shape;
    expect(box.kind === "box" && box.box.map((v) => +v.toFixed(9))).toEqual([6.4, 9.6, 19.2, 12]);
    const rot = input.labels[2]!.shape;
    // x,y = top-left of the unrotated box; the model stores the centre
    expect(rot.kind === "rotated" && rot.box.map((v) => +v.toFixed(9))).toEqual([35.2, 31.2, 12.8, 4.8, 15]);
    const poly = input.labels[1]!.shape;
    expect(poly.kind === "polygon" && poly.parts[0]!.map((v) => +v.toFixed(9))).toEqual([38.4, 14.4, 44.8, 14.4, 46.08, 38.4, 37.12, 38.4]);
    expect(input.labels[4]!.category).toBe(0); // class 1 by id
    expect(input.labels[3]!.crowd).toBe(true);
    expect(input.predictions.map((p) => p.confidence)).toEqual([0.92, 0.55, 0.81, 0.4, 0.35, 0.77, 0.3]);
    expect(isEncordJson(labelsDoc())).toBe(true);
    const v = analyze(engine, input).at({ iou: 0.5 });
    expect(v.classes.map((c) => [c.name, c.tp, c.fp, c.fn])).toEqual([
      ["car", 2, 2, 0],
      ["person", 1, 0, 1],
      ["bicycle", 0, 1, 1],
    ]);
    expect(v.ignored).toBe(1);
  });

  it("pixels, Encord's keyed polygons, multi-part polygons, bitmask objects, categories created on the fly", () => {
    const input = parseEncordJson({
      coordinates: "pixels",
      images: [{ id: 7, width: 40, height: 30 }],
      labels: [
        { image: 7, class: 3, polygon: { "1": { x: 10, y: 0 }, "0": { x: 0, y: 0 }, "2": { x: 10, y: 10 } } },
        { image: 7, class: "dog", polygon: [[{ x: 0, y: 0 }, { x: 5, y: 0 }, { x: 5, y: 5 }], [{ x: 20, y: 20 }, { x: 25, y: 20 }, { x: 25, y: 25 }]] },
        { image: 7, class: 3, bitmask: { counts: "Pc0>`0001O00001O00O10000O10X7", size: [30, 40] } },
      ],
      predictions: [{ image: 7, class: "dog", confidence: 1, boundingBox: { x: 1, y: 2, w: 3, h: 4 } }],
    });
    expect(input.categories).toEqual([
      { id: 3, name: "3" },
      { id: "dog", name: "dog" },
    ]);
    const p0 = input.labels[0]!.shape;
    expect(p0.kind === "polygon" && p0.parts).toEqual([[0, 0, 10, 0, 10, 10]]);
    const p1 = input.labels[1]!.shape;
    expect(p1.kind === "polygon" && p1.parts.length).toBe(2);
    expect(input.predictions[0]!.shape).toEqual({ kind: "box", box: [1, 2, 3, 4] });
    expect(() => analyze(engine, input).at()).not.toThrow();
  });

  const errors: [string, unknown, unknown, string][] = [
    ["confidence", base(), { predictions: [...Array(17).fill({ image: "a", class: "cat", confidence: 0.5, boundingBox: { x: 0, y: 0, w: 0.1, h: 0.1 } }), { image: "a", class: "cat", confidence: "high", boundingBox: { x: 0, y: 0, w: 0.1, h: 0.1 } }] }, 'predictions[17].confidence: expected a number, got "high"'],
    ["missing confidence", base(), [{ image: "a", class: "cat", boundingBox: { x: 0, y: 0, w: 1, h: 1 } }], "predictions[0].confidence: expected a number, got nothing"],
    ["unknown image", base({ labels: [{ image: "b", class: "cat", boundingBox: { x: 0, y: 0, w: 1, h: 1 } }] }), undefined, 'labels[0].image: no image with id "b"'],
    ["two shapes", base({ labels: [{ image: "a", class: "cat", boundingBox: { x: 0, y: 0, w: 1, h: 1 }, polygon: [] }] }), undefined, "labels[0]: expected one shape, got boundingBox and polygon"],
    ["no shape", base({ labels: [{ image: "a", class: "cat" }] }), undefined, "labels[0]: expected one of boundingBox, rotatableBoundingBox, polygon, polyline, bitmask, keypoints"],
    ["box field", base({ labels: [{ image: "a", class: "cat", boundingBox: { x: 0, y: 0, w: "1", h: 1 } }] }), undefined, 'labels[0].boundingBox.w: expected a number, got "1"'],
    ["theta", base({ labels: [{ image: "a", class: "cat", rotatableBoundingBox: { x: 0, y: 0, w: 1, h: 1 } }] }), undefined, "labels[0].rotatableBoundingBox.theta: expected a number, got nothing"],
    ["polygon point", base({ labels: [{ image: "a", class: "cat", polygon: { "0": { x: 0, y: 0 }, "1": { x: 1, y: 0 }, "2": 5 } }] }), undefined, "labels[0].polygon.2: expected a point {x, y}, got 5"],
    ["polygon size", base({ labels: [{ image: "a", class: "cat", polygon: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }] }), undefined, "labels[0].polygon: a polygon needs at least 3 points, got 2"],
    ["bitmask", base({ labels: [{ image: "a", class: "cat", bitmask: 12 }] }), undefined, "labels[0].bitmask: expected a COCO compressed RLE string or {counts, size}, got 12"],
    ["bitmask size", base({ labels: [{ image: "a", class: "cat", bitmask: { counts: "abc", size: [10, 10] } }] }), undefined, "labels[0].bitmask.size: [10, 10] differs from the image's [50, 100]"],
    ["class", base({ labels: [{ image: "a", class: null, boundingBox: { x: 0, y: 0, w: 1, h: 1 } }] }), undefined, "labels[0].class: expected a class id (number) or name (string), got null"],
    ["unknown class", base({ categories: [{ id: 1, name: "dog" }] }), undefined, 'labels[0].class: no category with name or id "cat"'],
    ["image size", { images: [{ id: "a", width: 0, height: 5 }], labels: [] }, undefined, "images[0].width: expected a positive integer, got 0"],
    ["duplicate image", { images: [{ id: "a", width: 5, height: 5 }, { id: "a", width: 5, height: 5 }], labels: [] }, undefined, 'images[1].id: duplicate image id "a"'],
    ["coordinates", base({ coordinates: "percent" }), undefined, 'coordinates: expected "normalized" or "pixels", got "percent"'],
    ["crowd", base({ labels: [{ image: "a", class: "cat", crowd: "yes", boundingBox: { x: 0, y: 0, w: 1, h: 1 } }] }), undefined, 'labels[0].crowd: expected a boolean, got "yes"'],
    ["not an object", [], undefined, "$: expected an object with images and labels, got an array"],
  ];
  for (const [name, gt, dt, message] of errors) {
    it(`error: ${name}`, () => {
      expect(() => parseEncordJson(gt, dt)).toThrow(message);
      try {
        parseEncordJson(gt, dt);
      } catch (e) {
        expect((e as Error).message).toBe(message);
        expect((e as Error).name).toBe("AnalysisInputError");
      }
    });
  }

  it("takes JSON text (a string or bytes) as parseCocoDataset does; bad text names the file's role", () => {
    const parsed = parseEncordJson(labelsDoc(), predsDoc());
    expect(parseEncordJson(JSON.stringify(labelsDoc()), new TextEncoder().encode(JSON.stringify(predsDoc())))).toEqual(parsed);
    expect(() => parseEncordJson("{ nope")).toThrow(/^\$: not valid JSON text \(/);
    expect(() => parseEncordJson(labelsDoc(), "[1,")).toThrow(/^predictions: not valid JSON text \(/);
  });

  it("a malformed bitmask string is reported with its path when analysed", () => {
    const input = parseEncordJson(base({ labels: [{ image: "a", class: "cat", bitmask: "not an rle" }] }));
    expect(() => analyze(engine, input)).toThrow(/^labels\[0\]: /);
  });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), isTTY: false }, out, err };
}

describe("analyze / bench commands", () => {
  const gt = new URL("../../examples/analysis-labels.json", import.meta.url).pathname;
  const dt = new URL("../../examples/analysis-predictions.json", import.meta.url).pathname;
  it("analyze --format json has mAP, mAR and the per-class keys of the CLI contract", async () => {
    const c = capture();
    expect(await main(["analyze", "--gt", gt, "--dt", dt, "--iou", "0.5", "--format", "json"], c.io)).toBe(0);
    const j = JSON.parse(c.out.join(""));
    expect(typeof j.mAP).toBe("number");
    expect(typeof j.mAR).toBe("number");
    for (const cl of j.classes) for (const k of ["categoryId", "ap", "tp", "fp", "fn", "precision", "recall", "f1", "avgIou"]) expect(cl).toHaveProperty(k);
    // the CLI's default keeps every prediction (no confidence filter)
    const view = analyze(engine, parseEncordJson(labelsDoc(), predsDoc())).at({ iou: 0.5 });
    const { confusion, calibration, intervals, ...summary } = j;
    expect(summary).toEqual(JSON.parse(JSON.stringify(view.summary())));
    expect(confusion.counts).toEqual(view.confusion().counts);
    expect(calibration.ece).toBe(view.calibration().ece);
    expect(intervals.mAP).toEqual(JSON.parse(JSON.stringify(view.bootstrap({ resamples: 1000, seed: 0 }).mAP)));
  });
  it("analyze --format csv prints the explorer; text prints a table", async () => {
    const c = capture();
    expect(await main(["analyze", "--gt", gt, "--dt", dt, "--format", "csv", "--candidates", "any-class", "--confidence", "0.5"], c.io)).toBe(0);
    expect(c.out.join("").split("\n")[0]).toMatch(/^kind,index,id,/);
    const t = capture();
    expect(await main(["analyze", "--gt", gt, "--dt", dt], t.io)).toBe(0);
    expect(t.out.join("")).toMatch(/mAP 0\.\d{3}/);
  });
  it("bad input: exit 1 with one line naming the path; usage errors: exit 2", async () => {
    const c = capture();
    expect(await main(["analyze", "--gt", gt, "--dt", dt, "--iou", "2"], c.io)).toBe(1);
    expect(c.err.join("")).toBe("detection-eval analyze: iou: expected a number in (0, 1], got 2\n");
    const m = capture();
    expect(await main(["analyze", "--gt", "/nonexistent.json", "--dt", dt], m.io)).toBe(1);
    expect(m.err.join("").split("\n").filter(Boolean).length).toBe(1);
    const u = capture();
    expect(await main(["analyze", "--dt", dt], u.io)).toBe(2);
    expect(u.err.join("")).toMatch(/--gt is required/);
  });
  it("bench --format json reports prepareMs and rescoreMs", async () => {
    const c = capture();
    expect(await main(["time-analyze", "--gt", gt, "--dt", dt, "--runs", "3", "--format", "json"], c.io)).toBe(0);
    const j = JSON.parse(c.out.join(""));
    expect(j.prepareMs).toBeGreaterThanOrEqual(0);
    expect(j.rescoreMs).toBeGreaterThanOrEqual(0);
    expect(j.predictions).toBe(7);
  });
});
