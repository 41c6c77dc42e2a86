// The stages of a COCO evaluation after the input checks, as one interface with two implementations:
// backend-wasm.ts (the engine's kernels) and backend-ts.ts (plain TypeScript, any GeometryEngine:
// the oracle the wasm path is tested against). evaluate.ts picks one and orchestrates.
import type { GeometryEngine } from "../geometry/types.js";
import type { Kernels } from "../engine/host.js";
import type { CocoDataset, CocoResults } from "./inputs.js";
import type { CocoParams } from "./params.js";
import type { Accumulated, CocoMatches, CocoPlan, MatchMode, MatchOutcomes, PlanInput, PlanOutput } from "./types.js";

/** Milliseconds per stage; `evaluate` covers everything before accumulate (plan, geometry, IoU, matching). */
export interface CocoTimings {
  evaluate: number;
  accumulate: number;
  [stage: string]: number;
}

/** What evaluateCoco computes before matching: shared by the single-thread and the worker paths. */
export interface PreparedCoco {
  readonly engine: GeometryEngine;
  readonly gt: CocoDataset;
  readonly dt: CocoResults;
  readonly p: CocoParams;
  readonly plan: CocoPlan;
  readonly warnings: string[];
  readonly timings: CocoTimings;
  readonly t0: number;
  /** The backend that matches and accumulates. */
  readonly backend: CocoBackend;
  /** How the wasm match kernel gets its IoU (see MatchColumns.mode). */
  readonly mode: MatchMode;
  readonly gtBaseIgnore: Uint8Array;
}

/** pycocotools' evaluate() done: what accumulate() and the per-detection detail come from. */
export interface CocoMatched {
  /** Matches that went to a label with id 0 (pycocotools counts them as false positives). */
  readonly zeroIdMatches: number;
  /** pycocotools' accumulate(): precision, recall and scores. */
  accumulate(): Accumulated;
  /** The per-detection matching (may be computed on the first call). */
  matches(): CocoMatches;
  /** Each entry's outcome as accumulate() reads it (the partial state of state.ts). */
  outcomes(): MatchOutcomes;
}

export interface CocoBackend {
  readonly name: "wasm" | "typescript";
  /** The engine's kernels behind it (summarize's means run there too), or null. */
  readonly kernels: Kernels | null;
  /** The blocks, lists and orders of an evaluation (planEvaluation gives the inputs). */
  plan(input: PlanInput): PlanOutput;
  /** pycocotools' evaluate() over every block; records `timings.iou` (the IoU / OKS or mask work before matching). */
  match(prep: PreparedCoco): CocoMatched;
}
