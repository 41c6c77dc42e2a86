// The object viewer of the report page: one object's image with every label and prediction on it drawn
// (page/draw.ts), coloured by outcome in the current view, the object and its partner highlighted; and a
// grid of thumbnails for a selection. Images come from files picked or dropped in the page (blob: URLs,
// matched by base name), else the report's own (report-images: files, URLs or embedded thumbnails), else
// a blank canvas of the image's size. User strings reach the DOM as text only.
import { type Analysis, type AnalysisView, FN_REASONS, FP_REASONS } from "../../analysis/analysis.js";
import { decodeData } from "../data.js";
import type { ReportMeta } from "../meta.js";
import type { PackedShapes, ReportShapes } from "../shapes.js";
import { el, fmt } from "./dom.js";
import { drawShape, type Frame, shapeBounds, type Style } from "./draw.js";

/** One object of the current model: a prediction or a label, by index (input order). */
export interface ObjectRef {
  kind: "prediction" | "label";
  index: number;
}

export interface ViewerContext {
  meta: ReportMeta;
  /** the model the page shows now (index into the report's models), its analysis and its view of the selection */
  current(): { model: number; analysis: Analysis; view: AnalysisView };
}

export interface Viewer {
  /** Shows the object's image with every label and prediction on it drawn, the object and its partner highlighted. */
  show(ref: ObjectRef): void;
  /** A grid of thumbnails of these objects (a selection of the explorer), titled. */
  grid(refs: readonly ObjectRef[], title: string): void;
}

// Okabe-Ito, as the charts
export const OUTCOME_COLORS = { TP: "#009E73", FP: "#D55E00", FN: "#8c8c8c", faint: "#999999" } as const;
const MAX_W = 960;
const MAX_H = 640;
const THUMB = 140;
/** thumbnails drawn at first; "more" adds as many again */
const GRID_STEP = 60;

const baseName = (name: string) => name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);

