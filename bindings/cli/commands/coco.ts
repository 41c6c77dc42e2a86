// `detection-eval coco`: pycocotools-compatible evaluation from the command line (Node only).
// Files are streamed into columns (bindings/ingest/stream-load.ts: any size, gzip or not); `--workers N`
// evaluates on N threads (bindings/workers/), with the same numbers for any N. `--shard i/n --state-out F`
// evaluates a part of the images and keeps its state for `detection-eval merge` (commands/merge.ts).
import { gzipSync } from "node:zlib";
import { numberOption, UsageError, type Command } from "../command.js";
import { bootstrapCoco, type CocoBootstrap } from "../../coco/bootstrap.js";
import { createEngine } from "../../engine/engine.js";
import { loadCocoInputs } from "../../ingest/stream-load.js";
import { evaluateCoco, type CocoEvaluation } from "../../coco/evaluate.js";
import type { CocoParamsInput, IouType } from "../../coco/params.js";
import type { CocoDataset } from "../../coco/inputs.js";
import { evaluateLvis } from "../../coco/lvis.js";
import { areaRangesOption, imageIdsOption, listOption, numberListOption, resolveIds } from "../subsets.js";
import { shardImages } from "../../coco/state.js";
import { cocoStateToJson } from "../../coco/state-file.js";
import { resolveParams } from "../../coco/params.js";
import { checkOutputNotInput, writeFileAtomic } from "../../ingest/output-file.js";
import { cocoJson } from "../coco-output.js";

/** --dilation-ratio (Boundary IoU): a number in (0, 1], with --iou-type boundary only. */
function dilationRatioOf(opts: Record<string, string | undefined>, iouType: IouType): number | undefined {
  if (opts["dilation-ratio"] === undefined) return undefined;
  const ratio = numberOption(opts, "dilation-ratio", 0.02);
  if (!(ratio > 0 && ratio <= 1)) throw new UsageError(`--dilation-ratio: expected a number in (0, 1], got ${opts["dilation-ratio"]}`);
  if (iouType !== "boundary") throw new UsageError(`--dilation-ratio: only with --iou-type boundary, got --iou-type ${iouType}`);
  return ratio;
}

/** pycocotools' Params from the command line (ids resolved against the dataset). */
function paramsOf(opts: Record<string, string | undefined>, iouType: IouType, gt: CocoDataset): CocoParamsInput {
  const params: { -readonly [K in keyof CocoParamsInput]: CocoParamsInput[K] } = { iouType };
  const imgIds = imageIdsOption(opts);
  if (imgIds) params.imgIds = resolveIds(imgIds, gt.images.indexOf, gt.images.ids, opts["img-ids"] !== undefined ? "img-ids" : "images-from", "image");
  const catIds = listOption(opts, "cat-ids");
  if (catIds) params.catIds = resolveIds(catIds, gt.categories.indexOf, gt.categories.ids, "cat-ids", "category");
  const iouThrs = numberListOption(opts, "iou-thrs");
  if (iouThrs) {
    if (iouThrs.some((t) => t < 0 || t > 1)) throw new UsageError(`--iou-thrs: expected thresholds in [0, 1], got ${opts["iou-thrs"]}`);
    params.iouThrs = iouThrs;
  }
  const recThrs = numberListOption(opts, "rec-thrs");
  if (recThrs) {
    if (recThrs.some((t) => t < 0 || t > 1)) throw new UsageError(`--rec-thrs: expected thresholds in [0, 1], got ${opts["rec-thrs"]}`);
    params.recThrs = recThrs;
  }
  const maxDets = numberListOption(opts, "max-dets");
  if (maxDets) {
    if (maxDets.some((m) => !Number.isInteger(m) || m < 0)) throw new UsageError(`--max-dets: expected non-negative integers, got ${opts["max-dets"]}`);
    params.maxDets = maxDets;
  }
  const areas = areaRangesOption(opts);
  if (areas) Object.assign(params, areas);
  if (opts["no-use-cats"]) params.useCats = false;
  const ratio = dilationRatioOf(opts, iouType);
  if (ratio !== undefined) params.dilationRatio = ratio;
  return params;
}

/** `--shard i/n`: which shard, or undefined. */
function shardOption(opts: Record<string, string | undefined>): { index: number; count: number } | undefined {
  const v = opts.shard;
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!(index >= 1 && index <= count && count <= 1_000_000)) throw new UsageError(`--shard: expected i/n with 1 <= i <= n (e.g. 2/8), got ${JSON.stringify(v)}`);
  return { index, count };
}

