// Host side of assembly/match.ts: lays one evaluation out in the engine's linear memory (raw-pointer
// ABI, see bindings/engine/engine.ts), runs the matching and accumulate kernels in pieces of a few
// milliseconds, and copies precision / recall / scores out once.
import type { GeometryEngine } from "../geometry/types.js";
import type { Accumulated, CocoPlan, PlanInput, PlanOutput } from "./types.js";

/** The exports of engine.wasm this file uses. */
export interface CocoKernelExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  reset(): void;
  cocoMatch(ctx: number, b0: number, b1: number): number;
  cocoAccumulate(ctx: number, k0: number, k1: number): void;
}

/** The kernels of a wasm engine (createEngine()), or null for other GeometryEngines. */
export function cocoKernels(engine: GeometryEngine): CocoKernelExports | null {
  const ex = (engine as { exports?: Record<string, unknown> }).exports;
  if (!ex || typeof ex.cocoMatch !== "function" || typeof ex.cocoAccumulate !== "function") return null;
  return ex as unknown as CocoKernelExports;
}

/** The plan kernel of engine.wasm (assembly/plan.ts), or null for other GeometryEngines. */
export interface PlanKernelExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  reset(): void;
  cocoPlan(ctx: number): number;
}

export function planKernel(engine: GeometryEngine): PlanKernelExports | null {
  const ex = (engine as { exports?: Record<string, unknown> }).exports;
  if (!ex || typeof ex.cocoPlan !== "function" || typeof ex.alloc !== "function") return null;
  return ex as unknown as PlanKernelExports;
}

// cocoPlan context fields (assembly/plan.ts P_*)
const P_NA = 0, P_NR = 1, P_I = 2, P_KC = 3, P_USE_CATS = 4, P_MAX_DET = 5, P_IMG_POS = 6, P_CAT_POS = 7, P_ANN_IMG = 8;
const P_ANN_CAT = 9, P_CANON = 10, P_RES_IMG = 11, P_RES_CAT = 12, P_SCORE = 13, P_S_COUNT = 14, P_S_A = 15, P_S_B = 16;
const P_S_KEYS = 17, P_S_KEYS2 = 18, P_S_PERM = 19, P_S_PERM2 = 20, P_GT_LIST = 21, P_BLOCK_IMG = 22, P_BLOCK_K = 23;
const P_BLOCK_GT = 24, P_BLOCK_DT = 25, P_DT_LIST = 26, P_DT_RANK = 27, P_ACC = 28, P_DT_POS = 29, P_K_START = 30;
const P_K_EVAL = 31, P_OUT_NGT = 32, P_OUT_NBLOCKS = 33, P_OUT_NDT = 34, P_OUT_MAXG = 35, P_OUT_MAXD = 36;
const P_FIELDS = 37;

