// Host side of the COCO kernels (assembly/plan.ts, match.ts, accumulate.ts): lays one evaluation out
// in the engine's linear memory, writes each kernel's context block (generated from
// assembly/abi/contexts.json), runs the matching and accumulate kernels in pieces of a few
// milliseconds, and copies the results out once.
import { Arena, type Kernels } from "../engine/host.js";
import { TILES } from "../engine/tiles.js";
import { writeAccumulateContext, writeMatchContext, writePlanContext, readPlanOutputs, MATCH_FIELDS, ACCUMULATE_FIELDS, PLAN_FIELDS } from "../generated/contexts.js";
import type { CocoParams } from "./params.js";
import { type Accumulated, type CocoPlan, MATCH_BOX_IOU, MATCH_GIVEN_IOU, MATCH_MASK_IOU, type MatchMode, type PlanInput, type PlanOutput } from "./types.js";

/** planEvaluation's blocks and orders (bindings/coco/evaluate.ts, the reference) in the engine. */
export function runCocoPlan(k: Kernels, input: PlanInput): PlanOutput {
  const nA = input.annImage.length;
  const nR = input.resImage.length;
  const K = input.useCats ? input.Kc : 1;
  const nS = Math.max(nA, nR);
  const nB = nA + nR;
  const mem = new Arena(k, "the COCO plan");
  const ctx = mem.take(4 * PLAN_FIELDS);
  const f = {
    na: nA,
    nr: nR,
    i: input.I,
    kc: input.Kc,
    useCats: input.useCats ? 1 : 0,
    maxDet: Math.min(input.maxDet, nR),
    imgPos: mem.take(4 * input.imgPos.length),
    catPos: mem.take(4 * input.catPos.length),
    annImg: mem.take(4 * nA),
    annCat: mem.take(4 * nA),
    canon: input.canonical ? mem.take(4 * nA) : 0,
    resImg: mem.take(4 * nR),
    resCat: mem.take(4 * nR),
    score: mem.take(8 * nR),
    sCount: mem.take(4 * (Math.max(input.I, input.Kc) + 1)),
    sA: mem.take(4 * nS),
    sB: mem.take(4 * nS),
    sKeys: mem.take(8 * nR),
    sKeys2: mem.take(8 * nR),
    sPerm: mem.take(4 * nR),
    sPerm2: mem.take(4 * nR),
    gtList: mem.take(4 * nA),
    blockImg: mem.take(4 * nB),
    blockK: mem.take(4 * nB),
    blockGt: mem.take(4 * (nB + 1)),
    blockDt: mem.take(4 * (nB + 1)),
    dtList: mem.take(4 * nR),
    dtRank: mem.take(4 * nR),
    acc: mem.take(4 * nR),
    kStart: mem.take(4 * (K + 1)),
    kEval: mem.take(K),
  };
  const buf = k.memory.buffer;
  const i32 = new Int32Array(buf);
  writePlanContext(new Uint32Array(buf), ctx, f);
  i32.set(input.imgPos, f.imgPos >>> 2);
  i32.set(input.catPos, f.catPos >>> 2);
  i32.set(input.annImage, f.annImg >>> 2);
  i32.set(input.annCategory, f.annCat >>> 2);
  if (input.canonical) i32.set(input.canonical, f.canon >>> 2);
  i32.set(input.resImage, f.resImg >>> 2);
  i32.set(input.resCategory, f.resCat >>> 2);
  new Float64Array(buf).set(input.score, f.score >>> 3);
  const nBlocks = k.cocoPlan(ctx);
  const { outNgt: nGt, outNdt: nDt, outMaxg: maxG, outMaxd: maxD } = readPlanOutputs(new Uint32Array(k.memory.buffer), ctx);
  const o = new Int32Array(k.memory.buffer);
  const take = (p: number, n: number): Int32Array => o.slice(p >>> 2, (p >>> 2) + n);
  const result: PlanOutput = {
    nBlocks,
    blockImagePos: take(f.blockImg, nBlocks),
    blockK: take(f.blockK, nBlocks),
    blockGtStart: take(f.blockGt, nBlocks + 1),
    blockDtStart: take(f.blockDt, nBlocks + 1),
    gtList: take(f.gtList, nGt),
    dtList: take(f.dtList, nDt),
    dtRank: take(f.dtRank, nDt),
    accOrder: take(f.acc, nDt),
    kStart: take(f.kStart, K + 1),
    kEval: new Uint8Array(k.memory.buffer).slice(f.kEval, f.kEval + K),
    maxG,
    maxD,
  };
  k.reset();
  return result;
}

