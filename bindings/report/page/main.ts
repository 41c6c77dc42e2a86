// The report page's script (bundled by scripts/build.mjs with Chart.js into one inline script). It reads the
// report data embedded in the HTML, rebuilds the Analysis, and answers every change of the IoU slider, the
// confidence slider and the class filter with Analysis.at(): the library's own scoring code, in the page.
// No network access: everything it needs is in the HTML.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from "chart.js";
import type { Analysis, AnalysisView, AtOptions } from "../../analysis/analysis.js";
import { RECALL_THRESHOLDS } from "../../analysis/thresholds.js";
import { confusionObjects, type ConfusionMatrix } from "../../analysis/confusion.js";
import type { BootstrapResult, Interval } from "../../analysis/bootstrap.js";
import { compare } from "../../analysis/compare.js";
import { decodeAnalysis } from "../data.js";
import { $, type Child, el, fmt, fmtInt, fmtMetric } from "./dom.js";
import { createViewer } from "./viewer.js";
import { createExplorer, type Explorer } from "./explorer.js";
import type { ReportMeta, TideMainError, TideMeta, TideSpecialError } from "../meta.js";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);
Chart.defaults.animation = false;
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.font.size = 12;
Chart.defaults.color = "#333";
Chart.defaults.maintainAspectRatio = false;

// Okabe-Ito: readable by colour-blind readers.
const C = { tp: "#009E73", fp: "#D55E00", fn: "#8c8c8c", blue: "#0072B2", orange: "#E69F00", sky: "#56B4E9", purple: "#CC79A7", yellow: "#F0E442", black: "#222" };
const SERIES = [C.blue, C.orange, C.tp, C.fp, C.purple, C.sky, C.yellow, "#555", "#7a5195", "#a05195"];
const MAX_PR_CLASSES = 10;
const MAX_BAR_CLASSES = 300;
const MAX_HEAT_CLASSES = 100;
const EXPLORER_ROWS = 25;
/** The similarity the page names: "IoU", or "OKS" for keypoints (set from the report's meta). */
let SIM = "IoU";

/** A long axis label as lines of about `width` characters (Chart.js draws an array label on several lines). */
function wrap(text: string, width = 32): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}
const nan2null = (v: number): number | null => (Number.isFinite(v) ? v : null);

function table(id: string, head: string[], rows: (string | number)[][], numeric: boolean[] = []): void {
  const t = $(id) as HTMLTableElement;
  t.replaceChildren(
    el("thead", {}, el("tr", {}, ...head.map((h, i) => el("th", numeric[i] ? { class: "num" } : {}, h)))),
    el("tbody", {}, ...(rows.length ? rows.map((r) => el("tr", {}, ...r.map((c, i) => el("td", numeric[i] ? { class: "num" } : {}, String(c))))) : [el("tr", {}, el("td", { colspan: head.length, class: "empty" }, "nothing in the current selection"))])),
  );
}

// ---- charts ---------------------------------------------------------------------------------------------

const charts = new Map<string, Chart>();

/** Creates the chart on first use, then swaps its data (no animation) and redraws. */
function draw(id: string, config: ChartConfiguration, height?: number): void {
  // horizontal bars: every category label shown (the box is sized for them)
  const o = config.options as { indexAxis?: string; scales?: Record<string, { ticks?: object }> } | undefined;
  if (o?.indexAxis === "y") {
    o.scales ??= {};
    o.scales.y = { ...o.scales.y, ticks: { autoSkip: false, ...o.scales.y?.ticks } };
  }
  const canvas = $(id) as HTMLCanvasElement;
  const box = canvas.parentElement!;
  if (height !== undefined && box.style.height !== `${height}px`) box.style.height = `${height}px`;
  const chart = charts.get(id);
  if (!chart) {
    charts.set(id, new Chart(canvas, config));
    return;
  }
  chart.data = config.data;
  if (config.options) chart.options = config.options;
  chart.update("none");
}

function barHeight(n: number): number {
  return Math.max(220, 26 * n + 70);
}

function axisTitle(text: string) {
  return { display: true, text };
}

/** Every `step`-th point of a curve, always keeping the last one (a line of at most ~max points). */
function thin<T>(points: T[], max = 400): T[] {
  if (points.length <= max) return points;
  const step = Math.ceil(points.length / max);
  const out: T[] = [];
  for (let i = 0; i < points.length; i += step) out.push(points[i]!);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}

// ---- the page ---------------------------------------------------------------------------------------------

interface State {
  /** the model the pages show (index into `analyses`) */
  model: number;
  iou: number;
  confidence: number;
  classes: Set<string>;
  metric: string;
  /** only the images whose file name (or id) contains this text (lower case; "" = every image) */
  imageText: string;
  /** a metric range the objects must fall in ("predictions:area" etc.; undefined = none) */
  range?: { metric: string; min?: number; max?: number };
  /** the confusion-matrix cell whose objects are listed: category ids as strings, null = background */
  cell?: { predicted: string | null; actual: string | null };
}

function section(id: string, title: string, note: string, ...body: Child[]): HTMLElement {
  return el("section", { id, class: "card" }, el("h2", {}, title), note ? el("p", { class: "note" }, note) : null, ...body);
}
// Charts of many classes grow tall; their box scrolls (like the tables) instead of stretching the page.
const chartBox = (id: string, height = 280) =>
  el("div", {}, el("p", { class: "note", id: `${id}-cap` }), el("div", { class: "scroll" }, el("div", { class: "chart", style: `height:${height}px` }, el("canvas", { id, role: "img", "aria-label": id }))));

/**
 * The classes a per-class bar chart draws: all, or the MAX_BAR_CLASSES with the most labels (in
 * category order) with a note, since a canvas past ~32k pixels stays blank; the table lists them all.
 */
function charted<T extends { labels: number; index: number }>(classes: readonly T[], id: string, value?: { of: (c: T) => number; what: string }): T[] {
  const note = document.getElementById(`${id}-cap`);
  const heat = id === "confusion-matrix";
  // a bar chart of many classes shows the top ones by its own value (the controls' "chart classes"),
  // and at most MAX_BAR_CLASSES in any case
  const top = !heat && chartView.top !== null && value ? chartView.top : null;
  const max = heat ? MAX_HEAT_CLASSES : (top ?? MAX_BAR_CLASSES);
  const v = (c: T) => {
    const x = value!.of(c);
    return Number.isFinite(x) ? x : Number.NEGATIVE_INFINITY;
  };
  const byValue = (x: T, y: T) => v(y) - v(x) || x.index - y.index;
  const sorted = !heat && value && chartView.sort === "value";
  if (classes.length <= max) {
    if (note) note.textContent = "";
    return sorted ? [...classes].sort(byValue) : [...classes];
  }
  const ranked = [...classes].sort(top !== null ? byValue : (x, y) => y.labels - x.labels || x.index - y.index);
  const keep = new Set(ranked.slice(0, max).map((c) => c.index));
  if (note) {
    note.textContent =
      top !== null
        ? `The ${max} classes with the highest ${value!.what} of ${fmtInt(classes.length)} ("chart classes: all" above draws every one); the table lists every class.`
        : `The ${max} classes with the most labels of ${fmtInt(classes.length)}${heat ? " (row totals count every class)" : "; the table lists every class"}.`;
  }
  const shown = classes.filter((c) => keep.has(c.index));
  return sorted ? shown.sort(byValue) : shown;
}

