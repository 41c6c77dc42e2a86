// The explorer's rows: every prediction and label of a view as one list, filtered, searched and sorted over
// typed arrays (no row objects), so a million objects re-filter in milliseconds. DOM-free (tested in Node).
//
// A row r < nPred is prediction r; a row r >= nPred is label r - nPred (input order). Sorting is the
// analysis' stable radix argsort of float keys (argsortFinite): one permutation of every object per
// column (and per view for the columns that follow the sliders), then each filter is one pass over it.
import { type Analysis, type AnalysisView, FN_REASONS, FP_REASONS } from "../../analysis/analysis.js";
import { argsortFinite } from "../../analysis/stats.js";

export const EXPLORER_COLUMNS = ["kind", "id", "image", "class", "confidence", "outcome", "reason", "iou", "partner", "area"] as const;
export type ExplorerColumn = (typeof EXPLORER_COLUMNS)[number];

/** Outcome codes of a row (the explorer's `outcome` filter and sort order). */
export const OUTCOMES = ["TP", "FP", "FN", "ignored"] as const;
export type ExplorerOutcome = (typeof OUTCOMES)[number];

export interface ExplorerQuery {
  kind?: "all" | "predictions" | "labels";
  outcome?: "all" | ExplorerOutcome;
  /** case-insensitive substring of the image name, class name, object id, outcome or reason */
  search?: string;
  sort?: ExplorerColumn;
  desc?: boolean;
  /**
   * labels only: the labels whose outcome differs from another view of the same labels (`other`, the
   * baseline): "gained" = found here (TP) and missed there (FN), "lost" = the reverse
   */
  flips?: { other: AnalysisView; which: "gained" | "lost" };
}

/**
 * Every row by `key[row]` ascending, ties by row: the finite keys by the analysis' stable radix argsort
 * (stats.ts argsortFinite), -Infinity before them, +Infinity after, NaN (a blank cell) last.
 */
export function orderByKey(key: Float64Array): Int32Array {
  const finite = argsortFinite(key);
  const n = key.length;
  const out = new Int32Array(n);
  let m = 0;
  for (let r = 0; r < n; r++) if (key[r] === Number.NEGATIVE_INFINITY) out[m++] = r;
  out.set(finite, m);
  m += finite.length;
  for (let r = 0; r < n; r++) if (key[r] === Number.POSITIVE_INFINITY) out[m++] = r;
  for (let r = 0; r < n; r++) if (Number.isNaN(key[r]!)) out[m++] = r;
  return out;
}

/** Ranks of strings in code-unit order (equal strings share a rank). */
function ranks(values: readonly string[]): Float64Array {
  const order = values.map((_, i) => i).sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
  const out = new Float64Array(values.length);
  let rank = 0;
  for (let k = 0; k < order.length; k++) {
    if (k > 0 && values[order[k]!] !== values[order[k - 1]!]) rank++;
    out[order[k]!] = rank;
  }
  return out;
}

/** Every object of one analysis as explorer rows; `setView` gives the outcomes of the current selection. */
export class ExplorerRows {
  readonly nPred: number;
  readonly nLabel: number;
  private view: AnalysisView | undefined;
  private outcomes: ReturnType<AnalysisView["objectOutcomes"]> | undefined;
  private readonly imageNames: string[];
  private readonly classNames: string[];
  /** every row's id, lower case, joined by newlines (one native search finds a query in all of them), and where each starts */
  private idText: { text: string; starts: Int32Array } | undefined;
  private readonly staticOrder = new Map<string, Int32Array>();
  private readonly viewOrder = new Map<string, Int32Array>();

  constructor(readonly analysis: Analysis) {
    this.nPred = analysis.p.nPred;
    this.nLabel = analysis.p.nLabel;
    this.imageNames = analysis.images.map((im) => im.name ?? String(im.id));
    this.classNames = analysis.categories.map((c) => c.name);
  }

  get size(): number {
    return this.nPred + this.nLabel;
  }

  /** The view whose outcomes the rows show (a view of this analysis). */
  setView(view: AnalysisView): void {
    if (view === this.view) return;
    this.view = view;
    this.outcomes = view.objectOutcomes();
    this.viewOrder.clear();
  }

