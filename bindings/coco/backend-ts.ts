// The TypeScript backend: the plan (plan.ts planBlocks), IoU / OKS through any GeometryEngine
// (overlaps.ts), pycocotools' matching (match-ts.ts) and accumulate (accumulate.ts). The oracle of
// the wasm backend, and the path of engines without kernels (the TypeScript reference geometry).
import { accumulate } from "./accumulate.js";
import type { CocoBackend, CocoMatched, PreparedCoco } from "./backend.js";
import { matchReference, outcomesOfMatches } from "./match-ts.js";
import { computeIou, iouOffsets } from "./overlaps.js";
import { planBlocks } from "./plan.js";

export const typescriptBackend: CocoBackend = {
  name: "typescript",
  kernels: null,
  plan: planBlocks,
  match(prep: PreparedCoco): CocoMatched {
    const { engine, gt, dt, p, plan, timings } = prep;
    const tIou = performance.now();
    const blockIouStart = iouOffsets(plan);
    const iou = computeIou(engine, gt, dt, plan, blockIouStart);
    timings.iou = performance.now() - tIou;
    const { matches, zeroIdMatches } = matchReference(gt, dt, plan, iou, blockIouStart);
    return {
      zeroIdMatches,
      accumulate: () => accumulate(matches, p, dt.score, gt.annotations.idIsZero),
      matches: () => matches,
      outcomes: () => outcomesOfMatches(matches, gt.annotations.idIsZero),
    };
  },
};
