// detection-eval/report: the self-contained HTML report, browser-safe (the CLI command is bindings/cli/commands/report.ts).
export { renderReportHtml, type ReportImages, type ReportOptions } from "./html.js";
export { encodeAnalysis, decodeAnalysis, type EncodedAnalysis } from "./data.js";
export { packShapes, readShape, reportShapes, type PackedShapes, type ReportShapes } from "./shapes.js";
export type { ReportMeta } from "./meta.js";
