// Segm evaluation leaves polygon labels out of every detection's reach unrasterised
// (bindings/coco/evaluate.ts labelsInReach, masks.ts polygonReaches): the evaluation must equal the
// per-object TypeScript reference anyway, on random sets built for the edge cases of that shortcut:
// polygons past the image's edges and reaching its bottom row (runs that cross a column), several
// parts, crowds, detections whose masks have another size (C's IoU -1 when the boxes overlap) and an
// IoU threshold of 0 (where IoU 0 matches and -1 does not).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateCoco, labelsInReach, labelsWithDetections, prepareCoco, type CocoEvaluation } from "../bindings/coco/evaluate.js";
import { maskKernels, polygonReaches, resultsPoolFor } from "../bindings/coco/masks.js";
import { createEngine, type Engine } from "../bindings/engine.js";
import { streamCocoDataset, streamCocoResults } from "../bindings/io/stream-load.js";
import { ReferenceGeometry } from "../bindings/reference/geometry.js";
import { Rng } from "../bench/synth.js";

let engine: Engine;
let dir = "";
beforeAll(async () => {
  engine = await createEngine();
  dir = mkdtempSync(join(tmpdir(), "de-reach-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 40, H = 30;

/** A random polygon of 3-8 points around (cx, cy), radius up to r (may leave the image). */
function polygon(rng: Rng, cx: number, cy: number, r: number): number[] {
  const k = 3 + rng.int(6);
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const a = (2 * Math.PI * (i + rng.float() * 0.8)) / k;
    const d = r * (0.3 + rng.float());
    out.push(Math.round((cx + d * Math.cos(a)) * 4) / 4, Math.round((cy + d * Math.sin(a)) * 4) / 4);
  }
  return out;
}

function randomSet(seed: number) {
  const rng = new Rng(seed);
  const images = [1, 2, 3].map((id) => ({ id, width: W, height: H }));
  const categories = [{ id: 1, name: "a" }, { id: 2, name: "b" }];
  const annotations: Record<string, unknown>[] = [];
  const results: Record<string, unknown>[] = [];
  const centre = (): [number, number] => {
    const edge = rng.float();
    // a third near the bottom row, some past the right or left edge
    return [edge < 0.15 ? W + rng.float() * 3 - 1 : edge < 0.25 ? rng.float() * 3 - 2 : rng.float() * W, edge > 0.66 ? H - 2 + rng.float() * 4 : rng.float() * H];
  };
  let id = 1;
  for (const img of images) {
    const labels: [number, number, number][] = [];
    for (let j = 0, n = 1 + rng.int(8); j < n; j++) {
      const [cx, cy] = centre();
      const r = 1 + rng.float() * 8;
      labels.push([cx, cy, r]);
      const parts = [polygon(rng, cx, cy, r)];
      if (rng.float() < 0.2) parts.push(polygon(rng, cx + r, cy - r, r / 2));
      annotations.push({ id: id++, image_id: img.id, category_id: 1 + rng.int(2), segmentation: parts, area: 50 + rng.int(400), bbox: [0, 0, 1, 1], iscrowd: rng.float() < 0.15 ? 1 : 0 });
    }
    for (let j = 0, n = rng.int(10); j < n; j++) {
      // near a label (jittered) or anywhere; some masks of another size
      const near = labels[rng.int(labels.length)]!;
      const [cx, cy, r] = rng.float() < 0.6 ? [near[0] + rng.float() * 4 - 2, near[1] + rng.float() * 4 - 2, near[2]] : [...centre(), 1 + rng.float() * 6];
      const [h, w] = rng.float() < 0.15 ? [H + 5, W] : [H, W];
      const rle = engine.rleFromPolygons([polygon(rng, cx, cy, r)], h, w);
      results.push({ image_id: img.id, category_id: 1 + rng.int(2), segmentation: { size: [h, w], counts: engine.rleToString(rle) }, score: Math.round(rng.float() * 20) / 20 });
    }
  }
  return { gt: { images, categories, annotations }, results };
}

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length, `${what} length`).toBe(b.length);
  const bad = a.findIndex((v, i) => !Object.is(v, b[i]));
  expect(bad, bad >= 0 ? `${what} differs at ${bad}: ${a[bad]} vs ${b[bad]}` : "").toBe(-1);
}

function compare(fast: CocoEvaluation, ref: CocoEvaluation): void {
  sameBits(fast.precision, ref.precision, "precision");
  sameBits(fast.recall, ref.recall, "recall");
  sameBits(fast.scores, ref.scores, "scores");
  expect(fast.stats).toEqual(ref.stats);
}

describe("segm: labels out of every detection's reach", () => {
  it("polygonReaches holds each rasterised polygon's C box (rleToBbox), tall and clipped ones included", async () => {
    const rng = new Rng(99);
    const annotations: Record<string, unknown>[] = [];
    const parts: number[][][] = [];
    for (let i = 0; i < 3000; i++) {
      // small to full-height, some past every edge; a few with a second part
      const r = [2, 6, 14, 20, 40][rng.int(5)]! * (0.5 + rng.float());
      const p = [polygon(rng, rng.float() * (W + 10) - 5, rng.float() * (H + 10) - 5, r)];
      if (rng.float() < 0.2) p.push(polygon(rng, rng.float() * W, rng.float() * H, r / 2));
      parts.push(p);
      annotations.push({ id: i + 1, image_id: 1, category_id: 1, segmentation: p, area: 1, bbox: [0, 0, 1, 1], iscrowd: 0 });
    }
    const gtPath = join(dir, "polygons.json");
    writeFileSync(gtPath, JSON.stringify({ images: [{ id: 1, width: W, height: H }], categories: [{ id: 1, name: "a" }], annotations }));
    const gt = await streamCocoDataset(gtPath);
    const reaches = polygonReaches(gt, Int32Array.from(parts, (_, i) => i));
    let crossed = 0;
    for (let i = 0; i < parts.length; i++) {
      const reach = reaches.subarray(4 * i, 4 * i + 4);
      const rle = engine.rleFromPolygons(parts[i]!, H, W);
      if (engine.rleArea(rle) === 0) continue;
      const [x, y, w, h] = engine.rleToBbox(rle);
      if (h === H) crossed++;
      const inside = x >= reach[0]! && x + w - 1 <= reach[2]! && y >= reach[1]! && y + h - 1 <= reach[3]!;
      expect(inside, `polygon ${i}: box [${x}, ${y}, ${w}, ${h}] outside reach [${[...reach]}]`).toBe(true);
    }
    expect(crossed).toBeGreaterThan(50);
  });

  it("are skipped, and the evaluation equals the reference (IoU thresholds 0 and 1 included)", async () => {
    let labels = 0, skipped = 0;
    const reference = new ReferenceGeometry();
    for (let seed = 1; seed <= 80; seed++) {
      const s = randomSet(seed);
      if (s.results.length === 0) continue;
      const gtPath = join(dir, `gt${seed}.json`);
      const dtPath = join(dir, `dt${seed}.json`);
      writeFileSync(gtPath, JSON.stringify(s.gt));
      writeFileSync(dtPath, JSON.stringify(s.results));
      // streamed: the columnar form whose polygons the shortcut reads
      const gt = await streamCocoDataset(gtPath);
      const dt = await streamCocoResults(dtPath, gt);
      for (const params of [{ iouType: "segm" as const }, { iouType: "segm" as const, iouThrs: [0, 0.3, 0.5, 1] }, { iouType: "segm" as const, useCats: false, iouThrs: [0] }]) {
        const fast = evaluateCoco(engine, gt, dt, params);
        const ref = evaluateCoco(reference, gt, dt, params, { kernels: "reference" });
        compare(fast, ref);
        const prep = prepareCoco(engine, gt, dt, params);
        const all = labelsWithDetections(prep.plan).length;
        const kept = labelsInReach(gt, prep.plan, resultsPoolFor(maskKernels(engine)!, engine, dt, prep.plan.dtList)).length;
        labels += all;
        skipped += all - kept;
      }
    }
    // the shortcut was taken often enough for the comparison to mean something
    expect(skipped).toBeGreaterThan(labels / 10);
    expect(skipped).toBeLessThan(labels);
  }, 60_000);
});
