// pycocotools COCOeval.summarize(): the 12 (10 for keypoints) stats as means, with numpy's pairwise
// summation, of the entries > -1 of precision / recall slices, and the print-out line for line.
import type { Accumulated } from "./types.js";
import type { CocoId } from "./ids.js";
import { formatFixed, npSum } from "./numeric.js";
import { storedIndex } from "./accumulated.js";
import type { CocoParams } from "./params.js";
import type { Kernels } from "../engine/host.js";
import { type Gather, runGatherMeans } from "./kernel-host.js";

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

function statGather(acc: Accumulated, p: CocoParams, s: StatSpec): Gather {
  // over the stored K indices only: the others hold -1 alone, which the mean leaves out
  const [T, R, , A, M] = acc.precisionShape;
  const K = acc.kIndex.length;
  const ts: number[] = [];
  for (let t = 0; t < T; t++) if (s.iouThr === undefined || p.iouThrs[t] === s.iouThr) ts.push(t);
  const aind: number[] = [];
  p.areaRngLbl.forEach((l, i) => l === s.areaRng && aind.push(i));
  const mind: number[] = [];
  p.maxDets.forEach((m, i) => m === s.maxDets && mind.push(i));
  const pairOff = pairs(aind, mind).map(([a, m]) => a * M + m);
  // precision[t][r][k][a][m]: (r, k) is one run of R * K cells A * M apart; recall[t][k][a][m]: K of them
  return s.ap
    ? { src: "precision", tOff: ts.map((t) => t * R * K * A * M), n: R * K, stride: A * M, pairOff }
    : { src: "recall", tOff: ts.map((t) => t * K * A * M), n: K, stride: A * M, pairOff };
}

let scratch = new Float64Array(0);

/** A gather's mean in TypeScript (the twin of assembly/summarize.ts gatherMean). */
export function gatherMean(values: Float64Array, g: Gather): number {
  const need = g.tOff.length * g.n * g.pairOff.length;
  if (scratch.length < need) scratch = new Float64Array(need);
  const out = scratch; // reused: the bootstrap summarizes once per resample
  let n = 0;
  for (const base of g.tOff)
    for (let i = 0; i < g.n; i++)
      for (const off of g.pairOff) {
        const v = values[base + i * g.stride + off]!;
        if (v > -1) out[n++] = v;
      }
  return meanValid(out, n);
}

/** Cells the engine takes a copy of (128 MiB); larger arrays (tens of thousands of categories) are summarized here. */
const ENGINE_SUMMARIZE_CELLS = 1 << 24;

/** The means of `gathers`: in the engine when there is one (and the arrays are not huge), else in TypeScript. */
function gatherMeans(acc: Accumulated, gathers: readonly Gather[], k: Kernels | null): number[] {
  if (k && acc.precision.length + acc.recall.length <= ENGINE_SUMMARIZE_CELLS) return runGatherMeans(k, acc.precision, acc.recall, gathers);
  return gathers.map((g) => gatherMean(g.src === "precision" ? acc.precision : acc.recall, g));
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

/** The stats; `k`: the engine's kernels, which compute them faster (the same numbers). */
export function summarize(acc: Accumulated, p: CocoParams, k: Kernels | null = null): number[] {
  return gatherMeans(acc, specs(p).map((s) => statGather(acc, p, s)), k);
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
    const v = stats ? stats[i]! : gatherMean(s.ap ? acc.precision : acc.recall, statGather(acc, p, s));
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
export function perCategory(acc: Accumulated, p: CocoParams, categoryIds: readonly CocoId[], nameOf: (id: CocoId) => string, k: Kernels | null = null): CategoryResult[] {
  const [T, R, , A, M] = acc.precisionShape;
  const K = acc.kIndex.length; // stored K indices (the others are -1 throughout: no AP, no AR)
  const stored = storedIndex(acc);
  const am = A * M;
  const pairOff = [M - 1]; // area index 0, the last maxDets
  const all = [...Array(T).keys()];
  const at = (thr: number) => all.filter((t) => p.iouThrs[t] === thr);
  const t50 = at(0.5);
  const t75 = at(0.75);
  // precision[t][r][kk][0][M-1] over r, recall[t][kk][0][M-1]
  const ap = (kk: number, ts: number[]): Gather => ({ src: "precision", tOff: ts.map((t) => t * R * K * am + kk * am), n: R, stride: K * am, pairOff });
  const ar = (kk: number): Gather => ({ src: "recall", tOff: all.map((t) => t * K * am + kk * am), n: 1, stride: 0, pairOff });
  const valid = A !== 0 && M !== 0;
  const gathers: Gather[] = [];
  for (let q = 0; q < categoryIds.length; q++) {
    const kk = stored[q]!;
    if (valid && kk >= 0) gathers.push(ap(kk, all), ap(kk, t50), ap(kk, t75), ar(kk));
  }
  const means = gatherMeans(acc, gathers, k);
  let g = 0;
  return categoryIds.map((id, q) => {
    if (!valid || stored[q]! < 0) return { categoryId: id, name: nameOf(id), ap: -1, ap50: -1, ap75: -1, ar100: -1 };
    const out = { categoryId: id, name: nameOf(id), ap: means[g]!, ap50: means[g + 1]!, ap75: means[g + 2]!, ar100: means[g + 3]! };
    g += 4;
    return out;
  });
}