/** planEvaluation's blocks and orders (bindings/coco/evaluate.ts, the reference) in the engine. */
export function runCocoPlan(k: PlanKernelExports, input: PlanInput): PlanOutput {
  const nA = input.annImage.length;
  const nR = input.resImage.length;
  const K = input.useCats ? input.Kc : 1;
  const nS = Math.max(nA, nR);
  const nB = nA + nR;
  const mem = new Arena(k);
  const ctx = mem.take(4 * P_FIELDS);
  const f: number[] = new Array<number>(P_FIELDS).fill(0);
  f[P_NA] = nA;
  f[P_NR] = nR;
  f[P_I] = input.I;
  f[P_KC] = input.Kc;
  f[P_USE_CATS] = input.useCats ? 1 : 0;
  f[P_MAX_DET] = Math.min(input.maxDet, nR);
  f[P_IMG_POS] = mem.take(4 * input.imgPos.length);
  f[P_CAT_POS] = mem.take(4 * input.catPos.length);
  f[P_ANN_IMG] = mem.take(4 * nA);
  f[P_ANN_CAT] = mem.take(4 * nA);
  f[P_CANON] = input.canonical ? mem.take(4 * nA) : 0;
  f[P_RES_IMG] = mem.take(4 * nR);
  f[P_RES_CAT] = mem.take(4 * nR);
  f[P_SCORE] = mem.take(8 * nR);
  f[P_S_COUNT] = mem.take(4 * (Math.max(input.I, input.Kc) + 1));
  f[P_S_A] = mem.take(4 * nS);
  f[P_S_B] = mem.take(4 * nS);
  f[P_S_KEYS] = mem.take(8 * nR);
  f[P_S_KEYS2] = mem.take(8 * nR);
  f[P_S_PERM] = mem.take(4 * nR);
  f[P_S_PERM2] = mem.take(4 * nR);
  f[P_GT_LIST] = mem.take(4 * nA);
  f[P_BLOCK_IMG] = mem.take(4 * nB);
  f[P_BLOCK_K] = mem.take(4 * nB);
  f[P_BLOCK_GT] = mem.take(4 * (nB + 1));
  f[P_BLOCK_DT] = mem.take(4 * (nB + 1));
  f[P_DT_LIST] = mem.take(4 * nR);
  f[P_DT_RANK] = mem.take(4 * nR);
  f[P_ACC] = mem.take(4 * nR);
  f[P_DT_POS] = mem.take(4 * nR);
  f[P_K_START] = mem.take(4 * (K + 1));
  f[P_K_EVAL] = mem.take(K);
  const buf = k.memory.buffer;
  const i32 = new Int32Array(buf);
  new Uint32Array(buf, ctx, P_FIELDS).set(f);
  i32.set(input.imgPos, f[P_IMG_POS]! >>> 2);
  i32.set(input.catPos, f[P_CAT_POS]! >>> 2);
  i32.set(input.annImage, f[P_ANN_IMG]! >>> 2);
  i32.set(input.annCategory, f[P_ANN_CAT]! >>> 2);
  if (input.canonical) i32.set(input.canonical, f[P_CANON]! >>> 2);
  i32.set(input.resImage, f[P_RES_IMG]! >>> 2);
  i32.set(input.resCategory, f[P_RES_CAT]! >>> 2);
  new Float64Array(buf).set(input.score, f[P_SCORE]! >>> 3);
  const nBlocks = k.cocoPlan(ctx);
  const out = new Uint32Array(k.memory.buffer, ctx, P_FIELDS);
  const nGt = out[P_OUT_NGT]!;
  const nDt = out[P_OUT_NDT]!;
  const maxG = out[P_OUT_MAXG]!;
  const maxD = out[P_OUT_MAXD]!;
  const o = new Int32Array(k.memory.buffer);
  const take = (field: number, n: number): Int32Array => o.slice(f[field]! >>> 2, (f[field]! >>> 2) + n);
  const result: PlanOutput = {
    nBlocks,
    blockImagePos: take(P_BLOCK_IMG, nBlocks),
    blockK: take(P_BLOCK_K, nBlocks),
    blockGtStart: take(P_BLOCK_GT, nBlocks + 1),
    blockDtStart: take(P_BLOCK_DT, nBlocks + 1),
    gtList: take(P_GT_LIST, nGt),
    dtList: take(P_DT_LIST, nDt),
    dtRank: take(P_DT_RANK, nDt),
    accOrder: take(P_ACC, nDt),
    kStart: take(P_K_START, K + 1),
    dtPos: take(P_DT_POS, nDt),
    kEval: new Uint8Array(k.memory.buffer).slice(f[P_K_EVAL]!, f[P_K_EVAL]! + K),
    maxG,
    maxD,
  };
  k.reset();
  return result;
}

