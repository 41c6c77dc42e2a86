// detection-eval/report: the self-contained HTML report, browser-safe (the CLI command lives in ./command.ts).
export { renderReportHtml, type ReportOptions } from "./html.js";
export { encodeAnalysis, decodeAnalysis, type EncodedAnalysis } from "./data.js";
export type { ReportMeta } from "./meta.js";
