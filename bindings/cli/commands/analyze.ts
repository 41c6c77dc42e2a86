// `detection-eval analyze` and `detection-eval time-analyze` (Node only: reads files by path).
//
// Both are Command entries of the CLI (bindings/cli/main.ts); run() throws AnalysisInputError /
// CocoInputError / GeometryInputError on bad input, with a one-line message naming the path.
//
// analyze --gt GT.json --dt RESULTS.json [--iou 0.5] [--confidence C] [--candidates same-class|any-class]
//         [--format text|json|csv] [--iou-type bbox|segm|keypoints] [--box-iou] [--kpt-sigmas FILE|LIST] [--line-width PX] [--rotated-iou exact|mask] [--classes ID,ID,...]
//   GT/RESULTS: a COCO dataset + COCO results, or the Encord-style format (docs/analysis-format.md),
//   detected from the GT file's keys (`labels` -> Encord-style). `--dt` is optional for Encord-style
//   input holding its predictions. `.gz` files are read too.
//   json: one object with mAP, mAR, AR, mP, mR, mF1, totals and `classes` (categoryId, name, ap, tp,
//   fp, fn, ignored, labels, precision, recall, f1, avgIou; null where undefined), `confusion`,
//   `calibration` and `intervals` (bootstrap over images, --bootstrap N resamples); csv: explorer rows.
// bench --gt --dt [--iou-type bbox|segm] [--candidates ...] [--box-iou] [--runs 30] [--format text|json]
//   json: { parseMs, prepareMs, rescoreMs, atMs, ... }. prepareMs = rasterising + IoU + encoding
//   (adapter and analyze); rescoreMs = median time to answer a new IoU threshold with every per-class
//   metric and every PR curve (per class and overall); atMs = the same without the curves; correlationMs =
//   median time of view.metricCorrelation() on a new view (correlationFirstMs: the first call, which sorts
//   every metric column once).
import { type Command, numberOption, UsageError } from "../command.js";
import { createEngine } from "../../engine/engine.js";
import { FileReadError, MAX_TEXT_BYTES, readFileBounded } from "../../ingest/node-files.js";
import { checkOutputNotInput, writeFileAtomic } from "../../ingest/output-file.js";
import { mkdirSync } from "node:fs";
import { type MetricColumns, parseMetricColumns } from "../../analysis/user-metrics.js";
import type { AnalyzeOptions } from "../../analysis/analyze.js";
import type { KeypointSigmas } from "../../analysis/keypoints.js";
import { join } from "node:path";
import { exportView } from "../../analysis/export.js";
import type { GeometryEngine } from "../../geometry/types.js";
import type { CocoDataset, CocoResults } from "../../coco/inputs.js";
import { streamCocoResults } from "../../ingest/stream-load.js";
import { fromCoco } from "../../analysis/coco-adapter.js";
import { readAnalysisGroundTruth } from "../analysis-input.js";
import type { AnalyzeWorkerPool } from "../analyze-threads.js";
import type { Analysis } from "../../analysis/analysis.js";
import { analyze } from "../../analysis/analyze.js";
import { AnalysisInputError, type AnalysisInput } from "../../analysis/types.js";
import type { AnalysisView } from "../../analysis/analysis.js";
import type { BootstrapResult, Interval } from "../../analysis/bootstrap.js";
import { selectImages } from "../../analysis/select.js";
import { imageIdsOption } from "../subsets.js";

/** The files a run reads (for refusing an output path that is one of them). */
export function runInputs(opts: Record<string, string | undefined>): { option: string; path: string | undefined }[] {
  return ["gt", "dt", "prediction-metrics", "label-metrics", "images-from"].map((k) => ({ option: `--${k}`, path: opts[k] }));
}

/** The image-subset options every analysis command takes. */
export const IMAGE_SUBSET_OPTIONS = {
  "img-ids": { kind: "value", help: "only these images (comma-separated ids)" },
  "images-from": { kind: "value", help: "only the images listed in this file: a JSON array of ids, or one id per line" },
} as const;

