// `detection-eval coco`: pycocotools-compatible evaluation from the command line (Node only).
// Files are streamed into columns (bindings/ingest/stream-load.ts: any size, gzip or not); `--workers N`
// evaluates on N threads (bindings/workers/), with the same numbers for any N.
import { UsageError, type Command } from "../command.js";
import { createEngine } from "../../engine/engine.js";
import { loadCocoInputs } from "../../ingest/stream-load.js";
import { evaluateCoco, type CocoEvaluation } from "../../coco/evaluate.js";
import type { IouType } from "../../coco/params.js";

export const COCO_COMMAND: Command = {
  summary: "pycocotools-compatible COCO evaluation (stats, per-category AP)",
  usage:
    "detection-eval coco --gt GT.json --dt RESULTS.json --iou-type bbox|segm|keypoints [--format text|json] [--workers N] [--timings]",
  options: {
    gt: { kind: "value", required: true, help: "COCO dataset (.json or .json.gz)" },
    dt: { kind: "value", required: true, help: "COCO results (.json or .json.gz)" },
    "iou-type": { kind: "value", required: true, values: ["bbox", "segm", "keypoints"] },
    format: { kind: "value", values: ["text", "json"], default: "text" },
    workers: { kind: "value", default: "1", help: "threads for masks, IoU and matching (this one and N-1 workers; results are identical for any N)" },
    timings: { kind: "flag", help: "print milliseconds per stage on stderr (with --format json also a \"timings\" key)" },
  },
  async run({ opts, progress, warn, info }) {
    const t0 = performance.now();
    const workers = Number(opts.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new UsageError(`--workers: expected an integer from 1 to 256, got ${JSON.stringify(opts.workers)}`);
    const engine = await createEngine();
    const iouType = opts["iou-type"] as IouType;
    // workers start while the files are read (their start-up overlaps the parsing)
    const parallel = workers > 1 ? await import("../../workers/node-threads.js") : undefined;
    const pool = parallel ? new parallel.NodeWorkerPool(engine.module, workers - 1) : undefined;
    let ev: CocoEvaluation;
    let loadTimings: Record<string, number> = {};
    try {
      progress?.(`loading ${opts.gt} and ${opts.dt}`);
      const loaded = await loadCocoInputs(opts.gt!, opts.dt!, { module: engine.module });
      progress?.(`evaluating (${iouType}${workers > 1 ? `, ${workers} workers` : ""})`);
      ev = parallel ? await parallel.evaluateCocoParallel(engine, loaded.gt, loaded.dt, { iouType }, { workers, pool }) : evaluateCoco(engine, loaded.gt, loaded.dt, { iouType });
      loadTimings = loaded.timings;
    } finally {
      void pool?.close();
    }
    for (const w of ev.warnings) warn(w);
    let timings: Record<string, number> | undefined;
    if (opts.timings) {
      const all: Record<string, number> = { ...loadTimings, ...ev.timings, command: performance.now() - t0 };
      timings = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Math.round(v * 10) / 10]));
      info(`timings (ms): ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    }
    if (opts.format !== "json") return `${ev.summary()}\n`;
    const json = { iouType, stats: ev.stats, statsLabels: ev.statsLabels, perCategory: ev.perCategory(), warnings: ev.warnings, ...(timings ? { timings } : {}) };
    return `${JSON.stringify(json)}\n`;
  },
};
