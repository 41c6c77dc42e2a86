// The wasm backend: the engine's plan, match and accumulate kernels (kernel-host.ts over assembly/plan.ts,
// match.ts, accumulate.ts), with mask IoU computed in the match kernel from masks built in bulk
// (mask-pool.ts). The per-detection `matches` are not a kernel output: they come from the TypeScript
// match, on first use.
import { engineKernels, type Kernels } from "../engine/host.js";
import type { CocoBackend, CocoMatched, PreparedCoco } from "./backend.js";
import { type MatchBits, type MatchColumns, matchPlanOf, runCocoAccumulate, runCocoMatch, runCocoPlan } from "./kernel-host.js";
import { crowdRegionsOf, matchReference } from "./match-ts.js";
import { computeIou, iouOffsets, maskInputs } from "./overlaps.js";
import { resolveResultGeometry } from "./object-rle.js";
import { type CocoMatches, MATCH_GIVEN_IOU, MATCH_MASK_IOU } from "./types.js";

export function wasmBackend(k: Kernels): CocoBackend {
  return {
    name: "wasm",
    plan: (input) => runCocoPlan(k, input),
    match(prep: PreparedCoco): CocoMatched {
      const tIou = performance.now();
      let bits: MatchBits;
      try {
        const cols = matchColumnsOf(prep, k, true);
        prep.timings.iou = performance.now() - tIou;
        bits = runCocoMatch(k, matchPlanOf(prep.plan), cols);
      } finally {
        if (prep.mode === MATCH_MASK_IOU) k.unpin();
      }
      return matchedFromBits(prep, bits);
    },
  };
}

/**
 * The columns the match kernel reads (MATCH_GIVEN_IOU computes the IoU / OKS here; MATCH_MASK_IOU
 * builds the masks here). `resident`: the label masks' counts stay pinned in the engine's memory for
 * runCocoMatch to read in place; the caller unpins them (k.unpin()) after the match.
 */
function matchColumnsOf(prep: PreparedCoco, k: Kernels, resident: boolean): MatchColumns {
  const { engine, gt, dt, plan, mode } = prep;
  let iou: Float64Array | null = null;
  let blockIouStart: Int32Array | undefined;
  let masks: MatchColumns["masks"];
  if (mode === MATCH_GIVEN_IOU) {
    blockIouStart = iouOffsets(plan);
    iou = computeIou(engine, gt, dt, plan, blockIouStart);
  } else if (mode === MATCH_MASK_IOU) masks = maskInputs(k, engine, gt, dt, plan, resident);
  return {
    mode,
    masks,
    iou,
    blockIouStart,
    gtBox: gt.annotations.box,
    gtArea: gt.annotations.area,
    gtCrowd: crowdRegionsOf(gt),
    gtBaseIgnore: prep.gtBaseIgnore,
    gtIdZero: gt.annotations.idIsZero,
    dtBox: dt.box,
    dtArea: dt.area,
  };
}

/** The outcome of matching every block (here, or merged from the workers' shares) in the wasm backend. */
export function matchedFromBits(prep: PreparedCoco, bits: MatchBits): CocoMatched {
  const { engine, gt, dt, plan } = prep;
  const k = engineKernels(engine);
  if (!k) throw new Error("the wasm backend needs the wasm engine's kernels");
  let cached: CocoMatches | undefined;
  return {
    zeroIdMatches: bits.zeroIdMatches,
    accumulate: () => runCocoAccumulate(k, plan, bits, dt.score, gt.annotations.area, prep.gtBaseIgnore),
    matches: () => {
      if (!cached) {
        if (dt.geometryPending) resolveResultGeometry(engine, dt);
        const offs = iouOffsets(plan);
        cached = matchReference(gt, dt, plan, computeIou(engine, gt, dt, plan, offs), offs).matches;
      }
      return cached;
    },
  };
}
