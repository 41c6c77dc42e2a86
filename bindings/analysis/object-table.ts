// The object table of one view: one row per prediction (input order), then one per label (input order),
// as typed columns (`detection-eval export` writes them as Parquet, Arrow or CSV; sql/rescore.sql re-scores
// them at any IoU threshold). Browser-safe: no file is written here.
//
// Columns (null where a value does not apply):
//   kind 'prediction' | 'label'; index (within its kind); id (the user's object id); image_id, file_name;
//   category_id, category_name; score (predictions); rank (predictions: 1-based rank within the class:
//   score desc, then candidate IoU desc, then input order: analysis mode's order); x, y, w, h (the box:
//   box IoU mode the box, mask mode the rendered mask's tight bounding box; null for an empty mask); area;
//   candidate (the candidate label's id), candidate_index (its index), candidate_category_id;
//   iou (predictions: candidate IoU; labels: best IoU among the same-class predictions whose candidate it
//   is); dup (predictions: largest IoU of a higher-ranked prediction with the same candidate, -1 when none);
//   crowd_iou (predictions: largest crowd-aware IoU with a same-class crowd label, -1 when none);
//   crowd (labels); matched_by (labels: the index of the prediction that is its true positive at the view's
//   threshold);
//   outcome, reason (at the view's threshold); then metric_<name> for every prediction / label metric.
import type { Analysis, AnalysisView } from "./analysis.js";
import { FN_REASONS, FP_REASONS } from "./analysis.js";

/** One column. float64: NaN is null. string: dictionary codes, -1 is null. int32 / boolean: `valid` 0 is null (null: all valid). */
export type ObjectColumn =
  | { readonly name: string; readonly type: "float64"; readonly values: Float64Array }
  | { readonly name: string; readonly type: "int32"; readonly values: Int32Array; readonly valid: Uint8Array | null }
  | { readonly name: string; readonly type: "boolean"; readonly values: Uint8Array; readonly valid: Uint8Array | null }
  | { readonly name: string; readonly type: "string"; readonly codes: Int32Array; readonly dictionary: readonly string[] };

export interface ObjectTable {
  readonly rows: number;
  readonly columns: readonly ObjectColumn[];
  /** remarks on the types chosen (an id column that mixes numbers and strings is written as strings) */
  readonly notes: readonly string[];
}

type Id = number | string | null | undefined;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The id columns, whose type depends on their values. */
export const ID_COLUMNS = ["id", "image_id", "category_id", "candidate", "candidate_category_id"] as const;
export type IdColumnName = (typeof ID_COLUMNS)[number];
export type IdColumnType = "int32" | "float64" | "string";

/** What an id column holds: how many numbers and strings, and whether every number is an int32. */
export interface IdStats {
  numbers: number;
  strings: number;
  int32: boolean;
}

function idStatsOf(n: number, get: (row: number) => Id): IdStats {
  const s: IdStats = { numbers: 0, strings: 0, int32: true };
  for (let r = 0; r < n; r++) {
    const v = get(r);
    if (typeof v === "number") {
      s.numbers++;
      if (!(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX)) s.int32 = false;
    } else if (typeof v === "string") s.strings++;
  }
  return s;
}

/** The stats of two parts of a column together (the table of a whole input from those of its image chunks). */
export function mergeIdStats(a: IdStats, b: IdStats): IdStats {
  return { numbers: a.numbers + b.numbers, strings: a.strings + b.strings, int32: a.int32 && b.int32 };
}

/** int32 when every id is an integer in int32's range, float64 for other numbers (exact to 2^53), else strings. */
export function idColumnType(name: string, s: IdStats, notes: string[]): IdColumnType {
  if (s.strings === 0) return s.int32 ? "int32" : "float64";
  if (s.numbers > 0) notes.push(`${name}: the ids mix numbers and strings; the column is written as strings`);
  return "string";
}

function idColumn(name: string, n: number, get: (row: number) => Id, type: IdColumnType): ObjectColumn {
  if (type === "int32") {
    const values = new Int32Array(n);
    const valid = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const v = get(r);
      if (typeof v === "number") {
        values[r] = v;
        valid[r] = 1;
      }
    }
    return { name, type: "int32", values, valid };
  }
  if (type === "float64") {
    const values = new Float64Array(n).fill(NaN);
    for (let r = 0; r < n; r++) {
      const v = get(r);
      if (typeof v === "number") values[r] = v;
    }
    return { name, type: "float64", values };
  }
  return stringColumn(name, n, (r) => {
    const v = get(r);
    return v === null || v === undefined ? null : String(v);
  });
}

