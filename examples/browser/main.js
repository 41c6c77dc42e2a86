// The example page: compiles the engine once from the package's engine.wasm file (init(), streaming
// compilation; works under a CSP without 'unsafe-eval'), posts the compiled module to a Web Worker that
// parses the dropped files and does the geometry, and re-scores the analysis here when a slider moves.
// In an application bundled with Vite or esbuild, import from "detection-eval" and "detection-eval/report";
// this page imports the built files directly so that any static server can serve it (npm run example).
import { init, decodeAnalysis } from "../../dist/index.js";
import { renderReportHtml } from "../../dist/report/index.js";

const $ = (id) => document.getElementById(id);
const fmt = (v, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(d));
const status = (text, error = false) => {
  $("status").textContent = text;
  $("status").className = error ? "error" : "muted";
};

// 1. the engine: one compiled module for the page and its worker
const modulePromise = init(new URL("../../build/engine.wasm", import.meta.url));
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
let analysis = null;
let sources = null;

modulePromise.then(
  () => status("Ready: drop the ground truth and the predictions."),
  (e) => status(`Cannot load the engine: ${e.message}`, true),
);

// 2. files -> text (gunzipped when needed) -> the worker
async function readText(file) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const stream = head[0] === 0x1f && head[1] === 0x8b ? file.stream().pipeThrough(new DecompressionStream("gzip")) : file.stream();
  return new Response(stream).text();
}

async function evaluate(files) {
  if (files.length !== 2 && files.length !== 1) return status("Drop two files: the ground truth and the predictions (or one Encord-style file holding both).", true);
  status(`Reading ${[...files].map((f) => f.name).join(" and ")}…`);
  const texts = await Promise.all([...files].map(readText));
  const t0 = performance.now();
  worker.postMessage({ module: await modulePromise, texts, names: [...files].map((f) => f.name), iouType: $("iou-type").value });
  const reply = await new Promise((resolve) => (worker.onmessage = (e) => resolve(e.data)));
  if (reply.error) return status(reply.error, true);
  sources = reply.sources;
  $("coco").hidden = !reply.coco;
  if (reply.coco) {
    $("coco-summary").textContent = reply.coco.summary;
    $("coco-summary").dataset.stats = JSON.stringify(reply.coco.stats);
  }
  analysis = await decodeAnalysis(reply.analysis);
  $("analysis").hidden = false;
  rescore();
  status(`Evaluated ${analysis.images.length} images, ${analysis.labelCount} labels and ${analysis.predictionCount} predictions in ${Math.round(performance.now() - t0)} ms (${reply.format} input${reply.iouType ? `, ${reply.iouType}` : ""}).`);
  document.body.dataset.done = String(Number(document.body.dataset.done ?? 0) + 1);
}

// 3. the sliders: Analysis.at() answers in a few milliseconds, no geometry
function rescore() {
  const iou = Number($("iou").value);
  const confidence = Number($("confidence").value);
  $("iou-value").textContent = fmt(iou, 2);
  $("confidence-value").textContent = fmt(confidence, 2);
  const v = analysis.at({ iou, confidence });
  $("kpis").dataset.map = String(v.mAP);
  $("kpis").innerHTML = "";
  for (const [label, value] of [["mAP", fmt(v.mAP)], ["mAR", fmt(v.mAR)], ["precision", fmt(v.precision)], ["recall", fmt(v.recall)], ["F1", fmt(v.f1)], ["TP", v.tp], ["FP", v.fp], ["FN", v.fn]]) {
    const span = document.createElement("span");
    span.innerHTML = `<b></b> ${label}`;
    span.firstChild.textContent = String(value);
    $("kpis").append(span);
  }
  const rows = [["class", "AP", "TP", "FP", "FN", "precision", "recall", "F1", "avg IoU"]];
  for (const c of v.classes) rows.push([c.name, fmt(c.ap), c.tp, c.fp, c.fn, fmt(c.precision), fmt(c.recall), fmt(c.f1), fmt(c.avgIou)]);
  $("classes").replaceChildren(
    ...rows.map((r, i) => {
      const tr = document.createElement("tr");
      for (const cell of r) {
        const td = document.createElement(i === 0 ? "th" : "td");
        td.textContent = String(cell);
        tr.append(td);
      }
      return tr;
    }),
  );
}

// 4. the self-contained HTML report, made here
async function downloadReport() {
  const html = await renderReportHtml(analysis, { sources, iou: Number($("iou").value), confidence: Number($("confidence").value) });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  a.download = "report.html";
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  evaluate(e.dataTransfer.files).catch((err) => status(err.message, true));
});
$("files").addEventListener("change", (e) => evaluate(e.target.files).catch((err) => status(err.message, true)));
$("iou").addEventListener("input", () => analysis && rescore());
$("confidence").addEventListener("input", () => analysis && rescore());
$("report").addEventListener("click", () => downloadReport().catch((err) => status(err.message, true)));
