// What an evaluation answers once accumulate() is done: pycocotools' stats, print-out, arrays and the
// per-category table. Shared by one evaluation (evaluate.ts) and a merge of partial states (state.ts).
import type { Accumulated } from "./types.js";
import type { CocoId } from "./ids.js";
import type { CocoParams } from "./params.js";
import type { CocoTimings } from "./backend.js";
import type { Kernels } from "../engine/host.js";
import { densePrecision, denseRecall, denseScores } from "./accumulated.js";
import { type CategoryResult, perCategory, statsLabels, summarize, summaryLines } from "./summarize.js";

export interface CocoCategoryResult extends CategoryResult {}

export interface CocoSummary {
  readonly params: CocoParams;
  /** pycocotools' stats: 12 values (10 for keypoints), -1 where nothing was evaluated. */
  readonly stats: number[];
  /** Short labels of stats, e.g. "AP@[.50:.95|all|100]". */
  readonly statsLabels: string[];
  /** pycocotools' summarize() print-out, line for line. */
  summary(): string;
  /** precision[T,R,K,A,M], C order; -1 where a category has no ground truth (made on first access: T*R*K*A*M float64). */
  readonly precision: Float64Array;
  readonly precisionShape: readonly [number, number, number, number, number];
  /** recall[T,K,A,M], C order. */
  readonly recall: Float64Array;
  readonly recallShape: readonly [number, number, number, number];
  /** scores[T,R,K,A,M]: the score at each precision point (made on first access). */
  readonly scores: Float64Array;
  /** AP (IoU .50:.95), AP50, AP75, AR at the last maxDets; area "all"; -1 where pycocotools has -1. */
  perCategory(): CocoCategoryResult[];
  /** Quirks reproduced for parity and other remarks (parsing warnings included). */
  readonly warnings: string[];
  /** Milliseconds per stage. */
  readonly timings: CocoTimings;
}

/**
 * summarize() over accumulate()'s arrays; `categoryName(k)`: the name of K index k (params.catIds[k]),
 * or undefined for an id the dataset does not name; `kernels`: the engine's, which compute the means
 * (the same numbers as the TypeScript means).
 */
export function cocoSummary(
  p: CocoParams,
  acc: Accumulated,
  warnings: string[],
  timings: CocoTimings,
  categoryName: (k: number) => string | undefined,
  kernels: Kernels | null = null,
): CocoSummary {
  const tSum = performance.now();
  const stats = summarize(acc, p, kernels);
  timings.summarize = performance.now() - tSum;
  const useCats = p.useCats;
  const categoryIds: CocoId[] = useCats ? [...p.catIds] : [-1];
  // pycocotools' arrays, made on first access (their size follows the categories of the
  // evaluation, the stored slices those with data)
  let precision: Float64Array | undefined;
  let recall: Float64Array | undefined;
  let scores: Float64Array | undefined;
  return {
    params: p,
    stats,
    statsLabels: statsLabels(p),
    summary: () => summaryLines(acc, p, stats).join("\n"),
    get precision() {
      precision ??= densePrecision(acc);
      return precision;
    },
    precisionShape: acc.precisionShape,
    get recall() {
      recall ??= denseRecall(acc);
      return recall;
    },
    recallShape: acc.recallShape,
    get scores() {
      scores ??= denseScores(acc);
      return scores;
    },
    perCategory: () => {
      const names = categoryIds.map((id, k) => (useCats ? (categoryName(k) ?? String(id)) : "all"));
      const byId = new Map(categoryIds.map((id, k) => [id, names[k]!]));
      return perCategory(acc, p, categoryIds, (id) => byId.get(id)!, kernels);
    },
    warnings,
    timings,
  };
}