/** How per-class bar charts pick and order their classes (the controls; tables always list every class). */
const chartView: { top: number | null; sort: "value" | "category" } = { top: 25, sort: "value" };
const TOP_CLASSES = 25;
const tableBox = (id: string) => el("div", { class: "table" }, el("table", { id }));
const row = (...c: Child[]) => el("div", { class: "row" }, ...c);

/** The confidence slider's range: [0, 1] widened to the predictions' confidences (logits can be negative). */
function confidenceRange(a: Analysis): { min: number; max: number } {
  let min = 0,
    max = 1;
  for (const v of a.metric("predictions", "confidence") ?? []) {
    if (v < min) min = Math.floor(v * 100) / 100;
    if (v > max) max = Math.ceil(v * 100) / 100;
  }
  return { min, max };
}

function buildLayout(meta: ReportMeta, a: Analysis): void {
  const root = $("app");
  const cats = a.categories;
  const ranges = analyses.map(confidenceRange);
  const cMin = Math.min(...ranges.map((r) => r.min));
  const cMax = Math.max(...ranges.map((r) => r.max));
  const names = meta.models?.names ?? [];
  const classBoxes = cats.map((c) =>
    el("label", { class: "cls" }, el("input", { type: "checkbox", value: String(c.id), checked: meta.defaults.classes?.includes(String(c.id)) ?? true }), ` ${c.name}`, el("span", { class: "muted" }, ` (${String(c.id)})`)),
  );
  const metricOptions = [
    ...a.predictionMetricNames.map((m) => el("option", { value: `predictions:${m}` }, `prediction ${m} (precision)`)),
    ...a.labelMetricNames.map((m) => el("option", { value: `labels:${m}` }, `label ${m} (false-negative rate)`)),
  ];
  const src = meta.sources;
  SIM = meta.iouKind === "oks" ? "OKS" : "IoU";
  root.replaceChildren(
    el(
      "header",
      {},
      el("h1", {}, meta.title),
      el(
        "p",
        { class: "muted" },
        `ground truth ${src.gt}`,
        src.dt && names.length === 0 ? ` · predictions ${src.dt}` : "",
        names.length ? ` · ${names.length} models: ${names.map((n, i) => `${n}${i === 0 ? " (baseline)" : ""}`).join(", ")}` : "",
        ` · ${meta.inputFormat === "coco" ? `COCO ${meta.iouType ?? ""}` : "Encord-style"} input · ${meta.iouKind === "oks" ? "OKS of keypoints" : `IoU on ${meta.iouKind === "box" ? "boxes" : "rendered masks"}`}${meta.lineWidth !== undefined ? ` (polylines ${meta.lineWidth} px wide)` : ""}${meta.rotatedNote ? ` (${meta.rotatedNote})` : ""} · candidates ${a.candidates}`,
        ` · ${fmtInt(a.images.length)} images, ${fmtInt(a.labelCount)} labels, ${fmtInt(a.predictionCount)} predictions, ${cats.length} classes`,
        ` · generated ${meta.created} by detection-eval ${meta.version}`,
      ),
    ),
    el(
      "div",
      { class: "controls", id: "controls" },
      names.length ? el("label", {}, "model ", el("select", { id: "model" }, ...names.map((n, i) => el("option", { value: String(i) }, n)))) : null,
      el(
        "label",
        {},
        `${SIM} threshold `,
        el("input", { type: "range", id: "iou", min: 0.05, max: 1, step: 0.01, value: meta.defaults.iou }),
        el("output", { id: "iou-value" }, fmt(meta.defaults.iou, 2)),
      ),
      el(
        "label",
        {},
        "confidence ≥ ",
        el("input", { type: "range", id: "confidence", min: cMin, max: cMax, step: 0.01, value: meta.defaults.confidence ?? cMin }),
        el("output", { id: "confidence-value" }, fmt(meta.defaults.confidence ?? cMin, 2)),
      ),
      cats.length > TOP_CLASSES
        ? el(
            "label",
            {},
            "chart classes ",
            el("select", { id: "chart-top" }, el("option", { value: String(TOP_CLASSES) }, `top ${TOP_CLASSES}`), el("option", { value: "all" }, "all")),
            el("select", { id: "chart-sort" }, el("option", { value: "value" }, "by value"), el("option", { value: "category" }, "by category")),
          )
        : null,
      el("label", {}, "images ", el("input", { type: "search", id: "image-filter", placeholder: "file name contains", size: 16 })),
      el(
        "label",
        { title: "only the objects whose metric lies in [min, max] (predictions for a prediction metric, labels for a label metric)" },
        "metric range ",
        el("select", { id: "range-metric" }, el("option", { value: "" }, "none"), ...metricOptions.map((o) => o.cloneNode(true))),
        el("input", { type: "number", id: "range-min", placeholder: "min", step: "any", style: "width:6em" }),
        el("input", { type: "number", id: "range-max", placeholder: "max", step: "any", style: "width:6em" }),
      ),
      el(
        "details",
        { class: "classes", id: "class-filter" },
        el("summary", { id: "class-summary" }, "all classes"),
        el("div", { class: "cls-actions" }, el("button", { type: "button", id: "cls-all" }, "all"), el("button", { type: "button", id: "cls-none" }, "none")),
        el("div", { class: "cls-list", id: "classes" }, ...classBoxes),
      ),
    ),
    section(
      "summary",
      "Summary",
      "Means over the included classes (mAP, mAR, mean precision and F1); precision, recall and F1 of the pooled counts; AR@[.50:.95] is COCO-style average recall. Everything below follows the sliders and the class filter.",
      el("div", { class: "kpis", id: "kpis" }),
    ),
    ...(names.length
      ? [
          section(
            "models",
            "Models side by side",
            `Every model at the same IoU threshold, confidence and classes; differences against the baseline (${names[0]}). The other sections show the model chosen above. Gained: labels the model finds (TP) and the baseline misses (FN); lost: the reverse.`,
            el("div", { class: "table wide" }, el("table", { id: "table-models" })),
            el("h3", {}, "Precision-recall (all selected classes pooled) and F1 against confidence, every model"),
            row(chartBox("chart-models-pr", 320), chartBox("chart-models-f1", 320)),
            el("h3", {}, "AP per class"),
            el("div", { class: "table" }, el("table", { id: "table-models-ap" })),
            el("h3", {}, `Label flips (the first ${EXPLORER_ROWS} of each)`),
            el("div", { class: "table wide" }, el("table", { id: "table-flips" })),
          ),
        ]
      : []),
    ...(meta.coco?.length
      ? [
          section(
            "coco",
            "COCO evaluation",
            `pycocotools' COCOeval (${meta.coco[0]!.iouType}) at its default parameters: the 12 stats and AP per category, computed when the report was written; they do not follow the sliders or the class filter.`,
            el("div", { class: "table wide" }, el("table", { id: "table-coco-stats" })),
            el("h3", {}, "AP per category (IoU .50:.95, area all, 100 detections)"),
            el("div", { class: "table" }, el("table", { id: "table-coco-classes" })),
          ),
        ]
      : []),
    section(
      "outcome",
      "Outcome",
      "True positives, false positives and false negatives per class, and why each false positive and false negative happened.",
      row(chartBox("chart-outcome"), tableBox("table-outcome")),
      row(chartBox("chart-reasons", 300), tableBox("table-reasons")),
    ),
    section(
      "confusion",
      "Confusion matrix",
      "Rows: the predicted class; columns: the true class; background last. A false positive counts against its closest label of any class when that label is of another class, overlaps it at the IoU threshold and is not already taken (most confident first); other false positives go to the background column, missed labels to the background row. Shading: the share of the row. Click a cell for its objects.",
      el("p", { class: "note", id: "confusion-matrix-cap" }),
      el("div", { class: "table heat", id: "confusion-matrix" }),
      el("h3", { id: "cell-title" }, "Objects of a cell"),
      el("div", { class: "table wide" }, el("table", { id: "table-cell" })),
    ),
    ...(meta.tide ? [tideSection(meta.tide)] : []),
    section(
      "calibration",
      "Calibration",
      "Reliability: the counted predictions in 10 confidence bins; a calibrated model's precision in a bin equals its mean confidence (the diagonal). ECE weights each bin's gap by its share of the predictions; MCE is the largest gap.",
      el("p", { id: "cal-summary", class: "kpi-l" }),
      row(chartBox("chart-cal", 300), tableBox("table-cal")),
    ),
    section("ap", "Average Precision", "Per class, COCO's 101-point interpolation at the chosen IoU threshold.", row(chartBox("chart-ap"), tableBox("table-ap"))),
    section("prf", "Precision, Recall and F1", "Per class at the chosen IoU threshold and confidence.", row(chartBox("chart-prf"), tableBox("table-prf"))),
    section(
      "pr",
      "Precision-Recall curves",
      `Interpolated precision (the envelope COCO averages) per class, at most ${MAX_PR_CLASSES} classes with the most labels, and the raw curve of all selected classes pooled.`,
      row(chartBox("chart-pr", 360), tableBox("table-pr")),
    ),
    section(
      "confidence-curves",
      "Precision, recall and F1 against confidence",
      "Counts at each confidence threshold (raw counts, not the envelope), without the confidence filter; the dashed line is the confidence slider, the table gives each class' best-F1 operating point.",
      row(chartBox("chart-conf", 320), tableBox("table-conf")),
    ),
    section("avg-iou", "Average IoU", "Mean IoU of the true positives per class.", row(chartBox("chart-iou"), tableBox("table-iou"))),
    section(
      "iou-dist",
      "IoU Distribution",
      "Each counted prediction's IoU with its closest label (20 bins), true and false positives stacked.",
      row(chartBox("chart-iou-hist"), tableBox("table-iou-hist")),
    ),
    section(
      "correlation",
      "Metric Correlation",
      "Correlation of each object metric with the outcome: prediction metrics against true positive (1) / false positive (0), label metrics against detected (1) / missed (0).",
      row(chartBox("chart-corr", 380), tableBox("table-corr")),
    ),
    section(
      "performance",
      "Metric Performance",
      "Objects split into 10 equal-count bins of a metric: precision per bin for prediction metrics, false-negative rate for label metrics.",
      el("p", {}, el("label", {}, "metric ", el("select", { id: "metric" }, ...metricOptions))),
      row(chartBox("chart-perf"), tableBox("table-perf")),
    ),
    section(
      "explorer",
      "Explorer",
      "Every prediction and label of the selection above (sliders, classes, images, metric range): click a column to sort, search by image, class, id, outcome or reason, click a row to see the object on its image. Export the selection:",
      el("p", {}, el("button", { type: "button", id: "export-csv" }, "explorer CSV"), " ", el("button", { type: "button", id: "export-json" }, "explorer JSON")),
      el("div", { id: "explorer-table" }),
      el("div", { id: "viewer", class: "viewer" }),
    ),
    el("footer", { class: "muted" }, "Re-scored in this page by detection-eval's analysis engine (Analysis.at()); charts by Chart.js. The page makes no network requests."),
  );
}

