// The wasm backend (coco/backend-wasm.ts: plan, match and accumulate kernels) against the TypeScript
// backend (coco/backend-ts.ts), the oracle:
// the same precision, recall and scores arrays, bit for bit, on the shared fixtures and on random
// data built to hit the corner cases (ties, crowds, id 0, area boundaries, NaN-free OKS-like IoU,
// more than 32 IoU thresholds, odd parameters).
import { SHARED_FIXTURES } from "../helpers/paths.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { evaluateCoco, type CocoEvaluation, prepareCoco } from "../../bindings/coco/evaluate.js";
import type { CocoParamsInput } from "../../bindings/coco/params.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { argsortDescendingStable } from "../../bindings/coco/numeric.js";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { loadCocoDataset, loadCocoResults } from "../../bindings/ingest/node-files.js";
import { Rng } from "../../bindings/synth/generate.js";

const FIXTURES = SHARED_FIXTURES;
const haveFixtures = existsSync(FIXTURES);

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe("backends", () => {
  it("the comparisons below compare the two backends (not one with itself)", () => {
    const gt = parseCocoDataset({ images: [{ id: 1, width: 9, height: 9 }], categories: [{ id: 1 }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 3, 3], area: 9, iscrowd: 0 }] });
    const dt = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [1, 1, 3, 3], score: 0.9 }], gt);
    expect(prepareCoco(engine, gt, dt, { iouType: "bbox" }).backend.name).toBe("wasm");
    expect(prepareCoco(engine, gt, dt, { iouType: "bbox" }, { kernels: "reference" }).backend.name).toBe("typescript");
  });
});

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length, `${what} length`).toBe(b.length);
  let bad = -1;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) {
      bad = i;
      break;
    }
  }
  expect(bad, bad >= 0 ? `${what} differs at ${bad}: ${a[bad]} vs ${b[bad]}` : "").toBe(-1);
}

function compare(fast: CocoEvaluation, ref: CocoEvaluation): void {
  sameBits(fast.precision, ref.precision, "precision");
  sameBits(fast.recall, ref.recall, "recall");
  sameBits(fast.scores, ref.scores, "scores");
  expect(fast.stats).toEqual(ref.stats);
  expect(fast.warnings).toEqual(ref.warnings);
}

describe("stable descending argsort", () => {
  it("is numpy's argsort(-x, 'mergesort'): ties in input order, NaN last, -0 == 0", () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + rng.int(3000);
      const pool = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1e-300, -1e-300, 0.25, 0.75];
      const x = Float64Array.from({ length: n }, () => (rng.float() < 0.5 ? pool[rng.int(pool.length)]! : rng.float() * 4 - 2));
      const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
        const ka = -x[a]!;
        const kb = -x[b]!;
        const na = Number.isNaN(ka);
        const nb = Number.isNaN(kb);
        if (na || nb) return na === nb ? a - b : na ? 1 : -1;
        return ka < kb ? -1 : ka > kb ? 1 : a - b;
      });
      expect([...argsortDescendingStable(x)]).toEqual(want);
    }
  });
});

describe.skipIf(!haveFixtures)("wasm kernels = TypeScript reference on the fixtures", () => {
  const cases: { name: string; dir: string; dt: string; iouType: "bbox" | "segm" | "keypoints" }[] = [];
  if (haveFixtures) {
    for (const name of readdirSync(FIXTURES).sort()) {
      const dir = join(FIXTURES, name);
      for (const f of readdirSync(dir).filter((f) => f.startsWith("expected_")).sort()) {
        const exp = JSON.parse(readFileSync(join(dir, f), "utf8")) as { dt: string; iouType: "bbox" | "segm" | "keypoints" };
        if (exp.dt.endsWith(".gz") && !/synth_val|coco_val2014/.test(name)) continue;
        cases.push({ name: `${name}/${f}`, dir, dt: exp.dt, iouType: exp.iouType });
      }
    }
  }
  for (const c of cases) {
    it(c.name, () => {
      const gt = loadCocoDataset(join(c.dir, existsSync(join(c.dir, "gt.json")) ? "gt.json" : "gt.json.gz"));
      const dt = loadCocoResults(join(c.dir, c.dt), gt);
      const fast = evaluateCoco(engine, gt, dt, { iouType: c.iouType });
      const ref = evaluateCoco(engine, gt, dt, { iouType: c.iouType }, { kernels: "reference" });
      compare(fast, ref);
      const pfile = join(c.dir, `precision_${c.name.split("/")[1]!.replace(/^expected_|\.json$/g, "")}.f64.gz`);
      if (existsSync(pfile)) {
        const buf = gunzipSync(readFileSync(pfile));
        const want = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i]! - fast.precision[i]!));
        expect(worst).toBeLessThanOrEqual(1e-12);
      }
    });
  }
});

