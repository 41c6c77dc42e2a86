// Error-analysis latency (#13): on a generated COCO-val-like segm set (5,000 images, ~34k labels,
// ~43k predictions; bindings/synth, cached under .cache/bench/), prepared once with analyze() (mask
// IoU), then
//  - the confusion matrix re-computed for new questions (IoU threshold, confidence, class selection):
//    at() + confusion(), median over the questions after a warm-up; target <= 5 ms;
//  - bootstrap intervals, 1,000 resamples, one thread; target <= 3 s;
//  - calibration per question;
//  - the COCO-stats bootstrap (bootstrapCoco: weighted re-accumulation), --coco-resamples of them, bbox and segm.
// One thread, one process; the figures are wall-clock medians of this run.
//
//   npx tsx bench/errors.ts [--preset val|dense|small] [--seed N] [--runs 40] [--resamples 1000] [--json]
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine } from "../bindings/engine/engine.js";
import { analyze } from "../bindings/analysis/analyze.js";
import { fromCoco } from "../bindings/analysis/coco-adapter.js";
import { cachedCocoSet } from "../bindings/synth/write.js";
import { loadCocoInputs } from "../bindings/ingest/stream-load.js";
import type { PresetName } from "../bindings/synth/generate.js";
import { evaluateCoco } from "../bindings/coco/evaluate.js";
import { bootstrapCoco } from "../bindings/coco/bootstrap.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const preset = arg("preset", "val") as PresetName;
const seedArg = argv.includes("--seed") ? Number(arg("seed", "0")) : undefined;
const runs = Number(arg("runs", "40"));
const resamples = Number(arg("resamples", "1000"));
const cocoResamples = Number(arg("coco-resamples", "100"));
const json = argv.includes("--json");
const log = (s: string) => {
  if (!json) console.log(s);
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const engine = await createEngine();
const dir = join(ROOT, ".cache", "bench", `${preset}-v1${seedArg === undefined ? "" : `-seed${seedArg}`}`);
const set = await cachedCocoSet(() => engine, { preset, ...(seedArg === undefined ? {} : { seed: seedArg }) }, dir);
if (!set.files.dtSegm) throw new Error(`preset ${preset} has no segm results`);
const { gt, dt } = await loadCocoInputs(set.files.gt, set.files.dtSegm);
let t0 = performance.now();
const analysis = analyze(engine, fromCoco(engine, gt, dt, { iouType: "segm" }));
const prepareMs = performance.now() - t0;
log(`${preset}: ${analysis.images.length} images, ${analysis.labelCount} labels, ${analysis.predictionCount} predictions; analyze() ${prepareMs.toFixed(0)} ms`);

// questions: thresholds x confidences x class selections (all, half, one)
const ids = analysis.categories.map((c) => c.id);
const selections = [undefined, ids.filter((_, i) => i % 2 === 0), ids.slice(0, 1)];
const questions = [];
for (const iou of [0.5, 0.75, 0.3, 0.9, 0.6])
  for (const confidence of [-Infinity, 0.3, 0.6])
    for (const classes of selections) questions.push({ iou, confidence, ...(classes ? { classes } : {}) });

let sink = 0;
const confusionMs: number[] = [];
const atMs: number[] = [];
const calibrationMs: number[] = [];
for (let r = -10; r < runs; r++) {
  const q = questions[(r + 10) % questions.length]!;
  t0 = performance.now();
  const view = analysis.at(q);
  const t1 = performance.now();
  const m = view.confusion();
  const t2 = performance.now();
  const cal = view.calibration();
  const t3 = performance.now();
  sink += m.counts.length + cal.ece;
  if (r >= 0) {
    atMs.push(t1 - t0);
    confusionMs.push(t2 - t0);
    calibrationMs.push(t3 - t2);
  }
}
const view = analysis.at({ iou: 0.5 });
view.bootstrap({ resamples: 20 }); // warm-up
t0 = performance.now();
const boot = view.bootstrap({ resamples, seed: 1 });
const bootstrapMs = performance.now() - t0;
sink += boot.mAP.lo;

const coco: Record<string, { evaluateMs: number; matchesMs: number; bootstrapMs: number; setupMs: number; perResampleMs: number }> = {};
for (const iouType of ["bbox", "segm"] as const) {
  const files = iouType === "bbox" ? set.files.dtBbox : set.files.dtSegm;
  const inputs = await loadCocoInputs(set.files.gt, files);
  t0 = performance.now();
  const ev = evaluateCoco(engine, inputs.gt, inputs.dt, { iouType });
  const evaluateMs = performance.now() - t0;
  t0 = performance.now();
  void ev.matches; // the wasm path builds the per-detection matching on first use
  const matchesMs = performance.now() - t0;
  t0 = performance.now();
  bootstrapCoco(inputs.gt, inputs.dt, ev, { resamples: 1, seed: 1 });
  const oneMs = performance.now() - t0;
  t0 = performance.now();
  const b = bootstrapCoco(inputs.gt, inputs.dt, ev, { resamples: cocoResamples, seed: 1 });
  const ms = performance.now() - t0;
  sink += b.stats[0]!.lo;
  coco[iouType] = { evaluateMs, matchesMs, bootstrapMs: ms, setupMs: oneMs, perResampleMs: (ms - oneMs) / (cocoResamples - 1) };
}

const out = {
  preset,
  images: analysis.images.length,
  labels: analysis.labelCount,
  predictions: analysis.predictionCount,
  prepareMs,
  atMs: median(atMs),
  confusionMs: median(confusionMs),
  confusionMaxMs: Math.max(...confusionMs),
  calibrationMs: median(calibrationMs),
  bootstrapMs,
  resamples,
  mAP50: view.mAP,
  mAP50Interval: [boot.mAP.lo, boot.mAP.hi],
  coco,
  checksum: sink,
};
if (json) console.log(JSON.stringify(out));
else {
  log(`at() + confusion(): median ${out.confusionMs.toFixed(2)} ms (max ${out.confusionMaxMs.toFixed(2)}; at() alone ${out.atMs.toFixed(2)} ms) over ${runs} questions  [target <= 5 ms]`);
  log(`calibration(): median ${out.calibrationMs.toFixed(2)} ms`);
  for (const [k, c] of Object.entries(coco))
    log(
      `COCO ${k}: evaluateCoco ${c.evaluateMs.toFixed(0)} ms (+ ${c.matchesMs.toFixed(0)} ms for the matches on first use); bootstrapCoco ${cocoResamples} resamples ${(c.bootstrapMs / 1000).toFixed(2)} s: set-up ${c.setupMs.toFixed(0)} ms, then ${c.perResampleMs.toFixed(1)} ms a resample`,
    );
  log(`bootstrap, ${resamples} resamples, 1 thread: ${(bootstrapMs / 1000).toFixed(2)} s  [target <= 3 s]; mAP@0.5 ${view.mAP.toFixed(4)} [${boot.mAP.lo.toFixed(4)}, ${boot.mAP.hi.toFixed(4)}]`);
}