const MAX_INT32 = 2 ** 31 - 1;

/** Work per kernel call (inner-loop steps): about a millisecond of optimised code. */
const MATCH_BUDGET = 1 << 20;

const ACCUMULATE_BUDGET = 1 << 20;

/**
 * A pool of masks: counts, 8 u32 per mask (offset into counts, length, h, w, area, flags), 4 f64 box
 * per mask. `resident`: the counts are pinned in the engine's memory instead (bindings/coco/mask-pool.ts).
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
  readonly nOut: number;
  readonly maxG: number;
  readonly maxD: number;
  /** The order to match the blocks in (default: as listed); any order gives the same bits. */
  readonly blockOrder?: Int32Array;
}

/**
 * Blocks by image (stable: by category within an image). The plan lists them by category, then
 * image; the results and labels of one image are near each other in their files' order, so matching
 * by image reads one stretch of each instead of striding through all of them once per category.
 */
export function imageMajorOrder(blockImagePos: Int32Array, nBlocks: number): Int32Array {
  let I = 0;
  for (let b = 0; b < nBlocks; b++) I = Math.max(I, blockImagePos[b]! + 1);
  const start = new Int32Array(I + 1);
  for (let b = 0; b < nBlocks; b++) start[blockImagePos[b]! + 1]!++;
  for (let i = 0; i < I; i++) start[i + 1]! += start[i]!;
  const order = new Int32Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) order[start[blockImagePos[b]!]!++] = b;
  return order;
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
    nOut: plan.dtList.length,
    maxG: plan.maxG,
    maxD: plan.maxD,
    blockOrder: imageMajorOrder(plan.blockImagePos, plan.nBlocks),
  };
}

