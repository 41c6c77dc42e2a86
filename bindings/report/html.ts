// renderReportHtml(): one self-contained HTML file: the page script (the analysis scoring code and Chart.js,
// bundled by scripts/build.mjs), the styles and the data, all inline. Its content-security policy allows
// exactly that inline script (by hash) and nothing from the network. Browser-safe.
import type { Analysis } from "../analysis/analysis.js";
import { REPORT_PAGE_JS } from "../generated/report-page.js";
import { PACKAGE_VERSION } from "../generated/version.js";
import { encodeAnalysis, encodeData } from "./data.js";
import type { CocoMeta, ReportMeta, TideMeta } from "./meta.js";
import type { AnalysisInput } from "../analysis/types.js";
import { reportShapes } from "./shapes.js";

/**
 * Where the page finds each image (index order of the analysis' images; null: none, drawn on a blank
 * canvas): "files" are URLs relative to the report (or file: URLs), "url" absolute http(s) URLs,
 * "embedded" data: URLs of thumbnails. The content-security policy allows exactly what these need.
 */
export interface ReportImages {
  source: "files" | "url" | "embedded";
  urls: readonly (string | null)[];
}

/** The CSP img-src sources the image URLs need (besides data: and blob:); a URL of another kind is refused. */
export function imageSources(images: ReportImages | undefined): string[] {
  const out = new Set<string>();
  for (const [i, u] of (images?.urls ?? []).entries()) {
    if (u === null) continue;
    if (u.startsWith("data:image/")) continue;
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u)?.[1]?.toLowerCase();
    if (scheme === undefined) {
      // relative to the report: its own origin, and file: when the report is opened as a file
      out.add("'self'");
      out.add("file:");
    } else if (scheme === "file") out.add("file:");
    else if (scheme === "http" || scheme === "https") out.add(new URL(u).origin);
    else throw new RangeError(`images.urls[${i}]: expected a relative, file:, http(s): or data:image/ URL, got ${JSON.stringify(u.slice(0, 40))}`);
  }
  return [...out];
}

export interface ReportOptions {
  title?: string;
  /** shown in the header: where the ground truth and the predictions came from */
  sources?: { gt: string; dt?: string };
  inputFormat?: "coco" | "encord";
  iouType?: "bbox" | "segm" | "keypoints" | null;
  /** how rotated boxes were compared (shown in the header next to the similarity; absent: not said) */
  rotatedNote?: string;
  /** the sliders' initial values (default IoU 0.5; confidence: the slider's lowest value, every prediction counted) */
  iou?: number;
  confidence?: number;
  /** the classes ticked in the class filter at first, by id or name (default all; the others can be ticked in the page) */
  classes?: readonly (number | string)[];
  /** bootstrap resamples for the intervals on the summary cards, computed in the page when the sliders rest (default 1000; 0: none) */
  bootstrap?: number;
  /** the TIDE decomposition to show (tide() of the COCO input; absent: no TIDE section) */
  tide?: TideMeta;
  /** pycocotools' evaluation of each model (COCO input; absent: no COCO section) */
  coco?: CocoMeta[];
  /** gzip the data (default true; the page needs DecompressionStream, in every current browser) */
  compress?: boolean;
  /** generation date (default now) */
  created?: Date;
  /**
   * More models of the same labels, shown side by side (a model selector drives every page, and a
   * section compares them at the sliders' settings); `name` names the first (`analysis`).
   */
  models?: { name: string; others: { name: string; analysis: Analysis; dt?: string; tide?: TideMeta }[] };
  /**
   * The inputs analysed, in model order (`analysis`, then `models.others`), for the viewer to draw their
   * shapes: the labels of the first, the predictions of each. Absent: the page says the shapes were left out.
   */
  shapes?: readonly AnalysisInput[];
  /** where the viewer finds the images (absent: shapes drawn on a blank canvas of the image's size, or images picked in the page) */
  images?: ReportImages;
}

