// The report's Explorer: every prediction and label of the current selection in one virtualised table
// (only the rows in sight exist in the DOM), sortable by any column, searchable, filtered by kind, outcome and
// (with several models) label flips against the baseline. A click on a row shows the object in the viewer.
import type { Analysis, AnalysisView } from "../../analysis/analysis.js";
import { el, fmtInt } from "./dom.js";
import { EXPLORER_COLUMNS, type ExplorerColumn, type ExplorerQuery, ExplorerRows, OUTCOMES } from "./explorer-rows.js";
import type { ObjectRef, Viewer } from "./viewer.js";

export interface ExplorerContext {
  /** "IoU", or "OKS" for keypoints */
  sim: string;
  /** the model the page shows, its analysis and its view of the selection */
  current(): { model: number; analysis: Analysis; view: AnalysisView };
  /** with several models: the baseline's view at the same settings (undefined when the baseline is shown) */
  baseline(): AnalysisView | undefined;
  viewer: Viewer;
}

export interface Explorer {
  /** Re-reads the current view (after a slider, filter or model change) and redraws. */
  update(): void;
  /** The rows shown, in order (for the thumbnails and the tests). */
  rows(): Int32Array;
}

const ROW_PX = 24;
/** Browsers cap an element's height (~16.7M px in Firefox): past this the scrollbar maps onto the rows. */
const MAX_PX = 8_000_000;
const GRID_MAX = 60;

