// COCO evaluation of rotated boxes (--iou-type rotated): pycocotools' evaluate / accumulate /
// summarize over the exact rotated IoU, against pycocotools 2.0.11 run with its computeIoU replaced
// by shapely's polygon IoU (test/fixtures/rotated_iou/SOURCE.md), through both readers and both engines.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { CocoInputError } from "../../bindings/coco/errors.js";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const DIR = `${LOCAL_FIXTURES}rotated_iou/`;
const expected: { useCats: number[]; noCats: number[] } = JSON.parse(readFileSync(`${DIR}coco-expected.json`, "utf8"));
let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

const close = (got: readonly number[], want: readonly number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]!), `stats[${i}]: ${v} vs ${want[i]}`).toBeLessThanOrEqual(1e-12));
};

describe("iouType rotated", () => {
  it("equals pycocotools over the exact IoU (in-memory readers, wasm and reference engines, useCats 0 and 1)", () => {
    const gt = parseCocoDataset(readFileSync(`${DIR}coco-gt.json`, "utf8"));
    const dt = parseCocoResults(readFileSync(`${DIR}coco-dt.json`, "utf8"), gt);
    for (const eng of [engine, new ReferenceGeometry()]) {
      close(evaluateCoco(eng, gt, dt, { iouType: "rotated" }).stats, expected.useCats);
      close(evaluateCoco(eng, gt, dt, { iouType: "rotated", useCats: false }).stats, expected.noCats);
    }
    // (the rotated IoU really decides: the same files as axis-aligned boxes score otherwise)
    expect(evaluateCoco(engine, gt, dt, { iouType: "bbox" }).stats[0]).not.toBeCloseTo(expected.useCats[0]!, 3);
  });
  it("reads rbox through the streaming reader too", async () => {
    const { gt, dt } = await loadCocoInputs(`${DIR}coco-gt.json`, `${DIR}coco-dt.json`, { module: engine.module });
    close(evaluateCoco(engine, gt, dt, { iouType: "rotated" }).stats, expected.useCats);
  });

  const image = { id: 1, width: 100, height: 100 };
  const category = { id: 1, name: "a" };
  const ann = (extra: Record<string, unknown>) => ({ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0, ...extra });
  const res = (extra: Record<string, unknown>) => ({ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5, ...extra });
  const run = (a: Record<string, unknown>, r: Record<string, unknown>) => {
    const gt = parseCocoDataset({ images: [image], categories: [category], annotations: [ann(a)] });
    return evaluateCoco(engine, gt, parseCocoResults([res(r)], gt), { iouType: "rotated" });
  };
  it("names a missing or malformed rbox", () => {
    const bad = (a: Record<string, unknown>, r: Record<string, unknown>, message: string) => expect(() => run(a, r)).toThrow(new CocoInputError("", "", message));
    bad({}, { rbox: [5, 5, 10, 10, 0] }, "annotations[0].rbox: missing (needed for rotated evaluation)");
    bad({ rbox: [5, 5, 10, 10, 0] }, {}, "results[0].rbox: missing (needed for rotated evaluation)");
    bad({ rbox: [5, 5, 10, 10] }, { rbox: [5, 5, 10, 10, 0] }, "annotations[0].rbox: expected [cx, cy, w, h, angle]: 5 finite numbers, w and h >= 0, got an array of 4");
    bad({ rbox: [5, 5, 10, 10, 0] }, { rbox: [5, 5, -1, 10, 0] }, "results[0].rbox: expected [cx, cy, w, h, angle]: 5 finite numbers, w and h >= 0, got an array of 5");
    expect(() => run({ rbox: [5, Number.NaN, 10, 10, 0] }, { rbox: [5, 5, 10, 10, 0] })).toThrow(/^annotations\[0\]\.rbox: expected \[cx, cy, w, h, angle\]/);
  });
  it("a zero-size rbox overlaps nothing (IoU 0), and a perfect one matches", () => {
    expect(run({ rbox: [5, 5, 10, 10, 30] }, { rbox: [5, 5, 0, 10, 30] }).stats[0]).toBe(0);
    // a perfect match scores as the same boxes do in bbox evaluation (pycocotools' sums: 0.9999999999999998)
    const gt = parseCocoDataset({ images: [image], categories: [category], annotations: [ann({})] });
    const perfect = evaluateCoco(engine, gt, parseCocoResults([res({})], gt), { iouType: "bbox" }).stats;
    expect(run({ rbox: [5, 5, 10, 10, 30] }, { rbox: [5, 5, 10, 10, 390] }).stats).toEqual(perfect);
  });
});
