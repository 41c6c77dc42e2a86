// Node side of the browser project: computes the reference numbers with the same library in Node (wasm
// engine), writes a report with the real CLI command, and provides both to the browser tests.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { loadAnalysisInput } from "../../bindings/cli/commands/analyze.js";
import { fromCoco } from "../../bindings/analysis/coco-adapter.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { main } from "../../bindings/cli/main.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { loadCocoDataset, loadCocoResults } from "../../bindings/ingest/node-files.js";
import { generateCocoSet } from "../../bindings/synth/generate.js";
import { tide } from "../../bindings/errors/tide.js";
import { fnv1a, REPORT_CONFIDENCE, REPORT_IOUS, type CocoCase, type ReportCase } from "./provided.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURES = resolve(ROOT, "../shared/fixtures");

const CASES: [string, "bbox" | "segm"][] = [
  ["fce_basic3", "bbox"],
  ["fce_basic3", "segm"],
  ["synth_small", "bbox"],
  ["synth_small", "segm"],
];

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The explorer's expected rows, from the row objects of view.explorer() (not the page's typed-array code). */
function explorerCase(a: ReturnType<typeof analyze>, oneClass: number | string): ReportCase["explorer"] {
  const ex = a.at({ iou: 0.5, confidence: 0 }).explorer();
  const shown = (x: { id: number | string | null; index: number }) => (x.id === null ? `#${x.index}` : String(x.id));
  const area = a.metric("labels", "area")!;
  const fps = ex.predictions.filter((p) => p.outcome === "FP").sort((x, y) => y.confidence - x.confidence || x.index - y.index);
  const fns = ex.labels.filter((l) => l.outcome === "FN").sort((x, y) => area[y.index]! - area[x.index]! || x.index - y.index);
  const img = new Map(a.images.map((im) => [im.id, (im.name ?? String(im.id)).toLowerCase()]));
  const cls = new Map(a.categories.map((c) => [c.id, c.name.toLowerCase()]));
  const search = (img.get(a.images[1]!.id) ?? "").slice(-7);
  const hit = (x: { id: number | string | null; index: number; imageId: number | string; categoryId: number | string; outcome: string; reason: string | null }) =>
    [img.get(x.imageId)!, cls.get(x.categoryId)!, shown(x).toLowerCase(), x.outcome.toLowerCase(), x.outcome === "ignored" || x.outcome === "crowd" ? "crowd ignored" : "", (x.reason ?? "").toLowerCase()].some((t) => t.includes(search));
  const one = a.at({ iou: 0.75, confidence: 0, classes: [oneClass] }).explorer();
  // the image filter: the images whose file name contains the text (lower case), given to at() by id
  const imageText = (a.images[0]!.name ?? String(a.images[0]!.id)).toLowerCase().slice(-6, -4);
  const imgs = a.images.filter((im) => (im.name ?? String(im.id)).toLowerCase().includes(imageText)).map((im) => im.id);
  const byImage = a.at({ iou: 0.5, confidence: 0, images: imgs });
  const sortedArea = [...area].sort((x, y) => x - y);
  const areaMin = sortedArea[Math.floor(sortedArea.length / 2)]!;
  const byArea = a.at({ iou: 0.5, confidence: 0, metricRanges: [{ metric: "area", target: "labels", min: areaMin }] });
  const rowsOf = (v: typeof byImage) => v.explorer().predictions.length + v.explorer().labels.length;
  return {
    total: ex.predictions.length + ex.labels.length,
    fp: fps.length,
    fn: fns.length,
    worstFp: fps.slice(0, 5).map(shown),
    largestFn: fns.slice(0, 5).map(shown),
    search,
    searchRows: ex.predictions.filter(hit).length + ex.labels.filter(hit).length,
    oneClass75: one.predictions.length + one.labels.length,
    imageText,
    imageRows: rowsOf(byImage),
    imageMAP: byImage.mAP,
    areaMin,
    areaRows: rowsOf(byArea),
    areaMAP: byArea.mAP,
  };
}

