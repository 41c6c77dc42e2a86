// User metrics from a file's text (the CLI's --prediction-metrics / --label-metrics): a CSV whose
// first column is the object id and whose other columns are metrics, or JSON, either
// { "metric": { "<id>": value } } or [{ "id": ..., "metric": value }]. Empty cells and nulls are
// missing values. Every problem names the file and the place. Browser-safe.
import { parseCsv } from "./csv.js";
import { AnalysisInputError } from "./types.js";

/** metric name -> object id (as a string) -> value */
export type MetricColumns = Record<string, Record<string, number>>;

function value(v: unknown, where: string): number {
  if (v === null || v === "") return NaN;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v.trim()) : NaN;
  if (Number.isNaN(n) && !(typeof v === "string" && v.trim().toLowerCase() === "nan")) throw new AnalysisInputError(`${where}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

export function parseMetricColumns(text: string, file: string): MetricColumns {
  const t = text.replace(/^\uFEFF/, "");
  const head = t.trimStart()[0];
  const out: MetricColumns = {};
  if (head === "{" || head === "[") {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw new AnalysisInputError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    if (Array.isArray(v)) {
      v.forEach((row, i) => {
        if (typeof row !== "object" || row === null || Array.isArray(row)) throw new AnalysisInputError(`${file}[${i}]: expected an object with "id" and metrics`);
        const r = row as Record<string, unknown>;
        if (typeof r.id !== "number" && typeof r.id !== "string") throw new AnalysisInputError(`${file}[${i}].id: expected a number or a string`);
        for (const [k, x] of Object.entries(r)) if (k !== "id") (out[k] ??= {})[String(r.id)] = value(x, `${file}[${i}].${k}`);
      });
      return out;
    }
    if (typeof v !== "object" || v === null) throw new AnalysisInputError(`${file}: expected { "metric": { "id": value } } or [{ "id": ..., "metric": value }]`);
    for (const [metric, col] of Object.entries(v as Record<string, unknown>)) {
      if (typeof col !== "object" || col === null || Array.isArray(col)) throw new AnalysisInputError(`${file}.${metric}: expected { "id": value, ... }`);
      const c = (out[metric] = {} as Record<string, number>);
      for (const [id, x] of Object.entries(col as Record<string, unknown>)) c[id] = value(x, `${file}.${metric}.${id}`);
    }
    return out;
  }
  const rows = parseCsv(t).filter((r) => r.some((c) => c.trim() !== ""));
  const header = rows[0]?.map((h) => h.trim());
  if (!header || header.length < 2 || header[0]!.toLowerCase() !== "id") throw new AnalysisInputError(`${file}: expected a CSV header "id,metric,..." (or JSON)`);
  const names = header.slice(1);
  const dup = names.find((n, i) => n === "" || names.indexOf(n) !== i);
  if (dup !== undefined) throw new AnalysisInputError(`${file}: line 1: ${dup === "" ? "an empty metric name" : `metric ${JSON.stringify(dup)} twice`}`);
  for (const n of names) out[n] = {};
  rows.slice(1).forEach((r, i) => {
    const line = i + 2;
    if (r.length !== header.length) throw new AnalysisInputError(`${file}: line ${line}: ${r.length} cells, the header has ${header.length}`);
    const id = r[0]!.trim();
    if (id === "") throw new AnalysisInputError(`${file}: line ${line}: empty id`);
    names.forEach((n, k) => {
      out[n]![id] = value(r[k + 1]!, `${file}: line ${line}, ${n}`);
    });
  });
  return out;
}
