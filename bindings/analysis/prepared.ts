// What analyze() computes once and Analysis reads: the prepared model of one analysis, and the
// user-metric columns that may be attached to it later. A leaf of the analysis layer.
import { AnalysisInputError, type AnalysisInput } from "./types.js";
import { IMAGE_METRICS, type MetricTable } from "./metric-names.js";

export type CandidateMode = "same-class" | "any-class";

export type UserMetricValues = ArrayLike<number> | Readonly<Record<string, number>> | ReadonlyMap<number | string, number>;

/** Everything analyze() computes once; the fields are read by Analysis (analysis.ts). Typed arrays throughout. */
export interface Prepared {
  readonly images: AnalysisInput["images"];
  readonly categories: AnalysisInput["categories"];
  /** the user's object ids (undefined where none was given) */
  readonly predIds: readonly (number | string | undefined)[];
  readonly labelIds: readonly (number | string | undefined)[];
  readonly mode: CandidateMode;
  readonly iouKind: "mask" | "box" | "oks";
  /** the width in pixels polylines were rendered with, when the input has polylines */
  readonly lineWidth?: number;
  readonly nPred: number;
  readonly nLabel: number;
  readonly nClass: number;
  readonly nImage: number;
  // per prediction, input order
  readonly pImage: Int32Array;
  readonly pClass: Int32Array;
  readonly pConf: Float64Array;
  /** candidate label index, -1 when no label overlaps (IoU > 0) */
  readonly pCand: Int32Array;
  /** IoU with the candidate, 0 without one */
  readonly pIou: Float64Array;
  /** largest IoU among higher-ranked predictions with the same candidate, -1 if none (or other-class candidate) */
  readonly pDup: Float64Array;
  /** max over same-class crowd labels of intersection / prediction area, -1 when there is none */
  readonly pCrowd: Float64Array;
  /** prediction -> position in the class-sorted layout */
  readonly pPos: Int32Array;
  // per label, input order
  readonly lImage: Int32Array;
  readonly lClass: Int32Array;
  readonly lCrowd: Uint8Array;
  /** best IoU among the same-class predictions whose candidate it is (no filter), -1 if none */
  readonly lBest: Float64Array;
  /** other-class predictions overlapping the label (IoU > 0), CSR, each list by confidence descending */
  readonly lOtherStart: Int32Array;
  readonly lOtherPos: Int32Array;
  readonly lOtherIou: Float64Array;
  /** same-class predictions overlapping the label (IoU > 0) whose candidate is another label, CSR, by confidence descending */
  readonly lSameStart: Int32Array;
  readonly lSamePos: Int32Array;
  readonly lSameIou: Float64Array;
  /** per class: number of non-crowd labels */
  readonly classLabels: Int32Array;
  // class-sorted layout: positions classStart[k]..classStart[k+1] hold class k's predictions in rank order
  // (confidence desc, then candidate IoU desc, then input order)
  readonly classStart: Int32Array;
  readonly sPred: Int32Array;
  readonly sConf: Float64Array;
  readonly sImage: Int32Array;
  readonly sCand: Int32Array;
  /** candidate IoU (also for other-class candidates) */
  readonly sIou: Float64Array;
  /** IoU usable for a match: sIou, or -1 when the candidate is another class or missing */
  readonly sMatch: Float64Array;
  readonly sDup: Float64Array;
  readonly sCrowd: Float64Array;
  /** the closest non-crowd label of any class (the any-class candidate, whatever the mode), -1 if none overlaps */
  readonly sAny: Int32Array;
  /** IoU with sAny, 0 without one */
  readonly sAnyIou: Float64Array;
  /** the predictions of every class in one global rank order (positions in the class-sorted layout) */
  readonly globalOrder: Int32Array;
  /** confidence in global rank order */
  readonly globalConf: Float64Array;
  /** largest class size */
  readonly maxClass: number;
  /** per label, its same-class candidate predictions in rank order (positions), CSR */
  readonly groupStart: Int32Array;
  readonly groupPos: Int32Array;
  /**
   * per prediction / label, input order: its box [x, y, w, h] at 4 * index (box IoU mode: the box; mask mode:
   * the rendered mask's tight bounding box), NaN for an empty mask. Absent in data decoded from a report
   * (the report leaves them out); read by objectTable (object-table.ts).
   */
  readonly pBox?: Float64Array;
  readonly lBox?: Float64Array;
  readonly predMetrics: MetricTable;
  readonly labelMetrics: MetricTable;
  /** per image (index): brightness, contrast, sharpness once pixels were given (NaN for the others); absent before */
  readonly imageMetrics?: MetricTable;
  readonly timings: { rasterMs: number; iouMs: number; encodeMs: number };
}

export function newMetricTable(names: readonly string[], n: number): MetricTable {
  const t: MetricTable = {};
  for (const name of names) t[name] = new Float64Array(n).fill(NaN);
  return t;
}

/** Adds user metric columns to a table (by index when array-like, by object id otherwise; missing = NaN). */
export function addUserMetrics(
  table: MetricTable,
  metrics: Record<string, UserMetricValues> | undefined,
  ids: readonly (number | string | undefined)[],
  path: string,
): void {
  if (!metrics) return;
  for (const [name, values] of Object.entries(metrics)) {
    if ((name in table || (IMAGE_METRICS as readonly string[]).includes(name)) && !name.startsWith("user:")) {
      // user metrics may not silently replace a built-in one
      throw new AnalysisInputError(`${path}.${name}: a built-in metric has this name`);
    }
    const n = ids.length;
    const col = new Float64Array(n).fill(NaN);
    if (values instanceof Map) {
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        if (id !== undefined && values.has(id)) col[i] = Number(values.get(id));
      }
    } else if (typeof (values as ArrayLike<number>).length === "number") {
      const arr = values as ArrayLike<number>;
      if (arr.length !== n) throw new AnalysisInputError(`${path}.${name}: expected ${n} values, got ${arr.length}`);
      for (let i = 0; i < n; i++) col[i] = Number(arr[i]);
    } else {
      const rec = values as Record<string, number>;
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        if (id !== undefined && Object.hasOwn(rec, String(id))) col[i] = Number(rec[String(id)]);
      }
    }
    table[name] = col;
  }
}
