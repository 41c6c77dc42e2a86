// Partial states of a COCO evaluation, and their merge. pycocotools' evaluateImg() depends on one
// image only, so an evaluation over some of the images (a shard) can keep what accumulate() reads of
// each (image, category) block: its detections' scores in rank order with their outcome per area range
// and IoU threshold, and its labels' ignore flags. Merging the states of disjoint image sets puts the
// blocks back in evalImgs order (category-major, images by sorted id) and runs the same accumulate()
// and summarize(): the stats are those of one evaluation of all the images, bit for bit
// (test/coco/state.test.ts). state-file.ts writes and reads a state as JSON.
import type { PreparedCoco } from "./backend.js";
import type { Accumulated, MatchOutcomes } from "./types.js";
import type { GeometryEngine } from "../geometry/types.js";
import { engineKernels, type Kernels } from "../engine/host.js";
import { accumulateScoresOnRead } from "./kernel-host.js";
import type { CocoParams } from "./params.js";
import { type CocoId, sortIds } from "./ids.js";
import { accumulate, type AccumulateInput, blockRanks, categoryBlocks, scoreOrder } from "./accumulate.js";
import { type CocoSummary, cocoSummary } from "./result.js";

/** Which of n shards a state is (1-based), when it was made by `coco --shard i/n`. */
export interface ShardOf {
  readonly index: number;
  readonly count: number;
}

export interface CocoState {
  readonly kind: "coco-state";
  /** The evaluation's parameters; `imgIds` are the images this state covers. */
  readonly params: CocoParams;
  /** The name of each category of params.catIds (undefined when the dataset does not name it). */
  readonly categoryNames: readonly (string | undefined)[];
  readonly shard: ShardOf | null;
  readonly warnings: readonly string[];
  /** Per block (evalImgs order): its image (a position in params.imgIds) and K index (0 without categories). */
  readonly blockImage: Int32Array;
  readonly blockCategory: Int32Array;
  /** Block b's detections are score[blockDtStart[b] .. blockDtStart[b + 1]) (rank order); its labels likewise. */
  readonly blockDtStart: Int32Array;
  readonly blockGtStart: Int32Array;
  /** Per detection. */
  readonly score: Float64Array;
  /** [detection][a][t]: 0 ignored, 1 true positive, 2 false positive. */
  readonly status: Uint8Array;
  /** [label][a]: 1 when ignored. */
  readonly gtIgnore: Uint8Array;
}

export interface MergeOptions {
  /** Names of the states in errors (e.g. their file names; default "state 1", "state 2", ...). */
  labels?: readonly string[];
  /** The wasm engine: accumulate runs in its kernel (same numbers as the TypeScript accumulate, faster). */
  engine?: GeometryEngine;
}

/** A state or a merge could not be made from these states (the CLI's exit code 1, one line). */
export class CocoStateInputError extends Error {
  override name = "CocoStateInputError";
}

/** The state of a prepared and matched evaluation. */
export function cocoState(prep: PreparedCoco, outcomes: MatchOutcomes): CocoState {
  const { gt, dt, p, plan, warnings } = prep;
  const names = gt.categories;
  const score = new Float64Array(plan.dtList.length);
  for (let j = 0; j < score.length; j++) score[j] = dt.score[plan.dtList[j]!]!;
  return {
    kind: "coco-state",
    params: p,
    categoryNames: p.catIds.map((id) => {
      const q = names.indexOf(id);
      return q >= 0 ? names.names[q] : undefined;
    }),
    shard: null,
    warnings: [...warnings],
    blockImage: plan.blockImagePos.slice(0, plan.nBlocks),
    blockCategory: plan.blockK.slice(0, plan.nBlocks),
    blockDtStart: plan.blockDtStart.slice(0, plan.nBlocks + 1),
    blockGtStart: plan.blockGtStart.slice(0, plan.nBlocks + 1),
    score,
    status: outcomes.status,
    gtIgnore: outcomes.gtIgnore,
  };
}

/** The parameters two states must share (everything but the images). */
function sharedParams(p: CocoParams): string {
  const { imgIds: _imgIds, ...rest } = p;
  return JSON.stringify(rest);
}

function firstDifference(a: CocoParams, b: CocoParams): string {
  for (const key of Object.keys(a) as (keyof CocoParams)[]) {
    if (key !== "imgIds" && JSON.stringify(a[key]) !== JSON.stringify(b[key])) return key;
  }
  return "params";
}

