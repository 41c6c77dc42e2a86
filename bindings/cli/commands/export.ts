// `detection-eval export`: the object table of an analysis (bindings/analysis/object-table.ts: one row
// per prediction and per label, with candidate, IoU, dup, crowd IoU, rank, outcome at --iou and every
// metric) as Parquet, Arrow or CSV, by the extension of --out. sql/rescore.sql re-scores that table at
// any IoU threshold. Node only; the file is written atomically and never over an input.
import { type Command, numberOption, UsageError } from "../command.js";
import { createEngine } from "../../engine/engine.js";
import { checkOutputNotInput, writeFileAtomic } from "../../ingest/output-file.js";
import { analyze } from "../../analysis/analyze.js";
import { objectTable } from "../../analysis/object-table.js";
import { encodeTable, tableFormatOf } from "../table-files.js";
import { imagePixels, loadAnalysisInput, runInputs, SIMILARITY_OPTIONS, similarityOptions, subPixelBoxWarning, USER_METRIC_OPTIONS, userMetrics } from "./analyze.js";

export const EXPORT_COMMAND: Command = {
  summary: "the analysis' objects (predictions and labels, with candidate, IoU, dup, outcome, metrics) as Parquet, Arrow or CSV",
  usage:
    "detection-eval export --gt GT.json --dt RESULTS.json --out FILE.parquet|FILE.arrow|FILE.csv [--iou 0.5] [--candidates same-class|any-class] [--iou-type bbox|segm|keypoints] [--box-iou] [--kpt-sigmas FILE|LIST] [--line-width PX] [--prediction-metrics FILE] [--label-metrics FILE] [--images DIR]",
  options: {
    gt: { kind: "value", required: true, help: "COCO dataset or Encord-style labels (.json or .json.gz)" },
    dt: { kind: "value", help: "COCO results or Encord-style predictions (optional when GT holds them)" },
    out: { kind: "value", required: true, help: "the table to write: .parquet, .arrow (Arrow IPC file) or .csv" },
    iou: { kind: "value", default: "0.5", help: "IoU threshold of the outcome and reason columns, in (0, 1]" },
    candidates: { kind: "value", values: ["same-class", "any-class"], default: "same-class", help: "labels a prediction may match" },
    "iou-type": { kind: "value", values: ["bbox", "segm", "keypoints"], help: "COCO input: boxes, masks or keypoints (OKS) (default: segm for segmentation results, keypoints for keypoint results)" },
    "box-iou": { kind: "flag", help: "exact box IoU instead of rendered masks (boxes only)" },
    ...SIMILARITY_OPTIONS,
    ...USER_METRIC_OPTIONS,
  },
  async run({ opts, progress, warn, info }) {
    const out = opts.out!;
    const format = tableFormatOf(out);
    if (!format) throw new UsageError(`--out: expected a file ending in .parquet, .arrow or .csv, got ${out}`);
    checkOutputNotInput({ option: "--out", path: out }, runInputs(opts));
    const iou = numberOption(opts, "iou", 0.5);
    if (!(iou > 0 && iou <= 1)) throw new UsageError(`--iou: expected a number in (0, 1], got ${opts.iou}`);
    const eng = await createEngine();
    progress?.(`loading ${opts.gt}`);
    const loaded = await loadAnalysisInput(eng, opts.gt!, opts.dt, opts["iou-type"] as "bbox" | "segm" | "keypoints" | undefined);
    const input = loaded.input;
    for (const w of input.warnings ?? []) warn(w);
    const subPixel = subPixelBoxWarning(input, loaded.format, opts["box-iou"] !== undefined);
    if (subPixel) warn(subPixel);
    progress?.("analysing");
    const metrics = userMetrics(input, opts, warn);
    const pixels = await imagePixels(input, opts, warn, progress);
    const a = analyze(eng, input, { candidates: (opts.candidates ?? "same-class") as "same-class" | "any-class", ...similarityOptions(opts), ...(metrics ? { metrics } : {}), ...(pixels ? { pixels } : {}) });
    const view = a.at({ iou });
    progress?.(`writing ${out}`);
    const table = objectTable(a, view);
    for (const note of table.notes) warn(note);
    writeFileAtomic(out, encodeTable(table, format));
    info(`wrote ${out} (${table.rows} rows: ${a.predictionCount} predictions, ${a.labelCount} labels; ${table.columns.length} columns)`);
    return "";
  },
};
