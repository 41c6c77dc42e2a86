// User metrics from files: the CSV and the two JSON forms give the same columns; problems name the
// file and the place; the CLI takes them (--prediction-metrics / --label-metrics) into every page.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../bindings/analysis/csv.js";
import { parseMetricColumns } from "../../bindings/analysis/user-metrics.js";
import { CLI, LOCAL_FIXTURES } from "../helpers/paths.js";

const tmp = mkdtempSync(join(tmpdir(), "de-metrics-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("user metric files", () => {
  it("CSV (quoted cells, CRLF, empty = missing) and both JSON forms give the same columns", () => {
    const want = { blur: { "1": 0.5, "2": NaN, "a,b": 3 }, "my score": { "1": -1, "2": 2, "a,b": 1e-3 } };
    const fromCsv = parseMetricColumns('id,blur,"my score"\r\n1,0.5,-1\r\n2,,2\r\n"a,b",3,1e-3\r\n', "m.csv");
    const fromColumns = parseMetricColumns(JSON.stringify({ blur: { "1": 0.5, "2": null, "a,b": 3 }, "my score": { "1": -1, "2": 2, "a,b": 1e-3 } }), "m.json");
    const fromRows = parseMetricColumns(JSON.stringify([{ id: 1, blur: 0.5, "my score": -1 }, { id: 2, blur: null, "my score": 2 }, { id: "a,b", blur: 3, "my score": 1e-3 }]), "m.json");
    expect(fromCsv).toEqual(want);
    expect(fromColumns).toEqual(want);
    expect(fromRows).toEqual(want);
    expect(parseCsv('a,"b ""q"" c"\nx,"multi\nline"')).toEqual([["a", 'b "q" c'], ["x", "multi\nline"]]);
  });

  it("problems name the file and the place", () => {
    expect(() => parseMetricColumns("name,blur\n1,2\n", "m.csv")).toThrow('m.csv: expected a CSV header "id,metric,..." (or JSON)');
    expect(() => parseMetricColumns("id,blur\n1,2\n2,x\n", "m.csv")).toThrow('m.csv: line 3, blur: expected a number, got "x"');
    expect(() => parseMetricColumns("id,blur\n1,2,3\n", "m.csv")).toThrow("m.csv: line 2: 3 cells, the header has 2");
    expect(() => parseMetricColumns("id,blur,blur\n", "m.csv")).toThrow('m.csv: line 1: metric "blur" twice');
    expect(() => parseMetricColumns('{"blur": [1, 2]}', "m.json")).toThrow('m.json.blur: expected { "id": value, ... }');
    expect(() => parseMetricColumns('[{"blur": 1}]', "m.json")).toThrow("m.json[0].id: expected a number or a string");
    expect(() => parseMetricColumns('{"blur": {"1": "x"}}', "m.json")).toThrow('m.json.blur.1: expected a number, got "x"');
    expect(() => parseMetricColumns("{", "m.json")).toThrow(/^m\.json: not valid JSON/);
  });

  it.skipIf(!existsSync(CLI))("analyze takes them into the metric pages, and warns about ids that match nothing", () => {
    const dir = join(LOCAL_FIXTURES, "synth_small");
    const ids = Array.from({ length: 50 }, (_, i) => i + 1); // COCO results are numbered from 1
    const pm = join(tmp, "pred.csv");
    writeFileSync(pm, `id,userBlur\n${ids.map((i) => `${i},${(i * 7) % 11}`).join("\n")}\n999999,1\n`);
    const out = join(tmp, "pages");
    const r = spawnSync(process.execPath, [CLI, "analyze", "--gt", join(dir, "gt.json.gz"), "--dt", join(dir, "dt_segm.json.gz"), "--prediction-metrics", pm, "--export", out], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pred\.csv: 1 of 51 ids of metric "userBlur" match no prediction/);
    const corr = parseCsv(readFileSync(join(out, "metric-correlation.csv"), "utf8"));
    const row = corr.find((c) => c[0] === "predictions" && c[1] === "userBlur");
    expect(row).toBeDefined();
    expect(Number(row![2])).toBeGreaterThan(0);
    expect(Number(row![2])).toBeLessThanOrEqual(50);
    const bad = spawnSync(process.execPath, [CLI, "analyze", "--gt", join(dir, "gt.json.gz"), "--dt", join(dir, "dt_segm.json.gz"), "--label-metrics", join(tmp, "none.csv")], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split("\n").pop()).toMatch(/^detection-eval analyze: --label-metrics: cannot read .*none\.csv \(ENOENT\)$/);
  });
});