export function createViewer(container: HTMLElement, ctx: ViewerContext): Viewer {
  const { meta } = ctx;
  let shapes: Promise<ReportShapes | null> | undefined;
  const loadShapes = () => {
    if (!shapes) {
      const blob = document.getElementById("report-shapes")?.textContent?.trim();
      shapes = meta.shapes && blob ? (decodeData({ ...meta.shapes, blob }) as Promise<ReportShapes>) : Promise.resolve(null);
    }
    return shapes;
  };
  const reportUrls = ((): (string | null)[] => {
    const t = document.getElementById("report-images")?.textContent;
    return t ? (JSON.parse(t) as (string | null)[]) : [];
  })();
  const picked = new Map<string, string>();
  const images = new Map<string, Promise<HTMLImageElement | null>>();
  const loadImage = (url: string) => {
    let p = images.get(url);
    if (!p) {
      p = new Promise((resolve) => {
        const im = new Image();
        im.onload = () => resolve(im);
        im.onerror = () => resolve(null);
        im.src = url;
      });
      images.set(url, p);
    }
    return p;
  };
  const imageUrl = (a: Analysis, image: number): string | null => {
    const name = a.images[image]!.name;
    const mine = name !== undefined ? picked.get(baseName(name)) : undefined;
    return mine ?? reportUrls[image] ?? null;
  };

  // ---- the viewer's frame: sources, legend, canvas, caption, grid ----
  const fileInput = el("input", { type: "file", multiple: true, accept: "image/*", "data-role": "pick-files" });
  const dirInput = el("input", { type: "file", multiple: true, webkitdirectory: true, "data-role": "pick-folder" });
  const sourceNote = el("span", { class: "muted", "data-role": "sources" });
  const legend = el(
    "p",
    { class: "legend" },
    ...(["TP", "FP", "FN"] as const).map((k) => el("span", { style: `color:${OUTCOME_COLORS[k]};margin-right:12px;font-weight:600` }, `■ ${k}`)),
    el(
      "span",
      { class: "muted" },
      "labels dashed (keypoints: rings), predictions solid (keypoints: dots); the object and its partner thick; ignored, crowd and filtered-out objects faint",
    ),
  );
  const stage = el("div", { class: "viewer-stage" });
  const caption = el("div", { class: "viewer-caption", "data-role": "caption" });
  const gridBox = el("div", { class: "viewer-grid" });
  const describeSources = () => {
    const parts: string[] = [];
    if (picked.size) parts.push(`${picked.size} images picked in the page`);
    if (meta.images)
      parts.push(meta.images.source === "embedded" ? "embedded thumbnails" : meta.images.source === "url" ? "images by URL" : "image files next to the report");
    if (!parts.length) parts.push("no images: shapes drawn on a blank canvas (pick image files or a folder, or drop them here)");
    if (!meta.shapes) parts.push("the shapes were left out of this report (--no-shapes): objects are named only");
    sourceNote.textContent = parts.join("; ");
  };
  container.replaceChildren(
    el("p", { class: "viewer-sources" }, el("label", {}, "images: ", fileInput), " ", el("label", {}, "folder: ", dirInput), " ", sourceNote),
    legend,
    stage,
    caption,
    gridBox,
  );
  describeSources();
  let last: { kind: "show"; ref: ObjectRef } | { kind: "grid"; refs: readonly ObjectRef[]; title: string } | undefined;
  const addFiles = (files: Iterable<File>) => {
    for (const f of files)
      if (f.type.startsWith("image/") || /\.(jpe?g|png|gif|webp|bmp)$/i.test(f.name)) {
        const old = picked.get(f.name);
        if (old) URL.revokeObjectURL(old);
        picked.set(f.name, URL.createObjectURL(f));
      }
    describeSources();
    if (last?.kind === "show") viewer.show(last.ref);
    else if (last?.kind === "grid") viewer.grid(last.refs, last.title);
  };
  for (const input of [fileInput, dirInput]) input.addEventListener("change", () => addFiles(input.files ?? []));
  container.addEventListener("dragover", (e) => e.preventDefault());
  container.addEventListener("drop", (e) => {
    e.preventDefault();
    addFiles(e.dataTransfer?.files ?? []);
  });

  // ---- what each object is and how it is drawn ----
  const objects = (a: Analysis, image: number) => {
    const p = a.p;
    const labels: number[] = [];
    const preds: number[] = [];
    for (let l = 0; l < p.nLabel; l++) if (p.lImage[l] === image) labels.push(l);
    for (let q = 0; q < p.nPred; q++) if (p.pImage[q] === image) preds.push(q);
    return { labels, preds };
  };
  const partner = (a: Analysis, v: AnalysisView, ref: ObjectRef): ObjectRef | null => {
    if (ref.kind === "prediction") {
      const c = a.p.pCand[ref.index]!;
      return c >= 0 ? { kind: "label", index: c } : null;
    }
    const m = v.objectOutcomes().matchedBy[ref.index]!;
    return m >= 0 ? { kind: "prediction", index: m } : null;
  };
  const style = (v: AnalysisView, kind: ObjectRef["kind"], i: number, highlight: boolean): Style => {
    const o = v.objectOutcomes();
    if (kind === "prediction") {
      const c = o.predictions[i]!;
      return { color: c === 1 ? OUTCOME_COLORS.TP : c === 2 ? OUTCOME_COLORS.FP : OUTCOME_COLORS.faint, dashed: false, highlight, faint: c === 0 || c === 3 };
    }
    const c = o.labels[i]!;
    return { color: c === 1 ? OUTCOME_COLORS.TP : c === 2 ? OUTCOME_COLORS.FN : OUTCOME_COLORS.faint, dashed: true, highlight, faint: c === 0 || c === 3 };
  };
  const outcomeText = (v: AnalysisView, ref: ObjectRef): string => {
    const o = v.objectOutcomes();
    if (ref.kind === "prediction") {
      const c = o.predictions[ref.index]!;
      const r = o.fpReason[ref.index]!;
      return `${["not kept", "TP", "FP", "ignored (crowd)"][c] ?? "?"}${r >= 0 ? ` (${FP_REASONS[r]})` : ""}`;
    }
    const c = o.labels[ref.index]!;
    const r = o.fnReason[ref.index]!;
    return `${["not kept", "TP", "FN", "crowd"][c] ?? "?"}${r >= 0 ? ` (${FN_REASONS[r]})` : ""}`;
  };
  const describe = (a: Analysis, v: AnalysisView, ref: ObjectRef): string => {
    const p = a.p;
    const sim = meta.iouKind === "oks" ? "OKS" : "IoU";
    if (ref.kind === "prediction") {
      const q = ref.index;
      const c = p.pCand[q]!;
      return `prediction ${String(p.predIds[q] ?? q)} · ${a.categories[p.pClass[q]!]!.name} · confidence ${fmt(p.pConf[q]!)} · ${sim} ${c >= 0 ? fmt(p.pIou[q]!) : "–"}${c >= 0 ? ` with label ${String(p.labelIds[c] ?? c)}` : ""} · ${outcomeText(v, ref)}`;
    }
    const l = ref.index;
    const m = v.objectOutcomes().matchedBy[l]!;
    return `label ${String(p.labelIds[l] ?? l)} · ${a.categories[p.lClass[l]!]!.name}${p.lCrowd[l] ? " · crowd" : ""} · best ${sim} ${fmt(p.lBest[l]! >= 0 ? p.lBest[l]! : NaN)}${m >= 0 ? ` · matched by prediction ${String(p.predIds[m] ?? m)}` : ""} · ${outcomeText(v, ref)}`;
  };

  /** Draws `image`'s objects into a canvas through frame f (the image or a blank background first). */
  const paint = async (
    canvas: HTMLCanvasElement,
    a: Analysis,
    v: AnalysisView,
    model: number,
    sh: ReportShapes | null,
    image: number,
    f: Frame,
    highlight: ObjectRef[],
    only?: ObjectRef[],
  ) => {
    const g = canvas.getContext("2d")!;
    const info = a.images[image]!;
    const url = imageUrl(a, image);
    const im = url ? await loadImage(url) : null;
    g.fillStyle = "#f1f1f1";
    g.fillRect(0, 0, canvas.width, canvas.height);
    if (im) g.drawImage(im, -f.x0 * f.scale, -f.y0 * f.scale, info.width * f.scale, info.height * f.scale);
    else {
      g.fillStyle = "#ffffff";
      g.fillRect(-f.x0 * f.scale, -f.y0 * f.scale, info.width * f.scale, info.height * f.scale);
    }
    canvas.dataset.image = im ? "loaded" : url ? "failed" : "blank";
    if (!sh) return;
    const preds = sh.predictions[model];
    const lw = meta.lineWidth ?? 30;
    const isHi = (kind: ObjectRef["kind"], i: number) => highlight.some((h) => h.kind === kind && h.index === i);
    const draw = (s: PackedShapes | undefined, kind: ObjectRef["kind"], list: number[]) => {
      if (!s) return;
      // faint ones first, the highlighted last (on top)
      const order = list
        .map((i) => ({ i, st: style(v, kind, i, isHi(kind, i)) }))
        .sort((x, y) => Number(y.st.faint) - Number(x.st.faint) || Number(x.st.highlight) - Number(y.st.highlight));
      for (const { i, st } of order) drawShape(g, s, i, st, f, info, lw);
    };
    const objs = only
      ? { labels: only.filter((r) => r.kind === "label").map((r) => r.index), preds: only.filter((r) => r.kind === "prediction").map((r) => r.index) }
      : objects(a, image);
    draw(sh.labels, "label", objs.labels);
    draw(preds, "prediction", objs.preds);
  };
  const imageOf = (a: Analysis, ref: ObjectRef) => (ref.kind === "prediction" ? a.p.pImage[ref.index]! : a.p.lImage[ref.index]!);
  let token = 0;

  const viewer: Viewer = {
    show(ref) {
      last = { kind: "show", ref };
      const my = ++token;
      const { model, analysis: a, view: v } = ctx.current();
      const image = imageOf(a, ref);
      const info = a.images[image]!;
      container.dataset.shown = `${ref.kind}:${ref.index}`;
      delete container.dataset.drawn;
      const scale = Math.min(MAX_W / info.width, MAX_H / info.height, 4);
      const canvas = el("canvas", {
        width: Math.max(1, Math.round(info.width * scale)),
        height: Math.max(1, Math.round(info.height * scale)),
        "data-role": "image",
      });
      stage.replaceChildren(canvas);
      gridBox.replaceChildren();
      const pair = partner(a, v, ref);
      caption.replaceChildren(
        el("div", {}, el("strong", {}, describe(a, v, ref))),
        ...(pair ? [el("div", {}, `partner: ${describe(a, v, pair)}`)] : []),
        el("div", { class: "muted" }, `image ${String(info.id)}${info.name !== undefined ? ` · ${info.name}` : ""} · ${info.width}×${info.height}`),
      );
      void loadShapes().then(async (sh) => {
        if (my !== token) return;
        await paint(canvas, a, v, model, sh, image, { scale, x0: 0, y0: 0 }, pair ? [ref, pair] : [ref]);
        if (my === token) container.dataset.drawn = `${ref.kind}:${ref.index}`;
      });
    },
    grid(refs, title) {
      last = { kind: "grid", refs, title };
      const my = ++token;
      const { model, analysis: a, view: v } = ctx.current();
      container.dataset.shown = `grid:${refs.length}`;
      delete container.dataset.drawn;
      stage.replaceChildren();
      caption.replaceChildren(el("strong", {}, `${title}: ${refs.length} objects`));
      const tiles = el("div", { style: "display:flex;flex-wrap:wrap;gap:6px" });
      gridBox.replaceChildren(tiles);
      let shown = 0;
      const more = el("button", { type: "button" }, "more");
      const add = async (sh: ReportShapes | null) => {
        const end = Math.min(refs.length, shown + GRID_STEP);
        const jobs: Promise<void>[] = [];
        for (; shown < end; shown++) {
          const ref = refs[shown]!;
          const image = imageOf(a, ref);
          const info = a.images[image]!;
          const s = ref.kind === "prediction" ? sh?.predictions[model] : sh?.labels;
          const [bx0, by0, bx1, by1] = s ? shapeBounds(s, ref.index, info.height, info.width, meta.lineWidth ?? 30) : [NaN, NaN, NaN, NaN];
          // a crop around the object (half its size again on each side, at least 32 px), the whole image without shapes
          const ok = Number.isFinite(bx0);
          const side = ok ? Math.max(bx1 - bx0, by1 - by0, 16) * 2 : Math.max(info.width, info.height);
          const cx = ok ? (bx0 + bx1) / 2 : info.width / 2;
          const cy = ok ? (by0 + by1) / 2 : info.height / 2;
          const scale = THUMB / side;
          const canvas = el("canvas", {
            width: THUMB,
            height: THUMB,
            title: describe(a, v, ref),
            "data-kind": ref.kind,
            "data-index": ref.index,
            style: "cursor:pointer;border:1px solid #ddd",
          });
          canvas.addEventListener("click", () => viewer.show(ref));
          tiles.append(canvas);
          const pair = partner(a, v, ref);
          jobs.push(paint(canvas, a, v, model, sh, image, { scale, x0: cx - side / 2, y0: cy - side / 2 }, [ref], pair ? [ref, pair] : [ref]));
        }
        if (shown < refs.length) gridBox.append(more);
        else more.remove();
        await Promise.all(jobs);
      };
      more.addEventListener("click", () => void loadShapes().then(add));
      void loadShapes().then(async (sh) => {
        if (my !== token) return;
        await add(sh);
        if (my === token) container.dataset.drawn = `grid:${refs.length}`;
      });
    },
  };
  return viewer;
}