function stringColumn(name: string, n: number, get: (row: number) => string | null | undefined): ObjectColumn {
  const codes = new Int32Array(n);
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  for (let r = 0; r < n; r++) {
    const v = get(r);
    if (v === null || v === undefined) {
      codes[r] = -1;
      continue;
    }
    let c = index.get(v);
    if (c === undefined) {
      c = dictionary.length;
      dictionary.push(v);
      index.set(v, c);
    }
    codes[r] = c;
  }
  return { name, type: "string", codes, dictionary };
}

function floatColumn(name: string, n: number, get: (row: number) => number): ObjectColumn {
  const values = new Float64Array(n);
  for (let r = 0; r < n; r++) values[r] = get(r);
  return { name, type: "float64", values };
}

/** int32 column; `get` returns null for a null. */
function intColumn(name: string, n: number, get: (row: number) => number | null): ObjectColumn {
  const values = new Int32Array(n);
  const valid = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const v = get(r);
    if (v !== null) {
      values[r] = v;
      valid[r] = 1;
    }
  }
  return { name, type: "int32", values, valid };
}

/** The id columns' values by row (predictions, then labels). */
function idGetters(analysis: Analysis): Record<IdColumnName, (row: number) => Id> {
  const p = analysis.p;
  const nP = p.nPred;
  const img = (r: number) => (r < nP ? p.pImage[r]! : p.lImage[r - nP]!);
  const cls = (r: number) => (r < nP ? p.pClass[r]! : p.lClass[r - nP]!);
  const cand = (r: number) => (r < nP ? p.pCand[r]! : -1);
  return {
    id: (r) => (r < nP ? p.predIds[r] : p.labelIds[r - nP]),
    image_id: (r) => p.images[img(r)]!.id,
    category_id: (r) => p.categories[cls(r)]!.id,
    candidate: (r) => (cand(r) >= 0 ? (p.labelIds[cand(r)] ?? null) : null),
    candidate_category_id: (r) => (cand(r) >= 0 ? p.categories[p.lClass[cand(r)]!]!.id : null),
  };
}

/** The stats of the id columns of an analysis' table (a chunk's, to be merged into the whole input's). */
export function idStats(analysis: Analysis): Record<IdColumnName, IdStats> {
  const n = analysis.p.nPred + analysis.p.nLabel;
  const ids = idGetters(analysis);
  return Object.fromEntries(ID_COLUMNS.map((c) => [c, idStatsOf(n, ids[c])])) as Record<IdColumnName, IdStats>;
}

/** Rows [from, to) of a table (the typed arrays copied; string columns keep their dictionary). */
export function sliceTable(t: ObjectTable, from: number, to: number): ObjectTable {
  const columns = t.columns.map((c): ObjectColumn => {
    switch (c.type) {
      case "float64":
        return { ...c, values: c.values.slice(from, to) };
      case "int32":
      case "boolean":
        return { ...c, values: c.values.slice(from, to) as never, valid: c.valid ? c.valid.slice(from, to) : null } as ObjectColumn;
      case "string":
        return { ...c, codes: c.codes.slice(from, to) };
    }
  });
  return { rows: to - from, columns, notes: t.notes };
}

/**
 * The object table of a view (outcome, reason and matched_by at the view's IoU threshold and filter; every
 * other column does not depend on the view). Objects the view's filter leaves out get a null outcome.
 */
