// The plan kernel (assembly/plan.ts) against the TypeScript reference (planEvaluation without a
// kernel): the same blocks, lists and orders, on random datasets built to hit the corner cases (useCats
// true / false, ties and NaN / -0 scores, images and categories without labels or not evaluated,
// repeated annotation ids, results of unknown categories, maxDets cuts, empty inputs).
import { beforeAll, describe, expect, it } from "vitest";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { planEvaluation } from "../../bindings/coco/plan.js";
import type { CocoPlan } from "../../bindings/coco/types.js";
import { engineKernels } from "../../bindings/engine/host.js";
import { wasmBackend } from "../../bindings/coco/backend-wasm.js";
import type { CocoBackend } from "../../bindings/coco/backend.js";
import { type CocoParamsInput, resolveParams } from "../../bindings/coco/params.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { Rng } from "../../bindings/synth/generate.js";

let kernel: CocoBackend["plan"];
beforeAll(async () => {
  kernel = wasmBackend(engineKernels(await createEngine())!).plan;
});

const FIELDS = ["blockImagePos", "blockK", "blockGtStart", "blockDtStart", "gtList", "dtList", "dtRank", "accOrder", "kStart", "kEval"] as const;

function samePlan(a: CocoPlan, b: CocoPlan, what: string): void {
  expect(a.nBlocks, `${what}: nBlocks`).toBe(b.nBlocks);
  expect(a.K, `${what}: K`).toBe(b.K);
  expect(a.maxG, `${what}: maxG`).toBe(b.maxG);
  expect(a.maxD, `${what}: maxD`).toBe(b.maxD);
  for (const f of FIELDS) {
    expect(a[f].constructor, `${what}: ${f} type`).toBe(b[f].constructor);
    expect([...a[f]], `${what}: ${f}`).toEqual([...b[f]]);
  }
}

function randomCase(rng: Rng, trial: number) {
  const nImg = rng.int(12);
  const nCat = 1 + rng.int(6);
  const images = Array.from({ length: nImg }, (_, i) => ({ id: 100 - 3 * i, width: 50, height: 40 }));
  const categories = Array.from({ length: nCat }, (_, k) => ({ id: 7 + 2 * (nCat - 1 - k), name: `c${k}` }));
  const nAnn = nImg === 0 ? 0 : rng.int(60);
  const repeatIds = rng.float() < 0.3;
  const annotations = Array.from({ length: nAnn }, (_, i) => ({
    id: repeatIds ? 1 + rng.int(Math.max(1, nAnn >> 1)) : i + 1,
    image_id: images[rng.int(nImg)]!.id,
    category_id: categories[rng.int(nCat)]!.id,
    bbox: [rng.int(20), rng.int(20), 1 + rng.int(20), 1 + rng.int(20)],
    area: 1 + rng.int(400),
    iscrowd: rng.float() < 0.1 ? 1 : 0,
  }));
  const gt = parseCocoDataset({ images, categories, annotations });
  const nRes = nImg === 0 ? 0 : rng.int(trial % 5 === 0 ? 600 : 120);
  const scorePool = [0.5, 0.25, 1, 0, 0.75];
  const results = Array.from({ length: nRes }, () => ({
    image_id: images[rng.int(nImg)]!.id,
    category_id: rng.float() < 0.05 ? 999 : categories[rng.int(nCat)]!.id,
    bbox: [rng.int(20), rng.int(20), 1 + rng.int(20), 1 + rng.int(20)],
    score: rng.float() < 0.5 ? scorePool[rng.int(scorePool.length)]! : rng.float(),
  }));
  const dt = parseCocoResults(results, gt);
  // scores the parser rejects but the plan must still order like numpy: NaN last, -0 equal to 0
  if (trial % 3 === 0) for (let r = 0; r < dt.count; r++) if (rng.float() < 0.1) dt.score[r] = [NaN, -0, Infinity, -Infinity][rng.int(4)]!;
  const params: CocoParamsInput = { iouType: "bbox", useCats: rng.float() < 0.7 };
  if (rng.float() < 0.4) params.maxDets = [1 + rng.int(3), rng.float() < 0.5 ? 1 + rng.int(6) : 100].sort((a, b) => a - b);
  if (rng.float() < 0.1) params.maxDets = [];
  if (rng.float() < 0.1) params.maxDets = [0];
  if (rng.float() < 0.3 && nImg > 0) params.imgIds = images.filter(() => rng.float() < 0.6).map((im) => im.id).concat(rng.float() < 0.5 ? [12345] : []);
  if (rng.float() < 0.3) params.catIds = categories.filter(() => rng.float() < 0.6).map((c) => c.id).concat(rng.float() < 0.5 ? [4242] : []);
  return { gt, dt, params };
}

describe("plan kernel = TypeScript planEvaluation", () => {
  it("on random inputs", () => {
    const rng = new Rng(20240611);
    for (let trial = 0; trial < 400; trial++) {
      const { gt, dt, params } = randomCase(rng, trial);
      const p = resolveParams(params, gt.images.ids, gt.categories.ids);
      const ref = planEvaluation(gt, dt, p);
      const fast = planEvaluation(gt, dt, p, kernel);
      samePlan(fast, ref, `trial ${trial} (useCats ${p.useCats}, ${gt.annotations.count} labels, ${dt.count} results)`);
    }
  });

  it("on empty inputs", () => {
    const gt = parseCocoDataset({ images: [], categories: [], annotations: [] });
    const dt = parseCocoResults([], gt);
    for (const useCats of [true, false]) {
      const p = resolveParams({ iouType: "bbox", useCats }, gt.images.ids, gt.categories.ids);
      samePlan(planEvaluation(gt, dt, p, kernel), planEvaluation(gt, dt, p), `empty, useCats ${useCats}`);
    }
  });
});