export default async function setup(project: TestProject): Promise<void> {
  const engine = await createEngine();
  // DETECTION_EVAL_NO_FIXTURES=1 runs the browser tests as on a machine without the shared fixtures
  const have = !process.env.DETECTION_EVAL_NO_FIXTURES && existsSync(join(FIXTURES, "synth_small/gt.json"));
  project.provide("fixturesAvailable", have);

  const cocoCases: CocoCase[] = [];
  if (have) {
    for (const [name, iouType] of CASES) {
      const dir = join(FIXTURES, name);
      const gtPath = join(dir, "gt.json");
      const dtPath = join(dir, `dt_${iouType}.json`);
      const gt = loadCocoDataset(gtPath);
      const dt = loadCocoResults(dtPath, gt);
      const ev = evaluateCoco(engine, gt, dt, { iouType });
      const expected = JSON.parse(readFileSync(join(dir, `expected_${iouType}.json`), "utf8")) as { stats: number[] };
      const a = analyze(engine, fromCoco(engine, gt, dt, { iouType }));
      cocoCases.push({
        name,
        iouType,
        gt: relative(ROOT, gtPath),
        dt: relative(ROOT, dtPath),
        stats: ev.stats,
        perCategory: json(ev.perCategory()),
        precisionHash: fnv1a(ev.precision),
        precisionLength: ev.precision.length,
        expectedStats: expected.stats,
        analysis50: json(a.at({ iou: 0.5 }).summary()),
        analysis75: json(a.at({ iou: 0.75 }).summary()),
      });
    }
  }
  project.provide("cocoCases", cocoCases);

  // The report: a synthetic COCO set made by the repository's generator (bindings/synth/generate.ts, demo preset, 150
  // images, 80 classes, boxes), so that this test never depends on the shared fixtures.
  const outDir = join(ROOT, ".cache/browser-test");
  mkdirSync(outDir, { recursive: true });
  const set = generateCocoSet(engine, { preset: "demo", images: 150, segm: false });
  const gt = join(outDir, "gt.json");
  const dt = join(outDir, "dt.json");
  writeFileSync(gt, JSON.stringify(set.gt));
  writeFileSync(dt, JSON.stringify(set.dtBbox));
  {
    const ds = loadCocoDataset(gt);
    const res = loadCocoResults(dt, ds);
    const a = analyze(engine, fromCoco(engine, ds, res, { iouType: "bbox" }));
    project.provide("generatedCase", {
      gt: relative(ROOT, gt),
      dt: relative(ROOT, dt),
      stats: evaluateCoco(engine, ds, res, { iouType: "bbox" }).stats,
      mAP50: a.at({ iou: 0.5, confidence: 0 }).mAP,
      mAP75: a.at({ iou: 0.75, confidence: 0 }).mAP,
    });
  }
  const out = join(outDir, "report.html");
  let stderr = "";
  const code = await main(["report", "--gt", gt, "--dt", dt, "--out", out], { stdout: () => {}, stderr: (t) => void (stderr += t), isTTY: false });
  if (code !== 0) throw new Error(`detection-eval report failed (${code}): ${stderr}`);

  const { input } = await loadAnalysisInput(engine, gt, dt);
  const a = analyze(engine, input);
  const mAP: Record<string, number> = {};
  // the page starts at confidence 0 (the CLI default)
  for (const t of REPORT_IOUS) mAP[String(t)] = a.at({ iou: t, confidence: 0 }).mAP;
  // the class with the most labels, for the class-filter check
  const v = a.at({ iou: 0.5 });
  const biggest = [...v.classes].sort((x, y) => y.labels - x.labels)[0]!;
  const reportCase: ReportCase = {
    path: relative(ROOT, out),
    absPath: out,
    source: relative(ROOT, gt),
    mAP,
    oneClass: biggest.categoryId,
    mAPOneClass50: a.at({ iou: 0.5, confidence: 0, classes: [biggest.categoryId] }).mAP,
    mAPConf50: a.at({ iou: 0.5, confidence: REPORT_CONFIDENCE }).mAP,
    confusion: Object.fromEntries(
      [0.5, 0.75].map((t) => {
        const m = a.at({ iou: t, confidence: 0 }).confusion();
        return [String(t), { categories: m.categories.map((c) => c.categoryId), counts: m.counts }];
      }),
    ),
    mAPInterval50: (({ lo, hi }) => ({ lo, hi }))(a.at({ iou: 0.5, confidence: 0 }).bootstrap({ resamples: 1000, seed: 0 }).mAP),
    ece50: a.at({ iou: 0.5, confidence: 0 }).calibration().ece,
    explorer: explorerCase(a, biggest.categoryId),
    tide: (() => {
      const ds = loadCocoDataset(gt);
      const t = tide(ds, loadCocoResults(dt, ds), engine, { iouType: "bbox" });
      const c = t.classes.find((x) => String(x.categoryId) === String(biggest.categoryId))!;
      return {
        all: { ...t.main, ...t.special },
        oneClass: { ...Object.fromEntries(Object.entries(c.main).map(([k, v]) => [k, Math.max(v, 0)])), ...c.special },
      };
    })(),
  };
  project.provide("reportCase", reportCase);

  // a report of 400 classes: the per-class charts and the heatmap show a subset, the tables all
  {
    const K = 400;
    const big = {
      images: Array.from({ length: K }, (_, i) => ({ id: i + 1, width: 64, height: 64 })),
      categories: Array.from({ length: K }, (_, k) => ({ id: k + 1, name: `class ${k + 1}` })),
      annotations: Array.from({ length: K }, (_, i) => ({ id: i + 1, image_id: i + 1, category_id: i + 1, bbox: [8, 8, 20 + (i % 7), 20], area: 400, iscrowd: 0 })),
    };
    const preds = big.annotations.map((a, i) => ({ image_id: a.image_id, category_id: i % 3 === 0 ? ((i + 1) % K) + 1 : a.category_id, bbox: [9, 9, 20, 20], score: 0.5 + (i % 50) / 100 }));
    const bg = join(outDir, "many-gt.json");
    const bd = join(outDir, "many-dt.json");
    writeFileSync(bg, JSON.stringify(big));
    writeFileSync(bd, JSON.stringify(preds));
    const manyOut = join(outDir, "many.html");
    const c = await main(["report", "--gt", bg, "--dt", bd, "--out", manyOut, "--bootstrap", "0", "--no-tide"], { stdout: () => {}, stderr: (t) => void (stderr += t), isTTY: false });
    if (c !== 0) throw new Error(`detection-eval report (many classes) failed (${c}): ${stderr}`);
    project.provide("manyClassesReport", { path: relative(ROOT, manyOut), classes: K });
  }

  // Two models side by side: the generated set's results and a second model (a third of them dropped,
  // the boxes shifted), with Node's compare() numbers at the page's first state (IoU 0.5, every confidence)
  {
    const dt2 = join(outDir, "dt-b.json");
    writeFileSync(dt2, JSON.stringify(set.dtBbox.filter((_, i) => i % 3 !== 0).map((d, i) => ({ ...d, bbox: [d.bbox[0]! + (i % 5) - 2, d.bbox[1]!, d.bbox[2]!, d.bbox[3]!] }))));
    const twoOut = join(outDir, "report-two-models.html");
    let stderr = "";
    const c = await main(["report", "--gt", gt, "--dt", dt, "--dt", dt2, "--name", "baseline <b>", "--name", "candidate", "--out", twoOut, "--bootstrap", "0"], { stdout: () => {}, stderr: (t) => void (stderr += t), isTTY: false });
    if (c !== 0) throw new Error(`detection-eval report (two models) failed (${c}): ${stderr}`);
    let out = "";
    const cc = await main(["compare", "--gt", gt, "--dt", dt, "--dt", dt2, "--bootstrap", "0", "--format", "json"], { stdout: (t) => void (out += t), stderr: (t) => void (stderr += t), isTTY: false });
    if (cc !== 0) throw new Error(`detection-eval compare failed (${cc}): ${stderr}`);
    const cmp = JSON.parse(out) as { models: { mAP: number }[]; pairs: { gained: unknown[]; lost: unknown[] }[] };
    project.provide("twoModelsReport", { path: relative(ROOT, twoOut), names: ["baseline <b>", "candidate"], mAP: cmp.models.map((m) => m.mAP), gained: cmp.pairs[0]!.gained.length, lost: cmp.pairs[0]!.lost.length });
  }
}
