// compactJobs (bindings/coco/mask-pool.ts): a worker's mask jobs with pools of their own build the
// same masks as the jobs pointing into the whole evaluation's pools, for random subsets in random
// order (runs of adjacent ranges and scattered ones) of every job kind the bulk path takes.
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildMaskJobs, compactJobs, datasetMaskJobs, type MaskJobs, resultsMaskJobs } from "../../bindings/coco/mask-pool.js";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { engineKernels, type Kernels } from "../../bindings/engine/host.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";
import { JOB_BOX, JOB_COUNTS, JOB_POLYGONS, JOB_STRING } from "../../bindings/generated/contexts.js";
import { mulberry32 } from "../helpers/random.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

let engine: Engine;
let k: Kernels;
beforeAll(async () => {
  engine = await createEngine();
  k = engineKernels(engine)!;
});

/** A random subset of 0..n-1 in random order, with some runs of consecutive indices kept. */
function subset(n: number, rnd: () => number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.4) continue;
    const run = rnd() < 0.5 ? 1 + Math.floor(rnd() * 6) : 1;
    for (let j = i; j < Math.min(n, i + run); j++) out.push(j);
    i += run - 1;
  }
  // shuffle blocks of the list: jobs then point back and forth in the source pools
  for (let i = out.length - 1; i > 0; i--) {
    if (rnd() < 0.7) continue;
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return Int32Array.from(out);
}

function kinds(J: MaskJobs): Set<number> {
  const s = new Set<number>();
  for (let j = 0; j < J.count; j++) s.add(J.jobs[8 * j]!);
  return s;
}

function expectSameMasks(J: MaskJobs, what: string): void {
  const C = compactJobs(J);
  const used = C.bytes.length + C.counts.length + C.coords.length + C.boxes.length;
  const whole = J.bytes.length + J.counts.length + J.coords.length + J.boxes.length;
  expect(used, `${what}: the compact pools hold at most what the whole ones do`).toBeLessThanOrEqual(whole);
  const index = Int32Array.from({ length: J.count }, (_, i) => i);
  const a = buildMaskJobs(k, J, index);
  const b = buildMaskJobs(k, C, index);
  expect(b.table.length, what).toBe(a.table.length);
  // the same masks: counts of each, area, flags and box (the tables' offsets may differ)
  for (let m = 0; m < J.count; m++) {
    const la = a.table[8 * m + 1]!;
    expect(b.table[8 * m + 1], `${what} mask ${m} length`).toBe(la);
    expect([...b.table.subarray(8 * m + 2, 8 * m + 6)], `${what} mask ${m} size, area, flags`).toEqual([...a.table.subarray(8 * m + 2, 8 * m + 6)]);
    const ca = a.counts.subarray(a.table[8 * m]!, a.table[8 * m]! + la);
    const cb = b.counts.subarray(b.table[8 * m]!, b.table[8 * m]! + la);
    expect(Buffer.from(cb.buffer, cb.byteOffset, cb.byteLength).equals(Buffer.from(ca.buffer, ca.byteOffset, ca.byteLength)), `${what} mask ${m} counts`).toBe(true);
  }
  expect([...b.boxes], `${what} boxes`).toEqual([...a.boxes]);
}

describe("compactJobs", () => {
  const cases: [string, string, string][] = [
    ["synth_small", "dt_segm.json.gz", "polygons and RLE strings"],
    ["synth_small", "dt_bbox.json.gz", "box polygons of bbox results"],
    ["synth_ties", "dt_segm.json.gz", "ties"],
  ];
  for (const [name, dtFile, what] of cases) {
    const dir = join(LOCAL_FIXTURES, name);
    it.skipIf(!existsSync(join(dir, dtFile)))(`${name}/${dtFile}: ${what}`, async () => {
      const gtFile = existsSync(join(dir, "gt.json")) ? "gt.json" : "gt.json.gz";
      const { gt, dt } = await loadCocoInputs(join(dir, gtFile), join(dir, dtFile));
      const rnd = mulberry32(name.length * 7919 + dtFile.length);
      const seen = new Set<number>();
      for (let round = 0; round < 4; round++) {
        const g = datasetMaskJobs(engine, gt, subset(gt.annotations.count, rnd)).jobs;
        const d = resultsMaskJobs(engine, dt, subset(dt.count, rnd)).jobs;
        for (const x of [...kinds(g), ...kinds(d)]) seen.add(x);
        expectSameMasks(g, `${name} labels, round ${round}`);
        expectSameMasks(d, `${name} results, round ${round}`);
      }
      if (dtFile.startsWith("dt_bbox")) expect(seen.has(JOB_BOX)).toBe(true);
      else expect(seen.has(JOB_POLYGONS) && (seen.has(JOB_STRING) || seen.has(JOB_COUNTS))).toBe(true);
    });
  }
});
