// pycocotools' evaluateImg in TypeScript: the greedy matching of every block at every area range and
// IoU threshold. The production path for engines without the wasm kernels, and the twin that the
// property tests compare the wasm match kernel (assembly/match.ts) with.
import type { CocoMatches, CocoPlan, MatchOutcomes } from "./types.js";
import type { CocoDataset, CocoResults } from "./inputs.js";

// per dataset, made once: a training loop or a shard evaluates a few images of a large dataset many
// times, and these are O(annotations) (a parsed dataset's annotations do not change)
const baseIgnoreCache = new WeakMap<CocoDataset, { kp?: Uint8Array; other?: Uint8Array; crowd?: Uint8Array }>();
function cacheOf(gt: CocoDataset) {
  let c = baseIgnoreCache.get(gt);
  if (!c) baseIgnoreCache.set(gt, (c = {}));
  return c;
}

/** pycocotools' ignore flag before the area ranges: crowd, or keypoints without visible points (shared: do not modify). */
export function baseIgnoreOf(gt: CocoDataset, iouType: string): Uint8Array {
  const kp = iouType === "keypoints";
  const c = cacheOf(gt);
  const cached = kp ? c.kp : c.other;
  if (cached) return cached;
  const anns = gt.annotations;
  const out = new Uint8Array(anns.count);
  for (let a = 0; a < anns.count; a++) out[a] = anns.crowd[a] !== 0 || (kp && anns.raw[a]!.num_keypoints === 0) ? 1 : 0;
  if (kp) c.kp = out;
  else c.other = out;
  return out;
}

/** The crowd regions: crowd IoU, and matched more than once (pycocotools' int(iscrowd) != 0; 0.5 is not one). Shared: do not modify. */
export function crowdRegionsOf(gt: CocoDataset): Uint8Array {
  const cache = cacheOf(gt);
  if (cache.crowd) return cache.crowd;
  const c = gt.annotations.crowd;
  const out = new Uint8Array(c.length);
  for (let a = 0; a < c.length; a++) out[a] = c[a] === 1 ? 1 : 0;
  cache.crowd = out;
  return out;
}