// cocoMatch context fields (assembly/match.ts M_*)
const M_MODE = 0, M_T = 1, M_A = 2, M_W = 3, M_THR = 4, M_AREA = 5, M_BLOCK_GT = 6, M_BLOCK_DT = 7, M_BLOCK_IOU = 8;
const M_IOU = 9, M_GT_LIST = 10, M_DT_LIST = 11, M_GT_BOX = 12, M_GT_AREA = 13, M_GT_CROWD = 14, M_GT_BASE_IGNORE = 15;
const M_GT_ID_ZERO = 16, M_DT_BOX = 17, M_DT_AREA = 18, M_DT_POS = 19, M_OUT_TP = 20, M_OUT_IGN = 21, M_NOUT = 22;
const M_S_IOU = 23, M_S_ROWMAX = 24, M_S_GTIG = 25, M_S_ORDER = 26, M_S_GTM = 27, M_S_MATCH = 28, M_S_REP = 29, M_S_DTOUT = 30;
const M_S_ANY = 31, M_CNTS = 32, M_MTAB = 33, M_MBOX = 34, M_DT_MASK = 35, M_GT_MASK = 36, M_S_TAB = 37, M_S_BOX = 38, M_S_CROWD = 39;
const M_FIELDS = 40;
// cocoAccumulate context fields (C_*)
const C_T = 0, C_R = 1, C_K = 2, C_A = 3, C_M = 4, C_W = 5, C_REC_THRS = 6, C_MAX_DETS = 7, C_K_START = 8, C_K_EVAL = 9;
const C_NPIG = 10, C_RANK = 11, C_SCORE = 12, C_TP = 13, C_IGN = 14, C_NOUT = 15, C_PRECISION = 16, C_RECALL = 17;
const C_SCORES = 18, C_S_COUNT = 19, C_S_EV_FP = 20, C_S_EV_SCORE = 21, C_S_FIRST = 22, C_MAXN = 23, C_REC_SORTED = 24;
const C_FIELDS = 25;

/** Work per kernel call (inner-loop steps): about a millisecond of optimised code. */
const MATCH_BUDGET = 1 << 20;
const ACCUMULATE_BUDGET = 1 << 20;

/**
 * A pool of masks: counts, 8 u32 per mask (offset into counts, length, h, w, area, flags), 4 f64 box
 * per mask. `resident`: the counts are pinned in the engine's memory instead (bindings/coco/masks.ts).
 */
export interface MaskPoolLike {
  readonly counts: Uint32Array;
  readonly table: Uint32Array;
  readonly boxes: Float64Array;
  readonly resident?: { readonly ptr: number; readonly length: number };
}

/** What the matching kernel needs of a plan: a whole evaluation's (CocoPlan) or a worker's share. */
export interface MatchPlan {
  readonly T: number;
  readonly A: number;
  readonly iouThrs: readonly number[];
  readonly areaRng: readonly (readonly [number, number])[];
  readonly nBlocks: number;
  readonly blockGtStart: Int32Array;
  readonly blockDtStart: Int32Array;
  /** Annotation index per label entry; result index per detection entry. */
  readonly gtList: Int32Array;
  readonly dtList: Int32Array;
  /** Output position of each detection entry (its bits go to [a][pos]). */
  readonly dtPos: Int32Array;
  readonly nOut: number;
  readonly maxG: number;
  readonly maxD: number;
}

/** A CocoPlan as a MatchPlan (outputs in accumulate order). */
export function matchPlanOf(plan: CocoPlan): MatchPlan {
  return {
    T: plan.T,
    A: plan.A,
    iouThrs: plan.p.iouThrs,
    areaRng: plan.p.areaRng,
    nBlocks: plan.nBlocks,
    blockGtStart: plan.blockGtStart,
    blockDtStart: plan.blockDtStart,
    gtList: plan.gtList,
    dtList: plan.dtList,
    dtPos: plan.dtPos,
    nOut: plan.dtList.length,
    maxG: plan.maxG,
    maxD: plan.maxD,
  };
}

export interface MatchColumns {
  /** 0: box IoU in the kernel (bbox), 1: `iou` given (keypoints), 2: no IoU (nothing matches), 3: mask IoU in the kernel (`masks`). */
  mode: 0 | 1 | 2 | 3;
  /**
   * mode 3: the masks (bindings/coco/masks.ts) of the labels and of the detections, and the mask of
   * each label / detection entry (indices into the label pool and into the detection pool).
   */
  masks?: { gt: MaskPoolLike; dt: MaskPoolLike; gtMask: Int32Array; dtMask: Int32Array };
  /** mode 1: the IoU of each block (d * G + g) at blockIouStart[b]. */
  iou?: Float64Array | null;
  blockIouStart?: Int32Array;
  /** Per annotation. */
  gtBox: Float64Array;
  gtArea: Float64Array;
  gtCrowd: Uint8Array;
  gtBaseIgnore: Uint8Array;
  gtIdZero: Uint8Array;
  /** Per result. */
  dtBox: Float64Array;
  dtArea: Float64Array;
}

