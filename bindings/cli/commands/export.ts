// `detection-eval export`: the object table of an analysis (bindings/analysis/object-table.ts: one row
// per prediction and per label, with candidate, IoU, dup, crowd IoU, rank, outcome at --iou and every
// metric) as Parquet, Arrow or CSV, by the extension of --out. sql/rescore.sql re-scores that table at
// any IoU threshold. Node only; the file is written atomically and never over an input.
//
// COCO input in image order (both files' objects grouped by image in the dataset's image order, as
// results files usually are) is streamed (bindings/cli/export-stream.ts): the results stay in columns,
// images are analysed a chunk at a time and each chunk's rows are encoded and written before the next.
// Encord-style input, --images, --prediction-metrics / --label-metrics, and COCO input in another order
// are analysed whole, as `analyze` does; the table is still encoded and written a row group at a time.
import { type Command, numberOption, UsageError } from "../command.js";
import { createEngine } from "../../engine/engine.js";
import { checkOutputNotInput, openAtomicOutput } from "../../ingest/output-file.js";
import { streamCocoResults } from "../../ingest/stream-load.js";
import { analyze } from "../../analysis/analyze.js";
import { fromCoco } from "../../analysis/coco-adapter.js";
import { readAnalysisGroundTruth } from "../analysis-input.js";
import { AnalysisInputError, type AnalysisInput } from "../../analysis/types.js";
import { objectTable, sliceTable } from "../../analysis/object-table.js";
import { openTableWriter, tableFormatOf, type TableWriter } from "../table-files.js";
import { planStreamedExport } from "../export-stream.js";
import { imagePixels, runInputs, SIMILARITY_OPTIONS, similarityOptions, subPixelBoxMessage, subPixelBoxWarning, USER_METRIC_OPTIONS, userMetrics } from "./analyze.js";

/** Rows per batch handed to the writer when the table is built whole (one Parquet row group, Arrow record batch). */
const WHOLE_BATCH = 65536;

export const EXPORT_COMMAND: Command = {
  summary: "the analysis' objects (predictions and labels, with candidate, IoU, dup, outcome, metrics) as Parquet, Arrow or CSV",
  usage:
    "detection-eval export --gt GT.json --dt RESULTS.json --out FILE.parquet|FILE.arrow|FILE.csv [--iou 0.5] [--candidates same-class|any-class] [--iou-type bbox|segm|keypoints] [--box-iou] [--kpt-sigmas FILE|LIST] [--line-width PX] [--rotated-iou exact|mask] [--prediction-metrics FILE] [--label-metrics FILE] [--images DIR]",
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
    const candidates = (opts.candidates ?? "same-class") as "same-class" | "any-class";
    const boxIou = opts["box-iou"] !== undefined;
    progress?.(`loading ${opts.gt}`);
    const gt = await readAnalysisGroundTruth(opts.gt!, opts.dt);
    const similarity = similarityOptions(opts);
    let input: AnalysisInput;
    let inputFormat: "coco" | "encord" = "encord";
    if (gt.format === "encord") input = gt.input;
    else {
      if (opts.dt === undefined) throw new AnalysisInputError("--dt: COCO input needs a results file");
      const ds = gt.gt;
      const dt = await streamCocoResults(opts.dt, ds);
      const iouType = (opts["iou-type"] as "bbox" | "segm" | "keypoints" | undefined) ?? (dt.source === "segm" ? "segm" : dt.source === "keypoints" ? "keypoints" : "bbox");
      // keypoints (OKS) and user metrics / image files are analysed whole
      const streamable = iouType !== "keypoints" && opts.images === undefined && opts["prediction-metrics"] === undefined && opts["label-metrics"] === undefined;
      const plan = streamable
        ? planStreamedExport(eng, ds, dt, { iouType, analyze: { candidates, iou: boxIou ? "box" : "mask" }, viewIou: iou, progress })
        : null;
      if (plan) {
        for (const w of plan.warnings) warn(w);
        const subPixel = boxIou ? undefined : subPixelBoxMessage(plan.subPixelBoxes);
        if (subPixel) warn(subPixel);
        progress?.(`analysing and writing ${out}`);
        const r = writeTable(out, format, (writer) => plan.write(writer));
        for (const note of r.notes) warn(note);
        info(`wrote ${out} (${r.rows} rows: ${r.predictions} predictions, ${r.labels} labels; ${r.columns} columns)`);
        return "";
      }
      input = fromCoco(eng, ds, dt, { iouType });
      inputFormat = "coco";
    }
    for (const w of input.warnings ?? []) warn(w);
    const subPixel = subPixelBoxWarning(input, inputFormat, boxIou);
    if (subPixel) warn(subPixel);
    progress?.("analysing");
    const metrics = userMetrics(input, opts, warn);
    const pixels = await imagePixels(input, opts, warn, progress);
    const a = analyze(eng, input, { candidates, ...similarity, ...(metrics ? { metrics } : {}), ...(pixels ? { pixels } : {}) });
    const view = a.at({ iou });
    progress?.(`writing ${out}`);
    const table = objectTable(a, view);
    for (const note of table.notes) warn(note);
    writeTable(out, format, (writer) => {
      for (let from = 0; from < table.rows || from === 0; from += WHOLE_BATCH) writer.write(sliceTable(table, from, Math.min(table.rows, from + WHOLE_BATCH)));
    });
    info(`wrote ${out} (${table.rows} rows: ${a.predictionCount} predictions, ${a.labelCount} labels; ${table.columns.length} columns)`);
    return "";
  },
};

/** Runs `fill` on a table writer into an atomic output: committed when every row is written, else removed. */
function writeTable<T>(out: string, format: "parquet" | "arrow" | "csv", fill: (writer: TableWriter) => T): T {
  const file = openAtomicOutput(out);
  try {
    const writer = openTableWriter(format, (bytes) => file.write(bytes));
    const r = fill(writer);
    writer.finish();
    file.commit();
    return r;
  } finally {
    file.abort();
  }
}
