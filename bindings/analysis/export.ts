// The data of every model-performance page of one view, as files: the summary and the curves as
// JSON, and one CSV per page (PR curves raw and interpolated, P/R/F1 vs confidence, IoU histogram,
// metric performance, metric correlation, the confusion matrix, calibration, the explorer). The CLI writes them (`analyze --export DIR`);
// in a browser they can be offered as downloads. Browser-safe: it returns strings.
import type { Analysis, AnalysisView } from "./analysis.js";
import { RECALL_THRESHOLDS } from "./thresholds.js";
import { csvCell } from "./csv.js";

function csv(header: readonly string[], rows: Iterable<readonly unknown[]>): string {
  let out = `${header.join(",")}\n`;
  for (const r of rows) out += `${r.map(csvCell).join(",")}\n`;
  return out;
}

export interface ExportOptions {
  /** Bins of the IoU histogram (default 20) and of each metric's performance page (default 10). */
  iouBins?: number;
  metricBins?: number;
}

/**
 * The files of one view: file name -> content. Curves are given per included class and for all of
 * them pooled (class id "" and name "all selected").
 */
export function exportView(analysis: Analysis, view: AnalysisView, options: ExportOptions = {}): Record<string, string> {
  const classes = view.classes.map((c) => ({ id: c.categoryId, name: c.name }));
  const curveSets = [...classes.map((c) => ({ ...c, key: c.id as number | string | undefined })), { id: "", name: "all selected", key: undefined }];

  const pr: unknown[][] = [];
  const interpolated: unknown[][] = [];
  const conf: unknown[][] = [];
  const curvesJson: Record<string, unknown>[] = [];
  for (const c of curveSets) {
    const p = view.prCurve(c.key);
    for (let i = 0; i < p.recall.length; i++) pr.push([c.id, c.name, i + 1, p.confidence[i], p.precision[i], p.recall[i], p.envelope[i]]);
    for (let r = 0; r < RECALL_THRESHOLDS.length; r++) interpolated.push([c.id, c.name, RECALL_THRESHOLDS[r], p.interpolated[r]]);
    const k = view.confidenceCurve(c.key);
    for (let i = 0; i < k.confidence.length; i++) conf.push([c.id, c.name, k.confidence[i], k.precision[i], k.recall[i], k.f1[i]]);
    curvesJson.push({ categoryId: c.id === "" ? null : c.id, name: c.name, pr: p, confidence: k });
  }

  const hist = view.iouHistogram({ bins: options.iouBins ?? 20 });
  const histRows = Array.from(hist.tp, (tp, b) => [hist.edges[b], hist.edges[b + 1], tp, hist.fp[b]]);

  const perf: unknown[][] = [];
  for (const target of ["predictions", "labels"] as const) {
    const names = target === "predictions" ? analysis.predictionMetricNames : analysis.labelMetricNames;
    for (const metric of names) {
      const bins = view.metricPerformance(metric, { target, bins: options.metricBins ?? 10 });
      bins.forEach((b, i) => perf.push([target, metric, i, b.min, b.max, b.count, b.tp, b.fp, b.fn, b.precision, b.fnRate]));
    }
  }
  const corr = view.metricCorrelation().map((r) => [r.target, r.metric, r.n, r.pearson, r.spearman]);
  const m = view.confusion();
  const side = [...m.categories.map((c) => [c.categoryId, c.name] as const), ["", "background"] as const];
  const cells: unknown[][] = [];
  m.counts.forEach((row, r) => row.forEach((count, c) => cells.push([side[r]![0], side[r]![1], side[c]![0], side[c]![1], count, m.rates[r]![c]])));
  const cal = view.calibration().bins.map((b) => [b.lo, b.hi, b.count, b.tp, b.confidence, b.precision]);

  return {
    "summary.json": `${JSON.stringify(view.summary())}\n`,
    "curves.json": `${JSON.stringify(curvesJson)}\n`,
    "pr-curves.csv": csv(["categoryId", "class", "rank", "confidence", "precision", "recall", "envelope"], pr),
    "pr-interpolated.csv": csv(["categoryId", "class", "recallThreshold", "precision"], interpolated),
    "confidence-curves.csv": csv(["categoryId", "class", "confidence", "precision", "recall", "f1"], conf),
    "iou-histogram.csv": csv(["iouFrom", "iouTo", "tp", "fp"], histRows),
    "metric-performance.csv": csv(["target", "metric", "bin", "min", "max", "count", "tp", "fp", "fn", "precision", "fnRate"], perf),
    "metric-correlation.csv": csv(["target", "metric", "n", "pearson", "spearman"], corr),
    "confusion.csv": csv(["predictedId", "predicted", "trueId", "true", "count", "rowRate"], cells),
    "calibration.csv": csv(["confidenceFrom", "confidenceTo", "count", "tp", "meanConfidence", "precision"], cal),
    "explorer.csv": view.explorerCsv(),
  };
}