export const COCO_COMMAND: Command = {
  summary: "pycocotools-compatible COCO evaluation (stats, per-category AP)",
  usage:
    "detection-eval coco --gt GT.json --dt RESULTS.json --iou-type bbox|segm|keypoints|boundary|rotated [--dilation-ratio 0.02] [--img-ids ID,... | --images-from FILE] [--cat-ids ID,...] [--iou-thrs T,...] [--rec-thrs R,...] [--max-dets N,...] [--area-rng [LABEL=]MIN:MAX,...] [--no-use-cats] [--bootstrap N] [--seed 0] [--format text|json] [--workers N] [--timings] [--protocol coco|lvis]",
  options: {
    gt: { kind: "value", required: true, help: "COCO dataset (.json or .json.gz)" },
    dt: { kind: "value", required: true, help: "COCO results (.json or .json.gz)" },
    "iou-type": { kind: "value", required: true, values: ["bbox", "segm", "keypoints", "boundary", "rotated"] },
    "dilation-ratio": { kind: "value", help: "--iou-type boundary: the boundary width as a fraction of the image diagonal (boundary-iou-api's dilation_ratio; default 0.02)" },
    shard: { kind: "value", help: "evaluate shard i of n (e.g. 2/8): the i-th of n contiguous ranges of the sorted image ids; needs --state-out" },
    "state-out": { kind: "value", help: "write this evaluation's partial state (JSON; gzipped when FILE ends in .gz) for `detection-eval merge`" },
    "img-ids": { kind: "value", help: "evaluate these images only (pycocotools params.imgIds)" },
    "images-from": { kind: "value", help: "a file of image ids to evaluate: a JSON array, or one id per line" },
    "cat-ids": { kind: "value", help: "evaluate these categories only (params.catIds)" },
    "iou-thrs": { kind: "value", help: "IoU thresholds (params.iouThrs; default .5:.05:.95)" },
    "rec-thrs": { kind: "value", help: "recall thresholds (params.recThrs; default 0:.01:1)" },
    "max-dets": { kind: "value", help: "detections per image (params.maxDets; default 1,10,100, keypoints 20)" },
    "area-rng": { kind: "value", help: "area ranges (params.areaRng / areaRngLbl), e.g. all=0:1e10,small=0:1024" },
    "no-use-cats": { kind: "flag", help: "pool all categories (params.useCats = 0)" },
    bootstrap: { kind: "value", default: "0", help: "bootstrap intervals of the stats and per-category AP over N resamples of the images (0: none; re-accumulates N times, ~20 ms each on a 5,000-image set)" },
    seed: { kind: "value", default: "0", help: "seed of the bootstrap resampling" },
    format: { kind: "value", values: ["text", "json"], default: "text" },
    workers: { kind: "value", default: "1", help: "threads for masks, IoU, matching and accumulate (this one and N-1 workers, at most one per core; results are identical for any N)" },
    timings: { kind: "flag", help: "print milliseconds per stage on stderr (with --format json also a \"timings\" key)" },
    protocol: { kind: "value", values: ["coco", "lvis"], default: "coco", help: "lvis: lvis-api's federated protocol (bbox or segm; its results dict and print-out; see docs/lvis.md)" },
  },
  async run({ opts, progress, warn, info }) {
    if (opts.protocol === "lvis") return runLvis(opts, warn, info, progress);
    const t0 = performance.now();
    const requested = Number(opts.workers);
    if (!Number.isInteger(requested) || requested < 1 || requested > 256) throw new UsageError(`--workers: expected an integer from 1 to 256, got ${JSON.stringify(opts.workers)}`);
    const engine = await createEngine();
    const iouType = opts["iou-type"] as IouType;
    dilationRatioOf(opts, iouType); // a bad value fails before the files are read
    // at most one thread per core; the workers start while the files are read (their start-up overlaps the parsing)
    const threads = requested > 1 ? await import("../../workers/node-threads.js") : undefined;
    const { workers, cores, capped } = threads ? threads.effectiveWorkers(requested) : { workers: 1, cores: 1, capped: false };
    if (capped) warn(`--workers ${requested}: more than this machine's ${cores} cores (os.availableParallelism()); using ${workers} (the numbers are the same for any count)`);
    const parallel = workers > 1 ? threads : undefined;
    const pool = parallel ? new parallel.NodeWorkerPool(engine.module, workers - 1) : undefined;
    const resamples = numberOption(opts, "bootstrap", 0);
    const seed = numberOption(opts, "seed", 0);
    if (!(Number.isInteger(resamples) && resamples >= 0 && resamples <= 1_000_000)) throw new UsageError(`--bootstrap: expected a whole number of resamples (0 for none), got ${opts.bootstrap}`);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${opts.seed}`);
    const shard = shardOption(opts);
    const stateOut = opts["state-out"];
    if (shard && stateOut === undefined) throw new UsageError("--shard needs --state-out FILE (the shard's state, for detection-eval merge)");
    if (stateOut !== undefined && resamples > 0) throw new UsageError("--bootstrap with --state-out: the intervals of a part are not those of the whole; bootstrap the unsharded run");
    if (stateOut !== undefined) checkOutputNotInput({ option: "--state-out", path: stateOut }, [{ option: "--gt", path: opts.gt }, { option: "--dt", path: opts.dt }, { option: "--images-from", path: opts["images-from"] }]);
    let ev: CocoEvaluation;
    let loaded: Awaited<ReturnType<typeof loadCocoInputs>>;
    let loadTimings: Record<string, number> = {};
    try {
      progress?.(`loading ${opts.gt} and ${opts.dt}`);
      // only mask IoU reads the labels' segmentations: not kept otherwise (the polygons are most of a dataset's memory)
      // (with workers, the results' columns on SharedArrayBuffers: the workers read them without a copy)
      loaded = await loadCocoInputs(opts.gt!, opts.dt!, { module: engine.module, segmentations: iouType === "segm" || iouType === "boundary", shared: workers > 1 });
      let params = paramsOf(opts, iouType, loaded.gt);
      if (shard) {
        const all = resolveParams(params, loaded.gt.images.ids, loaded.gt.categories.ids).imgIds;
        params = { ...params, imgIds: shardImages(all, shard.index, shard.count) };
      }
      progress?.(`evaluating (${iouType}${workers > 1 ? `, ${workers} workers` : ""})`);
      ev = parallel ? await parallel.evaluateCocoParallel(engine, loaded.gt, loaded.dt, params, { workers, pool }) : evaluateCoco(engine, loaded.gt, loaded.dt, params);
      loadTimings = loaded.timings;
    } finally {
      void pool?.close();
    }
    for (const w of ev.warnings) warn(w);
    if (stateOut !== undefined) {
      const state = { ...ev.state(), shard: shard ?? null };
      const text = JSON.stringify(cocoStateToJson(state));
      writeFileAtomic(stateOut, stateOut.endsWith(".gz") ? gzipSync(text) : text);
      info(`wrote ${stateOut}${shard ? ` (shard ${shard.index}/${shard.count}: ${ev.params.imgIds.length} images)` : ""}`);
    }
    let timings: Record<string, number> | undefined;
    if (opts.timings) {
      const all: Record<string, number> = { ...loadTimings, ...ev.timings, command: performance.now() - t0 };
      timings = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Math.round(v * 10) / 10]));
      info(`timings (ms): ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    }
    let boot: CocoBootstrap | undefined;
    if (resamples > 0) {
      progress?.(`bootstrap: ${resamples} resamples`);
      const tb = performance.now();
      boot = bootstrapCoco(loaded.gt, loaded.dt, ev, { resamples, seed });
      if (timings) info(`bootstrap: ${Math.round(performance.now() - tb)} ms`);
    }
    if (opts.format !== "json") return `${ev.summary()}\n${boot ? intervalLines(boot) : ""}`;
    return cocoJson(iouType, ev, { ...(shard ? { shard: { ...shard, images: ev.params.imgIds.length } } : {}), ...(boot ? { intervals: boot } : {}) }, timings);
  },
};

