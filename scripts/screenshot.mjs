#!/usr/bin/env node
// Screenshots of the HTML report for the README: generates the demo set (bindings/synth/generate.ts' `demo` preset,
// through `detection-eval demo --dir`), writes its report with `detection-eval report`, opens it in
// Debian's Chromium through playwright (never a downloaded browser) and saves docs/screenshots/*.png.
// Run after a build: `npm run screenshot` (= node scripts/build.mjs && node scripts/screenshot.mjs).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist/cli.js");
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(cli)) throw new Error("dist/cli.js is missing: run `node scripts/build.mjs` first");
if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install chromium`);

// Relative paths: they are shown in the report's header.
const demoDir = ".cache/demo";
const report = join(root, ".cache/report-demo.html");
const outDir = join(root, "docs/screenshots");
mkdirSync(outDir, { recursive: true });

const reportModels = join(root, ".cache/report-models.html");
const run = (...args) => execFileSync(process.execPath, [cli, ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] }).toString();
run("demo", "--dir", demoDir, "--iou-type", "bbox");
process.stdout.write(run("report", "--gt", `${demoDir}/gt.json`, "--dt", `${demoDir}/dt_segm.json`, "--out", report, "--title", "Demo: synthetic COCO set (500 images, masks)"));
// a second "checkpoint" for the side-by-side pictures: the demo's boxes with every 5th detection dropped and
// the scores flattened (a deterministic change, not a model)
const boxes = JSON.parse(readFileSync(join(root, demoDir, "dt_bbox.json"), "utf8"));
writeFileSync(join(root, demoDir, "dt_bbox_b.json"), JSON.stringify(boxes.filter((_, i) => i % 5 !== 2).map((d) => ({ ...d, score: Math.round(Math.sqrt(d.score) * 100) / 100 }))));
process.stdout.write(
  run("report", "--gt", `${demoDir}/gt.json`, "--dt", `${demoDir}/dt_bbox.json`, "--dt", `${demoDir}/dt_bbox_b.json`, "--name", "checkpoint A", "--name", "checkpoint B", "--iou-type", "bbox", "--out", reportModels, "--title", "Demo: two checkpoints side by side"),
);

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("request", (r) => r.url() !== pathToFileURL(report).href && problems.push(`request ${r.url()}`));
  await page.goto(pathToFileURL(report).href);
  await page.waitForFunction(() => document.documentElement.dataset.state === "ready");
  if (problems.length) throw new Error(`the report page had problems:\n${problems.join("\n")}`);

  // The top of the page: header, sliders, summary, outcome.
  await page.screenshot({ path: join(outDir, "report.png"), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1180 } });
  // The curves: precision-recall, and precision / recall / F1 against confidence.
  const pr = await page.locator("#pr").boundingBox();
  const conf = await page.locator("#confidence-curves").boundingBox();
  await page.screenshot({ path: join(outDir, "report-curves.png"), fullPage: true, clip: { x: 0, y: pr.y - 12, width: 1280, height: conf.y + conf.height - pr.y + 24 } });
  // Why it fails: the confusion matrix (a cell clicked) and the TIDE bars.
  const cell = page.locator('#confusion-matrix td[data-r="0"][data-c="1"]');
  await cell.click();
  await page.evaluate(() => window.scrollTo(0, 0)); // boxes below are page coordinates only at the top
  const cm = await page.locator("#confusion").boundingBox();
  const td = await page.locator("#tide").boundingBox();
  await page.screenshot({ path: join(outDir, "report-errors.png"), fullPage: true, clip: { x: 0, y: cm.y - 12, width: 1280, height: td.y + td.height - cm.y + 24 } });
  // The Explorer: the worst false positives, the first one opened in the viewer.
  await page.click("#ex-worst-fp");
  await page.waitForFunction(() => document.getElementById("explorer-table").dataset.rows !== undefined);
  await page.locator("#ex-body .ex-row:not([hidden])").first().click();
  await page.waitForFunction(() => document.getElementById("viewer").dataset.shown?.startsWith("prediction:"));
  await page.evaluate(() => window.scrollTo(0, 0));
  const ex = await page.locator("#explorer").boundingBox();
  await page.screenshot({ path: join(outDir, "report-explorer.png"), fullPage: true, clip: { x: 0, y: ex.y - 12, width: 1280, height: ex.height + 24 } });

  // Two checkpoints side by side.
  const two = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  two.on("pageerror", (e) => problems.push(e.message));
  await two.goto(pathToFileURL(reportModels).href);
  await two.waitForFunction(() => document.documentElement.dataset.state === "ready");
  if (problems.length) throw new Error(`the two-model report had problems:\n${problems.join("\n")}`);
  const models = await two.locator("#models").boundingBox();
  await two.screenshot({ path: join(outDir, "report-models.png"), fullPage: true, clip: { x: 0, y: models.y - 12, width: 1280, height: Math.min(models.height + 24, 1100) } });
  console.log(`wrote ${join("docs/screenshots", "report.png")}, report-curves.png, report-errors.png, report-explorer.png and report-models.png`);
} finally {
  await browser.close();
}
