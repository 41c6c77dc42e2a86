// The cost of an evaluation follows the categories that have labels, not the size of the taxonomy:
// accumulate stores the slices of those categories only (the others are -1 throughout), and
// pycocotools' arrays are made from them on first access, with the same numbers.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { manyCategorySet } from "../../bench/categories.js";
import { evaluateCoco, prepareCoco } from "../../bindings/coco/evaluate.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { expandK } from "../../bindings/coco/accumulated.js";

function bits(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe("many categories, few present", () => {
  it("accumulate stores the labelled categories alone (wasm and TypeScript backends)", async () => {
    const engine = await createEngine();
    const set = manyCategorySet({ categories: 5000, images: 20, labels: 3, dets: 6, seed: 3 });
    const gt = parseCocoDataset(set.gt as never);
    const dt = parseCocoResults(set.dt as never, gt);
    const labelled = [...new Set((set.gt as { annotations: { category_id: number }[] }).annotations.map((a) => a.category_id - 1))].sort((a, b) => a - b);
    for (const kernels of ["auto", "reference"] as const) {
      const prep = prepareCoco(engine, gt, dt, { iouType: "bbox" }, { kernels });
      expect(prep.backend.name).toBe(kernels === "auto" ? "wasm" : "typescript");
      const acc = prep.backend.match(prep).accumulate();
      expect([...acc.kIndex], kernels).toEqual(labelled);
      const [T, R, K, A, M] = acc.precisionShape;
      expect(K).toBe(5000);
      expect(acc.precision.length).toBe(T * R * labelled.length * A * M);
      expect(acc.scores.length).toBe(T * R * labelled.length * A * M);
      expect(acc.recall.length).toBe(T * labelled.length * A * M);
    }
  });

  it("the numbers of the same evaluation on the labelled categories alone (the arrays -1 elsewhere)", async () => {
    const engine = await createEngine();
    const set = manyCategorySet({ categories: 1000, images: 20, labels: 3, dets: 6, seed: 3 });
    const labelledIds = [...new Set((set.gt as { annotations: { category_id: number }[] }).annotations.map((a) => a.category_id))].sort((a, b) => a - b);
    for (const kernels of ["auto", "reference"] as const) {
      const g1 = parseCocoDataset(set.gt as never);
      const all = evaluateCoco(engine, g1, parseCocoResults(set.dt as never, g1), { iouType: "bbox" }, { kernels });
      const g2 = parseCocoDataset(set.gt as never);
      const few = evaluateCoco(engine, g2, parseCocoResults(set.dt as never, g2), { iouType: "bbox", catIds: labelledIds }, { kernels });
      expect(all.stats, kernels).toEqual(few.stats);
      expect(all.summary()).toBe(few.summary());
      const [T, R, K, A, M] = all.precisionShape;
      const kIndex = Int32Array.from(labelledIds, (id) => id - 1);
      expect(bits(all.precision).equals(bits(expandK(few.precision, T * R, kIndex, K, A * M))), `${kernels} precision`).toBe(true);
      expect(bits(all.scores).equals(bits(expandK(few.scores, T * R, kIndex, K, A * M))), `${kernels} scores`).toBe(true);
      expect(bits(all.recall).equals(bits(expandK(few.recall, T, kIndex, K, A * M))), `${kernels} recall`).toBe(true);
      // an independent check of the -1 slices: every category without labels
      const labelled = new Uint8Array(K);
      for (const id of labelledIds) labelled[id - 1] = 1;
      let bad = 0;
      for (let i = 0; i < all.precision.length; i++) if (!labelled[Math.floor(i / (A * M)) % K] && all.precision[i] !== -1) bad++;
      expect(bad).toBe(0);
      const byId = new Map(few.perCategory().map((c) => [c.categoryId, c]));
      for (const c of all.perCategory()) expect(c).toEqual(byId.get(c.categoryId) ?? { categoryId: c.categoryId, name: `c${c.categoryId}`, ap: -1, ap50: -1, ap75: -1, ar100: -1 });
    }
  });

  it("20,000 categories on 100 images: memory follows the labelled categories (a child's peak RSS, coarse)", () => {
    const child = new URL("../helpers/categories-child.ts", import.meta.url).pathname;
    const r = spawnSync(process.execPath, ["--import", "tsx", child, "20000"], { encoding: "utf8", timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { stats: number[]; withAp: number; maxRss: number };
    expect(got.withAp).toBeGreaterThan(500);
    expect(got.stats[0]).toBeGreaterThan(0);
    // precision and scores of all 20,000 categories alone are 3.9 GB (and were held twice)
    expect(got.maxRss).toBeLessThan(1024 * 2 ** 20);
  }, 300_000);
});