/** at()'s options for the state: thresholds, classes, images and metric range (`confidence: false`: no confidence filter). */
function viewOptions(a: Analysis, s: State, confidence = true): AtOptions {
  const all = a.categories.length === s.classes.size;
  const classes = all ? undefined : a.categories.filter((c) => s.classes.has(String(c.id))).map((c) => c.id);
  const images = s.imageText ? a.images.filter((im) => (im.name ?? String(im.id)).toLowerCase().includes(s.imageText)).map((im) => im.id) : undefined;
  const range = s.range ? s.range.metric.split(/:(.*)/s) : undefined;
  return {
    iou: s.iou,
    ...(confidence ? { confidence: s.confidence } : {}),
    ...(classes ? { classes } : {}),
    ...(images ? { images } : {}),
    ...(range && s.range
      ? { metricRanges: [{ metric: range[1]!, target: range[0] as "predictions" | "labels", ...(s.range.min !== undefined ? { min: s.range.min } : {}), ...(s.range.max !== undefined ? { max: s.range.max } : {}) }] }
      : {}),
  };
}

/**
 * Re-scores and redraws the page for the state. The metric-correlation section (a rank correlation of every
 * metric: the slowest part on large sets) is returned as a second step, which the caller runs once the
 * sliders rest.
 */
function render(s: State): () => void {
  const a = analyses[s.model]!;
  const all = a.categories.length === s.classes.size;
  const v = a.at(viewOptions(a, s));
  const vNoConf = a.at(viewOptions(a, s, false));

  $("iou-value").textContent = fmt(s.iou, 2);
  $("confidence-value").textContent = fmt(s.confidence, 2);
  $("class-summary").textContent = all ? `all ${a.categories.length} classes` : `${s.classes.size} of ${a.categories.length} classes`;

  currentView = v;
  renderSummary(v, s);
  if (analyses.length > 1) renderModels(s, vNoConf);
  renderOutcome(v);
  renderConfusion(a, v, s);
  const tide = tideByModel[s.model];
  if (tide) renderTide(tide, s);
  // TIDE follows the class filter only
  $("tide")?.classList.toggle("stale", !tide || s.imageText !== "" || s.range !== undefined);
  renderCalibration(v);
  renderPerClass(v);
  renderPr(v);
  renderConfidence(vNoConf, s);
  renderIou(v, s);
  renderPerformance(a, v, s);
  explorer?.update();
  return () => {
    renderCorrelation(v);
    renderIntervals(v, bootstrapResamples);
  };
}

const TIDE_MAIN: TideMainError[] = ["Cls", "Loc", "Both", "Dupe", "Bkg", "Miss"];
const TIDE_SPECIAL: TideSpecialError[] = ["FalsePos", "FalseNeg"];

function tideSection(t: TideMeta): HTMLElement {
  return section(
    "tide",
    "TIDE errors",
    `AP${Math.round(t.posThreshold * 100)} points gained by fixing each error type (Bolya et al., the tidecv rules: foreground IoU ${t.posThreshold}, background IoU ${t.backgroundThreshold}; fixed thresholds, they do not follow the IoU slider). Cls: right box, wrong class; Loc: right class, IoU between the thresholds; Both: wrong class and poor box; Dupe: a duplicate of a matched prediction; Bkg: background detected; Miss: label never detected. FalsePos / FalseNeg: all false positives / all false negatives fixed. With a class filter: tidecv's formula over the selected classes (their mean AP with the kind fixed, minus their mean AP).`,
    el("p", { id: "tide-summary", class: "kpi-l" }),
    row(chartBox("chart-tide", 300), tableBox("table-tide")),
  );
}

