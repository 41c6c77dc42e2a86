// Crowd flags may be a Uint8Array, a plain array of 0 / 1 / booleans, or null, in both geometry
// engines; anything else is a GeometryInputError naming the flag.
import { describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import type { GeometryEngine } from "../../bindings/geometry/types.js";

describe("crowd flags", async () => {
  const engines: [string, GeometryEngine][] = [["wasm", await createEngine()], ["reference", new ReferenceGeometry()]];
  for (const [name, e] of engines) {
    it(`${name}: plain arrays give the Uint8Array's numbers; bad flags are named`, () => {
      const dt = Float64Array.of(0, 0, 10, 10, 5, 5, 10, 10);
      const gt = Float64Array.of(0, 0, 20, 20, 5, 5, 10, 10);
      const want = e.boxIou(dt, gt, Uint8Array.of(1, 0));
      expect(want[0]).toBe(1); // crowd: intersection / detection area
      expect(e.boxIou(dt, gt, [1, 0])).toEqual(want);
      expect(e.boxIou(dt, gt, [true, false])).toEqual(want);
      expect(e.boxIou(dt, gt, null)).toEqual(e.boxIou(dt, gt, [0, 0]));
      const a = e.rleFromBox([0, 0, 4, 4], 8, 8);
      const b = e.rleFromBox([2, 2, 4, 4], 8, 8);
      expect(e.maskIou([a], [b], [1])).toEqual(e.maskIou([a], [b], Uint8Array.of(1)));
      expect(() => e.boxIou(dt, gt, [1, 2])).toThrow("boxIou: crowd[1] must be 0, 1, true or false, got 2");
      expect(() => e.maskIou([a], [b], [1, 0])).toThrow("maskIou: crowd has 2 flags for 1 ground truth objects");
      expect(() => e.boxIou(dt, gt, "1" as never)).toThrow("boxIou: crowd must be a Uint8Array, an array of 0 / 1 / booleans, or null");
    });
  }
});
