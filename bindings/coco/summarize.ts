// pycocotools COCOeval.summarize(): the 12 (10 for keypoints) stats as means, with numpy's pairwise
// summation, of the entries > -1 of precision / recall slices, and the print-out line for line.
import type { Accumulated } from "./types.js";
import type { CocoId } from "./ids.js";
import { formatFixed, npSum } from "./numeric.js";
import { storedIndex } from "./accumulated.js";
import type { CocoParams } from "./params.js";

interface StatSpec {
  ap: boolean;
  iouThr?: number;
  areaRng: string;
  maxDets: number;
}

function specs(p: CocoParams): StatSpec[] {
  if (p.iouType === "keypoints") {
    return [
      { ap: true, areaRng: "all", maxDets: 20 },
      { ap: true, iouThr: 0.5, areaRng: "all", maxDets: 20 },
      { ap: true, iouThr: 0.75, areaRng: "all", maxDets: 20 },
      { ap: true, areaRng: "medium", maxDets: 20 },
      { ap: true, areaRng: "large", maxDets: 20 },
      { ap: false, areaRng: "all", maxDets: 20 },
      { ap: false, iouThr: 0.5, areaRng: "all", maxDets: 20 },
      { ap: false, iouThr: 0.75, areaRng: "all", maxDets: 20 },
      { ap: false, areaRng: "medium", maxDets: 20 },
      { ap: false, areaRng: "large", maxDets: 20 },
    ];
  }
  // pycocotools indexes maxDets[0..2] (an IndexError with fewer); a missing one reads as NaN -> no match -> -1
  const md = (i: number) => p.maxDets[i] ?? NaN;
  return [
    { ap: true, areaRng: "all", maxDets: 100 },
    { ap: true, iouThr: 0.5, areaRng: "all", maxDets: md(2) },
    { ap: true, iouThr: 0.75, areaRng: "all", maxDets: md(2) },
    { ap: true, areaRng: "small", maxDets: md(2) },
    { ap: true, areaRng: "medium", maxDets: md(2) },
    { ap: true, areaRng: "large", maxDets: md(2) },
    { ap: false, areaRng: "all", maxDets: md(0) },
    { ap: false, areaRng: "all", maxDets: md(1) },
    { ap: false, areaRng: "all", maxDets: md(2) },
    { ap: false, areaRng: "small", maxDets: md(2) },
    { ap: false, areaRng: "medium", maxDets: md(2) },
    { ap: false, areaRng: "large", maxDets: md(2) },
  ];
}

/** Mean of the entries > -1 (np.mean, pairwise summation), or -1 when there are none. */
function meanValid(values: ArrayLike<number>, n = values.length): number {
  return n === 0 ? -1 : npSum(values, 0, n) / n;
}

/** Index pairs (area, maxDet) of numpy's advanced indexing s[..., aind, mind] (broadcast). */
function pairs(aind: number[], mind: number[]): [number, number][] {
  if (aind.length === mind.length) return aind.map((a, i) => [a, mind[i]!]);
  if (aind.length === 1) return mind.map((m) => [aind[0]!, m]);
  if (mind.length === 1) return aind.map((a) => [a, mind[0]!]);
  throw new Error(`summarize: ${aind.length} area ranges and ${mind.length} maxDets match, which numpy cannot broadcast`);
}

let scratch = new Float64Array(0);

function statValue(acc: Accumulated, p: CocoParams, s: StatSpec): number {
  // over the stored K indices only: the others hold -1 alone, which the mean leaves out
  const [T, R, , A, M] = acc.precisionShape;
  const K = acc.kIndex.length;
  const ts: number[] = [];
  for (let t = 0; t < T; t++) if (s.iouThr === undefined || p.iouThrs[t] === s.iouThr) ts.push(t);
  const aind: number[] = [];
  p.areaRngLbl.forEach((l, i) => l === s.areaRng && aind.push(i));
  const mind: number[] = [];
  p.maxDets.forEach((m, i) => m === s.maxDets && mind.push(i));
  const pr = pairs(aind, mind);
  const need = ts.length * (s.ap ? R : 1) * K * pr.length;
  if (scratch.length < need) scratch = new Float64Array(need);
  const out = scratch; // reused: the bootstrap summarizes once per resample
  let n = 0;
  if (s.ap) {
    const prec = acc.precision;
    for (const t of ts)
      for (let r = 0; r < R; r++)
        for (let k = 0; k < K; k++)
          for (let q = 0; q < pr.length; q++) {
            const v = prec[(((t * R + r) * K + k) * A + pr[q]![0]) * M + pr[q]![1]]!;
            if (v > -1) out[n++] = v;
          }
  } else {
    for (const t of ts)
      for (let k = 0; k < K; k++)
        for (const [a, m] of pr) {
          const v = acc.recall[((t * K + k) * A + a) * M + m]!;
          if (v > -1) out[n++] = v;
        }
  }
  return meanValid(out, n);
}

