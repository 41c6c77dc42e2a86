// Segm evaluation of bbox results without segmentations (loadRes rasterises each box): the box masks
// come from the columns. A streamed parse rebuilds `raw` element by element, so the mask checks and
// jobs must not read it when no result has a segmentation key: here `raw` throws on any read, and the
// numbers equal those of the in-memory parse (whose raw holds the objects).
import { describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import type { CocoResults } from "../../bindings/coco/inputs.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { generateCocoSet } from "../../bindings/synth/generate.js";

const engine = await createEngine();

describe("segm evaluation of bbox results", () => {
  it("reads no result's raw object when none has a segmentation", () => {
    const set = generateCocoSet(engine, { seed: 5, images: 40 });
    const gt = parseCocoDataset(set.gt);
    const dt = parseCocoResults(set.dtBbox, gt);
    expect(dt.withSegmentation).toBe(0);
    const want = evaluateCoco(engine, gt, dt, { iouType: "segm" }).stats;
    const noRaw = new Proxy([] as CocoResults["raw"], {
      get(target, key) {
        if (typeof key === "string" && /^\d+$/.test(key)) throw new Error(`raw[${key}] read`);
        return Reflect.get(target, key);
      },
    });
    const blind: CocoResults = { ...parseCocoResults(set.dtBbox, gt), raw: noRaw };
    const got = evaluateCoco(engine, gt, blind, { iouType: "segm" }).stats;
    expect(got).toEqual(want);
    expect(want[0]).toBeGreaterThan(0);
  });
});