/**
 * Merges the states of disjoint image sets into the result of one evaluation of all their images.
 * States made by `--shard i/n` must be all n shards, each once.
 */
export function mergeCocoStates(states: readonly CocoState[], options: MergeOptions = {}): CocoSummary {
  const t0 = performance.now();
  const name = (i: number) => options.labels?.[i] ?? `state ${i + 1}`;
  if (states.length === 0) throw new CocoStateInputError("no states given");
  states.forEach((s, i) => {
    if (s?.kind !== "coco-state") throw new TypeError(`mergeCocoStates: ${name(i)} is not a CocoState (ev.state() or readCocoState)`);
  });
  const first = states[0]!;
  const shared = sharedParams(first.params);
  states.forEach((s, i) => {
    if (sharedParams(s.params) !== shared) {
      throw new CocoStateInputError(`${name(i)}: evaluated with other parameters than ${name(0)} (params.${firstDifference(first.params, s.params)} differs)`);
    }
  });
  checkShards(states, name);

  // the union of the images, each in one state only, in the evaluation's (sorted) order
  const owner = new Map<CocoId, number>();
  states.forEach((s, i) => {
    for (const id of s.params.imgIds) {
      const o = owner.get(id);
      if (o !== undefined) throw new CocoStateInputError(`${name(i)}: image ${JSON.stringify(id)} is in ${name(o)} too (states must cover disjoint images)`);
      owner.set(id, i);
    }
  });
  const imgIds = sortIds([...owner.keys()], "merge: image ids");
  const position = new Map<CocoId, number>(imgIds.map((id, q) => [id, q]));

  // blocks in evalImgs order: by K index, then image position
  const refs: { s: number; b: number; k: number; img: number }[] = [];
  states.forEach((s, i) => {
    for (let b = 0; b < s.blockImage.length; b++) refs.push({ s: i, b, k: s.blockCategory[b]!, img: position.get(s.params.imgIds[s.blockImage[b]!]!)! });
  });
  refs.sort((x, y) => x.k - y.k || x.img - y.img);

  const p: CocoParams = { ...first.params, imgIds };
  const T = p.iouThrs.length;
  const A = p.areaRng.length;
  const AT = A * T;
  let nDt = 0;
  let nGt = 0;
  for (const r of refs) {
    const s = states[r.s]!;
    nDt += s.blockDtStart[r.b + 1]! - s.blockDtStart[r.b]!;
    nGt += s.blockGtStart[r.b + 1]! - s.blockGtStart[r.b]!;
  }
  const nBlocks = refs.length;
  const blockCategory = new Int32Array(nBlocks);
  const blockDtStart = new Int32Array(nBlocks + 1);
  const blockGtStart = new Int32Array(nBlocks + 1);
  const score = new Float64Array(nDt);
  // the merged statuses stay detection-major ([det][a][t]); each accumulate path reads them its own way
  const status = new Uint8Array(AT * nDt);
  const gtIgnore = new Uint8Array(A * nGt);
  let d = 0;
  let g = 0;
  refs.forEach((r, b) => {
    const s = states[r.s]!;
    blockCategory[b] = p.useCats ? r.k : -1;
    blockDtStart[b] = d;
    blockGtStart[b] = g;
    const j0 = s.blockDtStart[r.b]!;
    const j1 = s.blockDtStart[r.b + 1]!;
    score.set(s.score.subarray(j0, j1), d);
    status.set(s.status.subarray(j0 * AT, j1 * AT), d * AT);
    d += j1 - j0;
    const g0 = s.blockGtStart[r.b]!;
    const g1 = s.blockGtStart[r.b + 1]!;
    gtIgnore.set(s.gtIgnore.subarray(g0 * A, g1 * A), g * A);
    g += g1 - g0;
  });
  blockDtStart[nBlocks] = d;
  blockGtStart[nBlocks] = g;
  const merged: MergedBlocks = { blockCount: nBlocks, blockCategory, blockDtStart, blockGtStart, status, gtIgnore, nDt, nGt };
  const t1 = performance.now();
  const kernels = options.engine ? engineKernels(options.engine) : null;
  const acc = kernels && T > 0 && A > 0 && p.maxDets.length > 0 && p.recThrs.length > 0 ? accumulateInKernel(kernels, merged, p, score) : accumulate(accumulateInput(merged, AT), p, score, new Uint8Array(1));
  const timings = { evaluate: t1 - t0, accumulate: performance.now() - t1 };
  const warnings = [...new Set(states.flatMap((s) => s.warnings))];
  return cocoSummary(p, acc, warnings, timings, (k) => first.categoryNames[k]);
}

