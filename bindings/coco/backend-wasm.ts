// The wasm backend: the engine's plan, match and accumulate kernels (kernel-host.ts over assembly/plan.ts,
// match.ts, accumulate.ts), with mask IoU computed in the match kernel from masks built in bulk
// (mask-pool.ts). The per-detection `matches` are not a kernel output: they come from the TypeScript
// match, on first use.
import { engineKernels, type Kernels } from "../engine/host.js";
import type { CocoBackend, CocoMatched, PreparedCoco } from "./backend.js";
import {
  bitsOutOf,
  countLabels,
  type MatchBits,
  type MatchColumns,
  matchPlanOf,
  releaseBits,
  type ResidentBits,
  accumulateScoresOnRead,
  runCocoAccumulate,
  runCocoMatchResident,
  runCocoPlan,
} from "./kernel-host.js";
import { crowdRegionsOf, matchReference } from "./match-ts.js";
import { computeIou, iouOffsets, maskInputs } from "./overlaps.js";
import { resolveResultGeometry } from "./object-rle.js";
import { resolveResultGeometryBulk } from "./mask-pool.js";
import { type Accumulated, type CocoMatches, MATCH_GIVEN_IOU, MATCH_MASK_IOU, type MatchOutcomes } from "./types.js";

export function wasmBackend(k: Kernels): CocoBackend {
  return {
    name: "wasm",
    kernels: k,
    plan: (input) => runCocoPlan(k, input),
    match(prep: PreparedCoco): CocoMatched {
      const tIou = performance.now();
      return residentMatched(prep, k, matchResident(prep, k, () => (prep.timings.iou = performance.now() - tIou)));
    },
  };
}

/** Every block matched, the bits left pinned in the engine (with the label counts of mask IoU); `columnsDone`: the IoU / mask work is done. */
function matchResident(prep: PreparedCoco, k: Kernels, columnsDone?: () => void): ResidentBits {
  try {
    const cols = matchColumnsOf(prep, k);
    columnsDone?.();
    return runCocoMatchResident(k, matchPlanOf(prep.plan), cols);
  } catch (e) {
    releaseBits(k); // (the resident label counts and any bits)
    throw e;
  }
}

/**
 * The outcome of matching while the bits are in the engine (pinned): accumulate reads them there
 * and ends the pin, outcomes copies them out first. The engine does no other work in between
 * (evaluate.ts accumulates right after matching). Once released, outcomes matches again.
 */
function residentMatched(prep: PreparedCoco, k: Kernels, resident: ResidentBits): CocoMatched {
  let held: ResidentBits | null = resident;
  let copied: MatchBits | null = null;
  const bits = (): MatchBits => {
    if (!copied) {
      copied = bitsOutOf(k, held ?? matchResident(prep, k));
      held = null;
    }
    return copied;
  };
  return {
    zeroIdMatches: resident.zeroIdMatches,
    accumulate: () => {
      const npig = countLabels(prep.plan, prep.gt.annotations.area, prep.gtBaseIgnore);
      if (!held) return accumulateScoresOnRead(k, prep.plan, bits(), prep.dt.score, npig, bits);
      const r = held;
      held = null;
      try {
        // (scores, if read, from the bits copied out of a second match)
        return accumulateScoresOnRead(k, prep.plan, r, prep.dt.score, npig, bits);
      } finally {
        releaseBits(k);
      }
    },
    matches: matchesOnce(prep),
    outcomes: () => outcomesOfBits(prep, bits()),
  };
}

/**
 * The columns the match kernel reads (MATCH_GIVEN_IOU computes the IoU / OKS here; MATCH_MASK_IOU
 * builds the masks here). The label masks' counts stay pinned in the engine's memory for
 * the match kernel to read in place; releaseBits ends that pin with the bits'.
 */