/**
 * A warning when COCO boxes with sub-pixel coordinates are rendered as masks: their IoU can then
 * differ from the exact box IoU of `coco` (a 3x3 box shifted 0.4 px: 1.000 rendered, 0.601 exact).
 * Encord-style input is left alone: rendering is its rule.
 */
export function subPixelBoxWarning(input: AnalysisInput, format: "coco" | "encord", boxIou: boolean): string | undefined {
  if (boxIou || format !== "coco") return undefined;
  let n = 0;
  for (const list of [input.labels, input.predictions]) for (const o of list) if (o.shape.kind === "box" && o.shape.box.some((v) => !Number.isInteger(v))) n++;
  return subPixelBoxMessage(n);
}

/** subPixelBoxWarning's message for `n` boxes (export counts them in the columns). */
export function subPixelBoxMessage(n: number): string | undefined {
  if (n === 0) return undefined;
  return `${n} boxes have sub-pixel coordinates: analysis renders boxes as pixel masks (Encord Active's rule), so its IoU can differ from the exact box IoU of "detection-eval coco"; --box-iou uses the exact box IoU`;
}

/** The similarity options every analysis command takes (keypoints: OKS sigmas). */
export const SIMILARITY_OPTIONS = {
  "line-width": { kind: "value", help: "polylines: the width in pixels they are rendered with before the mask IoU (default 30, CULane's)" },
  "rotated-iou": { kind: "value", values: ["exact", "mask"], default: "exact", help: "rotated boxes against rotated or axis-aligned boxes: the exact polygon IoU, or the IoU of the rendered masks like every other shape" },
  "kpt-sigmas": { kind: "value", help: "keypoints: the OKS sigmas, a comma-separated list or a JSON file (a list, or lists by category id or name); default COCO's 17 person sigmas" },
} as const;

/** --kpt-sigmas: a list of numbers, or a JSON file holding a list or a record of lists. */
function kptSigmasOption(v: string): KeypointSigmas {
  if (v.split(",").every((x) => /^\s*[\d.eE+-]+\s*$/.test(x))) {
    const xs = v.split(",").map((x) => Number(x.trim()));
    if (xs.some((x) => !(Number.isFinite(x) && x > 0))) throw new UsageError(`--kpt-sigmas: expected positive numbers, got ${v}`);
    return xs;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileBounded(v, MAX_TEXT_BYTES, "text").toString("utf8"));
  } catch (e) {
    throw new AnalysisInputError(`--kpt-sigmas: cannot read ${v} as JSON (${e instanceof FileReadError ? e.reason : (e as Error).message})`);
  }
  if (Array.isArray(doc)) return doc as number[];
  if (doc !== null && typeof doc === "object") return doc as Record<string, number[]>;
  throw new AnalysisInputError(`--kpt-sigmas: ${v}: expected a list of sigmas or an object of lists by category id or name`);
}

/** analyze()'s similarity options from the command line: --box-iou, --kpt-sigmas (keypoint inputs default to OKS). */
export function similarityOptions(opts: Record<string, string | undefined>): Pick<AnalyzeOptions, "iou" | "kptSigmas" | "lineWidth" | "rotatedIou"> {
  const lw = opts["line-width"];
  if (lw !== undefined && !(Number(lw) > 0 && Number(lw) <= 1e4)) throw new UsageError(`--line-width: expected a width in pixels in (0, 10000], got ${lw}`);
  return { ...(lw !== undefined ? { lineWidth: Number(lw) } : {}), ...(opts["box-iou"] !== undefined ? { iou: "box" as const } : {}), ...(opts["kpt-sigmas"] !== undefined ? { kptSigmas: kptSigmasOption(opts["kpt-sigmas"]) } : {}), ...(opts["rotated-iou"] === "mask" ? { rotatedIou: "mask" as const } : {}) };
}

/** --workers of analyze and report (coco's semantics and cap). */
export const WORKERS_OPTION = {
  workers: { kind: "value", default: "1", help: "threads for the per-image pass (masks, IoU, candidates): this one and N-1 workers, at most one per core; the analysis is identical for any N" },
} as const;