/** The merged blocks in evalImgs order: statuses [det][a][t], label ignores [label][a]. */
interface MergedBlocks {
  blockCount: number;
  blockCategory: Int32Array;
  blockDtStart: Int32Array;
  blockGtStart: Int32Array;
  status: Uint8Array;
  gtIgnore: Uint8Array;
  nDt: number;
  nGt: number;
}

/** The merged blocks as the TypeScript accumulate reads a matching: a TP matches label 0 (no id-0 label here), an FP nothing. */
function accumulateInput(m: MergedBlocks, AT: number): AccumulateInput {
  const { nDt, nGt } = m;
  const A = nGt ? m.gtIgnore.length / nGt : 0;
  const dtMatch = new Int32Array(AT * nDt).fill(-1);
  const dtIgnore = new Uint8Array(AT * nDt);
  for (let d = 0; d < nDt; d++) {
    for (let at = 0; at < AT; at++) {
      const st = m.status[d * AT + at]!;
      if (st === 0) dtIgnore[at * nDt + d] = 1;
      else if (st === 1) dtMatch[at * nDt + d] = 0;
    }
  }
  const gtIgnore = new Uint8Array(m.gtIgnore.length);
  for (let g = 0; g < nGt; g++) for (let a = 0; a < A; a++) gtIgnore[a * nGt + g] = m.gtIgnore[g * A + a]!;
  return { ...m, dt: Int32Array.from({ length: nDt }, (_, j) => j), gt: new Int32Array(nGt), dtMatch, dtIgnore, gtIgnore };
}

/**
 * The merged matching through the wasm accumulate kernel (kernel-host.ts runCocoAccumulate): the
 * plan's accumulate order (per K index, by score, stable) and the tp / ign bits in that order.
 */
function accumulateInKernel(k: Kernels, m: MergedBlocks, p: CocoParams, score: Float64Array): Accumulated {
  const T = p.iouThrs.length;
  const A = p.areaRng.length;
  const K = p.useCats ? p.catIds.length : 1;
  const { nDt } = m;
  const W = Math.ceil(T / 32);
  const kBlocks = categoryBlocks(m, K, p.useCats);
  const kStart = new Int32Array(K + 1);
  const kEval = new Uint8Array(K);
  const accOrder = new Int32Array(nDt);
  const npig = new Int32Array(K * A);
  for (let q = 0; q < K; q++) {
    const lo = m.blockDtStart[kBlocks[q]!]!;
    const hi = m.blockDtStart[kBlocks[q + 1]!]!;
    kStart[q] = lo;
    kEval[q] = kBlocks[q + 1]! > kBlocks[q]! ? 1 : 0;
    const order = scoreOrder(lo, hi, (j) => score[j]!);
    for (let i = 0; i < order.length; i++) accOrder[lo + i] = order[i]!;
    for (let g = m.blockGtStart[kBlocks[q]!]!; g < m.blockGtStart[kBlocks[q + 1]!]!; g++) {
      for (let a = 0; a < A; a++) if (!m.gtIgnore[g * A + a]) npig[q * A + a]!++;
    }
  }
  kStart[K] = nDt;
  const tp = new Uint32Array(A * nDt * W);
  const ign = new Uint32Array(A * nDt * W);
  for (let j = 0; j < nDt; j++) {
    for (let a = 0; a < A; a++) {
      const w0 = (a * nDt + j) * W;
      for (let t = 0; t < T; t++) {
        const st = m.status[(j * A + a) * T + t]!;
        if (st === 0) ign[w0 + (t >>> 5)]! |= 1 << (t & 31);
        else if (st === 1) tp[w0 + (t >>> 5)]! |= 1 << (t & 31);
      }
    }
  }
  const dtList = Int32Array.from({ length: nDt }, (_, j) => j);
  const plan = { p, T, A, K, dtList, dtRank: blockRanks({ ...m, dt: dtList }), accOrder, kStart, kEval };
  const bits = { W, tp, ign, zeroIdMatches: 0 };
  return accumulateScoresOnRead(k, plan, bits, score, npig, () => bits);
}