export function createExplorer(root: HTMLElement, ctx: ExplorerContext): Explorer {
  const models = new Map<Analysis, ExplorerRows>();
  const query: ExplorerQuery & { sort: ExplorerColumn | undefined } = { kind: "all", outcome: "all", search: "", sort: undefined, desc: false };
  let flips: "none" | "gained" | "lost" = "none";
  let model: ExplorerRows | undefined;
  let shown: Int32Array = new Int32Array(0);
  let updates = 0;

  const heads: Record<ExplorerColumn, string> = {
    kind: "kind",
    id: "id",
    image: "image",
    class: "class",
    confidence: "confidence",
    outcome: "outcome",
    reason: "reason",
    iou: ctx.sim,
    partner: "matched / closest",
    area: "area",
  };
  const numeric = new Set<ExplorerColumn>(["confidence", "iou", "area"]);
  const search = el("input", { type: "search", id: "ex-search", placeholder: "search image, class, id, outcome, reason", size: 36 });
  const kind = el("select", { id: "ex-kind" }, el("option", { value: "all" }, "predictions and labels"), el("option", { value: "predictions" }, "predictions"), el("option", { value: "labels" }, "labels"));
  const outcome = el("select", { id: "ex-outcome" }, el("option", { value: "all" }, "every outcome"), ...OUTCOMES.map((o) => el("option", { value: o }, o === "ignored" ? "ignored / crowd" : o)));
  const flipSelect = el("select", { id: "ex-flips", title: "labels whose outcome differs from the baseline's" }, el("option", { value: "none" }, "no flip filter"), el("option", { value: "gained" }, "gained vs baseline"), el("option", { value: "lost" }, "lost vs baseline"));
  const count = el("span", { id: "ex-count", class: "muted" });
  const head = el("div", { class: "ex-row ex-head", id: "ex-head" }, ...EXPLORER_COLUMNS.map((c) => el("button", { type: "button", "data-col": c, class: numeric.has(c) ? "num" : "" }, heads[c])));
  const spacer = el("div", { class: "ex-spacer" });
  const body = el("div", { class: "ex-rows" });
  const box = el("div", { class: "ex-body", id: "ex-body", tabindex: 0 }, spacer, body);
  root.replaceChildren(
    el(
      "div",
      { class: "ex-controls" },
      search,
      kind,
      outcome,
      flipSelect,
      el("button", { type: "button", id: "ex-worst-fp", title: "false positives, most confident first" }, "worst false positives"),
      el("button", { type: "button", id: "ex-worst-fn", title: "false negatives, largest first" }, "largest false negatives"),
      el("button", { type: "button", id: "ex-grid", title: `thumbnails of the first ${GRID_MAX} rows` }, "thumbnails"),
      count,
    ),
    el("div", { class: "ex-table" }, head, box),
  );

  // a pool of row elements, reused as the table scrolls
  const pool: HTMLElement[] = [];
  const rowElement = (i: number): HTMLElement => {
    let r = pool[i];
    if (!r) {
      r = el("div", { class: "ex-row" }, ...EXPLORER_COLUMNS.map((c) => el("span", { class: numeric.has(c) ? "num" : "" })));
      pool[i] = r;
      body.append(r);
    }
    return r;
  };

  const paint = (): void => {
    const t0 = performance.now();
    const n = shown.length;
    const view = box.clientHeight || 480;
    const visible = Math.ceil(view / ROW_PX) + 2;
    const total = n * ROW_PX;
    const height = Math.min(total, MAX_PX);
    if (spacer.style.height !== `${height}px`) spacer.style.height = `${height}px`;
    const top = box.scrollTop;
    let first: number;
    let offset: number;
    if (total <= MAX_PX) {
      first = Math.floor(top / ROW_PX);
      offset = first * ROW_PX;
    } else {
      // the scrollbar's range maps onto the rows' range
      first = Math.floor((top / Math.max(1, height - view)) * Math.max(0, n - visible + 2));
      offset = top;
    }
    first = Math.max(0, Math.min(first, Math.max(0, n - 1)));
    body.style.transform = `translateY(${offset}px)`;
    const m = model!;
    let k = 0;
    for (; k < visible && first + k < n; k++) {
      const r = shown[first + k]!;
      const row = rowElement(k);
      row.hidden = false;
      row.dataset.kind = r < m.nPred ? "prediction" : "label";
      row.dataset.index = String(r < m.nPred ? r : r - m.nPred);
      row.dataset.outcome = m.cell(r, "outcome");
      row.className = "ex-row pick";
      const cells = row.children;
      for (let c = 0; c < EXPLORER_COLUMNS.length; c++) {
        const text = m.cell(r, EXPLORER_COLUMNS[c]!);
        const cell = cells[c] as HTMLElement;
        if (cell.textContent !== text) cell.textContent = text;
      }
      row.title = `${row.dataset.kind} ${m.id(r)} on ${m.imageName(r)}`;
    }
    for (; k < pool.length; k++) pool[k]!.hidden = true;
    root.dataset.first = String(first);
    root.dataset.paintMs = (performance.now() - t0).toFixed(2);
  };

  const refilter = (): void => {
    const t0 = performance.now();
    const { analysis, view } = ctx.current();
    model = models.get(analysis);
    if (!model) {
      model = new ExplorerRows(analysis);
      models.set(analysis, model);
    }
    model.setView(view);
    const base = ctx.baseline();
    flipSelect.hidden = base === undefined;
    const q: ExplorerQuery = { ...query };
    if (flips !== "none" && base) q.flips = { other: base, which: flips };
    shown = model.rows(q);
    const t1 = performance.now();
    count.textContent = `${fmtInt(shown.length)} of ${fmtInt(model.size)} objects`;
    for (const b of head.children) {
      const c = (b as HTMLElement).dataset.col;
      (b as HTMLElement).dataset.sort = c === query.sort ? (query.desc ? "desc" : "asc") : "";
    }
    paint();
    root.dataset.rows = String(shown.length);
    root.dataset.filterMs = (t1 - t0).toFixed(2);
    root.dataset.ms = (performance.now() - t0).toFixed(2);
    root.dataset.updates = String(++updates);
  };

  let queued = false;
  const later = (): void => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      refilter();
    });
  };
  search.addEventListener("input", () => {
    query.search = search.value;
    later();
  });
  kind.addEventListener("change", () => {
    query.kind = kind.value as ExplorerQuery["kind"];
    later();
  });
  outcome.addEventListener("change", () => {
    query.outcome = outcome.value as ExplorerQuery["outcome"];
    later();
  });
  flipSelect.addEventListener("change", () => {
    flips = flipSelect.value as typeof flips;
    later();
  });
  head.addEventListener("click", (e) => {
    const c = (e.target as HTMLElement).closest("button")?.dataset.col as ExplorerColumn | undefined;
    if (!c) return;
    // a first click sorts numbers from the largest, text from A; a second click reverses
    if (query.sort === c) query.desc = !query.desc;
    else {
      query.sort = c;
      query.desc = numeric.has(c);
    }
    later();
  });
  const preset = (o: "FP" | "FN", sort: ExplorerColumn): void => {
    query.outcome = o;
    outcome.value = o;
    query.kind = "all";
    kind.value = "all";
    query.sort = sort;
    query.desc = true;
    box.scrollTop = 0;
    later();
  };
  root.querySelector("#ex-worst-fp")!.addEventListener("click", () => preset("FP", "confidence"));
  root.querySelector("#ex-worst-fn")!.addEventListener("click", () => preset("FN", "area"));
  root.querySelector("#ex-grid")!.addEventListener("click", () => {
    const m = model;
    if (!m) return;
    const refs: ObjectRef[] = [];
    for (let i = 0; i < shown.length && refs.length < GRID_MAX; i++) {
      const r = shown[i]!;
      refs.push(r < m.nPred ? { kind: "prediction", index: r } : { kind: "label", index: r - m.nPred });
    }
    ctx.viewer.grid(refs, `${count.textContent}${query.search ? ` matching "${query.search}"` : ""}: the first ${refs.length}`);
  });
  // scroll events come once a frame: painting at once shows the rows in that same frame
  box.addEventListener("scroll", paint);

  // While the page is idle: the ids' search text and the fixed columns' orders (both ways; the first click
  // on a header first), so that a first search or sort does not build them. The columns that follow the
  // sliders (outcome, reason, partner, a label's IoU) are built on their first sort.
  const warmed = new Set<ExplorerRows>();
  let warming = false;
  const idle = (f: () => void) => (typeof requestIdleCallback === "function" ? requestIdleCallback(f, { timeout: 2000 }) : setTimeout(f, 50));
  const warm = () => {
    const m = model!;
    const ahead = EXPLORER_COLUMNS.flatMap((c) => [{ column: c, desc: numeric.has(c) }, { column: c, desc: !numeric.has(c) }]);
    if (m.prepare(ahead)) idle(warm);
    else {
      warmed.add(m);
      warming = false;
      root.dataset.warm = "done";
    }
  };

  return {
    update() {
      refilter();
      if (!warming && !warmed.has(model!)) {
        warming = true;
        delete root.dataset.warm;
        idle(warm);
      }
    },
    rows: () => shown,
  };
}
