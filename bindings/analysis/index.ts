// Analysis mode (model-performance.md): the browser-safe public API. The CLI commands live in
// ./commands.ts (Node only).
export { analyze, type AnalyzeOptions } from "./analyze.js";
export type { CandidateMode, UserMetricValues } from "./prepared.js";
export {
  Analysis,
  AnalysisView,
  FP_REASONS,
  FN_REASONS,
  type AtOptions,
  type MetricRange,
  type ClassResult,
  type PrCurve,
  type ConfidenceCurve,
  type PredictionRow,
  type LabelRow,
  type OutcomeCounts,
  type CorrelationRow,
  type PerformanceBin,
  type AnalysisSummary,
  type FpReason,
  type FnReason,
} from "./analysis.js";
export { RECALL_THRESHOLDS, COCO_IOU_THRESHOLDS } from "./thresholds.js";
export { confusionObjects, type ConfusionMatrix, type ConfusionObjects } from "./confusion.js";
export type { Calibration, CalibrationBin } from "./calibration.js";
export type { BootstrapOptions, BootstrapResult, BootstrapSamples, ClassIntervals, Interval } from "./bootstrap.js";
export { compare, type Comparison, type CompareOptions, type ModelResult, type ClassComparison, type PairComparison, type Difference, type LabelFlip } from "./compare.js";
export { parseEncordJson, isEncordJson, type ParsedEncord } from "./encord-format.js";
export { fromCoco, type CocoAdapterOptions } from "./coco-adapter.js";
export { selectImages } from "./select.js";
export { isLabelRows, parseLabelRows } from "./label-rows.js";
export { toCoco, type CocoFiles } from "./to-coco.js";
export { exportView, type ExportOptions } from "./export.js";
export { objectTable, cellValue, type ObjectTable, type ObjectColumn } from "./object-table.js";
export { csvCell } from "./csv.js";
export { PREDICTION_METRICS, LABEL_METRICS, IMAGE_METRICS, type MetricTable } from "./metric-names.js";
export { pearson, spearman, averageRanks, argsortFinite, sortColumn, subsetCorrelation, type SortedColumn } from "./stats.js";
export { imagePixelMetrics, lumaOf, type ImagePixelMetrics, type ImagePixels } from "./pixels.js";
export { AnalysisInputError, type AnalysisInput, type ObjectInput, type Shape, type ImageInfo, type CategoryInfo } from "./types.js";
