// The report's Explorer at scale, in Debian's Chromium (playwright, never a downloaded browser): a report of
// N objects (default 1,000,000: half labels, half predictions, boxes on 20 objects an image, box IoU) is
// written, opened as a file, and each interaction is timed in the page (performance.now around the
// explorer's own work, read from its data-* attributes, and to the next frame for scrolling).
//   node scripts/build.mjs && npx tsx bench/explorer.ts [--objects 1000000] [--runs 7] [--seed 1] [--keep]
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright";
import { analyze } from "../bindings/analysis/analyze.js";
import type { AnalysisInput, ObjectInput } from "../bindings/analysis/types.js";
import { createEngine } from "../bindings/engine/engine.js";
import { renderReportHtml } from "../bindings/report/html.js";
import { Rng } from "../bindings/synth/generate.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const N = Number(arg("objects", "1000000"));
const RUNS = Number(arg("runs", "7"));
const SEED = Number(arg("seed", "1"));
const PER_IMAGE = 20;

/** N objects: labels on a 640 x 480 grid of images, a prediction near most labels (some misplaced or of another class). */
function input(): AnalysisInput {
  const rng = new Rng(SEED);
  const nLabels = Math.floor(N / 2);
  const nImages = Math.ceil(nLabels / PER_IMAGE);
  const images = Array.from({ length: nImages }, (_, i) => ({ id: i + 1, width: 640, height: 480, name: `images/${String(i + 1).padStart(8, "0")}.jpg` }));
  const categories = Array.from({ length: 80 }, (_, i) => ({ id: i + 1, name: `class ${i + 1}` }));
  const labels: ObjectInput[] = [];
  const predictions: ObjectInput[] = [];
  for (let l = 0; l < nLabels; l++) {
    const image = Math.floor(l / PER_IMAGE);
    const category = rng.int(80);
    const w = rng.range(8, 200);
    const h = rng.range(8, 200);
    const x = rng.range(0, 640 - w);
    const y = rng.range(0, 480 - h);
    labels.push({ id: l + 1, image, category, shape: { kind: "box", box: [x, y, w, h] } });
    const j = () => rng.range(-0.3, 0.3);
    predictions.push({
      id: l + 1,
      image,
      category: rng.float() < 0.9 ? category : rng.int(80),
      confidence: rng.float(),
      shape: { kind: "box", box: rng.float() < 0.85 ? [x + j() * w, y + j() * h, w * (1 + j() / 2), h * (1 + j() / 2)] : [rng.range(0, 500), rng.range(0, 400), w, h] },
    });
  }
  return { images, categories, labels, predictions };
}

const engine = await createEngine();
let t = performance.now();
const data = input();
const analysis = analyze(engine, data, { iou: "box" });
process.stdout.write(`${(data.labels.length + data.predictions.length).toLocaleString("en-US")} objects analysed in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
t = performance.now();
const html = await renderReportHtml(analysis, { bootstrap: 0, title: "Explorer benchmark" });
const dir = mkdtempSync(join(tmpdir(), "explorer-bench-"));
const file = join(dir, "report.html");
writeFileSync(file, html);
process.stdout.write(`report ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB written in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  t = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.documentElement.dataset.state === "ready", undefined, { timeout: 600_000 });
  process.stdout.write(`page ready in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  if (errors.length) throw new Error(errors.join("\n"));
  // the explorer builds the ids' search text and the fixed columns' orders while the page is idle
  t = performance.now();
  await page.waitForFunction(() => document.getElementById("explorer-table")?.dataset.warm === "done", undefined, { timeout: 600_000 });
  process.stdout.write(`explorer's idle preparation done ${((performance.now() - t) / 1000).toFixed(1)} s later\n`);

  /** Runs an action in the page and returns the explorer's time for it (its refilter + paint, ms). */
  const op = (script: string) =>
    page.evaluate(async (s) => {
      const ex = document.getElementById("explorer-table")!;
      const before = ex.dataset.updates;
      new Function(s)();
      while (ex.dataset.updates === before) await new Promise((r) => requestAnimationFrame(r));
      return { ms: Number(ex.dataset.ms), filterMs: Number(ex.dataset.filterMs), rows: Number(ex.dataset.rows) };
    }, script);
  const scroll = (frac: number) =>
    page.evaluate(async (f) => {
      const box = document.getElementById("ex-body")!;
      const t0 = performance.now();
      box.scrollTop = f * (box.scrollHeight - box.clientHeight);
      // the scroll event repaints the rows in sight before the next frame is drawn
      await new Promise((r) => requestAnimationFrame(r));
      const ex = document.getElementById("explorer-table")!;
      return { ms: performance.now() - t0, paintMs: Number(ex.dataset.paintMs), first: Number(ex.dataset.first) };
    }, frac);
  const set = (id: string, value: string, event: string) =>
    `const e = document.getElementById(${JSON.stringify(id)}); e.value = ${JSON.stringify(value)}; e.dispatchEvent(new Event(${JSON.stringify(event)}, { bubbles: true }));`;
  const click = (selector: string) => `document.querySelector(${JSON.stringify(selector)}).click();`;

  const cases: [string, () => Promise<{ ms: number; rows?: number }>][] = [
    ["filter outcome = FP", () => op(set("ex-outcome", "FP", "change"))],
    ["filter outcome = all", () => op(set("ex-outcome", "all", "change"))],
    ["search an image name", () => op(set("ex-search", "00012", "input"))],
    ["search a class", () => op(set("ex-search", "class 7", "input"))],
    ["search cleared", () => op(set("ex-search", "", "input"))],
    ["sort by confidence (cached)", () => op(click('#ex-head [data-col="confidence"]'))],
    ["sort by IoU (per view)", () => op(click('#ex-head [data-col="iou"]'))],
    ["kind = labels", () => op(set("ex-kind", "labels", "change"))],
    ["kind = all", () => op(set("ex-kind", "all", "change"))],
  ];
  const rows: { name: string; runs: number[]; rows?: number }[] = [];
  for (const [name, run] of cases) {
    const times: number[] = [];
    let n: number | undefined;
    for (let r = 0; r < RUNS; r++) {
      const res = await run();
      times.push(res.ms);
      n = res.rows;
    }
    rows.push({ name, runs: times, ...(n !== undefined ? { rows: n } : {}) });
  }
  const scrolls: number[] = [];
  for (let r = 0; r < RUNS * 4; r++) scrolls.push((await scroll(((r * 7919) % 997) / 997)).ms);
  rows.push({ name: "scroll to a random place (to the next frame)", runs: scrolls });
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  process.stdout.write(`\n${"interaction".padEnd(46)} ${"median ms".padStart(10)} ${"max ms".padStart(8)}  rows\n`);
  for (const r of rows) process.stdout.write(`${r.name.padEnd(46)} ${med(r.runs).toFixed(1).padStart(10)} ${Math.max(...r.runs).toFixed(1).padStart(8)}  ${r.rows?.toLocaleString("en-US") ?? ""}\n`);
  process.stdout.write("\n(sort and repeated filters: the first run of a sort column builds its order; later runs reuse it)\n");
} finally {
  await browser.close();
  if (!process.argv.includes("--keep")) rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`kept ${file}\n`);
}
