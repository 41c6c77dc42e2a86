// analyze()'s per-image pass split by image (analysis/analyze.ts analyzeShared: contiguous shares,
// merged in image order): the prepared arrays are those of analyze() bit for bit, for any number of
// shares, on random inputs (boxes, rotated boxes, polygons and RLE masks, crowd labels, both
// candidate modes, box IoU); the first problem is analyze()'s; and through real worker threads
// (cli/analyze-threads.ts) the same.
import { describe, expect, it } from "vitest";
import { analyze, analyzeShared, imagePass, type ImagePassRunner } from "../../bindings/analysis/analyze.js";
import type { Analysis } from "../../bindings/analysis/analysis.js";
import type { AnalysisInput, ObjectInput } from "../../bindings/analysis/types.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { AnalyzeWorkerPool } from "../../bindings/cli/analyze-threads.js";
import { randomInput, rng } from "../helpers/analysis.js";

const engine = await createEngine();

/** In-process runners (the pass on this thread, asynchronously, as a worker would reply). */
const runners = (n: number): ImagePassRunner[] =>
  Array.from({ length: n }, () => (share, config, pIndex, lIndex) => new Promise((resolve, reject) => setTimeout(() => {
    try {
      resolve(imagePass(engine, structuredClone(share), config, pIndex, lIndex));
    } catch (e) {
      reject(e);
    }
  })));

/** Every prepared array and value, NaN and -0 kept apart (bit for bit). */
function bits(a: Analysis): string {
  return JSON.stringify(a.p, (k, v: unknown) => {
    if (k === "timings") return undefined;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
    if (typeof v === "number" && (Number.isNaN(v) || Object.is(v, -0) || !Number.isFinite(v))) return String(v) + (Object.is(v, -0) ? "-0" : "");
    return v;
  });
}

/** Some shapes of a random input turned into RLE strings (the engine's masks of them). */
function withMasks(input: AnalysisInput, seed: number): AnalysisInput {
  const r = rng(seed);
  const toRle = (o: ObjectInput): ObjectInput => {
    if (o.shape.kind !== "polygon" || r() < 0.5) return o;
    const im = input.images[o.image]!;
    const rle = engine.rleFromPolygons(o.shape.parts, im.height, im.width);
    return { ...o, shape: { kind: "rleString", counts: engine.rleToString(rle) } };
  };
  return { ...input, labels: input.labels.map(toRle), predictions: input.predictions.map(toRle) };
}

/** withMasks, and more polygons as polylines and as decoded RLE masks (every shape kind a worker is posted). */
function withAllKinds(input: AnalysisInput, seed: number): AnalysisInput {
  const r = rng(seed + 77);
  const more = (o: ObjectInput): ObjectInput => {
    if (o.shape.kind !== "polygon") return o;
    const im = input.images[o.image]!;
    const k = r();
    if (k < 0.3) return { ...o, shape: { kind: "polyline", points: o.shape.parts[0]! } };
    if (k < 0.6) return { ...o, shape: { kind: "rle", rle: engine.rleFromPolygons(o.shape.parts, im.height, im.width) } };
    return o;
  };
  const m = withMasks(input, seed);
  return { ...m, labels: m.labels.map(more), predictions: m.predictions.map(more) };
}

describe("analyzeShared", () => {
  it("is analyze() bit for bit for 1, 2, 3 and 7 shares on random inputs", async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const input = withMasks(randomInput(seed, { images: 1 + (seed % 9) }), seed);
      for (const options of [{}, { candidates: "any-class" as const }, ...(seed % 4 === 0 ? [{ rotatedIou: "mask" as const }] : [])]) {
        const want = bits(analyze(engine, input, options));
        for (const n of [0, 1, 2, 6]) expect(bits(await analyzeShared(engine, input, options, runners(n))), `seed ${seed}, ${n + 1} shares`).toBe(want);
      }
      const boxes = randomInput(seed + 1000, { boxesOnly: true, images: 5 });
      const want = bits(analyze(engine, boxes, { iou: "box" }));
      expect(bits(await analyzeShared(engine, boxes, { iou: "box" }, runners(2)))).toBe(want);
    }
  });

  it("the first problem is analyze()'s, with the object's index in the whole input", async () => {
    const input = randomInput(7, { images: 6 });
    // a bad polygon in a late image and a bad RLE string in an earlier one: the earlier image's comes first
    const late = input.labels.map((o) => o.image).lastIndexOf(5);
    const early = input.predictions.findIndex((o) => o.image === 3);
    expect(late).toBeGreaterThan(0);
    expect(early).toBeGreaterThan(0);
    const labels = input.labels.map((o, i) => (i === late ? { ...o, shape: { kind: "polygon" as const, parts: [[1, 2, Number.NaN, 4, 5, 6]] } } : o));
    const predictions = input.predictions.map((o, i) => (i === early ? { ...o, shape: { kind: "rleString" as const, counts: "!!" } } : o));
    const bad = { ...input, labels, predictions };
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      return "no error";
    };
    const want = message(() => analyze(engine, bad));
    expect(want).toContain(`predictions[${early}]`);
    for (const n of [1, 2, 5]) await expect(analyzeShared(engine, bad, {}, runners(n)).then(() => "no error", (e: Error) => `${e.name}: ${e.message}`)).resolves.toBe(want);
  });

  it("on worker threads: the same Analysis, and the same input errors", async () => {
    const pool = new AnalyzeWorkerPool(engine.module, 2);
    try {
      for (const seed of [3, 11, 12]) {
        const input = withAllKinds(randomInput(seed, { images: 8 }), seed);
        expect(bits(await analyzeShared(engine, input, {}, pool.runners))).toBe(bits(analyze(engine, input)));
      }
      const input = randomInput(5, { images: 4 });
      const i = input.labels.findIndex((o) => o.image === 0);
      const bad = { ...input, labels: input.labels.map((o, j) => (j === i ? { ...o, shape: { kind: "rleString" as const, counts: "!!" } } : o)) };
      const err = await analyzeShared(engine, bad, {}, pool.runners).then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      let want: Error | null = null;
      try {
        analyze(engine, bad);
      } catch (e) {
        want = e as Error;
      }
      expect(err!.constructor).toBe(want!.constructor);
      expect(err!.message).toBe(want!.message);
    } finally {
      await pool.close();
    }
  });
});
