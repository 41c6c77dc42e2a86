// Child process of test/workers/workers.test.ts (run with `node --import tsx`, so that the worker threads can
// load bindings/workers/node-threads.ts too): evaluates each case with 1, 2 and 3 workers and prints, per case
// and worker count (split by category where that balances, and by image), a digest of stats, precision,
// recall, scores and the state's outcomes (bit patterns).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";
import { evaluateCocoParallel, NodeWorkerPool } from "../../bindings/workers/node-threads.js";

const fixtures = process.argv[2]!;
const cases: [string, string, "bbox" | "segm" | "keypoints"][] = [
  ["synth_small", "dt_bbox.json", "bbox"],
  ["synth_small", "dt_segm.json", "segm"],
  ["synth_ties", "dt_segm.json", "segm"],
  ["synth_ties", "dt_bbox.json", "bbox"],
  ["synth_val", "dt_segm.json", "segm"],
  ["hotcoco_zero_ids2", "dt_bbox.json", "bbox"],
  ["fce_keypoints1", "dt_keypoints.json", "keypoints"],
  ["coco_val2017_detectron2_2img", "dt_segm.json", "segm"],
  ["torchmetrics_segm_2img", "dt_segm.json", "bbox"],
];

function digest(ev: { stats: number[]; precision: Float64Array; recall: Float64Array; scores: Float64Array; warnings: string[]; state(): { status: Uint8Array; gtIgnore: Uint8Array; score: Float64Array } }): string {
  const h = createHash("sha256");
  // (the state's outcomes: after a split by category the calling thread matches again for them)
  const s = ev.state();
  for (const a of [Float64Array.from(ev.stats), ev.precision, ev.recall, ev.scores, s.status, s.gtIgnore, s.score]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  h.update(JSON.stringify(ev.warnings));
  return h.digest("hex").slice(0, 16);
}

const engine = await createEngine();
for (const [name, dtFile, iouType] of cases) {
  const dir = join(fixtures, name);
  const gtFile = existsSync(join(dir, "gt.json")) ? "gt.json" : "gt.json.gz";
  const dtPath = [dtFile, `${dtFile}.gz`].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!dtPath || !existsSync(join(dir, gtFile))) continue;
  const out: string[] = [];
  for (const [workers, split] of [[1, "auto"], [2, "auto"], [3, "auto"], [2, "image"], [3, "image"]] as const) {
    // fresh inputs each time: the worker path defers segm-branch geometry
    // (as the CLI loads them for workers: the results' columns on SharedArrayBuffers)
    const { gt, dt } = await loadCocoInputs(join(dir, gtFile), dtPath, { shared: workers > 1 });
    // a pool of its own: the thread count is not capped at the machine's cores (evaluateCocoParallel caps its own pools)
    const pool = workers > 1 ? new NodeWorkerPool(engine.module, workers - 1) : undefined;
    try {
      const ev = workers === 1 ? evaluateCoco(engine, gt, dt, { iouType }) : await evaluateCocoParallel(engine, gt, dt, { iouType }, { workers, pool, split });
      out.push(digest(ev));
    } finally {
      await pool?.close();
    }
  }
  console.log(JSON.stringify({ name, dtFile, iouType, digests: out }));
}
