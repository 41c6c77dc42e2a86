// detection-eval/report: the self-contained HTML report, browser-safe (the CLI command is bindings/cli/commands/report.ts).
export { renderReportHtml, type ReportOptions } from "./html.js";
export { encodeAnalysis, decodeAnalysis, type EncodedAnalysis } from "./data.js";
export type { ReportMeta } from "./meta.js";