function renderTide(t: TideMeta, s: State): void {
  const all = t.classes.every((c) => s.classes.has(c.categoryId));
  const picked = t.classes.filter((c) => s.classes.has(c.categoryId));
  // a selection: tidecv's formula on its classes: mean fixed AP (classes a fix empties drop out) - mean AP
  const apMean = picked.length ? picked.reduce((x, c) => x + c.ap, 0) / picked.length : Number.NaN;
  const fixedMean = (d: (c: TideMeta["classes"][number]) => number | null) => {
    let sum = 0;
    let n = 0;
    for (const c of picked) {
      const v = d(c);
      if (v === null || !Number.isFinite(v)) continue;
      sum += c.ap + v;
      n++;
    }
    return n ? sum / n - apMean : Number.NaN;
  };
  const main = TIDE_MAIN.map((k) => (all ? t.main[k] : Math.max(fixedMean((c) => c.main[k]), 0)));
  const special = TIDE_SPECIAL.map((k) => (all ? t.special[k] : fixedMean((c) => c.special[k])));
  $("tide-summary").textContent = `AP${Math.round(t.posThreshold * 100)} ${fmt(all ? t.ap : apMean, 2)} ${all ? "(all classes, as tidecv reports it)" : `(${picked.length} selected classes)`}`;
  draw("chart-tide", {
    type: "bar",
    data: {
      labels: [...TIDE_MAIN, ...TIDE_SPECIAL],
      datasets: [{ label: "dAP", data: [...main, ...special].map(nan2null), backgroundColor: [...TIDE_MAIN.map(() => C.fp), ...TIDE_SPECIAL.map(() => C.purple)] }],
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { min: 0, title: axisTitle("dAP (AP points)") } } },
  });
  table("table-tide", ["error", "dAP"], [...TIDE_MAIN.map((k, i) => [k, fmt(main[i], 2)]), ...TIDE_SPECIAL.map((k, i) => [k, fmt(special[i], 2)])], [false, true]);
}

let currentView: AnalysisView | undefined;
let explorer: Explorer | undefined;
/** every model's view at the state's settings (the models section; the explorer's flip filter reads the baseline's) */
let modelViews: AnalysisView[] = [];
let bootstrapResamples = 0;
/** the models' analyses (one without --dt given twice) and their TIDE data */
let analyses: Analysis[] = [];
let modelNames: string[] = [];
let tideByModel: (TideMeta | undefined)[] = [];

/** The COCO section: fixed numbers, drawn once. */
function renderCoco(meta: ReportMeta): void {
  const coco = meta.coco;
  if (!coco?.length) return;
  const names = coco.length > 1 ? (meta.models?.names ?? coco.map((_, i) => `model ${i + 1}`)) : ["value"];
  const v = (x: number) => (x < 0 ? "–" : fmt(x));
  table("table-coco-stats", ["stat", ...names], coco[0]!.statsLabels.map((label, i) => [label, ...coco.map((c) => v(c.stats[i]!))]), [false, ...names.map(() => true)]);
  const byModel = coco.map((c) => new Map(c.perCategory.map((k) => [k.categoryId, k])));
  const heads = coco.length > 1 ? names.flatMap((n) => [`AP ${n}`, `AP50 ${n}`]) : ["AP", "AP50", "AP75", "AR100"];
  table(
    "table-coco-classes",
    ["class", ...heads],
    coco[0]!.perCategory.map((k) => [
      `${k.name} (${k.categoryId})`,
      ...(coco.length > 1 ? byModel.flatMap((m) => [v(m.get(k.categoryId)?.ap ?? -1), v(m.get(k.categoryId)?.ap50 ?? -1)]) : [v(k.ap), v(k.ap50), v(k.ap75), v(k.ar100)]),
    ]),
    [false, ...heads.map(() => true)],
  );
}

/** The models side by side at the state's settings (compare() without resampling: a slider move stays fast). */
function renderModels(s: State, shownNoConf: AnalysisView): void {
  const views = analyses.map((x, i) => (i === s.model && currentView ? currentView : x.at(viewOptions(x, s))));
  modelViews = views;
  const c = compare(views, { names: modelNames, resamples: 0 });
  const d = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(3)}` : "–");
  table(
    "table-models",
    ["model", "mAP", "mAR", "mF1", "precision", "recall", "F1", "TP", "FP", "FN", "Δ mAP", "gained", "lost"],
    c.models.map((m, i) => {
      const p = i > 0 ? c.pairs[i - 1]! : undefined;
      return [m.name, fmt(m.mAP), fmt(m.mAR), fmt(m.mF1), fmt(m.precision), fmt(m.recall), fmt(m.f1), fmtInt(m.tp), fmtInt(m.fp), fmtInt(m.fn), p ? d(p.mAP.delta) : "baseline", p ? fmtInt(p.gained.length) : "", p ? fmtInt(p.lost.length) : ""];
    }),
    [false, true, true, true, true, true, true, true, true, true, true, true, true],
  );
  const others = c.models.slice(1).map((m) => `Δ ${m.name}`);
  table(
    "table-models-ap",
    ["class", ...c.models.map((m) => m.name), ...others],
    c.classes.map((k) => [`${k.name} (${String(k.categoryId)})`, ...k.ap.map((v) => fmt(v)), ...k.ap.slice(1).map((v) => (v === null || k.ap[0] === null ? "–" : d(v - k.ap[0]!)))]),
    [false, ...c.models.map(() => true), ...others.map(() => true)],
  );
  const a0 = analyses[0]!;
  const flips: (string | number)[][] = [];
  const flipLabels: number[] = [];
  for (const p of c.pairs) {
    for (const [kind, list] of [["gained", p.gained], ["lost", p.lost]] as const) {
      for (const f of list.slice(0, EXPLORER_ROWS)) {
        flipLabels.push(f.index);
        const cat = a0.categories[a0.categoryIndex(f.categoryId)];
        flips.push([c.models[p.model]!.name, kind, String(f.imageId), a0.images[a0.imageIndex(f.imageId)]?.name ?? "", cat ? `${cat.name} (${String(cat.id)})` : String(f.categoryId), f.id === null ? `#${f.index}` : String(f.id)]);
      }
    }
  }
  table("table-flips", ["model", "flip", "image", "file", "class", "label"], flips);
  // a click on a flip shows the label on its image (with the predictions of the model shown)
  $("table-flips").querySelectorAll("tbody tr").forEach((tr, i) => {
    const l = flipLabels[i];
    if (l === undefined) return;
    const row = tr as HTMLElement;
    row.dataset.kind = "label";
    row.dataset.index = String(l);
    row.classList.add("pick");
  });
  // every model's pooled precision-recall curve (raw counts of the selected classes) on one chart
  draw("chart-models-pr", {
    type: "line",
    data: {
      datasets: views.map((v, i) => {
        const pr = v.prCurve();
        const pts: { x: number; y: number }[] = [];
        for (let j = 0; j < pr.recall.length; j++) pts.push({ x: pr.recall[j]!, y: pr.precision[j]! });
        const color = SERIES[i % SERIES.length]!;
        return { label: `${c.models[i]!.name} (AP ${fmt(pr.ap)})`, data: thin(pts), borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 0, pointStyle: "line" };
      }),
    },
    options: {
      parsing: false,
      scales: { x: { type: "linear", min: 0, max: 1, title: axisTitle("recall") }, y: { min: 0, max: 1.02, title: axisTitle("precision") } },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 28 } } },
    },
  });
  draw("chart-models-f1", {
    type: "line",
    data: {
      datasets: views.map((v, i) => {
        // the model shown already has its view without the confidence filter (render's)
        const cc = (i === s.model ? shownNoConf : analyses[i]!.at(viewOptions(analyses[i]!, s, false))).confidenceCurve();
        const pts: { x: number; y: number }[] = [];
        for (let j = cc.confidence.length - 1; j >= 0; j--) pts.push({ x: cc.confidence[j]!, y: cc.f1[j]! });
        const color = SERIES[i % SERIES.length]!;
        return { label: `${c.models[i]!.name} (best F1 ${fmt(cc.best.f1)} at ${fmt(cc.best.confidence, 2)})`, data: thin(pts), borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 0, pointStyle: "line" };
      }),
    },
    options: {
      parsing: false,
      scales: { x: { type: "linear", title: axisTitle("confidence threshold") }, y: { min: 0, max: 1.02, title: axisTitle("F1") } },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 28 } } },
    },
  });
}

