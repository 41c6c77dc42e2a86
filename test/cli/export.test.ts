// `detection-eval export` and sql/rescore.sql: DuckDB reads the exported Parquet (and CSV) and the SQL's
// per-class TP / FP / FN / ignored / labels equal analyze's (AnalysisView.classes) exactly, precision,
// recall, F1 and AP to 1e-12 (SQL's SUM adds the 101 terms in an order of its own), at IoU 0.3, 0.5,
// 0.75 and 0.9: on test/fixtures/synth_small (through the CLI) and on random inputs with tied scores,
// tied IoUs and crowd labels (mask and box IoU, same-class and any-class candidates). The Arrow file is
// read back with apache-arrow; --out that is an input, or of another extension, is refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { tableFromIPC } from "apache-arrow";
import { afterAll, describe, expect, it } from "vitest";
import type { Analysis } from "../../bindings/analysis/analysis.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { fromCoco } from "../../bindings/analysis/coco-adapter.js";
import { cellValue, objectTable } from "../../bindings/analysis/object-table.js";
import { RECALL_THRESHOLDS } from "../../bindings/analysis/thresholds.js";
import { main } from "../../bindings/cli/main.js";
import { encodeParquet } from "../../bindings/cli/table-files.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { readJsonFile } from "../../bindings/ingest/node-files.js";
import { streamCocoResults } from "../../bindings/ingest/stream-load.js";
import { loadAnalysisInput } from "../../bindings/cli/commands/analyze.js";
import { randomInput } from "../helpers/analysis.js";
import { LOCAL_FIXTURES, ROOT } from "../helpers/paths.js";

const SQL = readFileSync(join(ROOT, "sql/rescore.sql"), "utf8");
const THRESHOLDS = [0.3, 0.5, 0.75, 0.9];
const engine = await createEngine();
const dir = mkdtempSync(join(tmpdir(), "de-export15-"));
const db = await (await DuckDBInstance.create(":memory:")).connect();
afterAll(() => {
  db.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false });
  return { code, stdout, stderr };
}

interface SqlRow {
  iou_threshold: number;
  category_id: number | string;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  labels: number;
  precision: number;
  recall: number;
  f1: number;
  ap: number;
}

/** sql/rescore.sql over `source` (a DuckDB table expression) at THRESHOLDS. */
async function rescore(source: string, thresholds: readonly number[] = THRESHOLDS): Promise<SqlRow[]> {
  await db.run(`CREATE OR REPLACE VIEW objects AS SELECT * FROM ${source}`);
  await db.run(`CREATE OR REPLACE VIEW thresholds AS SELECT CAST(t AS DOUBLE) AS t FROM (VALUES ${thresholds.map((t) => `(${t.toExponential()})`).join(", ")}) AS v (t)`);
  const reader = await db.runAndReadAll(SQL);
  return reader.getRowObjectsJS().map((r) => {
    const o = r as Record<string, unknown>;
    const n = (k: string) => Number(o[k]);
    return {
      iou_threshold: n("iou_threshold"),
      category_id: typeof o.category_id === "bigint" ? Number(o.category_id) : (o.category_id as number | string),
      tp: n("tp"),
      fp: n("fp"),
      fn: n("fn"),
      ignored: n("ignored"),
      labels: n("labels"),
      precision: n("precision"),
      recall: n("recall"),
      f1: n("f1"),
      ap: n("ap"),
    };
  });
}

/** The SQL's rows equal analyze's classes at every threshold; returns how many classes were compared. */
function expectSame(rows: SqlRow[], a: Analysis, thresholds: readonly number[] = THRESHOLDS): { compared: number; ignored: number; dupAbove03: number } {
  let compared = 0;
  let ignored = 0;
  for (const t of thresholds) {
    const view = a.at({ iou: t });
    const got = rows.filter((r) => r.iou_threshold === t);
    expect(new Set(got.map((r) => String(r.category_id)))).toEqual(new Set(view.classes.map((c) => String(c.categoryId))));
    for (const c of view.classes) {
      const r = got.find((x) => String(x.category_id) === String(c.categoryId))!;
      const where = `t=${t} class ${c.categoryId}`;
      expect({ tp: r.tp, fp: r.fp, fn: r.fn, ignored: r.ignored, labels: r.labels }, where).toEqual({ tp: c.tp, fp: c.fp, fn: c.fn, ignored: c.ignored, labels: c.labels });
      expect(Math.abs(r.precision - c.precision), where).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(r.recall - c.recall), where).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(r.f1 - c.f1), where).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(r.ap - c.ap), `${where} AP ${r.ap} vs ${c.ap}`).toBeLessThanOrEqual(1e-12);
      compared++;
      ignored += c.ignored;
    }
  }
  // predictions that a higher-ranked one's IoU with the same candidate turns into an FP at some threshold
  let dupAbove03 = 0;
  for (let i = 0; i < a.p.nPred; i++) if (a.p.pDup[i]! >= 0.3) dupAbove03++;
  return { compared, ignored, dupAbove03 };
}

