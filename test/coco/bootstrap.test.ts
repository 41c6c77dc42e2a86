// The COCO-stats bootstrap: each resample's stats equal evaluateCoco on the data set in which every
// drawn image is copied as often as it was drawn (built here as COCO JSON and evaluated from scratch),
// so the weighted accumulate is exact, for bbox and segm and with custom params.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { bootstrapCoco } from "../../bindings/coco/bootstrap.js";
import { rng } from "../../bindings/coco/resample.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import type { CocoParamsInput } from "../../bindings/coco/params.js";
import { ROOT } from "../helpers/paths.js";

const engine = await createEngine();
const DIR = join(ROOT, "test/fixtures/synth_small");
const readGz = (name: string) => JSON.parse(gunzipSync(readFileSync(join(DIR, name))).toString("utf8"));
const GT = readGz("gt.json.gz") as { images: { id: number }[]; annotations: { id: number; image_id: number }[]; categories: unknown[] };
const DT = { bbox: readGz("dt_bbox.json.gz"), segm: readGz("dt_segm.json.gz") } as Record<string, { image_id: number }[]>;

/** Image i of the pool order copied w[i] times: ids id * 100 + c keep the copies adjacent in sorted id order. */
function expand(w: Float64Array, imageIds: number[], iouType: "bbox" | "segm") {
  const times = new Map(imageIds.map((id, i) => [id, w[i]!]));
  const copies = <T extends { image_id: number }>(list: T[], reId?: (o: T, c: number) => Partial<T>) =>
    list.flatMap((o) => Array.from({ length: times.get(o.image_id) ?? 0 }, (_, c) => ({ ...o, image_id: o.image_id * 100 + c, ...(reId ? reId(o, c) : {}) })));
  const gt = {
    ...GT,
    images: GT.images.flatMap((im) => Array.from({ length: times.get(im.id) ?? 0 }, (_, c) => ({ ...im, id: im.id * 100 + c }))),
    annotations: copies(GT.annotations, (a, c) => ({ id: a.id * 100 + c + 1 })),
  };
  return { gt, dt: copies(DT[iouType]!) };
}

describe("bootstrapCoco", () => {
  const cases: { iouType: "bbox" | "segm"; params: Partial<CocoParamsInput>; seed: number }[] = [
    { iouType: "bbox", params: {}, seed: 1 },
    { iouType: "segm", params: {}, seed: 2 },
    { iouType: "bbox", params: { maxDets: [1, 5, 20], iouThrs: [0.3, 0.5, 0.75] }, seed: 3 },
  ];
  for (const { iouType, params, seed } of cases) {
    it(`every resample equals evaluateCoco on the resampled data set (${iouType}, ${JSON.stringify(params)})`, () => {
      const ds = parseCocoDataset(GT);
      const res = parseCocoResults(DT[iouType]!, ds);
      const ev = evaluateCoco(engine, ds, res, { iouType, ...params });
      const B = 5;
      const boot = bootstrapCoco(ds, res, ev, { resamples: B, seed, keepSamples: true });
      expect(boot.stats.map((s) => s.estimate)).toEqual(ev.stats);
      // the draws, made the documented way: pool = the evaluated images in params order
      const pool = ev.params.imgIds.map((id) => Number(id));
      const next = rng(seed);
      for (let b = 0; b < B; b++) {
        const w = new Float64Array(pool.length);
        for (let i = 0; i < pool.length; i++) w[Math.floor(next() * pool.length)]!++;
        const big = expand(w, pool, iouType);
        const bds = parseCocoDataset(big.gt);
        const bres = parseCocoResults(big.dt, bds);
        const bev = evaluateCoco(engine, bds, bres, { iouType, ...params });
        expect(Array.from(boot.samples![b]!), `resample ${b}`).toEqual(bev.stats);
      }
    });
  }

  it("intervals: seeded, ordered, per category; bad options are refused", () => {
    const ds = parseCocoDataset(GT);
    const res = parseCocoResults(DT.bbox!, ds);
    const ev = evaluateCoco(engine, ds, res, { iouType: "bbox" });
    const a = bootstrapCoco(ds, res, ev, { resamples: 200, seed: 9 });
    expect(bootstrapCoco(ds, res, ev, { resamples: 200, seed: 9 })).toEqual(a);
    expect(a.statsLabels[0]).toBe("AP@[.50:.95|all|100]");
    for (const s of a.stats) if (s.estimate >= 0) expect(s.lo).toBeLessThanOrEqual(s.hi);
    expect(a.stats[0]!.hi - a.stats[0]!.lo).toBeGreaterThan(0);
    expect(a.perCategory.map((c) => c.categoryId)).toEqual(ev.params.catIds);
    expect(() => bootstrapCoco(ds, res, ev, { resamples: -1 })).toThrow(/resamples: expected an integer/);
    expect(() => bootstrapCoco(ds, res, ev, { level: 2 })).toThrow(/level/);
  });

  it("no detections: every resample gives pycocotools' numbers for that (0 AP, -1 where it has -1)", () => {
    const ds = parseCocoDataset(GT);
    const res = parseCocoResults([], ds);
    const ev = evaluateCoco(engine, ds, res, { iouType: "bbox" });
    const b = bootstrapCoco(ds, res, ev, { resamples: 20 });
    expect(b.stats.map((s) => s.estimate)).toEqual(ev.stats);
    for (const s of b.stats) if (s.estimate === 0) expect([s.lo, s.hi]).toEqual([0, 0]);
  });
});