export function objectTable(analysis: Analysis, view: AnalysisView, options: { idTypes?: Readonly<Record<IdColumnName, IdColumnType>> } = {}): ObjectTable {
  const p = analysis.p;
  const nP = p.nPred;
  const nL = p.nLabel;
  const n = nP + nL;
  const notes: string[] = [];
  const isPred = (r: number) => r < nP;
  const img = (r: number) => (r < nP ? p.pImage[r]! : p.lImage[r - nP]!);
  const cls = (r: number) => (r < nP ? p.pClass[r]! : p.lClass[r - nP]!);
  const cand = (r: number) => (r < nP ? p.pCand[r]! : -1);
  const ids = idGetters(analysis);
  const types =
    options.idTypes ?? (Object.fromEntries(ID_COLUMNS.map((c) => [c, idColumnType(c, idStatsOf(n, ids[c]), notes)])) as Record<IdColumnName, IdColumnType>);
  const box = (r: number, k: number) => {
    const b = r < nP ? p.pBox : p.lBox;
    return b ? b[(r < nP ? r : r - nP) * 4 + k]! : NaN;
  };
  const o = view.objectOutcomes();
  const PRED_OUT = [null, "TP", "FP", "ignored"] as const;
  const LABEL_OUT = [null, "TP", "FN", "crowd"] as const;
  const columns: ObjectColumn[] = [
    stringColumn("kind", n, (r) => (isPred(r) ? "prediction" : "label")),
    intColumn("index", n, (r) => (isPred(r) ? r : r - nP)),
    idColumn("id", n, ids.id, types.id),
    idColumn("image_id", n, ids.image_id, types.image_id),
    stringColumn("file_name", n, (r) => p.images[img(r)]!.name),
    idColumn("category_id", n, ids.category_id, types.category_id),
    stringColumn("category_name", n, (r) => p.categories[cls(r)]!.name),
    floatColumn("score", n, (r) => (isPred(r) ? p.pConf[r]! : NaN)),
    intColumn("rank", n, (r) => (isPred(r) ? p.pPos[r]! - p.classStart[p.pClass[r]!]! + 1 : null)),
    floatColumn("x", n, (r) => box(r, 0)),
    floatColumn("y", n, (r) => box(r, 1)),
    floatColumn("w", n, (r) => box(r, 2)),
    floatColumn("h", n, (r) => box(r, 3)),
    floatColumn("area", n, (r) => (isPred(r) ? p.predMetrics.area![r]! : p.labelMetrics.area![r - nP]!)),
    idColumn("candidate", n, ids.candidate, types.candidate),
    intColumn("candidate_index", n, (r) => (cand(r) >= 0 ? cand(r) : null)),
    idColumn("candidate_category_id", n, ids.candidate_category_id, types.candidate_category_id),
    floatColumn("iou", n, (r) => (isPred(r) ? (cand(r) >= 0 ? p.pIou[r]! : NaN) : p.lBest[r - nP]! >= 0 ? p.lBest[r - nP]! : NaN)),
    floatColumn("dup", n, (r) => (isPred(r) ? p.pDup[r]! : NaN)),
    floatColumn("crowd_iou", n, (r) => (isPred(r) ? p.pCrowd[r]! : NaN)),
  ];
  const crowd = new Uint8Array(n);
  const crowdValid = new Uint8Array(n);
  for (let l = 0; l < nL; l++) {
    crowd[nP + l] = p.lCrowd[l]!;
    crowdValid[nP + l] = 1;
  }
  columns.push({ name: "crowd", type: "boolean", values: crowd, valid: crowdValid });
  columns.push(intColumn("matched_by", n, (r) => (isPred(r) || o.matchedBy[r - nP]! < 0 ? null : o.matchedBy[r - nP]!)));
  columns.push(stringColumn("outcome", n, (r) => (isPred(r) ? PRED_OUT[o.predictions[r]!] : LABEL_OUT[o.labels[r - nP]!])));
  columns.push(
    stringColumn("reason", n, (r) => {
      if (isPred(r)) return o.predictions[r] === 3 ? "crowd region" : o.fpReason[r]! >= 0 ? FP_REASONS[o.fpReason[r]!] : null;
      const f = o.fnReason[r - nP]!;
      return f >= 0 ? FN_REASONS[f] : null;
    }),
  );
  const metricNames = [...new Set([...Object.keys(p.predMetrics), ...Object.keys(p.labelMetrics)])];
  for (const name of metricNames) {
    const pc = p.predMetrics[name];
    const lc = p.labelMetrics[name];
    columns.push(floatColumn(`metric_${name}`, n, (r) => (isPred(r) ? (pc ? pc[r]! : NaN) : lc ? lc[r - nP]! : NaN)));
  }
  return { rows: n, columns, notes };
}

/** A cell of a column as a JS value (null for a null). */
export function cellValue(c: ObjectColumn, r: number): number | string | boolean | null {
  switch (c.type) {
    case "float64": {
      const v = c.values[r]!;
      return Number.isNaN(v) ? null : v;
    }
    case "int32":
      return c.valid && !c.valid[r] ? null : c.values[r]!;
    case "boolean":
      return c.valid && !c.valid[r] ? null : c.values[r] === 1;
    case "string": {
      const k = c.codes[r]!;
      return k < 0 ? null : c.dictionary[k]!;
    }
  }
}
