// summarize()'s means in the engine (assembly/summarize.ts gatherMean, via kernel-host.ts
// runGatherMeans) against the TypeScript twin (summarize.ts gatherMean), bit for bit: random arrays
// with -1 cells, random gathers (several thresholds, strides, pairs; runs shorter than 8, within 128
// and split in halves above it), and numpy 2.4.6's own means (test/fixtures/numpy_sums.json). Then
// summarize() / perCategory() with and without the kernels on random evaluations.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { engineKernels, type Kernels } from "../../bindings/engine/host.js";
import { type Gather, runGatherMeans } from "../../bindings/coco/kernel-host.js";
import { gatherMean, perCategory, summarize } from "../../bindings/coco/summarize.js";
import { Rng } from "../../bindings/synth/generate.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import type { Accumulated } from "../../bindings/coco/types.js";
import type { JsonInput } from "../../bindings/coco/inputs.js";

let k: Kernels;
beforeAll(async () => {
  k = engineKernels(await createEngine())!;
});

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

describe("gatherMean: engine = TypeScript", () => {
  it("on random arrays and gathers", () => {
    const rng = new Rng(20261207);
    for (let trial = 0; trial < 300; trial++) {
      const nt = 1 + rng.int(4);
      const n = [0, 1, 5, 8, 9, 64, 127, 128, 129, 300, 1500][rng.int(11)]!;
      const np = 1 + rng.int(3);
      const stride = np + rng.int(3);
      const tOff = Array.from({ length: nt }, (_, t) => t * n * stride);
      const pairOff = Array.from({ length: np }, () => rng.int(stride));
      const size = nt * n * stride + stride;
      const holes = rng.float();
      const values = Float64Array.from({ length: size }, () => (rng.float() < holes ? -1 : rng.float() < 0.1 ? 0 : rng.float()));
      const recall = Float64Array.from({ length: 7 }, () => rng.float());
      const g: Gather = { src: "precision", tOff, n, stride, pairOff };
      const [wasm] = runGatherMeans(k, values, recall, [g]);
      expect(Object.is(wasm, gatherMean(values, g)), `trial ${trial}: ${wasm} vs ${gatherMean(values, g)}`).toBe(true);
    }
  });

  it("as numpy 2.4.6 computes np.mean (pairwise summation)", () => {
    const { cases } = JSON.parse(readFileSync(join(FIXTURES, "numpy_sums.json"), "utf8")) as { cases: { n: number; mean: number }[] };
    for (const { n, mean } of cases) {
      const a = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 10007) / 997);
      const g: Gather = { src: "recall", tOff: [0], n, stride: 1, pairOff: [0] };
      expect(runGatherMeans(k, new Float64Array(1), a, [g])[0], `n = ${n}`).toBe(mean);
    }
  });

  it("-1 when no entry is above -1, and reads the array it names", () => {
    const minus = new Float64Array(10).fill(-1);
    const ones = new Float64Array(10).fill(1);
    const g = (src: "precision" | "recall"): Gather => ({ src, tOff: [0], n: 10, stride: 1, pairOff: [0] });
    expect(runGatherMeans(k, minus, ones, [g("precision"), g("recall")])).toEqual([-1, 1]);
  });
});

/** A random dataset and results (boxes), as plain JSON. */
function randomSet(rng: Rng): { gt: JsonInput; dt: JsonInput } {
  const images = Array.from({ length: 4 + rng.int(8) }, (_, i) => ({ id: i + 1, width: 100, height: 100 }));
  const categories = Array.from({ length: 1 + rng.int(6) }, (_, i) => ({ id: i + 1, name: `c${i + 1}` }));
  const box = () => [rng.range(0, 60), rng.range(0, 60), rng.range(2, 40), rng.range(2, 40)];
  const annotations = Array.from({ length: rng.int(60) }, (_, i) => {
    const b = box();
    return { id: i + 1, image_id: 1 + rng.int(images.length), category_id: 1 + rng.int(categories.length), bbox: b, area: b[2]! * b[3]! * rng.range(0.5, 1.5), iscrowd: rng.float() < 0.05 ? 1 : 0 };
  });
  // half of the detections near a label (true positives at some thresholds), half anywhere
  const near = annotations.map((a) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox.map((v) => v + rng.range(-3, 3)), score: rng.int(20) / 20 }));
  const dt = [...near.filter(() => rng.float() < 0.7), ...Array.from({ length: rng.int(60) }, () => ({ image_id: 1 + rng.int(images.length), category_id: 1 + rng.int(categories.length), bbox: box(), score: rng.int(20) / 20 }))];
  return { gt: { images, categories, annotations }, dt };
}

describe("summarize / perCategory: with the engine's kernels = without", () => {
  it("on random evaluations (and both = the evaluation's own stats)", async () => {
    const engine = await createEngine();
    const rng = new Rng(7);
    let nonTrivial = 0;
    for (let trial = 0; trial < 40; trial++) {
      const { gt, dt } = randomSet(rng);
      const ds = parseCocoDataset(gt);
      const ev = evaluateCoco(engine, ds, parseCocoResults(dt, ds), { iouType: "bbox", ...(trial % 3 === 0 ? { maxDets: [1, 3, 5, 10] } : {}) }, { kernels: "reference" });
      const p = ev.params;
      // the evaluation's arrays, every K index stored
      const K = ev.precisionShape[2];
      const acc: Accumulated = { precisionShape: ev.precisionShape, recallShape: ev.recallShape, kIndex: Int32Array.from({ length: K }, (_, i) => i), precision: ev.precision, recall: ev.recall, scores: ev.scores };
      const plain = summarize(acc, p);
      const inEngine = summarize(acc, p, k);
      expect(inEngine.map((v, i) => Object.is(v, plain[i])), `trial ${trial}`).toEqual(plain.map(() => true));
      expect(plain).toEqual(ev.stats);
      if (plain.some((v) => v > 0)) nonTrivial++;
      expect(perCategory(acc, p, p.catIds, String, k)).toEqual(perCategory(acc, p, p.catIds, String));
    }
    expect(nonTrivial).toBeGreaterThan(20);
  });
});