/** Bootstrap intervals under the summary cards (computed once the sliders rest: the slow part of a page). */
function renderIntervals(v: AnalysisView, resamples: number): void {
  if (resamples <= 0) return;
  const b: BootstrapResult = v.bootstrap({ resamples, seed: 0 });
  const put = (key: string, x: Interval) => {
    const card = document.getElementById(`kpi-${key}`);
    if (!card) return;
    card.querySelector(".kpi-ci")?.remove();
    card.append(el("div", { class: "kpi-ci", "data-lo": String(x.lo), "data-hi": String(x.hi), title: `${Math.round(b.level * 100)}% bootstrap interval, ${b.resamples} resamples of the images` }, `${fmt(x.lo)} – ${fmt(x.hi)}`));
  };
  put("mAP", b.mAP);
  put("mAR", b.mAR);
  put("mP", b.mP);
  put("mF1", b.mF1);
  put("precision", b.precision);
  put("recall", b.recall);
  put("f1", b.f1);
  $("summary").classList.remove("stale");
}

function cellKey(m: ConfusionMatrix, i: number): string | null {
  return i < m.categories.length ? String(m.categories[i]!.categoryId) : null;
}

function renderConfusion(a: Analysis, v: AnalysisView, s: State): void {
  const m = v.confusion();
  const n = m.categories.length;
  const names = [...m.categories.map((c) => c.name), "background"];
  // rows and columns shown: every class, or the MAX_HEAT_CLASSES with the most labels (a table of
  // n^2 cells stops being readable, and a DOM of millions of cells stops the page), and background
  const shown = charted(v.classes, "confusion-matrix").map((c) => v.classes.indexOf(c));
  const idx = [...shown, n];
  const head = el("tr", {}, el("th", {}, "predicted \\ true"), ...idx.map((j) => el("th", { class: "num" }, names[j]!)), el("th", { class: "num" }, "total"));
  const rows = idx.map((i) => {
    const r = m.counts[i]!;
    return el(
      "tr",
      {},
      el("th", {}, names[i]!),
      ...idx.map((j) => {
        const count = r[j]!;
        const rate = m.rates[i]![j]!;
        const selected = s.cell && s.cell.predicted === cellKey(m, i) && s.cell.actual === cellKey(m, j);
        const shade = i === j && i < n ? `rgba(0,158,115,${(0.12 + 0.75 * rate).toFixed(3)})` : `rgba(213,94,0,${(0.75 * rate).toFixed(3)})`;
        return el(
          "td",
          { class: `num cell${selected ? " selected" : ""}`, "data-r": i, "data-c": j, style: count > 0 ? `background:${shade}` : "", title: `${names[i]} predicted, ${names[j]} true: ${count} (${fmt(rate * 100, 1)}% of the row)` },
          count > 0 ? fmtInt(count) : "·",
        );
      }),
      el("td", { class: "num" }, fmtInt(r.reduce((x, y) => x + y, 0))),
    );
  });
  $("confusion-matrix").replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
  renderCell(a, v, m, s);
}

function renderCell(a: Analysis, v: AnalysisView, m: ConfusionMatrix, s: State): void {
  const index = (key: string | null) => (key === null ? m.categories.length : m.categories.findIndex((c) => String(c.categoryId) === key));
  const r = s.cell ? index(s.cell.predicted) : -1;
  const c = s.cell ? index(s.cell.actual) : -1;
  if (r < 0 || c < 0) {
    $("cell-title").textContent = "Objects of a cell (click one)";
    table("table-cell", ["object"], []);
    return;
  }
  const names = [...m.categories.map((x) => x.name), "background"];
  const objects = confusionObjects(m, r, c);
  const ex = v.explorer();
  const preds = new Map(ex.predictions.map((p) => [p.index, p]));
  const labels = new Map(ex.labels.map((l) => [l.index, l]));
  const img = new Map(a.images.map((x) => [String(x.id), x.name ?? String(x.id)]));
  const cat = new Map(a.categories.map((x) => [String(x.id), x.name]));
  const name = (id: number | string | null) => (id === null ? "–" : (cat.get(String(id)) ?? String(id)));
  const rowsOut: (string | number)[][] = [];
  for (const i of objects.predictions.slice(0, 200)) {
    const p = preds.get(i);
    if (p) rowsOut.push(["prediction", p.id ?? p.index, img.get(String(p.imageId)) ?? String(p.imageId), name(p.categoryId), fmt(p.confidence), p.candidate >= 0 ? fmt(p.iou) : "–", p.outcome, p.reason ?? ""]);
  }
  for (const i of objects.labels.slice(0, 200)) {
    const l = labels.get(i);
    if (l) rowsOut.push(["label", l.id ?? l.index, img.get(String(l.imageId)) ?? String(l.imageId), name(l.categoryId), "", fmt(l.bestIou), l.outcome, l.reason ?? ""]);
  }
  const total = objects.predictions.length + objects.labels.length;
  $("cell-title").textContent = `Predicted ${names[r]}, true ${names[c]}: ${fmtInt(objects.predictions.length)} predictions, ${fmtInt(objects.labels.length)} labels${total > rowsOut.length ? ` (first ${rowsOut.length} shown)` : ""}`;
  table("table-cell", ["object", "id", "image", "class", "confidence", SIM, "outcome", "reason"], rowsOut, [false, false, false, false, true, true, false, false]);
}

function renderCalibration(v: AnalysisView): void {
  const cal = v.calibration();
  $("cal-summary").textContent = `ECE ${fmt(cal.ece)} · MCE ${fmt(cal.mce)} · ${fmtInt(cal.count)} counted predictions${cal.outOfRange ? ` · ${fmtInt(cal.outOfRange)} confidences outside [0, 1] (put in the end bins)` : ""}`;
  const labels = cal.bins.map((b) => `${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`);
  draw("chart-cal", {
    type: "bar",
    data: {
      labels,
      datasets: [
        { type: "bar", label: "precision", data: cal.bins.map((b) => nan2null(b.precision)), backgroundColor: C.blue },
        { type: "line", label: "mean confidence (perfect calibration)", data: cal.bins.map((b) => nan2null(b.confidence)), borderColor: C.black, backgroundColor: C.black, borderDash: [4, 3], pointRadius: 3 },
      ] as ChartDataset<"bar" | "line">[],
    },
    options: { scales: { x: { title: axisTitle("confidence bin") }, y: { min: 0, max: 1, title: axisTitle(`precision at IoU ${fmt(v.iou, 2)}`) } } },
  } as ChartConfiguration);
  table(
    "table-cal",
    ["bin", "predictions", "TP", "mean confidence", "precision", "gap"],
    cal.bins.filter((b) => b.count > 0).map((b) => [`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`, b.count, b.tp, fmt(b.confidence), fmt(b.precision), fmt(Math.abs(b.precision - b.confidence))]),
    [false, true, true, true, true, true],
  );
}

