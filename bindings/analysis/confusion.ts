// The class confusion matrix of a view: every counted prediction against its closest label of any
// class, one-to-one, from the statuses the view already computed (no geometry).
import type { Prepared } from "./prepared.js";

/** A cell's objects: prediction and label indices (input order). */
export interface ConfusionObjects {
  readonly predictions: number[];
  readonly labels: number[];
}

/**
 * Rows are the predicted class, columns the true class; the last row and column are "background".
 * A true positive counts on the diagonal. A false positive whose closest label of any class (IoU >= the
 * view's threshold, not crowd, kept by the view's filters) is of another selected class, and not yet
 * taken by a true positive or by a more confident false positive, counts in that label's column; any
 * other false positive counts in the background column. A label neither matched nor taken so counts in
 * the background row. So column j sums to the labels of class j and row k to the counted predictions of
 * class k; predictions ignored in crowd regions are not counted.
 */
export interface ConfusionMatrix {
  readonly iou: number;
  readonly confidence: number;
  /** the rows / columns before the background: the view's classes in category order */
  readonly categories: { readonly categoryId: number | string; readonly name: string }[];
  /** (n + 1) x (n + 1) counts, [predicted][true], background last */
  readonly counts: number[][];
  /** counts divided by their row's sum (0 for an empty row): of the predictions of a class, the share per true class */
  readonly rates: number[][];
  /** counts divided by their column's sum: of the labels of a class, the share per predicted class */
  readonly columnRates: number[][];
  /** per prediction (input order): its cell, row * (n + 1) + column, or -1 when not counted */
  readonly predictionCell: Int32Array;
  /** per label (input order): its cell, or -1 (crowd, or not kept by the view) */
  readonly labelCell: Int32Array;
}

const TP = 1;
const FP = 2;

/**
 * @param status  the view's status by sorted position (0 not counted, 1 TP, 2 FP, 3 ignored)
 * @param labelKept  per label: kept by the view's class, image and label filters
 * @param classes  the view's classes (category indices, ascending)
 */
export function confusionMatrix(
  p: Prepared,
  status: Uint8Array,
  labelKept: Uint8Array,
  classes: readonly number[],
  iou: number,
  confidence: number,
): ConfusionMatrix {
  const n = classes.length;
  const side = n + 1;
  const row = new Int32Array(p.nClass).fill(n); // category index -> row / column, n = background
  classes.forEach((k, r) => {
    row[k] = r;
  });
  const cells = new Int32Array(side * side);
  const predictionCell = new Int32Array(p.nPred).fill(-1);
  const labelCell = new Int32Array(p.nLabel).fill(-1);
  const { sPred, sCand, sAny, sAnyIou, sConf, sIou, pClass, lClass, lCrowd } = p;
  // true positives take their labels; a false positive whose closest label is of another class and
  // kept may take it (decided below, in rank order); every other false positive is background
  const contenders: number[] = [];
  for (let i = 0; i < p.nPred; i++) {
    const v = status[i];
    if (v !== TP && v !== FP) continue;
    const q = sPred[i]!;
    const r = row[pClass[q]!]!;
    if (v === TP) {
      const cell = r * side + r;
      cells[cell]!++;
      predictionCell[q] = cell;
      labelCell[sCand[i]!] = cell;
      continue;
    }
    const l = sAny[i]!;
    if (l >= 0 && sAnyIou[i]! >= iou && lClass[l] !== pClass[q] && labelKept[l] === 1 && !lCrowd[l] && row[lClass[l]!]! < n) contenders.push(i);
    else {
      cells[r * side + n]!++;
      predictionCell[q] = r * side + n;
    }
  }
  // the analysis' rank order: confidence desc, candidate IoU desc, input order
  contenders.sort((a, b) => sConf[b]! - sConf[a]! || sIou[b]! - sIou[a]! || sPred[a]! - sPred[b]!);
  for (const i of contenders) {
    const q = sPred[i]!;
    const r = row[pClass[q]!]!;
    const l = sAny[i]!;
    let c = n;
    if (labelCell[l] === -1) {
      c = row[lClass[l]!]!;
      labelCell[l] = r * side + c;
    }
    cells[r * side + c]!++;
    predictionCell[q] = r * side + c;
  }
  // the rest of the kept labels were missed
  for (let l = 0; l < p.nLabel; l++) {
    if (labelKept[l] !== 1 || lCrowd[l] || labelCell[l] !== -1) continue;
    const cell = n * side + row[lClass[l]!]!;
    cells[cell]!++;
    labelCell[l] = cell;
  }
  const counts: number[][] = new Array(side);
  const rates: number[][] = new Array(side);
  const columnRates: number[][] = new Array(side);
  const colSum = new Float64Array(side);
  for (let x = 0; x < side * side; x++) colSum[x % side]! += cells[x]!;
  for (let r = 0; r < side; r++) {
    let rowSum = 0;
    for (let c = 0; c < side; c++) rowSum += cells[r * side + c]!;
    const cr = new Array<number>(side);
    const rr = new Array<number>(side);
    const cc = new Array<number>(side);
    for (let c = 0; c < side; c++) {
      const v = cells[r * side + c]!;
      cr[c] = v;
      rr[c] = rowSum > 0 ? v / rowSum : 0;
      cc[c] = colSum[c]! > 0 ? v / colSum[c]! : 0;
    }
    counts[r] = cr;
    rates[r] = rr;
    columnRates[r] = cc;
  }
  const categories = classes.map((k) => ({ categoryId: p.categories[k]!.id, name: p.categories[k]!.name }));
  return { iou, confidence, categories, counts, rates, columnRates, predictionCell, labelCell };
}

/** The objects counted in one cell (row = predicted, column = true; n = background). */
export function confusionObjects(m: ConfusionMatrix, rowIndex: number, column: number): ConfusionObjects {
  const side = m.categories.length + 1;
  if (!(Number.isInteger(rowIndex) && Number.isInteger(column) && rowIndex >= 0 && column >= 0 && rowIndex < side && column < side))
    throw new RangeError(`confusion cell: expected a row and a column in 0..${side - 1}, got ${rowIndex}, ${column}`);
  const cell = rowIndex * side + column;
  const predictions: number[] = [];
  const labels: number[] = [];
  m.predictionCell.forEach((c, i) => c === cell && predictions.push(i));
  // a true positive's label sits in its diagonal cell; a confused label in its confusion cell
  m.labelCell.forEach((c, l) => c === cell && labels.push(l));
  return { predictions, labels };
}