function matchColumnsOf(prep: PreparedCoco, k: Kernels): MatchColumns {
  const { engine, gt, dt, plan, mode } = prep;
  let iou: Float64Array | null = null;
  let blockIouStart: Int32Array | undefined;
  let masks: MatchColumns["masks"];
  if (mode === MATCH_GIVEN_IOU) {
    blockIouStart = iouOffsets(plan);
    iou = computeIou(engine, gt, dt, plan, blockIouStart);
  } else if (mode === MATCH_MASK_IOU) masks = maskInputs(k, engine, gt, dt, plan, true);
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
  return {
    zeroIdMatches: bits.zeroIdMatches,
    accumulate: () => accumulateScoresOnRead(k, plan, bits, dt.score, countLabels(plan, gt.annotations.area, prep.gtBaseIgnore), () => bits),
    matches: matchesOnce(prep),
    outcomes: () => outcomesOfBits(prep, bits),
  };
}

/**
 * A CocoMatched whose precision and recall were accumulated elsewhere (workers that accumulated their
 * own categories and kept no bits): `scores`, which no stat reads, and the outcomes match again here
 * on first need (as after evaluateCoco once its resident bits are released).
 */
export function matchedFromAccumulated(prep: PreparedCoco, zeroIdMatches: number, acc: Omit<Accumulated, "scores">): CocoMatched {
  const { engine, gt, dt, plan } = prep;
  const k = engineKernels(engine);
  if (!k) throw new Error("the wasm backend needs the wasm engine's kernels");
  let bits: MatchBits | undefined;
  const matchedAgain = (): MatchBits => {
    // (a split's tasks made the segm-branch geometry of the evaluated results only: all of it first, as evaluateCoco has it)
    if (!bits && dt.geometryPending) resolveResultGeometryBulk(engine, dt);
    return (bits ??= bitsOutOf(k, matchResident(prep, k)));
  };
  return {
    zeroIdMatches,
    accumulate: () => {
      let scores: Float64Array | undefined;
      return Object.defineProperty({ ...acc }, "scores", {
        get: () => (scores ??= runCocoAccumulate(k, plan, matchedAgain(), dt.score, countLabels(plan, gt.annotations.area, prep.gtBaseIgnore)).scores),
        enumerable: true,
      }) as Accumulated;
    },
    matches: matchesOnce(prep),
    outcomes: () => outcomesOfBits(prep, matchedAgain()),
  };
}

/** The per-detection matches (not a kernel output: the TypeScript match), computed on the first call. */
function matchesOnce(prep: PreparedCoco): () => CocoMatches {
  const { engine, gt, dt, plan } = prep;
  let cached: CocoMatches | undefined;
  return () => {
    if (!cached) {
      if (dt.geometryPending) resolveResultGeometry(engine, dt);
      const offs = iouOffsets(plan);
      cached = matchReference(gt, dt, plan, computeIou(engine, gt, dt, plan, offs), offs).matches;
    }
    return cached;
  };
}

/** The kernel's tp / ign bits ([a][detection entry], W words) as types.ts MatchOutcomes. */
function outcomesOfBits(prep: PreparedCoco, bits: MatchBits): MatchOutcomes {
  const { plan, gt, p, gtBaseIgnore } = prep;
  const { T, A, gtList } = plan;
  const { W, tp, ign } = bits;
  const nDt = plan.dtList.length;
  const AT = A * T;
  const status = new Uint8Array(nDt * AT);
  for (let j = 0; j < nDt; j++) {
    for (let a = 0; a < A; a++) {
      const w0 = (a * nDt + j) * W;
      for (let t = 0; t < T; t++) {
        const bit = 1 << (t & 31);
        const w = w0 + (t >>> 5);
        status[j * AT + a * T + t] = ign[w]! & bit ? 0 : tp[w]! & bit ? 1 : 2;
      }
    }
  }
  // as the accumulate kernel counts labels (runCocoAccumulate): base ignore, or area outside the range
  const nGt = gtList.length;
  const gtIgnore = new Uint8Array(nGt * A);
  for (let g = 0; g < nGt; g++) {
    const ann = gtList[g]!;
    const ar = gt.annotations.area[ann]!;
    for (let a = 0; a < A; a++) gtIgnore[g * A + a] = gtBaseIgnore[ann] || ar < p.areaRng[a]![0] || ar > p.areaRng[a]![1] ? 1 : 0;
  }
  return { status, gtIgnore };
}
