// Parameters and sizes past 32 bits: maxDets of 2^31 and more mean "every detection" (as any maxDets
// above the detection count does in pycocotools), never a wrapped int32.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const DIR = join(LOCAL_FIXTURES, "synth_small");

function bits(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe("maxDets beyond int32", () => {
  it("maxDets of 2^31 - 1, 2^31, 2^32, 2^32 + 1, 2^53 and 1e300 give the numbers of maxDets 1e6 (wasm and TypeScript)", async () => {
    const engine = await createEngine();
    const run = async (maxDet: number, kernels: "auto" | "reference") => {
      const { gt, dt } = await loadCocoInputs(join(DIR, "gt.json.gz"), join(DIR, "dt_bbox.json.gz"));
      return evaluateCoco(engine, gt, dt, { iouType: "bbox", maxDets: [1, 10, maxDet] }, { kernels });
    };
    const want = await run(1e6, "reference");
    expect(want.stats[1]).toBeGreaterThan(0);
    for (const maxDet of [2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53, 1e300]) {
      for (const kernels of ["auto", "reference"] as const) {
        const ev = await run(maxDet, kernels);
        const what = `maxDets ${maxDet} (${kernels})`;
        expect(ev.stats, what).toEqual(want.stats);
        expect(bits(ev.precision).equals(bits(want.precision)), `${what} precision`).toBe(true);
        expect(bits(ev.recall).equals(bits(want.recall)), `${what} recall`).toBe(true);
        expect(bits(ev.scores).equals(bits(want.scores)), `${what} scores`).toBe(true);
        expect(ev.params.maxDets).toEqual([1, 10, maxDet]); // reported as given
      }
    }
  });
});