const CSS = `
:root{--fg:#1d1f23;--muted:#5f6670;--line:#dde1e6;--bg:#f6f7f9;--card:#fff;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
#app{max-width:1240px;margin:0 auto;padding:16px 20px 40px}
header h1{font-size:22px;margin:8px 0 4px}
h2{font-size:17px;margin:0 0 4px}
h3{font-size:14px;margin:14px 0 6px}
.muted,.note{color:var(--muted)}
.note{margin:0 0 12px;font-size:13px}
.controls{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;gap:18px;align-items:center;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:12px 0;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.controls label{display:flex;align-items:center;gap:8px;font-weight:600}
.controls input[type=range]{width:220px}
.controls output{font-variant-numeric:tabular-nums;min-width:3em;font-weight:400}
.classes{position:relative}
.classes summary{cursor:pointer;font-weight:600}
.classes .cls-list{position:absolute;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 12px;max-height:320px;overflow:auto;min-width:240px;box-shadow:0 4px 12px rgba(0,0,0,.12)}
.classes .cls-actions{position:absolute;right:-120px;top:0;display:flex;gap:4px}
.cls{display:block;white-space:nowrap;font-weight:400!important}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:14px 0}
.row{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:18px;align-items:start;margin-top:8px}
@media (max-width:900px){.row{grid-template-columns:1fr}}
.chart{position:relative;width:100%}
.scroll{max-height:520px;overflow-y:auto}
.table{max-height:520px;overflow:auto;border:1px solid var(--line);border-radius:6px}
.table.wide{max-height:none}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{position:sticky;top:0;background:#eef1f4;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.empty{color:var(--muted);text-align:center}
tbody tr:last-child td{border-bottom:0}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.kpi-v{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}
.kpi-l{color:var(--muted);font-size:12.5px}
#kpi-mAP{border-color:var(--accent);box-shadow:inset 3px 0 0 var(--accent)}
button{font:inherit;padding:3px 10px;border:1px solid var(--line);border-radius:5px;background:#fff;cursor:pointer}
select{font:inherit}
.error{color:#b00020;font-weight:600}
.stale .chart,.stale .table,.stale .kpi-ci{opacity:.45;transition:opacity .2s}
.kpi-ci{color:var(--muted);font-size:12px;font-variant-numeric:tabular-nums}
.heat td.cell{cursor:pointer;text-align:center}
tr.pick{cursor:pointer}
.ex-controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}
.ex-table{border:1px solid var(--line);border-radius:6px;overflow-x:auto}
.ex-row{display:grid;grid-template-columns:84px 80px minmax(140px,1.3fr) 110px 96px 84px minmax(170px,2fr) 64px minmax(170px,1.6fr) 70px;min-width:1140px;height:24px;align-items:center;font-size:12.5px;border-bottom:1px solid var(--line)}
.ex-row>span,.ex-head>button{padding:0 8px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.ex-row .num{text-align:right;font-variant-numeric:tabular-nums}
.ex-head{background:#eef1f4}
.ex-head>button{border:0;border-radius:0;background:none;text-align:left;font-weight:600;height:24px}
.ex-head>button[data-sort=asc]::after{content:" ▲"}
.ex-head>button[data-sort=desc]::after{content:" ▼"}
.ex-body{position:relative;height:432px;overflow-y:auto;min-width:1140px}
.ex-spacer{width:1px}
.ex-rows{position:absolute;top:0;left:0;right:0}
.ex-rows .ex-row:hover{background:#f0f5fa}
.ex-row[data-outcome=TP]>span:nth-child(6){color:#009E73;font-weight:600}
.ex-row[data-outcome=FP]>span:nth-child(6){color:#D55E00;font-weight:600}
.ex-row[data-outcome=FN]>span:nth-child(6){color:#5f6670;font-weight:600}
.pick{cursor:pointer}
tr.pick:hover td{background:#f0f5fa}
.heat td.selected{outline:2px solid var(--fg);outline-offset:-2px}
.heat th:first-child{position:sticky;left:0;background:#eef1f4}
footer{margin-top:20px;font-size:12.5px}
.viewer{margin-top:14px}
.viewer-stage canvas{max-width:100%;border:1px solid var(--line);border-radius:4px}
.viewer-caption{margin:6px 0;font-size:13px}
.viewer-caption>div{margin:2px 0}
.legend{font-size:12.5px;margin:4px 0}
.viewer-sources{font-size:12.5px}
`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON that cannot end its <script> element early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

async function sha256Base64(text: string): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let s = "";
  for (const b of digest) s += String.fromCharCode(b);
  return btoa(s);
}