/** --workers checked (before any work): its worker pool (started now, so that its start-up overlaps the reading), or undefined for one thread. */
export async function workersPool(opts: Record<string, string | undefined>, engine: GeometryEngine, warn: (m: string) => void): Promise<AnalyzeWorkerPool | undefined> {
  const requested = Number(opts.workers ?? "1");
  if (!Number.isInteger(requested) || requested < 1 || requested > 256) throw new UsageError(`--workers: expected an integer from 1 to 256, got ${JSON.stringify(opts.workers)}`);
  if (requested === 1) return undefined;
  const { effectiveWorkers } = await import("../../workers/node-threads.js");
  const { workers, cores, capped } = effectiveWorkers(requested);
  if (capped) warn(`--workers ${requested}: more than this machine's ${cores} cores (os.availableParallelism()); using ${workers} (the numbers are the same for any count)`);
  return (await import("../analyze-threads.js")).analyzePool(engine, workers);
}

/** analyze() on the pool's threads and this one, or on this one (the same Analysis). */
export async function analyzeWith(pool: AnalyzeWorkerPool | undefined, engine: GeometryEngine, input: AnalysisInput, options: AnalyzeOptions): Promise<Analysis> {
  if (!pool) return analyze(engine, input, options);
  return (await import("../analyze-threads.js")).analyzeOn(pool, engine, input, options);
}

/** The user-metric options every analysis command takes. */
export const USER_METRIC_OPTIONS = {
  images: { kind: "value", help: "a folder of the image files (PNG or JPEG, by file name) for the image metrics brightness, contrast and sharpness" },
  "prediction-metrics": { kind: "value", help: "your metrics of the predictions: CSV id,metric,... or JSON (ids: COCO results are numbered from 1)" },
  "label-metrics": { kind: "value", help: "your metrics of the labels (CSV or JSON keyed by label / annotation id)" },
} as const;

function readMetrics(path: string, option: string): MetricColumns {
  let text: string;
  try {
    text = readFileBounded(path, MAX_TEXT_BYTES, "text").toString("utf8");
  } catch (e) {
    throw new AnalysisInputError(`--${option}: cannot read ${path} (${e instanceof FileReadError ? e.reason : (e as Error).message})`);
  }
  return parseMetricColumns(text, path);
}

/** analyze()'s `metrics` from --prediction-metrics / --label-metrics, warning about ids that match no object. */
export function userMetrics(input: AnalysisInput, opts: Record<string, string | undefined>, warn: (m: string) => void): AnalyzeOptions["metrics"] {
  const out: NonNullable<AnalyzeOptions["metrics"]> = {};
  for (const [option, target] of [["prediction-metrics", "predictions"], ["label-metrics", "labels"]] as const) {
    const path = opts[option];
    if (path === undefined) continue;
    const cols = readMetrics(path, option);
    const known = new Set(input[target].map((o) => String(o.id)));
    for (const [name, col] of Object.entries(cols)) {
      const ids = Object.keys(col);
      const unmatched = ids.filter((id) => !known.has(id)).length;
      if (unmatched > 0) warn(`${path}: ${unmatched} of ${ids.length} ids of metric ${JSON.stringify(name)} match no ${target === "predictions" ? "prediction" : "label"}`);
    }
    out[target] = cols;
  }
  return out.predictions || out.labels ? out : undefined;
}

/** analyze()'s `pixels` from --images DIR (decoded here), warning about images without a file. */
export async function imagePixels(input: AnalysisInput, opts: Record<string, string | undefined>, warn: (m: string) => void, progress?: (m: string) => void): Promise<AnalyzeOptions["pixels"]> {
  const dir = opts.images;
  if (dir === undefined) return undefined;
  progress?.(`reading the images in ${dir}`);
  const { readImageFolder } = await import("../../ingest/image-files.js");
  const { pixels, missing } = readImageFolder(dir, input.images);
  if (pixels.length === 0) throw new AnalysisInputError(`--images: none of the ${input.images.length} images has a file in ${dir} (files are found by the image's file name)`);
  if (missing > 0) warn(`--images: ${missing} of ${input.images.length} images have no file in ${dir}; their image metrics are left empty`);
  return pixels;
}