function renderSummary(v: AnalysisView, s: State): void {
  const kpi = (key: string, label: string, value: number, text: string, hint: string) =>
    el("div", { class: "kpi", id: `kpi-${key}`, "data-value": String(value), "data-iou": String(s.iou), "data-confidence": String(s.confidence), title: hint }, el("div", { class: "kpi-v" }, text), el("div", { class: "kpi-l" }, label));
  $("kpis").replaceChildren(
    kpi("mAP", `mAP@${fmt(s.iou, 2)}`, v.mAP, fmt(v.mAP), "mean over the included classes of the 101-point interpolated AP"),
    kpi("mAR", `mAR@${fmt(s.iou, 2)}`, v.mAR, fmt(v.mAR), "mean recall over the included classes"),
    kpi("AR", "AR@[.50:.95]", v.cocoAR, fmt(v.cocoAR), "COCO-style average recall over IoU .50:.05:.95"),
    kpi("mP", "mean precision", v.mP, fmt(v.mP), "mean precision over the included classes"),
    kpi("mF1", "mean F1", v.mF1, fmt(v.mF1), "mean F1 over the included classes"),
    kpi("precision", "precision", v.precision, fmt(v.precision), "TP / (TP + FP), pooled"),
    kpi("recall", "recall", v.recall, fmt(v.recall), "TP / (TP + FN), pooled"),
    kpi("f1", "F1", v.f1, fmt(v.f1), "2PR / (P + R), pooled"),
    kpi("tp", "true positives", v.tp, fmtInt(v.tp), "predictions matched to a label"),
    kpi("fp", "false positives", v.fp, fmtInt(v.fp), "predictions not matched"),
    kpi("fn", "false negatives", v.fn, fmtInt(v.fn), "labels not matched"),
    kpi("avgIou", "average IoU", v.avgIou, fmt(v.avgIou), "mean IoU of the true positives"),
  );
}

const stacked = { x: { stacked: true }, y: { stacked: true } };

function renderOutcome(v: AnalysisView): void {
  const o = v.outcomes();
  const byId = new Map(o.classes.map((c) => [String(c.categoryId), c]));
  const shown = charted(v.classes, "chart-outcome", { of: (c) => c.tp + c.fp + c.fn, what: "object counts (TP + FP + FN)" });
  const oc = shown.map((c) => byId.get(String(c.categoryId))!);
  const names = shown.map((c) => c.name);
  draw(
    "chart-outcome",
    {
      type: "bar",
      data: {
        labels: names,
        datasets: [
          { label: "TP", data: oc.map((c) => c.tp), backgroundColor: C.tp },
          { label: "FP", data: oc.map((c) => c.fp), backgroundColor: C.fp },
          { label: "FN", data: oc.map((c) => c.fn), backgroundColor: C.fn },
        ],
      },
      options: { indexAxis: "y", scales: { ...stacked, x: { stacked: true, title: axisTitle("objects") } } },
    },
    barHeight(names.length),
  );
  table(
    "table-outcome",
    ["class", "TP", "FP", "FN", "ignored"],
    v.classes.map((c, i) => [c.name, o.classes[i]!.tp, o.classes[i]!.fp, o.classes[i]!.fn, o.classes[i]!.ignored]),
    [false, true, true, true, true],
  );
  const fpr = Object.entries(o.total.fpReasons);
  const fnr = Object.entries(o.total.fnReasons);
  draw("chart-reasons", {
    type: "bar",
    data: {
      labels: [...fpr.map(([r]) => wrap(`FP: ${r}`)), ...fnr.map(([r]) => wrap(`FN: ${r}`))],
      datasets: [{ label: "count", data: [...fpr.map(([, n]) => n), ...fnr.map(([, n]) => n)], backgroundColor: [...fpr.map(() => C.fp), ...fnr.map(() => C.fn)] }],
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { title: axisTitle("objects") } } },
  });
  table("table-reasons", ["reason", "count"], [...fpr.map(([r, n]) => [`FP: ${r}`, n]), ...fnr.map(([r, n]) => [`FN: ${r}`, n]), ["ignored (crowd regions)", o.total.ignored]], [false, true]);
}

function renderPerClass(v: AnalysisView): void {
  const cls = v.classes;
  const shown = charted(cls, "chart-ap", { of: (c) => c.ap, what: "AP" });
  const shownPrf = charted(cls, "chart-prf", { of: (c) => c.f1, what: "F1" });
  const names = shown.map((c) => c.name);
  const unit = { min: 0, max: 1 };
  draw(
    "chart-ap",
    {
      type: "bar",
      data: { labels: names, datasets: [{ label: "AP", data: shown.map((c) => c.ap), backgroundColor: C.blue }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { ...unit, title: axisTitle(`AP @ IoU ${fmt(v.iou, 2)}`) } } },
    },
    barHeight(names.length),
  );
  table("table-ap", ["class", "AP", "labels", "predictions"], [...cls.map((c) => [c.name, fmt(c.ap), c.labels, c.tp + c.fp]), ["mean (mAP)", fmt(v.mAP), v.labels, v.tp + v.fp]], [false, true, true, true]);
  draw(
    "chart-prf",
    {
      type: "bar",
      data: {
        labels: shownPrf.map((c) => c.name),
        datasets: [
          { label: "precision", data: shownPrf.map((c) => c.precision), backgroundColor: C.blue },
          { label: "recall", data: shownPrf.map((c) => c.recall), backgroundColor: C.orange },
          { label: "F1", data: shownPrf.map((c) => c.f1), backgroundColor: C.tp },
        ],
      },
      options: { indexAxis: "y", scales: { x: { ...unit } } },
    },
    Math.max(220, 48 * shownPrf.length + 70),
  );
  table(
    "table-prf",
    ["class", "precision", "recall", "F1"],
    [...cls.map((c) => [c.name, fmt(c.precision), fmt(c.recall), fmt(c.f1)]), ["mean", fmt(v.mP), fmt(v.mR), fmt(v.mF1)], ["pooled", fmt(v.precision), fmt(v.recall), fmt(v.f1)]],
    [false, true, true, true],
  );
}

