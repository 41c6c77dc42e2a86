// The HTML report: the data round trip (the page's Analysis answers exactly like the original), the
// `report` command (one self-contained file, no external reference, a content-security policy pinning the
// one inline script), and atomic writing (a failure leaves no file and no temporary behind).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAnalysisInput } from "../../bindings/cli/commands/analyze.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import type { Analysis } from "../../bindings/analysis/analysis.js";
import { main } from "../../bindings/cli/main.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { decodeAnalysis, encodeAnalysis, renderReportHtml, type ReportMeta } from "../../bindings/report/index.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const LABELS = join(ROOT, "examples/analysis-labels.json");
const PREDS = join(ROOT, "examples/analysis-predictions.json");
const SYNTH = new URL("../../../shared/fixtures/synth_small/", import.meta.url).pathname;
const haveSynth = existsSync(join(SYNTH, "gt.json"));
const VAL = new URL("../../../shared/fixtures/synth_val/", import.meta.url).pathname;
const CLI = join(ROOT, "dist/cli.js");

async function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false });
  return { code, stdout, stderr };
}

async function load(gt: string, dt: string): Promise<Analysis> {
  const engine = await createEngine();
  return analyze(engine, (await loadAnalysisInput(engine, gt, dt)).input);
}

/** Everything a page shows, for one question. */
function everything(a: Analysis, o: Parameters<Analysis["at"]>[0]) {
  const v = a.at(o);
  const ids = v.classes.map((c) => c.categoryId);
  return {
    summary: v.summary(),
    AR: v.cocoAR,
    pr: [v.prCurve(), ...ids.map((id) => v.prCurve(id))],
    conf: [v.confidenceCurve(), ...ids.map((id) => v.confidenceCurve(id))],
    hist: v.iouHistogram(),
    outcomes: v.outcomes(),
    csv: v.explorerCsv(),
    corr: v.metricCorrelation(),
    perf: a.predictionMetricNames.map((m) => v.metricPerformance(m, { target: "predictions" })),
    perfLabels: a.labelMetricNames.map((m) => v.metricPerformance(m, { target: "labels" })),
  };
}

describe("report data round trip", () => {
  const sets: [string, string, string][] = [["Encord-style example", LABELS, PREDS]];
  if (haveSynth) sets.push(["synth_small (COCO, 80 classes)", join(SYNTH, "gt.json"), join(SYNTH, "dt_bbox.json")]);
  for (const [name, gt, dt] of sets) {
    for (const compress of [true, false]) {
      it(`${name}, ${compress ? "gzip" : "plain"}: the decoded Analysis answers every question identically`, async () => {
        const a = await load(gt, dt);
        const enc = await encodeAnalysis(a, { compress });
        expect(enc.compression).toBe(compress ? "gzip" : "none");
        // through JSON, as in the page
        const b = await decodeAnalysis(JSON.parse(JSON.stringify(enc)));
        expect(b.categories).toEqual(a.categories);
        expect(b.images).toEqual(a.images);
        const cls = a.categories.slice(0, 2).map((c) => c.id);
        for (const o of [{ iou: 0.5 }, { iou: 0.75, confidence: 0.3 }, { iou: 0.1, classes: cls }, { iou: 0.95, confidence: 0 }]) {
          expect(everything(b, o)).toEqual(everything(a, o));
        }
      });
    }
  }

  it("keeps undefined ids and non-finite numbers", async () => {
    const a = await load(LABELS, PREDS);
    const p = a.p as unknown as Record<string, unknown>;
    const b = await decodeAnalysis(await encodeAnalysis(a));
    const q = b.p as unknown as Record<string, unknown>;
    expect(q.predIds).toEqual(p.predIds);
    expect(q.labelIds).toEqual(p.labelIds);
    for (const [k, v] of Object.entries(p)) {
      // the boxes serve the object table (detection-eval export), not the page: left out of the report
      if (k === "pBox" || k === "lBox") expect(q[k], k).toBeUndefined();
      else if (ArrayBuffer.isView(v)) expect(q[k], k).toEqual(v);
    }
  });
});