/** Per (area range, output position): bit t of tp / ign (W words each), see assembly/match.ts. */
export interface MatchBits {
  readonly W: number;
  readonly tp: Uint32Array;
  readonly ign: Uint32Array;
  readonly zeroIdMatches: number;
}

export interface KernelInput extends MatchColumns {
  plan: CocoPlan;
  score: Float64Array;
}

export interface KernelOutput {
  acc: Accumulated;
  zeroIdMatches: number;
  /** performance.now() when matching started, and the milliseconds of matching and accumulating. */
  matchStart: number;
  matchMs: number;
  accumulateMs: number;
}

/** Bump allocations in the engine's memory; views are taken after the last one (memory.grow detaches). */
class Arena {
  constructor(private readonly k: { reset(): void; alloc(bytes: number): number }) {
    k.reset();
  }
  take(bytes: number): number {
    const p = this.k.alloc(Math.max(bytes, 8));
    if (p === 0) throw new RangeError(`engine.wasm: out of memory allocating ${bytes} bytes for the COCO kernels`);
    return p;
  }
}

/** Matching of every block of `mp`: the tp / ign bits of its detections. */
export function runCocoMatch(k: CocoKernelExports, mp: MatchPlan, input: MatchColumns): MatchBits {
  const { mode } = input;
  const { T, A, nBlocks } = mp;
  const W = Math.ceil(T / 32);
  const nGt = mp.gtList.length;
  const nDt = mp.dtList.length;
  const nOut = mp.nOut;
  const nAnn = input.gtArea.length;
  const nRes = input.dtArea.length;
  const maxG = Math.max(mp.maxG, 1);
  const maxD = Math.max(mp.maxD, 1);
  const mk = input.masks;
  const nGtMasks = mk ? mk.gt.table.length / 8 : 0;
  const nMasks = mk ? nGtMasks + mk.dt.table.length / 8 : 0;

  const mem = new Arena(k);
  // counts first: right after pinned label counts, when they are resident
  const gtResident = mode === 3 ? mk!.gt.resident : undefined;
  const cnts = mode === 3 ? mem.take(4 * ((gtResident ? 0 : mk!.gt.counts.length) + mk!.dt.counts.length)) : 0;
  const cntsBase = gtResident ? gtResident.ptr : cnts; // the offsets in the mask table count from here
  const mctx = mem.take(4 * M_FIELDS);
  const thr = mem.take(8 * T);
  const area = mem.take(16 * A);
  const blockGt = mem.take(4 * (nBlocks + 1));
  const blockDt = mem.take(4 * (nBlocks + 1));
  const blockIou = mode === 1 ? mem.take(4 * (nBlocks + 1)) : 0;
  const iou = mode === 1 ? mem.take(8 * input.iou!.length) : 0;
  const gtList = mem.take(4 * nGt);
  const dtList = mem.take(4 * nDt);
  const gtBox = mode === 0 ? mem.take(32 * nAnn) : 0;
  const gtArea = mem.take(8 * nAnn);
  const gtCrowd = mem.take(nAnn);
  const gtBase = mem.take(nAnn);
  const gtZero = mem.take(nAnn);
  const dtBox = mode === 0 ? mem.take(32 * nRes) : 0;
  const dtArea = mem.take(8 * nRes);
  const dtPos = mem.take(4 * nDt);
  const outTp = mem.take(4 * A * nOut * W);
  const outIgn = mem.take(4 * A * nOut * W);
  const sIou = mode === 0 || mode === 3 ? mem.take(8 * maxD * maxG) : 0;
  const sRowMax = mem.take(8 * maxD);
  const sGtIg = mem.take(A * maxG);
  const sOrder = mem.take(4 * maxG);
  const sGtm = mem.take(4 * maxG);
  const sMatch = mem.take(4 * A * T * maxD);
  const sRep = mem.take(4 * A);
  const sDtOut = mem.take(A * maxD);
  const sAny = mem.take(A * maxD);
  const mtab = mode === 3 ? mem.take(32 * nMasks) : 0;
  const mbox = mode === 3 ? mem.take(32 * nMasks) : 0;
  const dtMaskP = mode === 3 ? mem.take(4 * nDt) : 0;
  const gtMaskP = mode === 3 ? mem.take(4 * nGt) : 0;
  const sTab = mode === 3 ? mem.take(32 * (maxD + maxG)) : 0;
  const sBox = mode === 3 ? mem.take(32 * (maxD + maxG)) : 0;
  const sCrowd = mode === 3 ? mem.take(maxG) : 0;

  const buf = k.memory.buffer;
  const u8 = new Uint8Array(buf);
  const u32 = new Uint32Array(buf);
  const i32 = new Int32Array(buf);
  const f64 = new Float64Array(buf);
  const setField = (i: number, v: number) => (u32[(mctx >>> 2) + i] = v);

  setField(M_MODE, mode);
  setField(M_T, T);
  setField(M_A, A);
  setField(M_W, W);
  for (let t = 0; t < T; t++) f64[(thr >>> 3) + t] = Math.min(mp.iouThrs[t]!, 1 - 1e-10);
  setField(M_THR, thr);
  for (let a = 0; a < A; a++) {
    f64[(area >>> 3) + 2 * a] = mp.areaRng[a]![0];
    f64[(area >>> 3) + 2 * a + 1] = mp.areaRng[a]![1];
  }
  setField(M_AREA, area);
  i32.set(mp.blockGtStart, blockGt >>> 2);
  setField(M_BLOCK_GT, blockGt);
  i32.set(mp.blockDtStart, blockDt >>> 2);
  setField(M_BLOCK_DT, blockDt);
  if (mode === 1) {
    i32.set(input.blockIouStart!, blockIou >>> 2);
    f64.set(input.iou!, iou >>> 3);
  }
  setField(M_BLOCK_IOU, blockIou);
  setField(M_IOU, iou);
  i32.set(mp.gtList, gtList >>> 2);
  setField(M_GT_LIST, gtList);
  i32.set(mp.dtList, dtList >>> 2);
  setField(M_DT_LIST, dtList);
  if (mode === 0) f64.set(input.gtBox, gtBox >>> 3);
  setField(M_GT_BOX, gtBox);
  f64.set(input.gtArea, gtArea >>> 3);
  setField(M_GT_AREA, gtArea);
  u8.set(input.gtCrowd, gtCrowd);
  setField(M_GT_CROWD, gtCrowd);
  u8.set(input.gtBaseIgnore, gtBase);
  setField(M_GT_BASE_IGNORE, gtBase);
  u8.set(input.gtIdZero, gtZero);
  setField(M_GT_ID_ZERO, gtZero);
  if (mode === 0) f64.set(input.dtBox, dtBox >>> 3);
  setField(M_DT_BOX, dtBox);
  f64.set(input.dtArea, dtArea >>> 3);
  setField(M_DT_AREA, dtArea);
  i32.set(mp.dtPos, dtPos >>> 2);
  setField(M_DT_POS, dtPos);
  setField(M_OUT_TP, outTp);
  setField(M_OUT_IGN, outIgn);
  setField(M_NOUT, nOut);
  setField(M_S_IOU, sIou);
  setField(M_S_ROWMAX, sRowMax);
  setField(M_S_GTIG, sGtIg);
  setField(M_S_ORDER, sOrder);
  setField(M_S_GTM, sGtm);
  setField(M_S_MATCH, sMatch);
  setField(M_S_REP, sRep);
  setField(M_S_DTOUT, sDtOut);
  setField(M_S_ANY, sAny);
  if (mode === 3) {
    // label masks, then detection masks (offsets and indices shifted past the labels')
    const dtAt = gtResident ? cnts : cnts + 4 * mk!.gt.counts.length;
    if (!gtResident) u32.set(mk!.gt.counts, cnts >>> 2);
    u32.set(mk!.dt.counts, dtAt >>> 2);
    u32.set(mk!.gt.table, mtab >>> 2);
    const dt0 = (mtab >>> 2) + 8 * nGtMasks;
    u32.set(mk!.dt.table, dt0);
    const shift = (dtAt - cntsBase) >>> 2;
    for (let q = dt0; q < (mtab >>> 2) + 8 * nMasks; q += 8) u32[q] += shift;
    f64.set(mk!.gt.boxes, mbox >>> 3);
    f64.set(mk!.dt.boxes, (mbox >>> 3) + 4 * nGtMasks);
    i32.set(mk!.gtMask, gtMaskP >>> 2);
    const dm = dtMaskP >>> 2;
    for (let j = 0; j < nDt; j++) i32[dm + j] = mk!.dtMask[j]! + nGtMasks;
  }
  setField(M_CNTS, cntsBase);
  setField(M_MTAB, mtab);
  setField(M_MBOX, mbox);
  setField(M_DT_MASK, dtMaskP);
  setField(M_GT_MASK, gtMaskP);
  setField(M_S_TAB, sTab);
  setField(M_S_BOX, sBox);
  setField(M_S_CROWD, sCrowd);
  // (positions nobody writes stay 0 = false positive: every output position has a detection entry)

  let zeroIdMatches = 0;
  {
    const { blockGtStart, blockDtStart } = mp;
    let b0 = 0;
    let work = 0;
    for (let b = 0; b < nBlocks; b++) {
      const D = blockDtStart[b + 1]! - blockDtStart[b]!;
      const G = blockGtStart[b + 1]! - blockGtStart[b]!;
      work += D * (G + 2) * (T + A) + G * A;
      if (mode === 3 && D > 0 && G > 0) {
        // the run-merge steps of rleIou, at most (mask IoU dominates)
        let ld = 0;
        let lg = 0;
        for (let j = blockDtStart[b]!; j < blockDtStart[b + 1]!; j++) ld += mk!.dt.table[8 * mk!.dtMask[j]! + 1]!;
        for (let j = blockGtStart[b]!; j < blockGtStart[b + 1]!; j++) lg += mk!.gt.table[8 * mk!.gtMask[j]! + 1]!;
        work += (G * ld + D * lg) >>> 2;
      }
      if (work >= MATCH_BUDGET || b === nBlocks - 1) {
        zeroIdMatches += k.cocoMatch(mctx, b0, b + 1);
        b0 = b + 1;
        work = 0;
      }
    }
  }
  const words = A * nOut * W;
  const f = new Uint32Array(k.memory.buffer);
  const tp = f.slice(outTp >>> 2, (outTp >>> 2) + words);
  const ign = f.slice(outIgn >>> 2, (outIgn >>> 2) + words);
  k.reset();
  return { W, tp, ign, zeroIdMatches };
}

