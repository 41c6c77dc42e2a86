// iscrowd other than 0 / 1, as pycocotools 2.0.11 reads it: a truthy value ignores the label, but
// its IoU is a crowd region's (and it may match again) only when int(iscrowd) != 0. So 0.5 is an
// ignored label with a normal IoU, 1.5 a crowd region. Negative values crash pycocotools (uint8):
// refused. Expected stats: pycocotools 2.0.11 + numpy 2.4.6 on exactly these inputs (run here).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";

const engine = await createEngine();
const box = (id: number, b: number[], iscrowd: number) => ({ id, image_id: 1, category_id: 1, bbox: b, area: b[2]! * b[3]!, iscrowd });
const GT = (c2: number, c3: number) => ({
  images: [{ id: 1, width: 100, height: 100 }],
  categories: [{ id: 1, name: "a" }],
  annotations: [box(1, [10, 10, 20, 20], 0), box(2, [50, 50, 20, 20], c2), box(3, [0, 60, 30, 30], c3)],
});
const DT = [
  { image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: 0.9 },
  { image_id: 1, category_id: 1, bbox: [52, 52, 20, 20], score: 0.8 },
  { image_id: 1, category_id: 1, bbox: [5, 65, 10, 10], score: 0.7 },
  { image_id: 1, category_id: 1, bbox: [80, 0, 10, 10], score: 0.95 },
];
// pycocotools 2.0.11 (COCOeval bbox, default params) on GT(0.5, 1.5) and DT
const PYCOCOTOOLS = [0.5, 0.5, 0.5, 0.5, -1, -1, 0, 1, 1, 1, -1, -1];

const dir = mkdtempSync(join(tmpdir(), "de-crowd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("iscrowd values other than 0 and 1", () => {
  it("0.5: ignored with a normal IoU; 1.5: a crowd region — pycocotools' stats, in memory and streamed", async () => {
    const ds = parseCocoDataset(GT(0.5, 1.5));
    const ev = evaluateCoco(engine, ds, parseCocoResults(DT, ds), { iouType: "bbox" });
    expect(ev.stats).toEqual(PYCOCOTOOLS);
    expect(ds.warnings.join("\n")).toMatch(/2 annotations have an iscrowd other than 0 or 1 \(first at annotations\[1\]\.iscrowd\)/);
    writeFileSync(join(dir, "gt.json"), JSON.stringify(GT(0.5, 1.5)));
    writeFileSync(join(dir, "dt.json"), JSON.stringify(DT));
    const streamed = await loadCocoInputs(join(dir, "gt.json"), join(dir, "dt.json"));
    expect(evaluateCoco(engine, streamed.gt, streamed.dt, { iouType: "bbox" }).stats).toEqual(PYCOCOTOOLS);
    // on the TypeScript backend too
    expect(evaluateCoco(engine, ds, parseCocoResults(DT, ds), { iouType: "bbox" }, { kernels: "reference" }).stats).toEqual(PYCOCOTOOLS);
  });

  it("a negative iscrowd (pycocotools: OverflowError) is one line", () => {
    expect(() => parseCocoDataset(GT(0, -1))).toThrow("annotations[2].iscrowd: expected 0 or 1, got -1 (pycocotools cannot evaluate it: iscrowd goes to a uint8)");
  });
});
