// Encord label rows (the JSON export) read as analysis input: the same input as the equivalent
// Encord-style document; the unsupported parts are one-line errors; `convert` writes COCO files that
// `coco` evaluates, with the analysis numbers of the original at the same IoU rule (box IoU).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEncordJson } from "../../bindings/analysis/encord-format.js";
import { isLabelRows, parseLabelRows } from "../../bindings/analysis/label-rows.js";
import { toCoco } from "../../bindings/analysis/to-coco.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { CLI } from "../helpers/paths.js";

const tmp = mkdtempSync(join(tmpdir(), "de-rows-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const box = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });
function unit(hash: string, title: string, objects: unknown[]) {
  return { [hash]: { data_hash: hash, data_title: title, data_type: "image/jpeg", width: 100, height: 50, labels: { objects, classifications: [] } } };
}
const ROWS = [
  {
    label_hash: "lh1",
    data_hash: "d1",
    data_type: "image",
    data_units: unit("d1", "a.jpg", [
      { name: "car", shape: "bounding_box", objectHash: "o1", featureHash: "f1", confidence: 1, boundingBox: box(0.1, 0.2, 0.3, 0.4) },
      { name: "person", shape: "polygon", objectHash: "o2", featureHash: "f2", confidence: 1, polygon: { "0": { x: 0.5, y: 0.1 }, "1": { x: 0.9, y: 0.1 }, "2": { x: 0.7, y: 0.8 } } },
    ]),
  },
  {
    label_hash: "lh2",
    data_hash: "g1",
    data_type: "img_group",
    data_units: {
      ...unit("u1", "b.jpg", [{ name: "car", shape: "rotatable_bounding_box", objectHash: "o3", confidence: 1, rotatableBoundingBox: { x: 0.2, y: 0.2, w: 0.4, h: 0.3, theta: 30 } }]),
      ...unit("u2", "c.jpg", []),
    },
  },
];
const PRED_ROWS = [
  { label_hash: "p1", data_units: unit("d1", "a.jpg", [{ name: "car", objectHash: "q1", confidence: 0.8, boundingBox: box(0.12, 0.2, 0.3, 0.4) }]) },
  { label_hash: "p2", data_units: unit("u1", "b.jpg", [{ name: "person", objectHash: "q2", confidence: 0.4, boundingBox: box(0.2, 0.2, 0.4, 0.3) }]) },
];

describe("Encord label rows", () => {
  it("are recognised, and read as the equivalent Encord-style document", () => {
    expect(isLabelRows(ROWS)).toBe(true);
    expect(isLabelRows({ images: [] })).toBe(false);
    const doc = {
      coordinates: "normalized",
      images: [
        { id: "d1", width: 100, height: 50, name: "a.jpg" },
        { id: "u1", width: 100, height: 50, name: "b.jpg" },
        { id: "u2", width: 100, height: 50, name: "c.jpg" },
      ],
      labels: [
        { id: "o1", image: "d1", class: "car", boundingBox: box(0.1, 0.2, 0.3, 0.4) },
        { id: "o2", image: "d1", class: "person", polygon: [{ x: 0.5, y: 0.1 }, { x: 0.9, y: 0.1 }, { x: 0.7, y: 0.8 }] },
        { id: "o3", image: "u1", class: "car", rotatableBoundingBox: { x: 0.2, y: 0.2, w: 0.4, h: 0.3, theta: 30 } },
      ],
      predictions: [
        { id: "q1", image: "d1", class: "car", confidence: 0.8, boundingBox: box(0.12, 0.2, 0.3, 0.4) },
        { id: "q2", image: "u1", class: "person", confidence: 0.4, boundingBox: box(0.2, 0.2, 0.4, 0.3) },
      ],
    };
    expect(parseLabelRows(ROWS, PRED_ROWS)).toEqual(parseEncordJson(doc));
    expect(parseLabelRows(JSON.stringify(ROWS)).labels.length).toBe(3);
  });

  it("what it does not read is a one-line error naming the place", () => {
    const withUnit = (o: unknown) => [{ label_hash: "x", data_units: unit("d9", "z.jpg", [o]) }];
    expect(() => parseLabelRows([{ label_hash: "v", data_type: "video", data_units: {} }])).toThrow("rows[0]: video label rows (labels per frame) are not read; export images or image groups");
    expect(() => parseLabelRows(withUnit({ name: "car", bitmask: { rleString: "x" } }))).toThrow("rows[0].data_units.d9.labels.objects[0]: bitmask objects are not read from label rows yet");
    expect(() => parseLabelRows(withUnit({ name: "car", point: { "0": { x: 1, y: 1 } }, shape: "point" }))).toThrow('rows[0].data_units.d9.labels.objects[0]: no shape this reader takes (boundingBox, rotatableBoundingBox, polygon); shape "point"');
    expect(() => parseLabelRows(ROWS, [{ data_units: unit("d1", "a.jpg", [{ name: "car", boundingBox: box(0, 0, 1, 1) }]) }])).toThrow("predictionRows[0].data_units.d1.labels.objects[0].confidence: expected a number");
    expect(() => parseLabelRows([...ROWS, ROWS[0]])).toThrow('rows[2].data_units.d1: data unit "d1" appears twice');
  });

  it("toCoco: pixel boxes as given, polygons and rotated boxes with their rendered area", () => {
    const engine = new ReferenceGeometry();
    const { dataset, results } = toCoco(engine, parseLabelRows(ROWS, PRED_ROWS));
    expect(dataset.images.map((i) => [i.id, i.file_name, i.source_id])).toEqual([[1, "a.jpg", "d1"], [2, "b.jpg", "u1"], [3, "c.jpg", "u2"]]);
    expect(dataset.categories.map((c) => c.name)).toEqual(["car", "person"]);
    const a0 = dataset.annotations[0]!;
    expect(a0.bbox).toEqual([10, 10, 30, 20]);
    expect(a0.area).toBe(600);
    const a1 = dataset.annotations[1]!;
    expect(a1.segmentation).toEqual([[50, 5, 90, 5, 70, 40]]);
    expect(a1.area).toBe(engine.rleArea(engine.rleFromPolygons([[50, 5, 90, 5, 70, 40]], 50, 100)));
    expect(results.map((r) => [r.image_id, r.category_id, r.score])).toEqual([[1, 1, 0.8], [2, 2, 0.4]]);
  });

  it.skipIf(!existsSync(CLI))("convert writes COCO files that coco evaluates; analyze reads the rows directly", () => {
    const rows = join(tmp, "rows.json");
    const preds = join(tmp, "preds.json");
    writeFileSync(rows, JSON.stringify(ROWS));
    writeFileSync(preds, JSON.stringify(PRED_ROWS));
    const gt = join(tmp, "gt.json");
    const dt = join(tmp, "dt.json");
    const c = spawnSync(process.execPath, [CLI, "convert", "--gt", rows, "--dt", preds, "--out-gt", gt, "--out-dt", dt], { encoding: "utf8" });
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toBe(`wrote ${gt} (3 images, 2 categories, 3 annotations) and ${dt} (2 results)\n`);
    const coco = spawnSync(process.execPath, [CLI, "coco", "--gt", gt, "--dt", dt, "--iou-type", "bbox", "--format", "json"], { encoding: "utf8" });
    expect(coco.status, coco.stderr).toBe(0);
    expect(JSON.parse(coco.stdout).stats).toHaveLength(12);
    expect(JSON.parse(readFileSync(gt, "utf8")).annotations).toHaveLength(3);
    const a = spawnSync(process.execPath, [CLI, "analyze", "--gt", rows, "--dt", preds, "--format", "json"], { encoding: "utf8" });
    expect(a.status, a.stderr).toBe(0);
    const s = JSON.parse(a.stdout);
    expect([s.tp, s.fp, s.fn]).toEqual([1, 1, 2]);
    const again = spawnSync(process.execPath, [CLI, "convert", "--gt", gt, "--out-gt", join(tmp, "x.json")], { encoding: "utf8" });
    expect(again.status).toBe(2);
    expect(again.stderr.split("\n")[0]).toMatch(/--gt: neither Encord label rows nor the Encord-style format/);
  });
});
