// TIDE's own AP (tidecv ap.py: APDataObject and ClassedAPDataObject), float for float. It is not
// pycocotools' AP: one IoU threshold, recall points i / 100 found by searchsorted, Python's left-to-right
// sum of the 101 precisions, and a mean over the classes in the order they were first touched.
import type { CocoId } from "../coco/ids.js";
import { argsortDescendingStable } from "../coco/numeric.js";

/** The AP data of one class: points (score, true positive) in push order, and the number of labels. */
export class TideClassAp {
  readonly scores: number[] = [];
  readonly tps: boolean[] = [];
  numGt = 0;

  push(score: number, tp: boolean): void {
    this.scores.push(score);
    this.tps.push(tp);
  }

  get size(): number {
    return this.scores.length;
  }

  /** tidecv's is_empty: no points and no labels (such a class is left out of the mean). */
  isEmpty(): boolean {
    return this.scores.length === 0 && this.numGt === 0;
  }

  /** APDataObject.get_ap, in AP points (0..100); 0 for a class without labels. */
  ap(): number {
    const numGt = this.numGt;
    if (numGt === 0) return 0;
    const n = this.scores.length;
    // list.sort(key=-score): stable, so tied scores keep push order
    const order = argsortDescendingStable(Float64Array.from(this.scores));
    const precision = new Float64Array(n);
    const recall = new Float64Array(n);
    let t = 0;
    let f = 0;
    for (let k = 0; k < n; k++) {
      if (this.tps[order[k]!]) t++;
      else f++;
      precision[k] = t / (t + f);
      recall[k] = t / numGt;
    }
    for (let i = n - 1; i > 0; i--) if (precision[i]! > precision[i - 1]!) precision[i - 1] = precision[i]!;
    // bar x = i / 100 takes the precision at np.searchsorted(recalls, x, 'left') (0 past the end);
    // recalls never decrease, so one pointer walks them. sum() adds left to right (Python 3.11).
    let sum = 0;
    let j = 0;
    for (let bar = 0; bar <= 100; bar++) {
      const x = bar / 100;
      while (j < n && recall[j]! < x) j++;
      if (j === n) break;
      sum += precision[j]!;
    }
    return (sum / 101) * 100;
  }
}

/** One TideClassAp per class, in first-touch order (tidecv's defaultdict), which fixes the order of the mean's sum. */
export class TideApData {
  readonly classes = new Map<CocoId, TideClassAp>();

  get(cls: CocoId): TideClassAp {
    let c = this.classes.get(cls);
    if (!c) {
      c = new TideClassAp();
      this.classes.set(cls, c);
    }
    return c;
  }

  push(cls: CocoId, score: number, tp: boolean): void {
    this.get(cls).push(score, tp);
  }

  addGt(cls: CocoId, n: number): void {
    this.get(cls).numGt += n;
  }

  /**
   * get_mAP with each class's AP: the mean over the non-empty classes (NaN when there is none, where
   * tidecv divides by zero), and the AP of every non-empty class.
   */
  evaluate(): { mAP: number; perClass: Map<CocoId, number> } {
    const perClass = new Map<CocoId, number>();
    let sum = 0;
    for (const [cls, c] of this.classes) {
      if (c.isEmpty()) continue;
      const ap = c.ap();
      perClass.set(cls, ap);
      sum += ap;
    }
    return { mAP: perClass.size === 0 ? NaN : sum / perClass.size, perClass };
  }
}
