// Boundary IoU of every block (iouType "boundary"), as boundary-iou-api's COCOeval.computeBoundaryIoU:
// the mask IoU, and for labels that are not crowd regions its minimum with the IoU of the two masks'
// boundaries (each boundary from the object's own mask: mask_to_boundary at the dilation its size's
// diagonal gives, geometry/boundary.ts). Crowd regions keep the crowd mask IoU, as the reference does.
import type { GeometryEngine, Rle } from "../geometry/types.js";
import { boundaryDilation } from "../geometry/boundary.js";
import type { CocoDataset, CocoResults } from "./inputs.js";
import type { CocoPlan } from "./types.js";
import { annotationRle, maskIouBlocks, resultRle } from "./object-rle.js";

type Cache = Map<number, (Rle | undefined)[]>;
const gtBoundaries = new WeakMap<CocoDataset, Cache>();
const dtBoundaries = new WeakMap<CocoResults, Cache>();

/** The boundary of object i's mask at `ratio` (cached per parsed input and ratio). */
function boundaryOf<T extends object>(store: WeakMap<T, Cache>, owner: T, count: number, ratio: number, i: number, engine: GeometryEngine, mask: () => Rle): Rle {
  let byRatio = store.get(owner);
  if (!byRatio) store.set(owner, (byRatio = new Map()));
  let cache = byRatio.get(ratio);
  if (!cache) byRatio.set(ratio, (cache = new Array(count)));
  let b = cache[i];
  if (!b) {
    const m = mask();
    b = engine.rleBoundary(m, boundaryDilation(m.h, m.w, ratio));
    cache[i] = b;
  }
  return b;
}

/** The boundary of ground-truth annotation i at `ratio`. */
export function annotationBoundary(engine: GeometryEngine, gt: CocoDataset, i: number, ratio: number): Rle {
  return boundaryOf(gtBoundaries, gt, gt.annotations.count, ratio, i, engine, () => annotationRle(engine, gt, i));
}

/** The boundary of result i at `ratio`. */
export function resultBoundary(engine: GeometryEngine, dt: CocoResults, i: number, ratio: number): Rle {
  return boundaryOf(dtBoundaries, dt, dt.count, ratio, i, engine, () => resultRle(engine, dt, i));
}

/** Boundary IoU of every block of a plan into iou[blockIouStart[b] ..] (detection-major). */
export function boundaryIouBlocks(engine: GeometryEngine, gt: CocoDataset, dt: CocoResults, plan: CocoPlan, blockIouStart: Int32Array, iou: Float64Array): void {
  maskIouBlocks(engine, gt, dt, plan, blockIouStart, iou);
  const { nBlocks, blockGtStart, blockDtStart, gtList, dtList, p } = plan;
  const ratio = p.dilationRatio;
  const crowd = gt.annotations.crowd;
  for (let b = 0; b < nBlocks; b++) {
    const g0 = blockGtStart[b]!;
    const G = blockGtStart[b + 1]! - g0;
    const d0 = blockDtStart[b]!;
    const D = blockDtStart[b + 1]! - d0;
    if (G === 0 || D === 0) continue;
    const region = new Uint8Array(G); // crowd regions (int(iscrowd) != 0): mask IoU only
    const gb: Rle[] = new Array(G);
    for (let j = 0; j < G; j++) {
      const a = gtList[g0 + j]!;
      region[j] = crowd[a] === 1 ? 1 : 0;
      // (a crowd region's boundary IoU is never read: its mask stands in)
      gb[j] = region[j] ? annotationRle(engine, gt, a) : annotationBoundary(engine, gt, a, ratio);
    }
    const db: Rle[] = new Array(D);
    for (let j = 0; j < D; j++) db[j] = resultBoundary(engine, dt, dtList[d0 + j]!, ratio);
    const o = engine.maskIou(db, gb, null);
    const off = blockIouStart[b]!;
    for (let d = 0; d < D; d++) {
      for (let g = 0; g < G; g++) {
        if (region[g]) continue;
        const q = off + d * G + g;
        const v = o[d * G + g]!;
        if (v < iou[q]!) iou[q] = v;
      }
    }
  }
}
