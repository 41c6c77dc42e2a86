// exportView: every page's data as files, checked against the view's own accessors (the CSVs are
// parsed back); the CLI's --export writes them; CSV quoting.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyze } from "../../bindings/analysis/analyze.js";
import { csvCell, parseCsv } from "../../bindings/analysis/csv.js"; // parseCsv: checked on literals in user-metrics.test.ts
import { exportView } from "../../bindings/analysis/export.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { randomInput } from "../helpers/analysis.js";
import { CLI, LOCAL_FIXTURES } from "../helpers/paths.js";

const engine = new ReferenceGeometry();
const tmp = mkdtempSync(join(tmpdir(), "de-export-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const num = (s: string): number => (s === "" ? NaN : Number(s));

describe("exportView", () => {
  it("csvCell neutralises spreadsheet formulas in text (OWASP), not in numbers", () => {
    expect(["=HYPERLINK(\"http://x\",\"y\")", "=1+2", "+1", "-2+3", "@SUM(1,1)", "\tx", "\rx"].map(csvCell)).toEqual([
      '"\'=HYPERLINK(""http://x"",""y"")"',
      '"\'=1+2"',
      '"\'+1"',
      '"\'-2+3"',
      '"\'@SUM(1,1)"',
      '"\'\tx"',
      '"\'\rx"',
    ]);
    expect([csvCell(-1.5), csvCell("a=b"), csvCell(" =x")]).toEqual(["-1.5", "a=b", " =x"]);
    // names and ids like formulas reach every CSV neutralised: the explorer (the report's button too) and the exported pages
    const box = { kind: "box" as const, box: [0, 0, 5, 5] as [number, number, number, number] };
    const input = {
      images: [{ id: "@SUM(1,1)", width: 10, height: 10 }],
      categories: [{ id: "=HYPERLINK(1)", name: "=1+2" }],
      labels: [{ image: 0, category: 0, id: "+1", shape: box }],
      predictions: [{ image: 0, category: 0, confidence: 0.9, shape: box }],
    };
    const a = analyze(new ReferenceGeometry(), input);
    const files: Record<string, string> = { ...exportView(a, a.at()), "explorer (view)": a.at().explorerCsv() };
    for (const [name, text] of Object.entries(files)) {
      if (!name.endsWith(".csv") && name !== "explorer (view)") continue;
      for (const row of parseCsv(text)) for (const cell of row) expect(cell, `${name}: ${cell}`).not.toMatch(/^[=+@]/);
    }
    expect(files["confusion.csv"]).toContain(`"'=1+2"`);
    expect(files["explorer (view)"]).toContain(`"'@SUM(1,1)"`);
  });

  it("csvCell quotes what needs it", () => {
    expect([csvCell(1.5), csvCell(NaN), csvCell(null), csvCell("a,b"), csvCell('say "hi"'), csvCell("x\ny")]).toEqual(["1.5", "", "", '"a,b"', '"say ""hi"""', '"x\ny"']);
  });

  it("every file holds what the view says, per class and pooled", () => {
    const input = randomInput(11);
    const named = { ...input, categories: input.categories.map((c, k) => (k === 0 ? { ...c, name: 'odd, "name"' } : c)) };
    const a = analyze(engine, named);
    const v = a.at({ iou: 0.5 });
    const files = exportView(a, v, { iouBins: 5, metricBins: 3 });
    expect(Object.keys(files).sort()).toEqual(["calibration.csv", "confidence-curves.csv", "confusion.csv", "curves.json", "explorer.csv", "iou-histogram.csv", "metric-correlation.csv", "metric-performance.csv", "pr-curves.csv", "pr-interpolated.csv", "summary.json"]);
    expect(JSON.parse(files["summary.json"]!)).toEqual(JSON.parse(JSON.stringify(v.summary())));
    expect(files["explorer.csv"]).toBe(v.explorerCsv());

    const pr = parseCsv(files["pr-curves.csv"]!);
    expect(pr[0]).toEqual(["categoryId", "class", "rank", "confidence", "precision", "recall", "envelope"]);
    for (const c of [...v.classes.map((k) => ({ id: String(k.categoryId), key: k.categoryId as number | undefined, name: k.name })), { id: "", key: undefined, name: "all selected" }]) {
      const rows = pr.slice(1).filter((r) => r[0] === c.id);
      const curve = v.prCurve(c.key);
      expect(rows.length).toBe(curve.recall.length);
      rows.forEach((r) => expect(r[1]).toBe(c.name));
      expect(rows.map((r) => num(r[4]!))).toEqual(Array.from(curve.precision));
      expect(rows.map((r) => num(r[5]!))).toEqual(Array.from(curve.recall));
      const interp = parseCsv(files["pr-interpolated.csv"]!).slice(1).filter((r) => r[0] === c.id);
      expect(interp.map((r) => num(r[3]!))).toEqual(Array.from(curve.interpolated));
      const conf = parseCsv(files["confidence-curves.csv"]!).slice(1).filter((r) => r[0] === c.id);
      expect(conf.map((r) => num(r[5]!))).toEqual(Array.from(v.confidenceCurve(c.key).f1));
    }
    const hist = v.iouHistogram({ bins: 5 });
    expect(parseCsv(files["iou-histogram.csv"]!).slice(1).map((r) => [num(r[2]!), num(r[3]!)])).toEqual(Array.from(hist.tp, (t, b) => [t, hist.fp[b]]));
    const perf = parseCsv(files["metric-performance.csv"]!).slice(1);
    for (const metric of a.predictionMetricNames) {
      const want = v.metricPerformance(metric, { target: "predictions", bins: 3 });
      const got = perf.filter((r) => r[0] === "predictions" && r[1] === metric);
      expect(got.map((r) => [num(r[5]!), num(r[6]!), num(r[9]!)])).toEqual(want.map((b) => [b.count, b.tp, b.precision]));
    }
    expect(parseCsv(files["metric-correlation.csv"]!).length - 1).toBe(v.metricCorrelation().length);
    const json = JSON.parse(files["curves.json"]!) as { categoryId: number | null; pr: { precision: number[] } }[];
    expect(json.at(-1)!.categoryId).toBeNull();
    expect(json.at(-1)!.pr.precision).toEqual(Array.from(v.prCurve().precision));
  });

  it.skipIf(!existsSync(CLI))("analyze --export DIR writes the files; a folder that cannot be made is one line, exit 1", () => {
    const dir = join(LOCAL_FIXTURES, "synth_small");
    const out = join(tmp, "pages");
    const r = spawnSync(process.execPath, [CLI, "analyze", "--gt", join(dir, "gt.json.gz"), "--dt", join(dir, "dt_segm.json.gz"), "--export", out, "--format", "json"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote 11 files to /);
    expect(readdirSync(out).sort()).toContain("pr-curves.csv");
    const { confusion, calibration, intervals, ...summary } = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))).toEqual(summary);
    // the confusion page: one row per cell, the stdout's counts
    const rows = parseCsv(readFileSync(join(out, "confusion.csv"), "utf8"));
    expect(rows.length - 1).toBe(confusion.counts.length ** 2);
    expect(rows.slice(1).map((x) => Number(x[4]))).toEqual(confusion.counts.flat());
    expect(parseCsv(readFileSync(join(out, "calibration.csv"), "utf8")).slice(1).map((x) => Number(x[2]))).toEqual(calibration.bins.map((b: { count: number }) => b.count));
    expect(intervals.resamples).toBe(1000);
    const file = join(tmp, "a-file");
    writeFileSync(file, "x");
    const bad = spawnSync(process.execPath, [CLI, "analyze", "--gt", join(dir, "gt.json.gz"), "--dt", join(dir, "dt_segm.json.gz"), "--export", join(file, "sub")], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split("\n").pop()).toMatch(/^detection-eval analyze: --export: cannot create the folder .*a-file\/sub \(ENOTDIR\)$/);
  });
});
