// The bootstrap's generator and interval arithmetic (bindings/coco/resample.ts).
import { describe, expect, it } from "vitest";
import { drawWeights, interval, rng, xoshiro128ss } from "../../bindings/coco/resample.js";

describe("resampling", () => {
  // the expected outputs: the reference C code of xoshiro128** (prng.di.unimi.it), compiled and run with state {1, 2, 3, 4}
  it("xoshiro128** gives the reference implementation's outputs (state 1, 2, 3, 4)", () => {
    const next = xoshiro128ss(1, 2, 3, 4);
    expect(Array.from({ length: 8 }, next)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
    const u = rng(42);
    const xs = Array.from({ length: 20000 }, u);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 0.5)).toBeLessThan(0.01);
  });


  it("draws: as many as the pool, only from the pool", () => {
    const w = new Float64Array(10);
    const next = rng(3);
    const pool = Int32Array.from([1, 4, 7]);
    for (let r = 0; r < 50; r++) {
      drawWeights(next, pool, w);
      expect(w.reduce((a, b) => a + b, 0)).toBe(3);
      w.forEach((v, i) => v > 0 && expect([1, 4, 7]).toContain(i));
    }
  });

  it("intervals are numpy's linear percentiles, NaN left out", () => {
    // numpy.quantile([1, 2, 3, 4, 10], [0.025, 0.975]) = [1.1, 9.4]; np.std(ddof=1) = 3.5355339059327378
    const x = interval(3, Float64Array.from([4, 1, Number.NaN, 10, 2, 3]), 0.95);
    expect(x.estimate).toBe(3);
    expect(x.lo).toBeCloseTo(1.1, 14);
    expect(x.hi).toBeCloseTo(9.4, 14);
    expect(x.se).toBeCloseTo(3.5355339059327378, 14);
    expect(interval(0, new Float64Array(0), 0.9).lo).toBeNaN();
  });
});