/** The TypeScript matching: every (area range, IoU threshold, detection), as pycocotools' evaluateImg. */
export function matchReference(
  gt: CocoDataset,
  dt: CocoResults,
  plan: CocoPlan,
  iou: Float64Array,
  blockIouStart: Int32Array,
): { matches: CocoMatches; zeroIdMatches: number } {
  const { p, T, A, nBlocks, blockGtStart, blockDtStart, gtList, dtList } = plan;
  const anns = gt.annotations;
  const nGt = gtList.length;
  const nDt = dtList.length;
  const kpNoOks = p.iouType === "keypoints" && !p.useCats;
  const dtMatch = new Int32Array(A * T * nDt).fill(-1);
  const dtIgnore = new Uint8Array(A * T * nDt);
  const gtMatch = new Int32Array(A * T * nGt).fill(-1);
  const gtIgnore = new Uint8Array(A * nGt);
  const base = baseIgnoreOf(gt, p.iouType);
  const baseIgnore = new Uint8Array(nGt);
  const gtCrowd = new Uint8Array(nGt);
  const gtArea = new Float64Array(nGt);
  for (let j = 0; j < nGt; j++) {
    const a = gtList[j]!;
    baseIgnore[j] = base[a]!;
    gtCrowd[j] = anns.crowd[a] === 1 ? 1 : 0;
    gtArea[j] = anns.area[a]!;
  }
  const dtArea = new Float64Array(nDt);
  for (let j = 0; j < nDt; j++) dtArea[j] = dt.area[dtList[j]!]!;
  const thr = p.iouThrs.map((t) => Math.min(t, 1 - 1e-10));
  const idZero = anns.idIsZero;
  let zeroIdMatches = 0;
  const order = new Int32Array(plan.maxG);
  const gtm = new Int32Array(plan.maxG);
  for (let b = 0; b < nBlocks; b++) {
    const g0 = blockGtStart[b]!;
    const G = blockGtStart[b + 1]! - g0;
    const d0 = blockDtStart[b]!;
    const D = blockDtStart[b + 1]! - d0;
    const off = blockIouStart[b]!;
    const haveIou = G > 0 && D > 0 && !kpNoOks;
    for (let ai = 0; ai < A; ai++) {
      const lo = p.areaRng[ai]![0];
      const hi = p.areaRng[ai]![1];
      const ig = ai * nGt + g0; // gtIgnore[ig + g] for this block's label g
      let nReg = 0;
      for (let j = 0; j < G; j++) {
        const ar = gtArea[g0 + j]!;
        const v = baseIgnore[g0 + j] || ar < lo || ar > hi ? 1 : 0;
        gtIgnore[ig + j] = v;
        if (!v) nReg++;
      }
      // ignored ground truth last (stable)
      let r0 = 0;
      let r1 = nReg;
      for (let j = 0; j < G; j++) order[gtIgnore[ig + j] ? r1++ : r0++] = j;
      for (let ti = 0; ti < T; ti++) {
        const base = (ai * T + ti) * nDt + d0;
        const gBase = (ai * T + ti) * nGt + g0;
        if (haveIou) {
          const t = thr[ti]!;
          for (let j = 0; j < G; j++) gtm[j] = -1;
          for (let d = 0; d < D; d++) {
            let best = t;
            let m = -1;
            const row = off + d * G;
            for (let q = 0; q < G; q++) {
              const g = order[q]!;
              if (gtm[g]! >= 0 && !gtCrowd[g0 + g]) continue;
              if (m > -1 && !gtIgnore[ig + m] && gtIgnore[ig + g]) break;
              const v = iou[row + g]!;
              if (v < best) continue;
              best = v;
              m = g;
            }
            if (m === -1) continue;
            const ann = gtList[g0 + m]!;
            dtIgnore[base + d] = gtIgnore[ig + m]!;
            dtMatch[base + d] = ann;
            gtm[m] = d;
            gtMatch[gBase + m] = dtList[d0 + d]!;
            if (idZero[ann]) zeroIdMatches++;
          }
        }
        // unmatched detections outside the area range are ignored (a match to id 0 reads as unmatched)
        for (let d = 0; d < D; d++) {
          const m = dtMatch[base + d]!;
          if (m < 0 || idZero[m]) {
            const ar = dtArea[d0 + d]!;
            if (ar < lo || ar > hi) dtIgnore[base + d] = 1;
          }
        }
      }
    }
  }
  const blockImage = new Int32Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) blockImage[b] = gt.images.indexOf(p.imgIds[plan.blockImagePos[b]!]);
  const matches: CocoMatches = {
    T,
    A,
    blockCount: nBlocks,
    blockImage,
    blockCategory: p.useCats ? plan.blockK.slice() : new Int32Array(nBlocks).fill(-1),
    blockDtStart,
    blockGtStart,
    blockIouStart,
    dt: dtList,
    gt: gtList,
    iou,
    dtMatch,
    dtIgnore,
    gtMatch,
    gtIgnore,
  };
  return { matches, zeroIdMatches };
}

/** The matching as accumulate() reads it (types.ts MatchOutcomes): statuses detection-major, label ignores label-major. */
export function outcomesOfMatches(m: CocoMatches, idIsZero: Uint8Array): MatchOutcomes {
  const { T, A } = m;
  const nDt = m.dt.length;
  const nGt = m.gt.length;
  const AT = A * T;
  const status = new Uint8Array(nDt * AT);
  for (let at = 0; at < AT; at++) {
    const base = at * nDt;
    for (let j = 0; j < nDt; j++) {
      const mt = m.dtMatch[base + j]!;
      status[j * AT + at] = m.dtIgnore[base + j] ? 0 : mt >= 0 && !idIsZero[mt] ? 1 : 2;
    }
  }
  const gtIgnore = new Uint8Array(nGt * A);
  for (let a = 0; a < A; a++) for (let g = 0; g < nGt; g++) gtIgnore[g * A + a] = m.gtIgnore[a * nGt + g]!;
  return { status, gtIgnore };
}