export interface MatchColumns {
  /** How the kernel gets its IoU: computed from boxes or `masks`, given (`iou`), or none (nothing matches). */
  mode: MatchMode;
  /**
   * MATCH_MASK_IOU: the masks (bindings/coco/mask-pool.ts) of the labels and of the detections, and the mask of
   * each label / detection entry (indices into the label pool and into the detection pool).
   */
  masks?: { gt: MaskPoolLike; dt: MaskPoolLike; gtMask: Int32Array; dtMask: Int32Array };
  /** MATCH_GIVEN_IOU: the IoU of each block (d * G + g) at blockIouStart[b]. */
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

/** Per (area range, detection entry): bit t of tp / ign (W words each), see assembly/match.ts. */
export interface MatchBits {
  readonly W: number;
  readonly tp: Uint32Array;
  readonly ign: Uint32Array;
  readonly zeroIdMatches: number;
}

/**
 * MatchBits left in the engine's memory (pinned, at these addresses, `words` u32 each) for the
 * accumulate kernel to read in place: a 7M-detection evaluation's bits are 230 MB, copied out and back
 * in otherwise. The owner ends the pin (releaseBits, or bitsOutOf) before the engine does other work.
 */
export interface ResidentBits {
  readonly W: number;
  readonly words: number;
  readonly tp: number;
  readonly ign: number;
  readonly zeroIdMatches: number;
}

/** Matching of every block of `mp`: the tp / ign bits of its detections (every pin of the engine ended). */
export function runCocoMatch(k: Kernels, mp: MatchPlan, input: MatchColumns): MatchBits {
  return bitsOutOf(k, runCocoMatchResident(k, mp, input));
}

/** Ends the pin of resident bits (and of everything pinned before them). */
export function releaseBits(k: Kernels): void {
  k.unpin();
  k.reset();
}

/** Resident bits copied out, their pin ended. */
export function bitsOutOf(k: Kernels, r: ResidentBits): MatchBits {
  const f = new Uint32Array(k.memory.buffer);
  const tp = f.slice(r.tp >>> 2, (r.tp >>> 2) + r.words);
  const ign = f.slice(r.ign >>> 2, (r.ign >>> 2) + r.words);
  releaseBits(k);
  return { W: r.W, tp, ign, zeroIdMatches: r.zeroIdMatches };
}

/**
 * runCocoMatch with the bits left in the engine (and whatever was pinned before them, such as the
 * resident label counts of mask IoU, stays pinned with them).
 */
export function runCocoMatchResident(k: Kernels, mp: MatchPlan, input: MatchColumns): ResidentBits {
  const { mode } = input;
  const { T, A, nBlocks } = mp;
  const W = Math.ceil(T / 32);
  const nGt = mp.gtList.length;
  const nDt = mp.dtList.length;
  const nOut = mp.nOut;
  const nAnn = input.gtArea.length;
  const maxG = Math.max(mp.maxG, 1);
  const maxD = Math.max(mp.maxD, 1);
  const mk = input.masks;
  const nGtMasks = mk ? mk.gt.table.length / 8 : 0;
  const nMasks = mk ? nGtMasks + mk.dt.table.length / 8 : 0;

  // the kernel calls: runs of blocks (in blockOrder) of about MATCH_BUDGET steps each (end of each run)
  const order = mp.blockOrder ?? Int32Array.from({ length: nBlocks }, (_, b) => b);
  const pieceEnd: number[] = [];
  let pieceDt = 1; // the most detection entries of one run
  {
    const { blockGtStart, blockDtStart } = mp;
    let d = 0;
    let work = 0;
    for (let ob = 0; ob < nBlocks; ob++) {
      const b = order[ob]!;
      const D = blockDtStart[b + 1]! - blockDtStart[b]!;
      const G = blockGtStart[b + 1]! - blockGtStart[b]!;
      work += D * (G + 2) * (T + A) + G * A;
      if (mode === MATCH_MASK_IOU && D > 0 && G > 0) {
        // the run-merge steps of rleIou, at most (mask IoU dominates)
        let ld = 0;
        let lg = 0;
        for (let j = blockDtStart[b]!; j < blockDtStart[b + 1]!; j++) ld += mk!.dt.table[8 * mk!.dtMask[j]! + 1]!;
        for (let j = blockGtStart[b]!; j < blockGtStart[b + 1]!; j++) lg += mk!.gt.table[8 * mk!.gtMask[j]! + 1]!;
        work += (G * ld + D * lg) >>> 2;
      }
      d += D;
      if (work >= MATCH_BUDGET || ob === nBlocks - 1) {
        pieceEnd.push(ob + 1);
        pieceDt = Math.max(pieceDt, d);
        d = 0;
        work = 0;
      }
    }
  }

  const mem = new Arena(k, "COCO matching");
  // the outputs first, pinned (reset() then keeps them, and what is below them)
  const words = A * nOut * W;
  const outTp = mem.take(4 * words);
  const outIgn = mem.take(4 * words);
  k.pin();
  const gtResident = mode === MATCH_MASK_IOU ? mk!.gt.resident : undefined;
  const cnts = mode === MATCH_MASK_IOU ? mem.take(4 * ((gtResident ? 0 : mk!.gt.counts.length) + mk!.dt.counts.length)) : 0;
  const cntsBase = gtResident ? gtResident.ptr : cnts; // the offsets in the mask table count from here
  const mctx = mem.take(4 * MATCH_FIELDS);
  const thr = mem.take(8 * T);
  const area = mem.take(16 * A);
  const blockGt = mem.take(4 * (nBlocks + 1));
  const blockDt = mem.take(4 * (nBlocks + 1));
  const blockOrder = mem.take(4 * nBlocks);
  const blockIou = mode === MATCH_GIVEN_IOU ? mem.take(4 * (nBlocks + 1)) : 0;
  const iou = mode === MATCH_GIVEN_IOU ? mem.take(8 * input.iou!.length) : 0;
  const gtList = mem.take(4 * nGt);
  const dtList = mem.take(4 * nDt);
  // few label entries of many annotations (a subset of the images: a shard, a training-loop batch):
  // the entries' columns are gathered (and gtList becomes 0..nGt-1) instead of copying every annotation's
  const gather = nGt * 4 < nAnn;
  const nCol = gather ? nGt : nAnn;
  const gtBox = mode === MATCH_BOX_IOU ? mem.take(32 * nCol) : 0;
  const gtArea = mem.take(8 * nCol);
  const gtCrowd = mem.take(nCol);
  const gtBase = mem.take(nCol);
  const gtZero = mem.take(nCol);
  // one run's detections' boxes and areas, gathered in entry order before its call (dtList then
  // holds each entry's place in them): every result's columns in the engine were 40 bytes a result
  const dtBox = mode === MATCH_BOX_IOU ? mem.take(32 * pieceDt) : 0;
  const dtArea = mem.take(8 * pieceDt);
  // IoU rows of one block, as many as fit in TILES.match values (one row at least): larger blocks
  // (maxDets and labels in the hundred thousands) are matched a few rows at a time
  const tile = Math.min(maxD * maxG, Math.max(TILES.match, maxG));
  const sIou = mode === MATCH_BOX_IOU || mode === MATCH_MASK_IOU ? mem.take(8 * tile) : 0;
  const sRowMax = mem.take(8 * maxD);
  const sGtIg = mem.take(A * maxG);
  const sOrder = mem.take(4 * A * maxG);
  const sGtm = mem.take(4 * A * T * maxG);
  const sMatch = mem.take(4 * A * T * maxD);
  const sRep = mem.take(4 * A);
  const sDtOut = mem.take(A * maxD);
  const sAny = mem.take(A * maxD);
  const mtab = mode === MATCH_MASK_IOU ? mem.take(32 * nMasks) : 0;
  const mbox = mode === MATCH_MASK_IOU ? mem.take(32 * nMasks) : 0;
  const dtMaskP = mode === MATCH_MASK_IOU ? mem.take(4 * nDt) : 0;
  const gtMaskP = mode === MATCH_MASK_IOU ? mem.take(4 * nGt) : 0;
  const sTab = mode === MATCH_MASK_IOU ? mem.take(32 * (maxD + maxG)) : 0;
  const sBox = mode === MATCH_MASK_IOU ? mem.take(32 * (maxD + maxG)) : 0;
  const sCrowd = mode === MATCH_MASK_IOU ? mem.take(maxG) : 0;

  const buf = k.memory.buffer;
  const u8 = new Uint8Array(buf);
  const u32 = new Uint32Array(buf);
  const i32 = new Int32Array(buf);
  const f64 = new Float64Array(buf);

  for (let t = 0; t < T; t++) f64[(thr >>> 3) + t] = Math.min(mp.iouThrs[t]!, 1 - 1e-10);
  for (let a = 0; a < A; a++) {
    f64[(area >>> 3) + 2 * a] = mp.areaRng[a]![0];
    f64[(area >>> 3) + 2 * a + 1] = mp.areaRng[a]![1];
  }
  i32.set(mp.blockGtStart, blockGt >>> 2);
  i32.set(mp.blockDtStart, blockDt >>> 2);
  i32.set(order, blockOrder >>> 2);
  if (mode === MATCH_GIVEN_IOU) {
    i32.set(input.blockIouStart!, blockIou >>> 2);
    f64.set(input.iou!, iou >>> 3);
  }
  if (gather) {
    const l0 = gtList >>> 2;
    const b0 = gtBox >>> 3;
    const a0 = gtArea >>> 3;
    for (let j = 0; j < nGt; j++) {
      const ann = mp.gtList[j]!;
      i32[l0 + j] = j;
      if (mode === MATCH_BOX_IOU) f64.set(input.gtBox.subarray(4 * ann, 4 * ann + 4), b0 + 4 * j);
      f64[a0 + j] = input.gtArea[ann]!;
      u8[gtCrowd + j] = input.gtCrowd[ann]!;
      u8[gtBase + j] = input.gtBaseIgnore[ann]!;
      u8[gtZero + j] = input.gtIdZero[ann]!;
    }
  } else {
    i32.set(mp.gtList, gtList >>> 2);
    if (mode === MATCH_BOX_IOU) f64.set(input.gtBox, gtBox >>> 3);
    f64.set(input.gtArea, gtArea >>> 3);
    u8.set(input.gtCrowd, gtCrowd);
    u8.set(input.gtBaseIgnore, gtBase);
    u8.set(input.gtIdZero, gtZero);
  }
  if (mode === MATCH_MASK_IOU) {
    // label masks, then detection masks (offsets and indices shifted past the labels')
    const dtAt = gtResident ? cnts : cnts + 4 * mk!.gt.counts.length;
    if (!gtResident) u32.set(mk!.gt.counts, cnts >>> 2);
    u32.set(mk!.dt.counts, dtAt >>> 2);
    u32.set(mk!.gt.table, mtab >>> 2);
    const dt0 = (mtab >>> 2) + 8 * nGtMasks;
    u32.set(mk!.dt.table, dt0);
    const shift = (dtAt - cntsBase) >>> 2;
    for (let q = dt0; q < (mtab >>> 2) + 8 * nMasks; q += 8) u32[q]! += shift;
    f64.set(mk!.gt.boxes, mbox >>> 3);
    f64.set(mk!.dt.boxes, (mbox >>> 3) + 4 * nGtMasks);
    i32.set(mk!.gtMask, gtMaskP >>> 2);
    const dm = dtMaskP >>> 2;
    for (let j = 0; j < nDt; j++) i32[dm + j] = mk!.dtMask[j]! + nGtMasks;
  }
  writeMatchContext(u32, mctx, {
    mode,
    t: T,
    a: A,
    w: W,
    thr,
    area,
    blockGt,
    blockDt,
    blockIou,
    iou,
    gtList,
    dtList,
    gtBox,
    gtArea,
    gtCrowd,
    gtBaseIgnore: gtBase,
    gtIdZero: gtZero,
    dtBox,
    dtArea,
    outTp,
    outIgn,
    nout: nOut,
    sIou,
    tile,
    sRowmax: sRowMax,
    sGtig: sGtIg,
    sOrder,
    sGtm,
    sMatch,
    sRep,
    sDtout: sDtOut,
    sAny,
    cnts: cntsBase,
    mtab,
    mbox,
    dtMask: dtMaskP,
    gtMask: gtMaskP,
    sTab,
    sBox,
    sCrowd,
    blockOrder,
  });
  // (positions nobody writes stay 0 = false positive: every output position has a detection entry)

  let zeroIdMatches = 0;
  {
    const { blockDtStart } = mp;
    const list = mp.dtList;
    const box = input.dtBox;
    const ar = input.dtArea;
    const l0 = dtList >>> 2;
    const a0 = dtArea >>> 3;
    const x0 = dtBox >>> 3;
    let ob0 = 0;
    for (const ob1 of pieceEnd) {
      gatherPiece(order, ob0, ob1, blockDtStart, list, ar, mode === MATCH_BOX_IOU ? box : null, i32, f64, l0, a0, x0);
      zeroIdMatches += k.cocoMatch(mctx, ob0, ob1);
      ob0 = ob1;
    }
  }
  k.reset();
  return { W, words, tp: outTp, ign: outIgn, zeroIdMatches };
}

/**
 * One kernel call's detections (blocks order[ob0..ob1)): their areas (and boxes) gathered into the
 * engine's scratch in entry order, and each entry's place in them written to its dtList slot.
 */
function gatherPiece(
  order: Int32Array,
  ob0: number,
  ob1: number,
  blockDtStart: Int32Array,
  list: Int32Array,
  ar: Float64Array,
  box: Float64Array | null,
  i32: Int32Array,
  f64: Float64Array,
  l0: number,
  a0: number,
  x0: number,
): void {
  let q = 0;
  for (let ob = ob0; ob < ob1; ob++) {
    const b = order[ob]!;
    const j1 = blockDtStart[b + 1]!;
    for (let j = blockDtStart[b]!; j < j1; j++, q++) {
      i32[l0 + j] = q;
      f64[a0 + q] = ar[list[j]!]!;
    }
  }
  if (!box) return;
  q = 0;
  for (let ob = ob0; ob < ob1; ob++) {
    const b = order[ob]!;
    const j1 = blockDtStart[b + 1]!;
    for (let j = blockDtStart[b]!; j < j1; j++, q++) {
      const r = 4 * list[j]!;
      const x = x0 + 4 * q;
      f64[x] = box[r]!;
      f64[x + 1] = box[r + 1]!;
      f64[x + 2] = box[r + 2]!;
      f64[x + 3] = box[r + 3]!;
    }
  }
}

/**
 * Cells of precision (and as many of scores) the accumulate kernel's output holds per call (8 MiB
 * each): the categories are accumulated a few at a time and copied out, so the engine never holds
 * the whole arrays (which grow with the number of categories).
 */
const ACCUMULATE_CHUNK = 1 << 20;

/** Labels not ignored per (K index, area range): pycocotools' npig (base ignore, or area outside the range). */
export function countLabels(
  plan: Pick<CocoPlan, "A" | "K" | "nBlocks" | "gtList" | "blockGtStart" | "blockK"> & { readonly p: Pick<CocoParams, "areaRng"> },
  gtArea: Float64Array,
  gtBaseIgnore: Uint8Array,
): Int32Array {
  const { p, A, K, nBlocks, gtList, blockGtStart, blockK } = plan;
  const npig = new Int32Array(K * A);
  // (runs once per evaluation, mostly before V8 optimises it: the ranges as flat locals)
  const lo = Float64Array.from(p.areaRng, (r) => r[0]);
  const hi = Float64Array.from(p.areaRng, (r) => r[1]);
  for (let b = 0; b < nBlocks; b++) {
    const base = blockK[b]! * A;
    const end = blockGtStart[b + 1]!;
    for (let j = blockGtStart[b]!; j < end; j++) {
      const ann = gtList[j]!;
      if (gtBaseIgnore[ann]) continue;
      const ar = gtArea[ann]!;
      for (let a = 0; a < A; a++) if (!(ar < lo[a]! || ar > hi[a]!)) npig[base + a]!++;
    }
  }
  return npig;
}

/**
 * accumulate() from the bits of every detection entry (by entry; read in accumulate order through accOrder): precision, recall,
 * scores of the K indices that have labels (any other K index has -1 throughout and is not stored:
 * types.ts Accumulated), computed a few categories at a time and copied out.
 */
export function runCocoAccumulate(
  k: Kernels,
  plan: Pick<CocoPlan, "T" | "A" | "K" | "dtList" | "dtRank" | "accOrder" | "kStart" | "kEval"> & { readonly p: Pick<CocoParams, "recThrs" | "maxDets"> },
  bits: MatchBits | ResidentBits,
  score: Float64Array,
  npig: Int32Array,
  withScores = true,
): Accumulated {
  const { p, T, A, K } = plan;
  const R = p.recThrs.length;
  const M = p.maxDets.length;
  const W = bits.W;
  const nDt = plan.dtList.length;
  // stored: the K indices with a counted label in some area range (the kernel leaves the others -1)
  const storedList: number[] = [];
  for (let q = 0; q < K; q++) {
    for (let a = 0; a < A; a++) {
      if (npig[q * A + a]! > 0) {
        storedList.push(q);
        break;
      }
    }
  }
  const kIndex = Int32Array.from(storedList);
  const Kc = kIndex.length;
  let maxN = 0;
  for (let c = 0; c < Kc; c++) maxN = Math.max(maxN, plan.kStart[kIndex[c]! + 1]! - plan.kStart[kIndex[c]!]!);
  // categories per call: within the chunk and the work budget
  const perCategory = T * R * A * M;
  const chunk = Math.max(1, Math.min(Kc, Math.floor(ACCUMULATE_CHUNK / Math.max(1, perCategory))));

  const mem = new Arena(k, "COCO accumulate");
  const cctx = mem.take(4 * ACCUMULATE_FIELDS);
  // resident bits are read where the match kernel left them
  const outTp = typeof bits.tp === "number" ? bits.tp : mem.take(4 * bits.tp.length);
  const outIgn = typeof bits.ign === "number" ? bits.ign : mem.take(4 * bits.ign.length);
  const recThrs = mem.take(8 * R);
  const maxDets = mem.take(4 * M);
  const kList = mem.take(4 * Kc);
  const kStart = mem.take(4 * (K + 1));
  const kEval = mem.take(K);
  const npigP = mem.take(4 * K * A);
  const rank = mem.take(4 * nDt);
  const scoreP = mem.take(8 * nDt);
  const accP = mem.take(4 * nDt);
  const dtRankP = mem.take(4 * nDt);
  const dtListP = mem.take(4 * nDt);
  const resScore = mem.take(8 * score.length);
  const precision = mem.take(8 * chunk * perCategory);
  const recall = mem.take(8 * T * chunk * A * M);
  const scores = withScores ? mem.take(8 * chunk * perCategory) : 0; // (0: the kernel writes none)
  const sCount = mem.take(8 * T);
  const sEvFp = mem.take(8 * T * (maxN + 1));
  const sEvScore = mem.take(8 * T * (maxN + 1));
  const sFirst = mem.take(4 * W);
  const sBits = mem.take(8 * W * Math.max(maxN, 1));

  const buf = k.memory.buffer;
  const u8 = new Uint8Array(buf);
  const u32 = new Uint32Array(buf);
  const i32 = new Int32Array(buf);
  const f64 = new Float64Array(buf);
  if (typeof bits.tp !== "number") u32.set(bits.tp, outTp >>> 2);
  if (typeof bits.ign !== "number") u32.set(bits.ign, outIgn >>> 2);
  f64.set(p.recThrs, recThrs >>> 3);
  // int32 in the kernel: any maxDets at or above a block's detection count means "all of them"
  // (pycocotools' slice [0:maxDet]), and no rank reaches 2^31 - 1 (params.maxDets stay as given)
  for (let mi = 0; mi < M; mi++) i32[(maxDets >>> 2) + mi] = Math.min(p.maxDets[mi]!, MAX_INT32);
  i32.set(kIndex, kList >>> 2);
  i32.set(plan.kStart, kStart >>> 2);
  u8.set(plan.kEval, kEval);
  i32.set(npig, npigP >>> 2);
  i32.set(plan.accOrder, accP >>> 2);
  i32.set(plan.dtRank, dtRankP >>> 2);
  i32.set(plan.dtList, dtListP >>> 2);
  f64.set(score, resScore >>> 3);
  let recSorted = 1;
  for (let r = 1; r < R; r++) if (!(p.recThrs[r]! >= p.recThrs[r - 1]!)) recSorted = 0;
  writeAccumulateContext(u32, cctx, {
    t: T,
    r: R,
    kList,
    a: A,
    m: M,
    w: W,
    recThrs,
    maxDets,
    kStart,
    kEval,
    npig: npigP,
    rank,
    score: scoreP,
    tp: outTp,
    ign: outIgn,
    nout: nDt,
    precision,
    recall,
    scores,
    sCount,
    sEvFp,
    sEvScore,
    sFirst,
    sBits,
    maxn: maxN,
    recSorted,
    acc: accP,
    dtRank: dtRankP,
    dtList: dtListP,
    resScore,
  });
  // each position's rank and score, in pieces (the first call of a kernel runs in V8's baseline code)
  for (let i0 = 0, step = 1 << 14; i0 < nDt; i0 += step, step = Math.min(step * 4, 1 << 20)) k.cocoAccumulateInputs(cctx, i0, Math.min(nDt, i0 + step));
  // the stored categories' arrays, [T, R, Kc, A, M] and [T, Kc, A, M]: every cell is copied from a call's output
  const outPrecision = new Float64Array(T * R * Kc * A * M);
  const outRecall = new Float64Array(T * Kc * A * M);
  const outScores = new Float64Array(withScores ? T * R * Kc * A * M : 0);
  {
    const am = A * M;
    let c0 = 0;
    let work = 0;
    for (let c = 0; c < Kc; c++) {
      const q = kIndex[c]!;
      work += (plan.kStart[q + 1]! - plan.kStart[q]!) * A * M + A * M * T * R;
      if (work < ACCUMULATE_BUDGET && c + 1 - c0 < chunk && c < Kc - 1) continue;
      const n = c + 1 - c0;
      const f = new Float64Array(k.memory.buffer); // (the kernel does not grow the memory; a fresh view is cheap)
      f.fill(-1, precision >>> 3, (precision >>> 3) + n * perCategory);
      f.fill(-1, recall >>> 3, (recall >>> 3) + T * n * am);
      if (withScores) f.fill(-1, scores >>> 3, (scores >>> 3) + n * perCategory);
      k.cocoAccumulate(cctx, c0, c + 1);
      for (let tr = 0; tr < T * R; tr++) {
        const from = (tr * n * am) + (precision >>> 3);
        outPrecision.set(f.subarray(from, from + n * am), (tr * Kc + c0) * am);
        if (!withScores) continue;
        const sFrom = (tr * n * am) + (scores >>> 3);
        outScores.set(f.subarray(sFrom, sFrom + n * am), (tr * Kc + c0) * am);
      }
      for (let t = 0; t < T; t++) {
        const from = (t * n * am) + (recall >>> 3);
        outRecall.set(f.subarray(from, from + n * am), (t * Kc + c0) * am);
      }
      c0 = c + 1;
      work = 0;
    }
  }
  k.reset();
  return { precisionShape: [T, R, K, A, M], recallShape: [T, K, A, M], kIndex, precision: outPrecision, recall: outRecall, scores: outScores };
}

/**
 * runCocoAccumulate without the scores array, which a first read of `scores` computes (accumulate
 * again, over the bits `again()` gives): only CocoSummary.scores reads it, and it is as large as
 * precision (T x R x A x M float64 a category, written and copied for nothing otherwise).
 */
export function accumulateScoresOnRead(
  k: Kernels,
  plan: Parameters<typeof runCocoAccumulate>[1],
  bits: MatchBits | ResidentBits,
  score: Float64Array,
  npig: Int32Array,
  again: () => MatchBits | ResidentBits,
): Accumulated {
  const acc = runCocoAccumulate(k, plan, bits, score, npig, false);
  let scores: Float64Array | undefined;
  return Object.defineProperty(acc, "scores", {
    get: () => (scores ??= runCocoAccumulate(k, plan, again(), score, npig).scores),
    enumerable: true,
  });
}

/** A mean of summarize() (bindings/coco/summarize.ts Gather: the cells of one slice of precision or recall). */
export interface Gather {
  readonly src: "precision" | "recall";
  readonly tOff: readonly number[];
  readonly n: number;
  readonly stride: number;
  readonly pairOff: readonly number[];
}

/** The means of `gathers` (assembly/summarize.ts gatherMean), over one copy of precision and recall in the engine. */
export function runGatherMeans(k: Kernels, precision: Float64Array, recall: Float64Array, gathers: readonly Gather[]): number[] {
  const mem = new Arena(k, "COCO summarize");
  const prec = mem.take(8 * precision.length);
  const rec = mem.take(8 * recall.length);
  let most = 0;
  let offs = 0;
  for (const g of gathers) {
    most = Math.max(most, g.tOff.length * g.n * g.pairOff.length);
    offs += g.tOff.length + g.pairOff.length;
  }
  const out = mem.take(8 * most);
  const lists = mem.take(4 * offs);
  const f64 = new Float64Array(k.memory.buffer);
  f64.set(precision, prec >>> 3);
  f64.set(recall, rec >>> 3);
  const i32 = new Int32Array(k.memory.buffer);
  const means: number[] = [];
  let at = lists;
  for (const g of gathers) {
    const tOff = at;
    i32.set(g.tOff, tOff >>> 2);
    const pairOff = tOff + 4 * g.tOff.length;
    i32.set(g.pairOff, pairOff >>> 2);
    at = pairOff + 4 * g.pairOff.length;
    means.push(k.gatherMean(g.src === "precision" ? prec : rec, tOff, g.tOff.length, g.n, g.stride, pairOff, g.pairOff.length, out));
  }
  k.reset();
  return means;
}