async function synthSmall(iouType: "bbox" | "segm"): Promise<Analysis> {
  const ds = parseCocoDataset(readJsonFile(join(LOCAL_FIXTURES, "synth_small/gt.json.gz")) as object);
  const res = await streamCocoResults(join(LOCAL_FIXTURES, `synth_small/dt_${iouType}.json.gz`), ds);
  return analyze(engine, fromCoco(engine, ds, res, { iouType }));
}

describe("sql/rescore.sql", () => {
  it("its recall grid is RECALL_THRESHOLDS, written exactly", () => {
    const grid = /VALUES\s*([\s\S]*?)\)\s*AS g/.exec(SQL)![1]!;
    const values = [...grid.matchAll(/\(([^()]+)\)/g)].map((m) => Number(m[1]));
    expect(values).toEqual(Array.from(RECALL_THRESHOLDS));
  });

  for (const iouType of ["segm", "bbox"] as const) {
    it(`synth_small ${iouType}: export --out .parquet, DuckDB runs the SQL, the numbers are analyze's at 0.3, 0.5, 0.75, 0.9`, async () => {
      const out = join(dir, `synth_${iouType}.parquet`);
      const r = await cli("export", "--gt", join(LOCAL_FIXTURES, "synth_small/gt.json.gz"), "--dt", join(LOCAL_FIXTURES, `synth_small/dt_${iouType}.json.gz`), "--iou-type", iouType, "--out", out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/wrote .*\(\d+ rows: \d+ predictions, \d+ labels; \d+ columns\)/);
      const a = await synthSmall(iouType);
      expect(expectSame(await rescore(`'${out}'`), a).compared).toBeGreaterThan(100);
      // the outcome column at --iou 0.5 is the explorer's
      const counts = (await db.runAndReadAll(`SELECT outcome, COUNT(*) AS n FROM '${out}' GROUP BY outcome`)).getRowObjectsJS();
      const v = a.at({ iou: 0.5 });
      const by = Object.fromEntries(counts.map((c) => [String(c.outcome), Number(c.n)]));
      expect(by.FP).toBe(v.fp);
      expect(by.ignored ?? 0).toBe(v.ignored);
      expect(by.FN).toBe(v.fn);
      expect(by.TP).toBe(2 * v.tp); // a prediction and its label
    });
  }

  it("synth_small: the CSV runs the same SQL to the same numbers; the Arrow file reads back to the Parquet's rows", async () => {
    const gt = join(LOCAL_FIXTURES, "synth_small/gt.json.gz");
    const dt = join(LOCAL_FIXTURES, "synth_small/dt_segm.json.gz");
    const csv = join(dir, "synth.csv");
    const arrow = join(dir, "synth.arrow");
    expect((await cli("export", "--gt", gt, "--dt", dt, "--out", csv)).code).toBe(0);
    expect((await cli("export", "--gt", gt, "--dt", dt, "--out", arrow)).code).toBe(0);
    const a = await synthSmall("segm");
    expectSame(await rescore(`read_csv('${csv}', header = true, types = {'crowd': 'BOOLEAN', 'iou': 'DOUBLE', 'dup': 'DOUBLE', 'crowd_iou': 'DOUBLE'})`), a);
    const table = objectTable(a, a.at({ iou: 0.5 }));
    const ipc = tableFromIPC(readFileSync(arrow));
    expect(ipc.numRows).toBe(table.rows);
    expect(ipc.schema.fields.map((f) => f.name)).toEqual(table.columns.map((c) => c.name));
    for (const c of table.columns) {
      const v = ipc.getChild(c.name)!;
      for (let r = 0; r < table.rows; r += 97) expect(v.get(r), `${c.name}[${r}]`).toBe(cellValue(c, r));
    }
  });

  it("random inputs with tied scores, tied IoUs and crowd labels: the SQL's numbers are analyze's (mask / box IoU, same-class / any-class)", async () => {
    let compared = 0;
    let ignored = 0;
    let dups = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const boxes = seed % 2 === 0;
      const input = randomInput(seed, { images: 6, classes: 3, boxesOnly: boxes });
      const candidates = seed % 3 === 0 ? "any-class" : "same-class";
      const a = analyze(engine, input, { iou: boxes ? "box" : "mask", candidates });
      const file = join(dir, `random-${seed}.parquet`);
      // small row groups: the writer's row groups must join up
      writeFileSync(file, encodeParquet(objectTable(a, a.at()), 1 + (seed % 5) * 7));
      // and thresholds equal to IoUs of the data: a dup, a candidate IoU, a crowd IoU (the >= / < boundaries)
      const exact = [a.p.pDup, a.p.pIou, a.p.pCrowd].map((xs) => Array.from(xs).find((x) => x > 0 && x < 1)).filter((x) => x !== undefined);
      const thresholds = [...THRESHOLDS, ...exact];
      const s = expectSame(await rescore(`'${file}'`, thresholds), a, thresholds);
      compared += s.compared;
      ignored += s.ignored;
      dups += s.dupAbove03;
    }
    // the cases the SQL must get right were there: crowd-ignored predictions and duplicates
    expect(compared).toBeGreaterThan(200);
    expect(ignored).toBeGreaterThan(0);
    expect(dups).toBeGreaterThan(0);
  });

  it("Encord-style input with a user label metric: string ids stay strings, the metric is a column, the SQL's numbers are analyze's", async () => {
    const gt = join(ROOT, "examples/analysis-labels.json");
    const dt = join(ROOT, "examples/analysis-predictions.json");
    const metrics = join(dir, "label-metrics.csv");
    writeFileSync(metrics, "id,difficulty\nl1,0.5\nl2,2\n");
    const out = join(dir, "encord.parquet");
    const r = await cli("export", "--gt", gt, "--dt", dt, "--label-metrics", metrics, "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const { input } = await loadAnalysisInput(engine, gt, dt);
    const a = analyze(engine, input, { metrics: { labels: { difficulty: { l1: 0.5, l2: 2 } } } });
    expectSame(await rescore(`'${out}'`), a);
    const cols = Object.fromEntries(
      (await db.runAndReadAll(`DESCRIBE SELECT * FROM '${out}'`)).getRowObjectsJS().map((c) => [String(c.column_name), String(c.column_type)]),
    );
    expect(cols).toMatchObject({ id: "VARCHAR", image_id: "VARCHAR", category_id: "INTEGER", metric_difficulty: "DOUBLE", crowd: "BOOLEAN" });
    const rows = (await db.runAndReadAll(`SELECT id, metric_difficulty FROM '${out}' WHERE kind = 'label' AND id IN ('l1', 'l2') ORDER BY id`)).getRowObjectsJS();
    expect(rows).toEqual([
      { id: "l1", metric_difficulty: 0.5 },
      { id: "l2", metric_difficulty: 2 },
    ]);
  });

  it("an input without objects writes an empty table, which the SQL answers with no rows", async () => {
    const a = analyze(engine, { images: [{ id: 1, width: 10, height: 10 }], categories: [{ id: 1, name: "a" }], labels: [], predictions: [] });
    const file = join(dir, "empty.parquet");
    writeFileSync(file, encodeParquet(objectTable(a, a.at())));
    expect(Number((await db.runAndReadAll(`SELECT COUNT(*) AS n FROM '${file}'`)).getRowObjectsJS()[0]!.n)).toBe(0);
    expect(await rescore(`'${file}'`)).toEqual([]);
  });

  it("--out: an input is refused, another extension is a usage error", async () => {
    const gt = join(dir, "gt.json");
    writeFileSync(gt, readFileSync(join(ROOT, "examples/analysis-labels.json")));
    const r = await cli("export", "--gt", gt, "--out", join(dir, "table.txt"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--out: expected a file ending in .parquet, .arrow or .csv");
    const bad = await cli("export", "--gt", gt, "--iou", "0", "--out", join(dir, "t.csv"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--iou: expected a number in (0, 1], got 0");
    const csvInput = join(dir, "metrics.csv");
    writeFileSync(csvInput, "id,m\n");
    const r2 = await cli("export", "--gt", gt, "--label-metrics", csvInput, "--out", csvInput);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain("is the input --label-metrics");
  });
});