/** The whole report page for an Analysis, as one string of HTML. */
export async function renderReportHtml(analysis: Analysis, options: ReportOptions = {}): Promise<string> {
  if (options.bootstrap !== undefined && !(Number.isInteger(options.bootstrap) && options.bootstrap >= 0 && options.bootstrap <= 100_000))
    throw new RangeError(`bootstrap: expected a whole number of resamples in 0..100000, got ${JSON.stringify(options.bootstrap)}`);
  const encoded = await encodeAnalysis(analysis, { compress: options.compress ?? true });
  const { blob, ...data } = encoded;
  const others = await Promise.all((options.models?.others ?? []).map(async (m) => ({ m, encoded: await encodeAnalysis(m.analysis, { compress: options.compress ?? true }) })));
  let shapesBlob: string | undefined;
  let shapesMeta: ReportMeta["shapes"];
  if (options.shapes) {
    const all = [analysis, ...(options.models?.others ?? []).map((m) => m.analysis)];
    if (options.shapes.length !== all.length) throw new RangeError(`shapes: expected one input per model (${all.length}), got ${options.shapes.length}`);
    options.shapes.forEach((x, i) => {
      if (x.labels.length !== all[i]!.p.nLabel || x.predictions.length !== all[i]!.p.nPred)
        throw new RangeError(`shapes[${i}]: ${x.labels.length} labels and ${x.predictions.length} predictions, but the analysis has ${all[i]!.p.nLabel} and ${all[i]!.p.nPred}`);
    });
    const { blob: b, ...d } = await encodeData(reportShapes(options.shapes), { compress: options.compress ?? true }, "shapes");
    shapesBlob = b;
    shapesMeta = d;
  }
  if (options.images && options.images.urls.length !== analysis.images.length) throw new RangeError(`images.urls: expected one per image (${analysis.images.length}), got ${options.images.urls.length}`);
  const imgSrc = imageSources(options.images);
  const meta: ReportMeta = {
    title: options.title ?? "Model performance report",
    version: PACKAGE_VERSION,
    created: (options.created ?? new Date()).toISOString().replace(/\.\d+Z$/, "Z"),
    sources: options.sources ?? { gt: "(in memory)" },
    inputFormat: options.inputFormat ?? "encord",
    iouType: options.iouType ?? null,
    iouKind: analysis.p.iouKind,
    ...(analysis.p.lineWidth !== undefined ? { lineWidth: analysis.p.lineWidth } : {}),
    ...(options.rotatedNote ? { rotatedNote: options.rotatedNote } : {}),
    defaults: {
      iou: options.iou ?? 0.5,
      confidence: options.confidence ?? null,
      ...(options.classes ? { classes: options.classes.map((c) => String(analysis.categories[analysis.categoryIndex(c)]!.id)) } : {}),
    },
    bootstrap: options.bootstrap ?? 1000,
    ...(options.tide ? { tide: options.tide } : {}),
    ...(options.coco?.length ? { coco: options.coco } : {}),
    data,
    ...(shapesMeta ? { shapes: shapesMeta } : {}),
    ...(options.images ? { images: { source: options.images.source } } : {}),
    ...(options.models && others.length
      ? {
          models: {
            names: [options.models.name, ...others.map((o) => o.m.name)],
            others: others.map(({ m, encoded: { blob: _blob, ...d } }) => ({ ...(m.dt ? { dt: m.dt } : {}), data: d, ...(m.tide ? { tide: m.tide } : {}) })),
          },
        }
      : {}),
  };
  // "</script" and "<!--" cannot occur inside the inline script (both only in strings and regexps there).
  const js = REPORT_PAGE_JS.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
  const hash = await sha256Base64(js);
  const csp = [
    "default-src 'none'",
    `script-src ${hash ? `'sha256-${hash}'` : "'unsafe-inline'"}`,
    "style-src 'unsafe-inline'",
    `img-src ${["data:", "blob:", ...imgSrc].join(" ")}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="detection-eval ${escapeHtml(PACKAGE_VERSION)}">
<title>${escapeHtml(meta.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main id="app"><p>Loading the report…</p><noscript><p class="error">This report needs JavaScript: it re-scores the predictions in the page.</p></noscript></main>
<script type="application/json" id="report-meta">${scriptJson(meta)}</script>
<script type="text/plain" id="report-blob">${blob}</script>
${others.map((o, i) => `<script type="text/plain" id="report-blob-${i + 1}">${o.encoded.blob}</script>\n`).join("")}${shapesBlob !== undefined ? `<script type="text/plain" id="report-shapes">${shapesBlob}</script>\n` : ""}${options.images ? `<script type="application/json" id="report-images">${scriptJson(options.images.urls)}</script>\n` : ""}
<script>${js}</script>
</body>
</html>
`;
}