/** The (area, maxDets) index pairs the stats read: of precision (AP stats) and of recall (AR stats). */
export function statPairs(p: CocoParams): { precision: [number, number][]; recall: [number, number][] } {
  const precision: [number, number][] = [];
  const recall: [number, number][] = [];
  for (const s of specs(p)) {
    const aind: number[] = [];
    p.areaRngLbl.forEach((l, i) => l === s.areaRng && aind.push(i));
    const mind: number[] = [];
    p.maxDets.forEach((m, i) => m === s.maxDets && mind.push(i));
    (s.ap ? precision : recall).push(...pairs(aind, mind));
  }
  return { precision, recall };
}

export function summarize(acc: Accumulated, p: CocoParams): number[] {
  return specs(p).map((s) => statValue(acc, p, s));
}

function iouString(p: CocoParams, iouThr?: number): string {
  if (iouThr !== undefined) return formatFixed(iouThr, 2);
  if (p.iouThrs.length === 0) return "-";
  return `${formatFixed(p.iouThrs[0]!, 2)}:${formatFixed(p.iouThrs[p.iouThrs.length - 1]!, 2)}`;
}

/** pycocotools' print-out: ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'. */
export function summaryLines(acc: Accumulated, p: CocoParams, stats?: readonly number[]): string[] {
  return specs(p).map((s, i) => {
    const title = s.ap ? "Average Precision" : "Average Recall";
    const type = s.ap ? "(AP)" : "(AR)";
    const v = stats ? stats[i]! : statValue(acc, p, s);
    return ` ${title.padEnd(18)} ${type} @[ IoU=${iouString(p, s.iouThr).padEnd(9)} | area=${s.areaRng.padStart(6)} | maxDets=${String(s.maxDets).padStart(3)} ] = ${formatFixed(v, 3)}`;
  });
}

/** Short labels: "AP@[.50:.95|all|100]", as in the fixtures' stats_labels. */
export function statsLabels(p: CocoParams): string[] {
  const short = (x: string) => x.replace(/(^|:)0\./g, "$1.");
  return specs(p).map((s) => `${s.ap ? "AP" : "AR"}@[${short(iouString(p, s.iouThr))}|${s.areaRng}|${s.maxDets}]`);
}

export interface CategoryResult {
  readonly categoryId: CocoId;
  readonly name: string;
  /** AP at IoU .50:.95, area "all", the last maxDets; -1 without ground truth. */
  readonly ap: number;
  readonly ap50: number;
  readonly ap75: number;
  /** AR at IoU .50:.95, area "all", the last maxDets (100 by default). */
  readonly ar100: number;
}

/** Per-category AP / AR: the same means as the stats, over one category's slice (area index 0, last maxDets). */
export function perCategory(acc: Accumulated, p: CocoParams, categoryIds: readonly CocoId[], nameOf: (id: CocoId) => string): CategoryResult[] {
  const [T, R, , A, M] = acc.precisionShape;
  const K = acc.kIndex.length; // stored K indices (the others are -1 throughout: no AP, no AR)
  const stored = storedIndex(acc);
  const a = 0;
  const m = M - 1;
  const apAt = (k: number, ts: number[]) => {
    const out: number[] = [];
    for (const t of ts)
      for (let r = 0; r < R; r++) {
        const v = acc.precision[(((t * R + r) * K + k) * A + a) * M + m]!;
        if (v > -1) out.push(v);
      }
    return meanValid(out);
  };
  const all = [...Array(T).keys()];
  const at = (thr: number) => all.filter((t) => p.iouThrs[t] === thr);
  const t50 = at(0.5);
  const t75 = at(0.75);
  return categoryIds.map((id, q) => {
    const k = stored[q]!;
    if (A === 0 || M === 0 || k < 0) return { categoryId: id, name: nameOf(id), ap: -1, ap50: -1, ap75: -1, ar100: -1 };
    const rec: number[] = [];
    for (let t = 0; t < T; t++) {
      const v = acc.recall[((t * K + k) * A + a) * M + m]!;
      if (v > -1) rec.push(v);
    }
    return { categoryId: id, name: nameOf(id), ap: apAt(k, all), ap50: apAt(k, t50), ap75: apAt(k, t75), ar100: meanValid(rec) };
  });
}