function renderPr(v: AnalysisView): void {
  const shown = [...v.classes].sort((x, y) => y.labels - x.labels || x.index - y.index).slice(0, MAX_PR_CLASSES);
  const datasets: ChartDataset<"line", { x: number; y: number }[]>[] = [];
  shown.forEach((c, i) => {
    const pr = v.prCurve(c.categoryId);
    const last = pr.recall.length ? pr.recall[pr.recall.length - 1]! : 0;
    const pts: { x: number; y: number }[] = [];
    for (let k = 0; k < 101 && pr.recall.length && RECALL_THRESHOLDS[k]! <= last; k++) pts.push({ x: RECALL_THRESHOLDS[k]!, y: pr.interpolated[k]! });
    datasets.push({ label: c.name, data: pts, borderColor: SERIES[i % SERIES.length], backgroundColor: SERIES[i % SERIES.length], borderWidth: 1.5, pointRadius: 0, pointStyle: "line", stepped: "after" });
  });
  const all = v.prCurve();
  const raw: { x: number; y: number }[] = [];
  for (let j = 0; j < all.recall.length; j++) raw.push({ x: all.recall[j]!, y: all.precision[j]! });
  datasets.push({ label: "all selected (raw)", data: thin(raw), borderColor: C.black, backgroundColor: C.black, borderWidth: 2, borderDash: [5, 3], pointRadius: 0, pointStyle: "line" });
  draw("chart-pr", {
    type: "line",
    data: { datasets },
    options: {
      parsing: false,
      scales: { x: { type: "linear", min: 0, max: 1, title: axisTitle("recall") }, y: { min: 0, max: 1.02, title: axisTitle("precision") } },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 28 } } },
    },
  });
  table(
    "table-pr",
    ["class", "AP", "max recall", "points"],
    [...shown.map((c) => {
      const pr = v.prCurve(c.categoryId);
      return [c.name, fmt(pr.ap), fmt(pr.recall.length ? pr.recall[pr.recall.length - 1]! : 0), pr.recall.length];
    }), ["all selected (pooled)", fmt(all.ap), fmt(all.recall.length ? all.recall[all.recall.length - 1]! : 0), all.recall.length]],
    [false, true, true, true],
  );
}

function renderConfidence(v: AnalysisView, s: State): void {
  const cc = v.confidenceCurve();
  const line = (label: string, ys: Float64Array, color: string): ChartDataset<"line", { x: number; y: number }[]> => {
    const pts: { x: number; y: number }[] = [];
    for (let i = cc.confidence.length - 1; i >= 0; i--) pts.push({ x: cc.confidence[i]!, y: ys[i]! });
    return { label, data: thin(pts), borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 0, pointStyle: "line" };
  };
  const marker: ChartDataset<"line", { x: number; y: number }[]> = {
    label: `confidence ≥ ${fmt(s.confidence, 2)}`,
    data: [
      { x: s.confidence, y: 0 },
      { x: s.confidence, y: 1 },
    ],
    borderColor: C.black,
    backgroundColor: C.black,
    borderDash: [4, 4],
    borderWidth: 1,
    pointRadius: 0,
    pointStyle: "line",
  };
  const datasets = [line("precision", cc.precision, C.blue), line("recall", cc.recall, C.orange), line("F1", cc.f1, C.tp), marker];
  if (Number.isFinite(cc.best.confidence))
    datasets.push({ label: `best F1 ${fmt(cc.best.f1)} at ${fmt(cc.best.confidence, 2)}`, data: [{ x: cc.best.confidence, y: cc.best.f1 }], borderColor: C.tp, backgroundColor: C.tp, pointRadius: 5, pointStyle: "circle", showLine: false });
  draw("chart-conf", {
    type: "line",
    data: { datasets },
    options: {
      parsing: false,
      scales: { x: { type: "linear", title: axisTitle("confidence threshold") }, y: { min: 0, max: 1.02 } },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 28 } } },
    },
  });
  const rows = v.classes.map((c) => {
    const b = v.confidenceCurve(c.categoryId).best;
    return [c.name, fmt(b.confidence, 3), fmt(b.precision), fmt(b.recall), fmt(b.f1)];
  });
  rows.push(["all selected (pooled)", fmt(cc.best.confidence, 3), fmt(cc.best.precision), fmt(cc.best.recall), fmt(cc.best.f1)]);
  table("table-conf", ["class", "at conf.", "precision", "recall", "best F1"], rows, [false, true, true, true, true]);
}

function renderIou(v: AnalysisView, s: State): void {
  const cls = v.classes;
  const shown = charted(cls, "chart-iou", { of: (c) => c.avgIou, what: "average IoU" });
  draw(
    "chart-iou",
    {
      type: "bar",
      data: { labels: shown.map((c) => c.name), datasets: [{ label: "average IoU", data: shown.map((c) => nan2null(c.avgIou)), backgroundColor: C.sky }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { min: 0, max: 1, title: axisTitle("mean IoU of the true positives") } } },
    },
    barHeight(shown.length),
  );
  table("table-iou", ["class", "average IoU", "TP"], [...cls.map((c) => [c.name, fmt(c.avgIou), c.tp]), ["all selected", fmt(v.avgIou), v.tp]], [false, true, true]);
  const h = v.iouHistogram({ bins: 20 });
  const labels = Array.from({ length: h.tp.length }, (_, i) => `${h.edges[i]!.toFixed(2)}–${h.edges[i + 1]!.toFixed(2)}`);
  draw("chart-iou-hist", {
    type: "bar",
    data: {
      labels,
      datasets: [
        { label: "TP", data: Array.from(h.tp), backgroundColor: C.tp },
        { label: "FP", data: Array.from(h.fp), backgroundColor: C.fp },
      ],
    },
    options: { scales: { x: { stacked: true, title: axisTitle(`IoU with the closest label (threshold ${fmt(s.iou, 2)})`) }, y: { stacked: true, title: axisTitle("predictions") } } },
  });
  table("table-iou-hist", ["IoU", "TP", "FP"], labels.map((l, i) => [l, h.tp[i]!, h.fp[i]!]).filter((r) => (r[1] as number) + (r[2] as number) > 0), [false, true, true]);
}

function renderCorrelation(v: AnalysisView): void {
  const rows = v.metricCorrelation();
  const label = (r: { target: string; metric: string }) => `${r.target === "predictions" ? "prediction" : "label"} ${r.metric}`;
  draw(
    "chart-corr",
    {
      type: "bar",
      data: {
        labels: rows.map(label),
        datasets: [
          { label: "Pearson", data: rows.map((r) => nan2null(r.pearson)), backgroundColor: C.blue },
          { label: "Spearman", data: rows.map((r) => nan2null(r.spearman)), backgroundColor: C.orange },
        ],
      },
      options: { indexAxis: "y", scales: { x: { min: -1, max: 1, title: axisTitle("correlation with the outcome") } } },
    },
    Math.max(260, 34 * rows.length + 70),
  );
  table("table-corr", ["metric", "n", "Pearson", "Spearman"], rows.map((r) => [label(r), r.n, fmt(r.pearson), fmt(r.spearman)]), [false, true, true, true]);
  $("correlation").classList.remove("stale");
}

function renderPerformance(a: Analysis, v: AnalysisView, s: State): void {
  const [target, metric] = s.metric.split(/:(.*)/s) as ["predictions" | "labels", string];
  const bins = a.metric(target, metric) ? v.metricPerformance(metric, { target, bins: 10 }) : [];
  const pred = target === "predictions";
  const labels = bins.map((b) => (b.min === b.max ? fmtMetric(b.min) : `${fmtMetric(b.min)}–${fmtMetric(b.max)}`));
  draw("chart-perf", {
    type: "bar",
    data: { labels, datasets: [{ label: pred ? "precision" : "false-negative rate", data: bins.map((b) => (pred ? b.precision : b.fnRate)), backgroundColor: pred ? C.blue : C.fn }] },
    options: { plugins: { legend: { display: false } }, scales: { x: { title: axisTitle(`${pred ? "prediction" : "label"} ${metric}`) }, y: { min: 0, max: 1, title: axisTitle(pred ? "precision" : "FN / (TP + FN)") } } },
  });
  table(
    "table-perf",
    pred ? ["bin", "count", "TP", "FP", "precision"] : ["bin", "count", "TP", "FN", "FN rate"],
    bins.map((b, i) => [labels[i]!, b.count, b.tp, pred ? b.fp : b.fn, fmt(pred ? b.precision : b.fnRate)]),
    [false, true, true, true, true],
  );
}