  private get o(): ReturnType<AnalysisView["objectOutcomes"]> {
    if (!this.outcomes) throw new Error("ExplorerRows: setView() first");
    return this.outcomes;
  }

  /** The row's outcome code (index into OUTCOMES), -1 when the object is outside the selection. */
  outcome(r: number): number {
    const o = this.o;
    if (r < this.nPred) {
      const v = o.predictions[r]!;
      return v === 0 ? -1 : v === 1 ? 0 : v === 2 ? 1 : 3;
    }
    const v = o.labels[r - this.nPred]!;
    return v === 0 ? -1 : v === 1 ? 0 : v === 2 ? 2 : 3;
  }

  /** The displayed id of a row: the user's id, else "#index". */
  id(r: number): string {
    const p = this.analysis.p;
    const v = r < this.nPred ? p.predIds[r] : p.labelIds[r - this.nPred];
    return v === undefined ? `#${r < this.nPred ? r : r - this.nPred}` : String(v);
  }

  image(r: number): number {
    const p = this.analysis.p;
    return r < this.nPred ? p.pImage[r]! : p.lImage[r - this.nPred]!;
  }

  imageName(r: number): string {
    return this.imageNames[this.image(r)]!;
  }

  className(r: number): string {
    const p = this.analysis.p;
    return this.classNames[r < this.nPred ? p.pClass[r]! : p.lClass[r - this.nPred]!]!;
  }

  confidence(r: number): number {
    return r < this.nPred ? this.analysis.p.pConf[r]! : Number.NaN;
  }

  /** prediction: IoU with its candidate (NaN without one); label: the best IoU of the selection (NaN none) */
  iou(r: number): number {
    const p = this.analysis.p;
    if (r < this.nPred) return p.pCand[r]! >= 0 ? p.pIou[r]! : Number.NaN;
    return this.o.labelBest[r - this.nPred]!;
  }

  reason(r: number): string {
    const o = this.o;
    if (r < this.nPred) {
      const v = o.predictions[r]!;
      return v === 2 ? FP_REASONS[o.fpReason[r]!]! : v === 3 ? "crowd region" : "";
    }
    const k = o.fnReason[r - this.nPred]!;
    return k >= 0 ? FN_REASONS[k]! : "";
  }

  /**
   * The row's partner: a prediction's candidate label (its match when a TP, the closest label otherwise), a
   * label's matching prediction; -1 for none. As a row number.
   */
  partner(r: number): number {
    if (r < this.nPred) {
      const c = this.analysis.p.pCand[r]!;
      return c >= 0 ? this.nPred + c : -1;
    }
    const m = this.o.matchedBy[r - this.nPred]!;
    return m >= 0 ? m : -1;
  }

  area(r: number): number {
    const m = r < this.nPred ? this.analysis.metric("predictions", "area") : this.analysis.metric("labels", "area");
    return m ? m[r < this.nPred ? r : r - this.nPred]! : Number.NaN;
  }