describe("detection-eval report", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "detection-eval-report-"));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes one self-contained HTML file whose data gives the CLI's numbers", async () => {
    const out = join(dir, "report.html");
    const r = await run("report", "--gt", LABELS, "--dt", PREDS, "--out", out, "--title", "Cars & <people>");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*report\.html \(\d+ kB\): 2 images, \d+ labels, \d+ predictions; mAP@0\.5 \d\.\d{3}\n$/);
    const html = readFileSync(out, "utf8");

    // nothing refers to anything outside the file
    const found = (re: RegExp) => html.match(re) ?? [];
    expect(found(/https?:\/\/\S{0,40}/gi)).toEqual([]);
    expect(found(/<(link|iframe|img|object|embed|base)\b/gi)).toEqual([]);
    expect(found(/\ssrc\s*=/gi)).toEqual([]);
    expect(found(/@import|\burl\(/g)).toEqual([]); // CSS references (the script's "new URL(" makes blob: links)
    expect(html).toContain("<title>Cars &amp; &lt;people&gt;</title>");

    // four scripts: metadata (JSON), data and shapes (base64), and the one executable script, pinned by the CSP
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1]!.trim())).toEqual(['type="application/json" id="report-meta"', 'type="text/plain" id="report-blob"', 'type="text/plain" id="report-shapes"', ""]);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    const hash = createHash("sha256").update(scripts[3]![2]!).digest("base64");
    expect(csp).toBe(`default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'`);

    const meta = JSON.parse(scripts[0]![2]!) as ReportMeta;
    expect(meta.title).toBe("Cars & <people>");
    expect(meta.inputFormat).toBe("encord");
    expect(meta.defaults).toEqual({ iou: 0.5, confidence: null });
    const a = await decodeAnalysis({ ...meta.data, blob: scripts[1]![2]! });
    const json = await run("analyze", "--gt", LABELS, "--dt", PREDS, "--format", "json");
    const { confusion: _c, calibration: _k, intervals: _i, ...summary } = JSON.parse(json.stdout);
    expect(JSON.parse(JSON.stringify(a.at({ iou: 0.5 }).summary()))).toEqual(summary);
  });

  it.skipIf(!haveSynth)("COCO input: --iou-type, initial sliders", async () => {
    const out = join(dir, "coco.html");
    const r = await run("report", "--gt", join(SYNTH, "gt.json"), "--dt", join(SYNTH, "dt_segm.json"), "--out", out, "--iou-type", "bbox", "--iou", "0.75", "--confidence", "0.2");
    expect(r.code).toBe(0);
    const meta = JSON.parse(/<script type="application\/json" id="report-meta">([\s\S]*?)<\/script>/.exec(readFileSync(out, "utf8"))![1]!) as ReportMeta;
    expect(meta.inputFormat).toBe("coco");
    expect(meta.iouType).toBe("bbox");
    expect(meta.defaults).toEqual({ iou: 0.75, confidence: 0.2 });
  });

  it("usage errors exit 2", async () => {
    expect((await run("report", "--gt", LABELS, "--dt", PREDS)).code).toBe(2); // no --out
    const r = await run("report", "--gt", LABELS, "--dt", PREDS, "--out", join(dir, "x.html"), "--iou", "1.5");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--iou: expected a number in \(0, 1\]/);
    expect(existsSync(join(dir, "x.html"))).toBe(false);
  });

  it("an unwritable --out fails with one line and leaves nothing behind", async () => {
    const out = join(dir, "missing-dir", "report.html");
    const r = await run("report", "--gt", LABELS, "--dt", PREDS, "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`detection-eval report: ${out}: cannot write (no such directory)\n`);
    expect(existsSync(join(dir, "missing-dir"))).toBe(false);

    // --out naming a directory: the rename fails, the directory and its content stay, no temporary remains
    const sub = join(dir, "a-directory");
    mkdirSync(sub);
    writeFileSync(join(sub, "keep.txt"), "keep");
    const r2 = await run("report", "--gt", LABELS, "--dt", PREDS, "--out", sub);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/^detection-eval report: .*a-directory: cannot write \(.+\)\n$/);
    expect(readdirSync(sub)).toEqual(["keep.txt"]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("bad input keeps an existing report as it was; success leaves no temporary file", async () => {
    const out = join(dir, "keep.html");
    writeFileSync(out, "old report");
    writeFileSync(join(dir, "broken.json"), '{"images": [');
    const r = await run("report", "--gt", join(dir, "broken.json"), "--dt", PREDS, "--out", out);
    expect(r.code).toBe(1);
    expect(readFileSync(out, "utf8")).toBe("old report");
    const ok = await run("report", "--gt", LABELS, "--dt", PREDS, "--out", out);
    expect(ok.code).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^<!doctype html>/);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it.skipIf(!existsSync(join(VAL, "gt.json.gz")) || !existsSync(CLI))("an interrupted run (SIGINT) leaves no report and no temporary file", async () => {
    const sub = mkdtempSync(join(dir, "sigint-"));
    const out = join(sub, "report.html");
    const child = spawn(process.execPath, [CLI, "report", "--gt", join(VAL, "gt.json.gz"), "--dt", join(VAL, "dt_segm.json.gz"), "--out", out], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 700));
    child.kill("SIGINT");
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on("exit", (c, s) => r([c, s])));
    const files = readdirSync(sub);
    if (code === 0) {
      // finished before the signal: then the file is whole
      expect(files).toEqual(["report.html"]);
      expect(readFileSync(out, "utf8")).toMatch(/<\/html>\n$/);
    } else {
      expect(signal).toBe("SIGINT"); // ended by the signal itself
      expect(files).toEqual([]);
    }
  });

  it("renderReportHtml works without the CLI (browser-safe entry)", async () => {
    const a = await load(LABELS, PREDS);
    const html = await renderReportHtml(a, { title: "x", created: new Date("2026-01-02T03:04:05Z"), compress: false });
    expect(html).toContain('"created":"2026-01-02T03:04:05Z"');
    expect(html).toContain('"compression":"none"');
  });
});