/** A random COCO set on few images, built to produce ties, crowds, overlaps and boundary areas. */
function randomSet(seed: number) {
  const rng = new Rng(seed);
  const nImg = 1 + rng.int(6);
  const nCat = 1 + rng.int(4);
  const images = Array.from({ length: nImg }, (_, i) => ({ id: (i * 7919) % 101 + 1, width: 64, height: 48 }));
  const categories = Array.from({ length: nCat }, (_, i) => ({ id: i + 1, name: `c${i}` }));
  const annotations: Record<string, unknown>[] = [];
  const results: Record<string, unknown>[] = [];
  const box = (): number[] => {
    const w = [0, 1, 2, 4, 8, 16, 32, 40][rng.int(8)]! + (rng.float() < 0.5 ? 0 : rng.float() * 4);
    const h = [0, 1, 2, 4, 8, 16, 32, 40][rng.int(8)]! + (rng.float() < 0.5 ? 0 : rng.float() * 4);
    return [rng.int(40) + (rng.float() < 0.5 ? 0 : 0.5), rng.int(30), w, h];
  };
  const areas = [0, 1, 1024, 9216, 32 * 32 - 0.5, 9216.5, 1e10];
  let id = rng.float() < 0.2 ? 0 : 1;
  for (const img of images) {
    const nG = rng.int(7);
    for (let j = 0; j < nG; j++) {
      const b = box();
      annotations.push({
        id: id++,
        image_id: img.id,
        category_id: 1 + rng.int(nCat),
        bbox: b,
        segmentation: [[b[0]!, b[1]!, b[0]!, b[1]! + b[3]!, b[0]! + b[2]!, b[1]! + b[3]!, b[0]! + b[2]!, b[1]!]],
        area: rng.float() < 0.3 ? areas[rng.int(areas.length)]! : b[2]! * b[3]!,
        iscrowd: rng.float() < 0.15 ? 1 : 0,
      });
    }
    const nD = rng.int(14);
    const scorePool = [0.5, 0.9, 0.1, 1, 0];
    for (let j = 0; j < nD; j++) {
      let b = box();
      if (annotations.length > 0 && rng.float() < 0.6) {
        const g = annotations[annotations.length - 1 - rng.int(Math.min(annotations.length, nG + 1))]!.bbox as number[];
        b = [g[0]! + rng.int(3) - 1, g[1]! + rng.int(3) - 1, g[2]!, g[3]! + rng.int(2)];
      }
      results.push({
        image_id: img.id,
        category_id: 1 + rng.int(nCat),
        bbox: b,
        score: rng.float() < 0.4 ? scorePool[rng.int(scorePool.length)]! : Math.round(rng.float() * 100) / 100,
      });
    }
  }
  return { images, categories, annotations, results };
}

describe("wasm kernels = TypeScript reference on random data", () => {
  const variants: Partial<CocoParamsInput>[] = [
    {},
    { useCats: false },
    { maxDets: [1, 3, 5] },
    { iouThrs: Array.from({ length: 40 }, (_, i) => 0.1 + i * 0.02) },
    { iouThrs: [0.5, 0.05, 0.95, 1.0, 0.0], recThrs: [0, 0.5, 0.3, 1, 0.99] },
    { areaRng: [[0, 100], [50, 1e10], [0, 1e10]], areaRngLbl: ["a", "b", "all"] },
    { maxDets: [2] },
  ];
  for (let seed = 1; seed <= 60; seed++) {
    it(`seed ${seed}`, () => {
      const s = randomSet(seed);
      const gt = parseCocoDataset({ images: s.images, categories: s.categories, annotations: s.annotations });
      if (s.results.length === 0) return;
      const dt = parseCocoResults(s.results, gt);
      for (const v of variants) {
        const params = { iouType: "bbox" as const, ...v };
        compare(evaluateCoco(engine, gt, dt, params), evaluateCoco(engine, gt, dt, params, { kernels: "reference" }));
      }
      // segm through rasterised boxes
      const seg = evaluateCoco(engine, gt, dt, { iouType: "segm" });
      compare(seg, evaluateCoco(engine, gt, dt, { iouType: "segm" }, { kernels: "reference" }));
    });
  }
});
