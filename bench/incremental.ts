// Shards and the training-loop evaluator (#15): on a generated COCO-val-like set (5,000 images,
// ~34k labels, ~43k detections; bindings/synth, cached under .cache/bench/), one thread, one process:
//  - createEvaluator: add() of 16-image batches (match the batch and count its TP / FP / FN,
//    precision, recall, F1), median and 90th percentile over every batch of the set; result();
//  - shards: each of n parts matched (evaluateCocoState) and their merge (mergeCocoStates), against
//    one evaluateCoco of everything; the stats are checked to be identical.
// Inputs are parsed before timing (the API, as a training loop holds its results in memory).
//
//   npx tsx bench/incremental.ts [--preset val|dense] [--seed N] [--batch 16] [--shards 4] [--json]
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine } from "../bindings/engine/engine.js";
import { cachedCocoSet } from "../bindings/synth/write.js";
import type { PresetName } from "../bindings/synth/generate.js";
import { readJsonFile } from "../bindings/ingest/node-files.js";
import { parseCocoDataset } from "../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../bindings/ingest/coco-results.js";
import { evaluateCoco, evaluateCocoState } from "../bindings/coco/evaluate.js";
import { mergeCocoStates, shardImages } from "../bindings/coco/state.js";
import { createEvaluator } from "../bindings/evaluator/evaluator.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const preset = arg("preset", "val") as PresetName;
const seedArg = argv.includes("--seed") ? Number(arg("seed", "0")) : undefined;
const batchSize = Number(arg("batch", "16"));
const shards = Number(arg("shards", "4"));
const json = argv.includes("--json");
const log = (s: string) => {
  if (!json) console.log(s);
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const round = (v: number) => Math.round(v * 1000) / 1000;

const engine = await createEngine();
const dir = join(ROOT, ".cache", "bench", `${preset}-v1${seedArg === undefined ? "" : `-seed${seedArg}`}`);
const set = await cachedCocoSet(() => engine, { preset, ...(seedArg === undefined ? {} : { seed: seedArg }) }, dir);
const gtJson = readJsonFile(set.files.gt) as { images: { id: number }[] };
const gt = parseCocoDataset(gtJson);
const out: Record<string, unknown> = { preset, batch: batchSize, shards };

for (const iouType of ["bbox", "segm"] as const) {
  const file = iouType === "bbox" ? set.files.dtBbox : set.files.dtSegm;
  if (!file) continue;
  const results = readJsonFile(file) as { image_id: number }[];
  const byImage = new Map<number, { image_id: number }[]>();
  for (const r of results) {
    let l = byImage.get(r.image_id);
    if (!l) byImage.set(r.image_id, (l = []));
    l.push(r);
  }
  const ids = gtJson.images.map((i) => i.id);
  const batches: { image_id: number }[][] = [];
  for (let i = 0; i < ids.length; i += batchSize) batches.push(ids.slice(i, i + batchSize).flatMap((id) => byImage.get(id) ?? []));

  let t = performance.now();
  const dt = parseCocoResults(results, gt);
  const whole = evaluateCoco(engine, gt, dt, { iouType });
  const wholeMs = performance.now() - t;

  const ev = createEvaluator(gt, { engine, iouType });
  const addMs: number[] = [];
  for (const b of batches) {
    t = performance.now();
    ev.add(b);
    addMs.push(performance.now() - t);
  }
  t = performance.now();
  const inc = ev.result();
  const resultMs = performance.now() - t;
  const same = JSON.stringify(inc.stats) === JSON.stringify(whole.stats);

  const dt2 = parseCocoResults(results, gt);
  t = performance.now();
  const states = Array.from({ length: shards }, (_, i) => evaluateCocoState(engine, gt, dt2, { iouType, imgIds: shardImages(whole.params.imgIds, i + 1, shards) }));
  const partsMs = performance.now() - t;
  t = performance.now();
  const merged = mergeCocoStates(states, { engine });
  const mergeMs = performance.now() - t;
  const sameMerged = JSON.stringify(merged.stats) === JSON.stringify(whole.stats);

  const row = {
    batches: batches.length,
    addMedianMs: round(quantile(addMs, 0.5)),
    addP90Ms: round(quantile(addMs, 0.9)),
    addTotalMs: round(addMs.reduce((s, v) => s + v, 0)),
    resultMs: round(resultMs),
    wholeEvaluateMs: round(wholeMs),
    shardPartsMs: round(partsMs),
    mergeMs: round(mergeMs),
    identical: same && sameMerged,
  };
  out[iouType] = row;
  log(
    `${preset} ${iouType}: add() of ${batchSize}-image batches median ${row.addMedianMs} ms (p90 ${row.addP90Ms}, ${row.batches} batches, ${row.addTotalMs} ms in all); ` +
      `result() ${row.resultMs} ms; one evaluateCoco ${row.wholeEvaluateMs} ms; ${shards} shards ${row.shardPartsMs} ms + merge ${row.mergeMs} ms; stats identical: ${row.identical}`,
  );
  if (!row.identical) process.exitCode = 1;
}
if (json) console.log(JSON.stringify(out));