/** Shard states: one count, every index 1..count once. */
function checkShards(states: readonly CocoState[], name: (i: number) => string): void {
  const sharded = states.map((s, i) => [s.shard, i] as const).filter(([sh]) => sh !== null) as [ShardOf, number][];
  if (sharded.length === 0) return;
  if (sharded.length !== states.length) {
    const other = states.findIndex((s) => s.shard === null);
    throw new CocoStateInputError(`${name(other)}: not a shard (made without --shard), but ${name(sharded[0]![1])} is one: merge the shards of one run`);
  }
  const count = sharded[0]![0].count;
  const seen = new Map<number, number>();
  for (const [sh, i] of sharded) {
    if (sh.count !== count) throw new CocoStateInputError(`${name(i)}: shard ${sh.index}/${sh.count}, but ${name(sharded[0]![1])} is one of ${count} shards`);
    const o = seen.get(sh.index);
    if (o !== undefined) throw new CocoStateInputError(`${name(i)}: shard ${sh.index}/${count} is given twice (also ${name(o)})`);
    seen.set(sh.index, i);
  }
  const missing: number[] = [];
  for (let q = 1; q <= count; q++) if (!seen.has(q)) missing.push(q);
  if (missing.length) throw new CocoStateInputError(`shard${missing.length > 1 ? "s" : ""} ${missing.map((q) => `${q}/${count}`).join(", ")} missing (merge all ${count} shards)`);
}

/** The images of shard `index` (1-based) of `count`: contiguous ranges of the sorted ids, sizes differing by one at most. */
export function shardImages(imgIds: readonly CocoId[], index: number, count: number): CocoId[] {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 1 && index <= count)) {
    throw new RangeError(`shard: expected 1 <= index <= count, got ${index}/${count}`);
  }
  const n = imgIds.length;
  return imgIds.slice(Math.floor((n * (index - 1)) / count), Math.floor((n * index) / count));
}

/** The part of a state that covers the images `keep` accepts (their blocks, unchanged). */
export function restrictState(state: CocoState, keep: (imageId: CocoId) => boolean): CocoState {
  const { params: p } = state;
  const A = p.areaRng.length;
  const AT = A * p.iouThrs.length;
  const imgIds = p.imgIds.filter(keep);
  const position = new Map<CocoId, number>(imgIds.map((id, q) => [id, q]));
  const blocks: number[] = [];
  let nDt = 0;
  let nGt = 0;
  for (let b = 0; b < state.blockImage.length; b++) {
    if (!position.has(p.imgIds[state.blockImage[b]!]!)) continue;
    blocks.push(b);
    nDt += state.blockDtStart[b + 1]! - state.blockDtStart[b]!;
    nGt += state.blockGtStart[b + 1]! - state.blockGtStart[b]!;
  }
  const blockImage = new Int32Array(blocks.length);
  const blockCategory = new Int32Array(blocks.length);
  const blockDtStart = new Int32Array(blocks.length + 1);
  const blockGtStart = new Int32Array(blocks.length + 1);
  const score = new Float64Array(nDt);
  const status = new Uint8Array(nDt * AT);
  const gtIgnore = new Uint8Array(nGt * A);
  let d = 0;
  let g = 0;
  blocks.forEach((b, q) => {
    blockImage[q] = position.get(p.imgIds[state.blockImage[b]!]!)!;
    blockCategory[q] = state.blockCategory[b]!;
    blockDtStart[q] = d;
    blockGtStart[q] = g;
    const d0 = state.blockDtStart[b]!;
    const d1 = state.blockDtStart[b + 1]!;
    score.set(state.score.subarray(d0, d1), d);
    status.set(state.status.subarray(d0 * AT, d1 * AT), d * AT);
    d += d1 - d0;
    const g0 = state.blockGtStart[b]!;
    const g1 = state.blockGtStart[b + 1]!;
    gtIgnore.set(state.gtIgnore.subarray(g0 * A, g1 * A), g * A);
    g += g1 - g0;
  });
  blockDtStart[blocks.length] = d;
  blockGtStart[blocks.length] = g;
  return { ...state, params: { ...p, imgIds }, blockImage, blockCategory, blockDtStart, blockGtStart, score, status, gtIgnore };
}