/** The input cut to --img-ids / --images-from, when given. */
export function imageSubset(input: AnalysisInput, opts: Record<string, string | undefined>): AnalysisInput {
  const ids = imageIdsOption(opts);
  return ids ? selectImages(input, ids, opts["img-ids"] !== undefined ? "--img-ids" : "--images-from") : input;
}

/**
 * Reads GT (+ DT) in either format, both streamed (any size; bindings/cli/analysis-input.ts): COCO
 * into columns as the coco command reads it, the Encord-style formats element by element. JSON
 * syntax errors give line and column. Timings: parse, and the geometry done by the COCO adapter.
 */
export async function loadAnalysisInput(
  engine: GeometryEngine,
  gtPath: string,
  dtPath: string | undefined,
  iouType?: "bbox" | "segm" | "keypoints",
): Promise<{ input: AnalysisInput; parseMs: number; adaptMs: number; format: "coco" | "encord"; coco?: { gt: CocoDataset; dt: CocoResults } }> {
  const t0 = performance.now();
  const gt = await readAnalysisGroundTruth(gtPath, dtPath);
  if (gt.format === "encord") return { input: gt.input, parseMs: performance.now() - t0, adaptMs: 0, format: "encord" };
  if (dtPath === undefined) throw new AnalysisInputError("--dt: COCO input needs a results file");
  const ds = gt.gt;
  const res = await streamCocoResults(dtPath, ds);
  const t1 = performance.now();
  const input = fromCoco(engine, ds, res, iouType ? { iouType } : {});
  return { input, parseMs: t1 - t0, adaptMs: performance.now() - t1, format: "coco", coco: { gt: ds, dt: res } };
}

function fmt(v: number | null, digits = 3): string {
  return v === null || !Number.isFinite(v) ? "-" : v.toFixed(digits);
}

/** The error-analysis part of analyze's JSON: confusion matrix, calibration, bootstrap intervals. */
export function errorAnalysisJson(view: AnalysisView, boot: BootstrapResult | undefined): Record<string, unknown> {
  const m = view.confusion();
  const { bins, ...cal } = view.calibration();
  return {
    confusion: { iou: m.iou, categories: m.categories, counts: m.counts, rates: m.rates },
    calibration: { ...cal, bins },
    ...(boot ? { intervals: boot } : {}),
  };
}

function interval(name: string, x: Interval): string {
  return `${name} ${fmt(x.estimate)} [${fmt(x.lo)}, ${fmt(x.hi)}]`;
}

/** " (rotated boxes: ...)" when the input holds rotated boxes: the similarity the header names is not theirs alone. */
export function rotatedNote(input: AnalysisInput, opts: Record<string, string | undefined>): string {
  const rotated = input.labels.some((o) => o.shape.kind === "rotated") || input.predictions.some((o) => o.shape.kind === "rotated");
  if (!rotated || opts["box-iou"] !== undefined) return "";
  return opts["rotated-iou"] === "mask" ? "; rotated boxes on rendered masks too" : "; rotated boxes against boxes: exact polygon IoU";
}