/** The bootstrap intervals under pycocotools' print-out, one line a stat. */
function intervalLines(b: CocoBootstrap): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "  -  ");
  const head = `${Math.round(b.level * 100)}% intervals, ${b.resamples} bootstrap resamples of the images (seed ${b.seed}):`;
  const width = Math.max(...b.statsLabels.map((l) => l.length));
  return [head, ...b.stats.map((s, i) => ` ${b.statsLabels[i]!.padEnd(width)}  ${f(s.estimate)}  [${f(s.lo)}, ${f(s.hi)}]`)].join("\n") + "\n";
}


/** Options that set pycocotools' Params or the run, which lvis-api's protocol fixes. */
const NOT_LVIS = ["img-ids", "images-from", "cat-ids", "iou-thrs", "rec-thrs", "max-dets", "area-rng", "no-use-cats", "dilation-ratio", "shard", "state-out"];

/** `--protocol lvis`: LVISEval(gt, dt, iouType).run(); text: print_results(), JSON: stats and results. */
async function runLvis(opts: Record<string, string | undefined>, warn: (m: string) => void, info: (m: string) => void, progress?: (m: string) => void): Promise<string> {
  const t0 = performance.now();
  const iouType = opts["iou-type"];
  if (iouType !== "bbox" && iouType !== "segm") throw new UsageError(`--protocol lvis: --iou-type must be bbox or segm (lvis-api's iou types), got ${iouType}`);
  for (const o of NOT_LVIS) if (opts[o] !== undefined) throw new UsageError(`--${o}: not used by --protocol lvis (lvis-api's protocol fixes its parameters)`);
  if (opts.bootstrap !== "0") throw new UsageError("--bootstrap: not available with --protocol lvis");
  if (opts.workers !== "1") throw new UsageError("--workers: --protocol lvis runs on one thread");
  const engine = await createEngine();
  progress?.(`loading ${opts.gt} and ${opts.dt}`);
  const loaded = await loadCocoInputs(opts.gt!, opts.dt!, { module: engine.module });
  progress?.(`evaluating (LVIS, ${iouType})`);
  const ev = evaluateLvis(engine, loaded.gt, loaded.dt, { iouType });
  for (const w of ev.warnings) warn(w);
  let timings: Record<string, number> | undefined;
  if (opts.timings) {
    const all: Record<string, number> = { ...loaded.timings, ...ev.coco.timings, command: performance.now() - t0 };
    timings = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Math.round(v * 10) / 10]));
    info(`timings (ms): ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }
  if (opts.format !== "json") return `${ev.summary()}\n`;
  return `${JSON.stringify({ protocol: "lvis", iouType, stats: ev.stats, results: ev.results, warnings: ev.warnings, ...(timings ? { timings } : {}) })}\n`;
}
