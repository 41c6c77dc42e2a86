// Library misuse (a wrong argument, not bad data) is a TypeError that says what was expected and
// what came, not a bare "cannot read properties of undefined".
import { describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { tide } from "../../bindings/errors/tide.js";
import { lrp } from "../../bindings/errors/lrp.js";

const engine = await createEngine();
const raw = { images: [{ id: 1, width: 10, height: 10 }], categories: [{ id: 1, name: "a" }], annotations: [] };
const ds = parseCocoDataset(raw);
const dt = parseCocoResults([], ds);

describe("library misuse", () => {
  it("names the argument, what it must be and what it got", () => {
    expect(() => parseCocoResults([], raw as never)).toThrow(new TypeError("parseCocoResults: the second argument must be the dataset parseCocoDataset() returned, got a plain object"));
    expect(() => evaluateCoco(engine, raw as never, [] as never, { iouType: "bbox" })).toThrow("evaluateCoco: the second argument must be a parsed dataset (parseCocoDataset), got a plain object");
    expect(() => evaluateCoco(engine, ds, ds as never, { iouType: "bbox" })).toThrow("evaluateCoco: the third argument must be parsed results (parseCocoResults), got a parsed dataset (CocoDataset)");
    expect(() => evaluateCoco(undefined as never, ds, dt, { iouType: "bbox" })).toThrow("evaluateCoco: the first argument must be an engine (createEngine() or ReferenceGeometry), got undefined");
    expect(() => evaluateCoco(engine, ds, dt, undefined as never)).toThrow('evaluateCoco: the fourth argument must be the params, e.g. { iouType: "bbox" }, got undefined');
    expect(() => analyze(engine, raw as never)).toThrow("analyze: the second argument must be an analysis input");
    expect(() => tide(dt as never, ds as never, engine)).toThrow("tide: the first argument must be a parsed dataset (parseCocoDataset), got parsed results (CocoResults)");
    expect(() => lrp([] as never, dt)).toThrow("lrp: the first argument must be an evaluation (evaluateCoco's result), got an array");
  });
});

describe("ids beyond 2^53", () => {
  it("warn: JSON.parse rounds them, so outputs would show them altered", () => {
    const text = '{"images":[{"id":1,"width":10,"height":10},{"id":12345678901234567891,"width":10,"height":10}],"categories":[{"id":1,"name":"a"}],"annotations":[{"id":98765432109876543210,"image_id":1,"category_id":1,"bbox":[0,0,2,2],"area":4,"iscrowd":0}]}';
    const w = parseCocoDataset(text).warnings.join("\n");
    expect(w).toContain("images: 1 ids are integers beyond 2^53 (first images[1].id, read as 12345678901234567000)");
    expect(w).toContain("annotations: 1 ids are integers beyond 2^53 (first annotations[0].id");
    expect(parseCocoDataset(raw).warnings).toEqual([]);
  });
});