function renderText(view: AnalysisView, boot: BootstrapResult | undefined, note = ""): string {
  const s = view.summary();
  const lines = [
    `${s.iouKind === "oks" ? "OKS" : "IoU"} threshold ${s.iou} (${s.iouKind === "box" ? "exact box IoU" : s.iouKind === "oks" ? "object keypoint similarity" : "IoU of the rendered masks"}${note}), ${s.confidence === null ? "every confidence" : `confidence >= ${s.confidence}`}, candidates ${s.candidates}`,
    `mAP ${fmt(s.mAP)}  mAR ${fmt(s.mAR)}  AR@[.50:.95] ${fmt(s.AR)}  mP ${fmt(s.mP)}  mF1 ${fmt(s.mF1)}`,
    `TP ${s.tp}  FP ${s.fp}  FN ${s.fn}  ignored ${s.ignored}  precision ${fmt(s.precision)}  recall ${fmt(s.recall)}  F1 ${fmt(s.f1)}  avg ${s.iouKind === "oks" ? "OKS" : "IoU"} ${fmt(s.avgIou)}`,
    "",
  ];
  const header = ["category", "name", "AP", "TP", "FP", "FN", "precision", "recall", "F1", s.iouKind === "oks" ? "avgOKS" : "avgIoU"];
  const rows = s.classes.map((c) => [String(c.categoryId), c.name, fmt(c.ap), String(c.tp), String(c.fp), String(c.fn), fmt(c.precision), fmt(c.recall), fmt(c.f1), fmt(c.avgIou)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ");
  lines.push(line(header), ...rows.map(line));
  const cal = view.calibration();
  lines.push("", `calibration (10 confidence bins): ECE ${fmt(cal.ece)}  MCE ${fmt(cal.mce)}`);
  if (boot)
    lines.push(
      `${Math.round(boot.level * 100)}% intervals (${boot.resamples} bootstrap resamples of the images, seed ${boot.seed}): ` +
        [interval("mAP", boot.mAP), interval("precision", boot.precision), interval("recall", boot.recall), interval("F1", boot.f1)].join("  "),
    );
  return lines.join("\n") + "\n";
}

/** --bootstrap / --seed, checked before any work (null for --bootstrap 0). */
export function bootstrapOptions(opts: Record<string, string | undefined>): { resamples: number; seed: number } | null {
  const resamples = numberOption(opts, "bootstrap", 1000);
  const seed = numberOption(opts, "seed", 0);
  if (!(Number.isInteger(resamples) && resamples >= 0 && resamples <= 1_000_000)) throw new UsageError(`--bootstrap: expected a whole number of resamples (0 for none), got ${opts.bootstrap}`);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${opts.seed}`);
  return resamples === 0 ? null : { resamples, seed };
}

export const ANALYZE_COMMAND: Command = {
  summary: "model performance at one IoU threshold and confidence (Encord Active semantics)",
  usage:
    "detection-eval analyze --gt GT.json --dt RESULTS.json [--iou 0.5] [--confidence C] [--candidates same-class|any-class] [--classes ID|NAME,...] [--img-ids ID,... | --images-from FILE] [--iou-type bbox|segm|keypoints] [--box-iou] [--kpt-sigmas FILE|LIST] [--line-width PX] [--rotated-iou exact|mask] [--prediction-metrics FILE] [--label-metrics FILE] [--images DIR] [--bootstrap 1000] [--seed 0] [--format text|json|csv] [--export DIR] [--workers N]",
  options: {
    gt: { kind: "value", required: true, help: "COCO dataset or Encord-style labels (.json or .json.gz)" },
    dt: { kind: "value", help: "COCO results or Encord-style predictions (optional when GT holds them)" },
    iou: { kind: "value", default: "0.5", help: "IoU threshold in (0, 1]" },
    confidence: { kind: "value", help: "predictions below this confidence are discarded first (default: none is, negative scores included)" },
    candidates: { kind: "value", values: ["same-class", "any-class"], default: "same-class", help: "labels a prediction may match" },
    format: { kind: "value", values: ["text", "json", "csv"], default: "text", help: "csv: the explorer rows" },
    "iou-type": { kind: "value", values: ["bbox", "segm", "keypoints"], help: "COCO input: boxes, masks or keypoints (OKS) (default: segm for segmentation results, keypoints for keypoint results)" },
    "box-iou": { kind: "flag", help: "exact box IoU instead of rendered masks (boxes only)" },
    classes: { kind: "value", help: "comma-separated category ids or names to include" },
    ...SIMILARITY_OPTIONS,
    ...IMAGE_SUBSET_OPTIONS,
    ...USER_METRIC_OPTIONS,
    ...WORKERS_OPTION,
    bootstrap: { kind: "value", default: "1000", help: "resamples of the images for the confidence intervals (0: none)" },
    seed: { kind: "value", default: "0", help: "seed of the bootstrap resampling" },
    export: { kind: "value", help: "also write every page's data into this folder: summary.json, curves.json and CSVs (PR, P/R/F1 vs confidence, IoU histogram, metric performance and correlation, confusion matrix, calibration, explorer)" },
  },
  async run({ opts, progress, warn, info }) {
    const boot0 = opts.format === "csv" ? null : bootstrapOptions(opts);
    const eng = await createEngine();
    const pool = await workersPool(opts, eng, warn);
    try {
      return await runAnalyze(opts, eng, pool, boot0, { progress, warn, info });
    } finally {
      void pool?.close();
    }
  },
};

/** analyze's work once its options are checked. */
async function runAnalyze(
  opts: Record<string, string | undefined>,
  eng: GeometryEngine,
  pool: AnalyzeWorkerPool | undefined,
  boot0: { resamples: number; seed: number } | null,
  { progress, warn, info }: { progress?: ((m: string) => void) | undefined; warn: (m: string) => void; info: (m: string) => void },
): Promise<string> {
    progress?.(`loading ${opts.gt}`);
    const loaded = await loadAnalysisInput(eng, opts.gt!, opts.dt, opts["iou-type"] as "bbox" | "segm" | "keypoints" | undefined);
    const input = imageSubset(loaded.input, opts);
    for (const w of input.warnings ?? []) warn(w);
    const subPixel = subPixelBoxWarning(input, loaded.format, opts["box-iou"] !== undefined);
    if (subPixel) warn(subPixel);
    progress?.("analysing");
    const metrics = userMetrics(input, opts, warn);
    const pixels = await imagePixels(input, opts, warn, progress);
    const a = await analyzeWith(pool, eng, input, { candidates: (opts.candidates ?? "same-class") as "same-class" | "any-class", ...similarityOptions(opts), ...(metrics ? { metrics } : {}), ...(pixels ? { pixels } : {}) });
    const classes = opts.classes?.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
    const view = a.at({ iou: numberOption(opts, "iou", 0.5), confidence: numberOption(opts, "confidence", -Infinity), ...(classes ? { classes } : {}) });
    if (opts.export !== undefined) {
      progress?.(`writing ${opts.export}`);
      const files = exportView(a, view);
      try {
        mkdirSync(opts.export, { recursive: true });
      } catch (e) {
        throw new AnalysisInputError(`--export: cannot create the folder ${opts.export} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      for (const name of Object.keys(files)) checkOutputNotInput({ option: "--export", path: join(opts.export, name) }, runInputs(opts));
      for (const [name, text] of Object.entries(files)) writeFileAtomic(join(opts.export, name), text);
      info(`wrote ${Object.keys(files).length} files to ${opts.export}`);
    }
    const format = opts.format ?? "text";
    if (format === "csv") return view.explorerCsv();
    if (boot0) progress?.(`bootstrap: ${boot0.resamples} resamples`);
    const boot = boot0 ? view.bootstrap(boot0) : undefined;
    if (format === "json") return JSON.stringify({ ...view.summary(), ...errorAnalysisJson(view, boot) }) + "\n";
    return renderText(view, boot, rotatedNote(input, opts));
}

export const TIME_ANALYZE_COMMAND: Command = {
  summary: "time analysis mode: prepare once, then re-score at new IoU thresholds",
  usage: "detection-eval time-analyze --gt GT.json --dt RESULTS.json [--iou-type bbox|segm|keypoints] [--candidates same-class|any-class] [--box-iou] [--runs 30] [--format text|json]",
  options: {
    gt: { kind: "value", required: true },
    dt: { kind: "value" },
    "iou-type": { kind: "value", values: ["bbox", "segm", "keypoints"] },
    candidates: { kind: "value", values: ["same-class", "any-class"], default: "same-class" },
    "box-iou": { kind: "flag" },
    runs: { kind: "value", default: "30" },
    format: { kind: "value", values: ["text", "json"], default: "text" },
  },
  async run({ opts, progress }) {
    const eng = await createEngine();
    // the input objects go out of scope once analysed: the Analysis keeps typed arrays only
    const { a, loaded, analyzeMs } = await (async () => {
      progress?.(`loading ${opts.gt}`);
      const { input, ...loaded } = await loadAnalysisInput(eng, opts.gt!, opts.dt, opts["iou-type"] as "bbox" | "segm" | "keypoints" | undefined);
      progress?.("preparing");
      const t0 = performance.now();
      const a = analyze(eng, input, { candidates: (opts.candidates ?? "same-class") as "same-class" | "any-class", ...similarityOptions(opts) });
      return { a, loaded, analyzeMs: performance.now() - t0 };
    })();
    const runs = Math.max(1, Math.round(numberOption(opts, "runs", 30)));
    const thresholds = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.1, 0.2, 0.3, 0.4, 0.45];
    const median = (xs: number[]) => {
      const s = [...xs].sort((x, y) => x - y);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    // warm-up runs (JIT) are not timed, then timed runs alternating thresholds
    progress?.("re-scoring");
    const warmup = 10;
    const full: number[] = [];
    const atOnly: number[] = [];
    let sink = 0;
    for (let r = -warmup; r < runs; r++) {
      const t = thresholds[(r + warmup) % thresholds.length];
      let s = performance.now();
      const v = a.at({ iou: t });
      for (const c of v.classes) sink += v.prCurve(c.categoryId).ap;
      sink += v.prCurve().envelope.length;
      const f = performance.now() - s;
      s = performance.now();
      sink += a.at({ iou: thresholds[(r + 3 + warmup) % thresholds.length] }).mAP;
      if (r >= 0) {
        atOnly.push(performance.now() - s);
        full.push(f);
      }
    }
    // the metric-correlation page: first call (sorts every metric column once), then per question
    progress?.("metric correlation");
    let s0 = performance.now();
    sink += a.at({ iou: 0.5 }).metricCorrelation().length;
    const correlationFirstMs = performance.now() - s0;
    const corr: number[] = [];
    for (let r = -3; r < runs; r++) {
      const view = a.at({ iou: thresholds[(r + 3) % thresholds.length] });
      s0 = performance.now();
      sink += view.metricCorrelation().length;
      if (r >= 0) corr.push(performance.now() - s0);
    }
    const v = a.at({ iou: 0.5 });
    const out = {
      format: loaded.format,
      images: a.images.length,
      labels: a.labelCount,
      predictions: a.predictionCount,
      candidates: a.candidates,
      parseMs: loaded.parseMs,
      prepareMs: loaded.adaptMs + analyzeMs,
      prepare: { adapterMs: loaded.adaptMs, ...a.timings },
      rescoreMs: median(full),
      rescoreMinMs: Math.min(...full),
      atMs: median(atOnly),
      correlationMs: median(corr),
      correlationFirstMs,
      runs,
      mAP50: v.mAP,
      checksum: sink,
    };
    if ((opts.format ?? "text") === "json") return JSON.stringify(out) + "\n";
    return (
      `${out.predictions} predictions, ${out.labels} labels, ${out.images} images (${out.format}, ${out.candidates})\n` +
      `parse ${out.parseMs.toFixed(0)} ms, prepare ${out.prepareMs.toFixed(0)} ms ` +
      `(adapter ${loaded.adaptMs.toFixed(0)}, raster ${a.timings.rasterMs.toFixed(0)}, IoU ${a.timings.iouMs.toFixed(0)}, encode ${a.timings.encodeMs.toFixed(0)})\n` +
      `re-score (per-class metrics + all PR curves): median ${out.rescoreMs.toFixed(2)} ms over ${runs} runs; at() alone ${out.atMs.toFixed(2)} ms\n` +
      `metric correlation: median ${out.correlationMs.toFixed(2)} ms (first call ${out.correlationFirstMs.toFixed(0)} ms)\n`
    );
  },
};