  /** The text of a cell, as the table shows it. */
  cell(r: number, column: ExplorerColumn): string {
    const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "–");
    switch (column) {
      case "kind":
        return r < this.nPred ? "prediction" : "label";
      case "id":
        return this.id(r);
      case "image":
        return this.imageName(r);
      case "class":
        return this.className(r);
      case "confidence":
        return f(this.confidence(r));
      case "outcome": {
        const k = this.outcome(r);
        return k < 0 ? "" : r >= this.nPred && k === 3 ? "crowd" : OUTCOMES[k]!;
      }
      case "reason":
        return this.reason(r);
      case "iou":
        return f(this.iou(r));
      case "partner": {
        const q = this.partner(r);
        if (q < 0) return "–";
        const what = q < this.nPred ? "prediction" : r < this.nPred && this.outcome(r) !== 0 ? "closest label" : "label";
        return `${what} ${this.id(q)} (${this.className(q)})`;
      }
      case "area": {
        const a = this.area(r);
        return Number.isFinite(a) ? String(Math.round(a)) : "–";
      }
    }
  }

  /** The sort key of every row for a column (NaN: a blank cell, last in either direction). */
  private keys(column: ExplorerColumn): Float64Array {
    const n = this.size;
    const k = new Float64Array(n);
    const p = this.analysis.p;
    switch (column) {
      case "kind":
        for (let r = this.nPred; r < n; r++) k[r] = 1;
        break;
      case "id": {
        // numbers first (by value), then strings (by text), then rows without an id (by index)
        const texts: string[] = [];
        const textRows: number[] = [];
        const none = new Uint8Array(n);
        for (let r = 0; r < n; r++) {
          const v = r < this.nPred ? p.predIds[r] : p.labelIds[r - this.nPred];
          if (typeof v === "number") k[r] = v;
          else {
            k[r] = Number.NaN;
            if (v !== undefined) {
              texts.push(v);
              textRows.push(r);
            } else none[r] = 1;
          }
        }
        let top = -Infinity;
        for (let r = 0; r < n; r++) if (k[r]! > top) top = k[r]!;
        const base = Number.isFinite(top) ? top + 1 : 0;
        const rk = ranks(texts);
        textRows.forEach((r, i) => (k[r] = base + rk[i]!));
        const end = base + texts.length;
        for (let r = 0; r < n; r++) if (none[r]) k[r] = end + (r < this.nPred ? r : r - this.nPred);
        break;
      }
      case "image": {
        const rk = ranks(this.imageNames);
        for (let r = 0; r < n; r++) k[r] = rk[this.image(r)]!;
        break;
      }
      case "class": {
        const rk = ranks(this.classNames);
        for (let r = 0; r < this.nPred; r++) k[r] = rk[p.pClass[r]!]!;
        for (let r = this.nPred; r < n; r++) k[r] = rk[p.lClass[r - this.nPred]!]!;
        break;
      }
      case "confidence":
        for (let r = 0; r < n; r++) k[r] = this.confidence(r);
        break;
      case "outcome":
        for (let r = 0; r < n; r++) k[r] = this.outcome(r);
        break;
      case "reason": {
        const names = [...FP_REASONS, "crowd region", ...FN_REASONS];
        const rk = ranks(names);
        const at = new Map(names.map((s, i) => [s, rk[i]!]));
        for (let r = 0; r < n; r++) {
          const s = this.reason(r);
          k[r] = s ? at.get(s)! : Number.NaN;
        }
        break;
      }
      case "iou":
        for (let r = 0; r < n; r++) k[r] = this.iou(r);
        break;
      case "partner": {
        // by the partner's kind, then its id's order
        const ids = this.sorted("id", false);
        const pos = new Float64Array(n);
        for (let i = 0; i < n; i++) pos[ids[i]!] = i;
        for (let r = 0; r < n; r++) {
          const q = this.partner(r);
          k[r] = q < 0 ? Number.NaN : pos[q]!;
        }
        break;
      }
      case "area": {
        const pa = this.analysis.metric("predictions", "area");
        const la = this.analysis.metric("labels", "area");
        for (let r = 0; r < this.nPred; r++) k[r] = pa ? pa[r]! : Number.NaN;
        for (let r = this.nPred; r < n; r++) k[r] = la ? la[r - this.nPred]! : Number.NaN;
        break;
      }
    }
    return k;
  }

  /** Every row sorted by a column (cached: per analysis for fixed columns, per view for those that follow it). */
  private sorted(column: ExplorerColumn, desc: boolean): Int32Array {
    const cache = this.perView(column) ? this.viewOrder : this.staticOrder;
    const name = `${column}:${desc ? "desc" : "asc"}`;
    let order = cache.get(name);
    if (!order) {
      const k = this.keys(column);
      if (desc) for (let r = 0; r < k.length; r++) k[r] = -k[r]!; // NaN stays NaN: still last
      order = orderByKey(k);
      cache.set(name, order);
    }
    return order;
  }

  /**
   * Builds ahead what the first search or the first sort by `columns` would build (the ids' text, the
   * columns' orders), one step a call, so a page can run the steps while it is idle. Returns false when
   * nothing is left to build.
   */
  prepare(columns: readonly { column: ExplorerColumn; desc: boolean }[]): boolean {
    if (!this.idText) {
      this.idHits("\n");
      return true;
    }
    for (const { column, desc } of columns) {
      if (this.perView(column) || this.staticOrder.has(`${column}:${desc ? "desc" : "asc"}`)) continue;
      this.sorted(column, desc);
      return true;
    }
    return false;
  }

  private perView(column: ExplorerColumn): boolean {
    return column === "outcome" || column === "reason" || column === "partner" || (column === "iou" && this.nLabel > 0);
  }

  /** Per row, 1 when its displayed id (lower case) contains `q` (which holds no newline). */
  private idHits(q: string): Uint8Array {
    const n = this.size;
    if (!this.idText) {
      const parts = new Array<string>(n);
      const starts = new Int32Array(n + 1);
      let at = 0;
      for (let r = 0; r < n; r++) {
        const t = this.id(r).toLowerCase();
        parts[r] = t;
        starts[r] = at;
        at += t.length + 1;
      }
      starts[n] = at;
      this.idText = { text: parts.join("\n"), starts };
    }
    const { text, starts } = this.idText;
    const hit = new Uint8Array(n);
    if (q.includes("\n")) return hit;
    let pos = text.indexOf(q);
    while (pos >= 0) {
      // the row whose text holds pos: the last start <= pos
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid]! <= pos) lo = mid;
        else hi = mid - 1;
      }
      hit[lo] = 1;
      pos = text.indexOf(q, starts[lo + 1]!);
    }
    return hit;
  }

  /** The rows of the selection that pass the query, in its order (input order without a sort column). */
  rows(query: ExplorerQuery = {}): Int32Array {
    const o = this.o;
    const nP = this.nPred;
    const n = this.size;
    const kind = query.kind ?? "all";
    const want = query.outcome && query.outcome !== "all" ? OUTCOMES.indexOf(query.outcome) : -1;
    const flips = query.flips ? query.flips.other.objectOutcomes().labels : undefined;
    const gained = query.flips?.which === "gained";
    const q = (query.search ?? "").trim().toLowerCase();
    let imageHit: Uint8Array | undefined;
    let classHit: Uint8Array | undefined;
    let textHit: ((r: number) => boolean) | undefined;
    if (q) {
      imageHit = Uint8Array.from(this.imageNames, (s) => (s.toLowerCase().includes(q) ? 1 : 0));
      classHit = Uint8Array.from(this.classNames, (s) => (s.toLowerCase().includes(q) ? 1 : 0));
      // outcomes and reasons are a few strings: matched once per query, then looked up by code
      const has = (s: string) => s.toLowerCase().includes(q);
      const outcomeHit = OUTCOMES.map((s) => has(s) || (s === "ignored" && has("crowd")));
      const fpHit = FP_REASONS.map(has);
      const fnHit = FN_REASONS.map(has);
      const crowdRegion = has("crowd region");
      const idHit = this.idHits(q);
      textHit = (r) => {
        const code = this.outcome(r);
        if (outcomeHit[code]) return true;
        if (r < nP) {
          const v = o.predictions[r]!;
          if ((v === 2 && fpHit[o.fpReason[r]!]) || (v === 3 && crowdRegion)) return true;
        } else {
          const k = o.fnReason[r - nP]!;
          if (k >= 0 && fnHit[k]) return true;
        }
        return idHit[r] === 1;
      };
    }
    const p = this.analysis.p;
    const order = query.sort ? this.sorted(query.sort, query.desc === true) : undefined;
    const out = new Int32Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = order ? order[i]! : i;
      const isPred = r < nP;
      if (isPred ? kind === "labels" || flips !== undefined : kind === "predictions") continue;
      const code = this.outcome(r);
      if (code < 0 || (want >= 0 && code !== want)) continue;
      if (flips) {
        const here = o.labels[r - nP]!;
        const there = flips[r - nP]!;
        if (gained ? !(here === 1 && there === 2) : !(here === 2 && there === 1)) continue;
      }
      if (q) {
        const img = isPred ? p.pImage[r]! : p.lImage[r - nP]!;
        const cls = isPred ? p.pClass[r]! : p.lClass[r - nP]!;
        if (!imageHit![img] && !classHit![cls] && !textHit!(r)) continue;
      }
      out[m++] = r;
    }
    return out.slice(0, m);
  }
}
