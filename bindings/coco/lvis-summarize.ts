// lvis-api's LVISEval.summarize() and print_results(): the means (numpy's pairwise summation) of the
// entries > -1 of precision / recall slices, AP also per frequency group (r, c, f), and the print-out.
import type { Accumulated } from "./types.js";
import type { CocoParams } from "./params.js";
import { formatFixed, npSum } from "./numeric.js";

/** Params.img_count_lbl: the frequency groups, in lvis-api's order. */
export const LVIS_FREQUENCIES = ["r", "c", "f"] as const;

/** The keys of lvis-api's results dict, in its order (max_dets 300). */
export const LVIS_RESULT_NAMES = ["AP", "AP50", "AP75", "APs", "APm", "APl", "APr", "APc", "APf", "AR@300", "ARs@300", "ARm@300", "ARl@300"] as const;
export type LvisResultName = (typeof LVIS_RESULT_NAMES)[number];

interface Spec {
  ap: boolean;
  iouThr?: number;
  area: string;
  group?: number;
}

const SPECS: readonly Spec[] = [
  { ap: true, area: "all" },
  { ap: true, iouThr: 0.5, area: "all" },
  { ap: true, iouThr: 0.75, area: "all" },
  { ap: true, area: "small" },
  { ap: true, area: "medium" },
  { ap: true, area: "large" },
  { ap: true, area: "all", group: 0 },
  { ap: true, area: "all", group: 1 },
  { ap: true, area: "all", group: 2 },
  { ap: false, area: "all" },
  { ap: false, area: "small" },
  { ap: false, area: "medium" },
  { ap: false, area: "large" },
];

/** _summarize: s[s > -1].mean() over the selected slice in C order (t, r, k), or -1 when empty. */
function value(acc: Accumulated, p: CocoParams, groupOfK: Uint8Array, s: Spec): number {
  const [T, R, , A, M] = acc.precisionShape;
  const Ks = acc.kIndex.length; // K indices without evalImgs hold -1 only: the mean leaves them out
  const ts: number[] = [];
  for (let t = 0; t < T; t++) if (s.iouThr === undefined || p.iouThrs[t] === s.iouThr) ts.push(t);
  const aind: number[] = [];
  p.areaRngLbl.forEach((l, i) => l === s.area && aind.push(i));
  const out: number[] = [];
  if (s.ap) {
    for (const t of ts)
      for (let r = 0; r < R; r++)
        for (let q = 0; q < Ks; q++) {
          if (s.group !== undefined && groupOfK[acc.kIndex[q]!] !== s.group) continue;
          for (const a of aind) {
            const v = acc.precision[(((t * R + r) * Ks + q) * A + a) * M]!;
            if (v > -1) out.push(v);
          }
        }
  } else {
    for (const t of ts)
      for (let q = 0; q < Ks; q++)
        for (const a of aind) {
          const v = acc.recall[((t * Ks + q) * A + a) * M]!;
          if (v > -1) out.push(v);
        }
  }
  return out.length === 0 ? -1 : npSum(out) / out.length;
}

/** The results dict; `groupOfK[k]`: the frequency group of the K axis' category k. */
export function lvisResults(acc: Accumulated, p: CocoParams, groupOfK: Uint8Array): Record<LvisResultName, number> {
  const out = {} as Record<LvisResultName, number>;
  LVIS_RESULT_NAMES.forEach((name, i) => {
    out[name] = value(acc, p, groupOfK, SPECS[i]!);
  });
  return out;
}

/** print_results(): one line per key, lvis-api's template and its reading of the key's third character. */
export function lvisSummaryLines(results: Readonly<Record<LvisResultName, number>>, p: CocoParams): string[] {
  const maxDets = String(p.maxDets[p.maxDets.length - 1] ?? 0).padStart(3);
  const iouRange = `${formatFixed(p.iouThrs[0]!, 2)}:${formatFixed(p.iouThrs[p.iouThrs.length - 1]!, 2)}`;
  return LVIS_RESULT_NAMES.map((key) => {
    const title = key.includes("AP") ? "Average Precision" : "Average Recall";
    const type = key.includes("AP") ? "(AP)" : "(AR)";
    const c = key[2] ?? "";
    const iou = c >= "0" && c <= "9" ? formatFixed(Number(key.slice(2)) / 100, 2) : iouRange;
    const group = c === "r" || c === "c" || c === "f" ? c : "all";
    const area = c === "s" || c === "m" || c === "l" ? c : "all";
    return ` ${title.padEnd(18)} ${type} @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | maxDets=${maxDets} catIds=${group.padStart(3)}] = ${formatFixed(results[key], 3)}`;
  });
}