function download(name: string, type: string, text: string): void {
  // A blob: URL made in the page: no network access.
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function boot(): Promise<void> {
  const meta = JSON.parse($("report-meta").textContent!) as ReportMeta;
  const others = meta.models?.others ?? [];
  analyses = await Promise.all([
    decodeAnalysis({ ...meta.data, blob: $("report-blob").textContent!.trim() }),
    ...others.map((m, i) => decodeAnalysis({ ...m.data, blob: $(`report-blob-${i + 1}`).textContent!.trim() })),
  ]);
  modelNames = meta.models?.names ?? [];
  tideByModel = [meta.tide, ...others.map((m) => m.tide)];
  const analysis = analyses[0]!;
  bootstrapResamples = meta.bootstrap ?? 0;
  buildLayout(meta, analysis);
  renderCoco(meta);
  const firstMetric = analysis.predictionMetricNames.includes("confidence") ? "predictions:confidence" : `predictions:${analysis.predictionMetricNames[0] ?? ""}`;
  const state: State = { model: 0, iou: meta.defaults.iou, confidence: meta.defaults.confidence ?? Math.min(...analyses.map((x) => confidenceRange(x).min)), classes: new Set(meta.defaults.classes ?? analysis.categories.map((c) => String(c.id))), metric: firstMetric, imageText: "" };
  ($("metric") as HTMLSelectElement).value = state.metric;
  let renders = 0;
  let pending = false;
  let rest: ReturnType<typeof setTimeout> | undefined;
  // body data-renders / data-iou / data-confidence / data-render-ms say when the page shows a state in full.
  const now = () => {
    pending = false;
    const t0 = performance.now();
    const second = render(state);
    const t1 = performance.now();
    clearTimeout(rest);
    $("correlation").classList.add("stale");
    if (bootstrapResamples > 0) $("summary").classList.add("stale");
    // The correlation step waits until the sliders rest (it is the slow part on large sets).
    rest = setTimeout(() => {
      const t2 = performance.now();
      second();
      document.body.dataset.renderMs = `${Math.round(t1 - t0)}+${Math.round(performance.now() - t2)}`;
      document.body.dataset.renders = String(++renders);
      document.body.dataset.iou = String(state.iou);
      document.body.dataset.confidence = String(state.confidence);
    }, renders === 0 ? 0 : 150);
  };
  // Slider moves are coalesced to one re-score per frame.
  const later = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(now);
    }
  };
  document.getElementById("chart-top")?.addEventListener("change", (e) => {
    const v = (e.target as HTMLSelectElement).value;
    chartView.top = v === "all" ? null : Number(v);
    later();
  });
  document.getElementById("chart-sort")?.addEventListener("change", (e) => {
    chartView.sort = (e.target as HTMLSelectElement).value === "category" ? "category" : "value";
    later();
  });
  document.getElementById("model")?.addEventListener("change", (e) => {
    state.model = Number((e.target as HTMLSelectElement).value);
    state.cell = undefined;
    document.body.dataset.model = String(state.model);
    later();
  });
  $("iou").addEventListener("input", (e) => {
    state.iou = Number((e.target as HTMLInputElement).value);
    later();
  });
  $("confidence").addEventListener("input", (e) => {
    state.confidence = Number((e.target as HTMLInputElement).value);
    later();
  });
  $("classes").addEventListener("change", (e) => {
    const box = e.target as HTMLInputElement;
    if (box.checked) state.classes.add(box.value);
    else state.classes.delete(box.value);
    later();
  });
  const setAll = (on: boolean) => {
    for (const box of $("classes").querySelectorAll("input")) {
      box.checked = on;
      if (on) state.classes.add(box.value);
      else state.classes.delete(box.value);
    }
    later();
  };
  $("cls-all").addEventListener("click", () => setAll(true));
  $("cls-none").addEventListener("click", () => setAll(false));
  $("confusion-matrix").addEventListener("click", (e) => {
    const td = (e.target as HTMLElement).closest("td[data-r]") as HTMLElement | null;
    const v = currentView;
    if (!td || !v) return;
    const m = v.confusion();
    state.cell = { predicted: cellKey(m, Number(td.dataset.r)), actual: cellKey(m, Number(td.dataset.c)) };
    for (const x of $("confusion-matrix").querySelectorAll("td.selected")) x.classList.remove("selected");
    td.classList.add("selected");
    renderCell(analyses[state.model]!, v, m, state);
  });
  $("metric").addEventListener("change", (e) => {
    state.metric = (e.target as HTMLSelectElement).value;
    later();
  });
  $("image-filter").addEventListener("input", (e) => {
    state.imageText = (e.target as HTMLInputElement).value.trim().toLowerCase();
    later();
  });
  const setRange = () => {
    const metric = ($("range-metric") as HTMLSelectElement).value;
    const bound = (id: string) => {
      const t = ($(id) as HTMLInputElement).value.trim();
      return t === "" || !Number.isFinite(Number(t)) ? undefined : Number(t);
    };
    const min = bound("range-min");
    const max = bound("range-max");
    state.range = metric ? { metric, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) } : undefined;
    later();
  };
  for (const id of ["range-metric", "range-min", "range-max"]) $(id).addEventListener(id === "range-metric" ? "change" : "input", setRange);
  const current = () => analyses[state.model]!.at(viewOptions(analyses[state.model]!, state));
  $("export-csv").addEventListener("click", () => download("explorer.csv", "text/csv", current().explorerCsv()));
  $("export-json").addEventListener("click", () => download("explorer.json", "application/json", current().explorerJson()));
  // a click on any row that names an object shows it in the viewer
  const shownNow = () => ({ model: state.model, analysis: analyses[state.model]!, view: currentView ?? current() });
  const viewer = createViewer($("viewer"), { meta, current: shownNow });
  explorer = createExplorer($("explorer-table"), {
    sim: SIM,
    current: shownNow,
    baseline: () => (state.model > 0 ? (modelViews[0] ?? analyses[0]!.at(viewOptions(analyses[0]!, state))) : undefined),
    viewer,
  });
  $("app").addEventListener("click", (e) => {
    const tr = (e.target as HTMLElement).closest("[data-kind][data-index]") as HTMLElement | null;
    if (!tr) return;
    viewer.show({ kind: tr.dataset.kind === "label" ? "label" : "prediction", index: Number(tr.dataset.index) });
  });
  now();
  await new Promise<void>((resolve) => {
    const check = () => (renders > 0 ? resolve() : setTimeout(check, 5));
    check();
  });
  document.documentElement.dataset.state = "ready";
}

boot().catch((e: unknown) => {
  document.documentElement.dataset.state = "error";
  const msg = e instanceof Error ? e.message : String(e);
  $("app").replaceChildren(el("p", { class: "error" }, `The report could not be shown: ${msg}`));
  console.error(e);
});