/** accumulate() from the bits of every detection entry (in accumulate positions): precision, recall, scores. */
export function runCocoAccumulate(
  k: CocoKernelExports,
  plan: CocoPlan,
  bits: MatchBits,
  score: Float64Array,
  gtArea: Float64Array,
  gtBaseIgnore: Uint8Array,
): Accumulated {
  const { p, T, A, K, nBlocks } = plan;
  const R = p.recThrs.length;
  const M = p.maxDets.length;
  const W = bits.W;
  const nDt = plan.dtList.length;
  let maxN = 0;
  for (let q = 0; q < K; q++) maxN = Math.max(maxN, plan.kStart[q + 1]! - plan.kStart[q]!);
  const cells = T * R * K * A * M;

  // labels not ignored per (K index, area range)
  const npig = new Int32Array(K * A);
  {
    const { gtList, blockGtStart, blockK } = plan;
    for (let b = 0; b < nBlocks; b++) {
      const kk = blockK[b]!;
      for (let j = blockGtStart[b]!; j < blockGtStart[b + 1]!; j++) {
        const ann = gtList[j]!;
        if (gtBaseIgnore[ann]) continue;
        const ar = gtArea[ann]!;
        for (let a = 0; a < A; a++) if (!(ar < p.areaRng[a]![0] || ar > p.areaRng[a]![1])) npig[kk * A + a]!++;
      }
    }
  }

  const mem = new Arena(k);
  const cctx = mem.take(4 * C_FIELDS);
  const outTp = mem.take(4 * bits.tp.length);
  const outIgn = mem.take(4 * bits.ign.length);
  const recThrs = mem.take(8 * R);
  const maxDets = mem.take(4 * M);
  const kStart = mem.take(4 * (K + 1));
  const kEval = mem.take(K);
  const npigP = mem.take(4 * K * A);
  const rank = mem.take(4 * nDt);
  const scoreP = mem.take(8 * nDt);
  const precision = mem.take(8 * cells);
  const recall = mem.take(8 * T * K * A * M);
  const scores = mem.take(8 * cells);
  const sCount = mem.take(8 * T);
  const sEvFp = mem.take(8 * T * (maxN + 1));
  const sEvScore = mem.take(8 * T * (maxN + 1));
  const sFirst = mem.take(4 * W);

  const buf = k.memory.buffer;
  const u8 = new Uint8Array(buf);
  const u32 = new Uint32Array(buf);
  const i32 = new Int32Array(buf);
  const f64 = new Float64Array(buf);
  const setField = (i: number, v: number) => (u32[(cctx >>> 2) + i] = v);
  u32.set(bits.tp, outTp >>> 2);
  u32.set(bits.ign, outIgn >>> 2);
  setField(C_T, T);
  setField(C_R, R);
  setField(C_K, K);
  setField(C_A, A);
  setField(C_M, M);
  setField(C_W, W);
  f64.set(p.recThrs, recThrs >>> 3);
  setField(C_REC_THRS, recThrs);
  i32.set(p.maxDets, maxDets >>> 2);
  setField(C_MAX_DETS, maxDets);
  i32.set(plan.kStart, kStart >>> 2);
  setField(C_K_START, kStart);
  u8.set(plan.kEval, kEval);
  setField(C_K_EVAL, kEval);
  i32.set(npig, npigP >>> 2);
  setField(C_NPIG, npigP);
  {
    const { accOrder, dtRank, dtList: list } = plan;
    const r0 = rank >>> 2;
    const s0 = scoreP >>> 3;
    for (let q = 0; q < nDt; q++) {
      const j = accOrder[q]!;
      i32[r0 + q] = dtRank[j]!;
      f64[s0 + q] = score[list[j]!]!;
    }
  }
  setField(C_RANK, rank);
  setField(C_SCORE, scoreP);
  setField(C_TP, outTp);
  setField(C_IGN, outIgn);
  setField(C_NOUT, nDt);
  f64.fill(-1, precision >>> 3, (precision >>> 3) + cells);
  f64.fill(-1, recall >>> 3, (recall >>> 3) + T * K * A * M);
  f64.fill(-1, scores >>> 3, (scores >>> 3) + cells);
  setField(C_PRECISION, precision);
  setField(C_RECALL, recall);
  setField(C_SCORES, scores);
  setField(C_S_COUNT, sCount);
  setField(C_S_EV_FP, sEvFp);
  setField(C_S_EV_SCORE, sEvScore);
  setField(C_S_FIRST, sFirst);
  setField(C_MAXN, maxN);
  let recSorted = 1;
  for (let r = 1; r < R; r++) if (!(p.recThrs[r]! >= p.recThrs[r - 1]!)) recSorted = 0;
  setField(C_REC_SORTED, recSorted);
  {
    let k0 = 0;
    let work = 0;
    for (let q = 0; q < K; q++) {
      work += (plan.kStart[q + 1]! - plan.kStart[q]!) * A * M + A * M * T * R;
      if (work >= ACCUMULATE_BUDGET || q === K - 1) {
        k.cocoAccumulate(cctx, k0, q + 1);
        k0 = q + 1;
        work = 0;
      }
    }
  }
  const out = new Float64Array(k.memory.buffer);
  const acc: Accumulated = {
    precision: out.slice(precision >>> 3, (precision >>> 3) + cells),
    precisionShape: [T, R, K, A, M],
    recall: out.slice(recall >>> 3, (recall >>> 3) + T * K * A * M),
    recallShape: [T, K, A, M],
    scores: out.slice(scores >>> 3, (scores >>> 3) + cells),
  };
  k.reset();
  return acc;
}

/** Matching then accumulate, on this thread. */
export function runCocoKernels(k: CocoKernelExports, input: KernelInput): KernelOutput {
  const matchStart = performance.now();
  const bits = runCocoMatch(k, matchPlanOf(input.plan), input);
  const t1 = performance.now();
  const acc = runCocoAccumulate(k, input.plan, bits, input.score, input.gtArea, input.gtBaseIgnore);
  const t2 = performance.now();
  return { acc, zeroIdMatches: bits.zeroIdMatches, matchStart, matchMs: t1 - matchStart, accumulateMs: t2 - t1 };
}
