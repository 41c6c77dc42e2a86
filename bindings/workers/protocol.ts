// Evaluation on several threads, the part both Node (worker_threads) and browsers (Web Workers)
// share: the main thread plans (bindings/coco/evaluate.ts prepareCoco) and splits the blocks into
// one task per thread. By category where runs of whole categories balance: each task builds its
// masks, matches its blocks and accumulates its categories, and the main thread joins their
// precision and recall. Else by image: the tasks build masks and match, and the main thread merges
// the per-detection bits and accumulates. Each block is matched and each category accumulated the
// same way whichever thread takes it, so the numbers are identical for any number of workers.
// Browser-safe: no node: imports.
import type { CocoResults } from "../coco/inputs.js";
import type { CocoDataset } from "../coco/inputs.js";
import { type CocoEvaluation, finishCoco, type PreparedCoco } from "../coco/evaluate.js";
import { matchedFromAccumulated, matchedFromBits } from "../coco/backend-wasm.js";
import { labelsWithDetections } from "../coco/overlaps.js";
import { countLabels, imageMajorOrder, type MatchBits, type MatchColumns, type MatchPlan, releaseBits, runCocoAccumulate, runCocoMatch, runCocoMatchResident } from "../coco/kernel-host.js";
import type { Accumulated } from "../coco/types.js";
import { crowdRegionsOf } from "../coco/match-ts.js";
import { buildMaskJobs, compactJobs, datasetMaskJobs, type MaskJobs, resultsMaskJobs } from "../coco/mask-pool.js";
import { engineKernels } from "../engine/host.js";
import type { GeometryEngine } from "../geometry/types.js";

/** Marks messages of this protocol. */
export const TASK_TAG = "detection-eval-match-task";

/**
 * What a task of whole categories needs to accumulate them too (split by category): its positions
 * of accumulate's order, which name the plan's entries (the task's own are entryBase on), and each
 * of its blocks' K index (the task counts its categories' labels itself).
 */
export interface TaskAccumulate {
  readonly K: number;
  readonly recThrs: readonly number[];
  readonly maxDets: readonly number[];
  /** Positions of K index k among the task's: kStart[k] .. kStart[k + 1] (empty outside its categories). */
  readonly kStart: Int32Array;
  readonly kEval: Uint8Array;
  /** K index of each of the task's blocks. */
  readonly blockK: Int32Array;
  /** The task's positions in accumulate order: the plan's entry of each (this task's copy, made its own entries in place). */
  readonly accOrder: Int32Array;
  /** The plan's entry of the task's first entry. */
  readonly entryBase: number;
  /** Rank of each of the task's entries within its block. */
  readonly dtRank: Int32Array;
  /** Every result's score (the evaluation's column). */
  readonly score: Float64Array;
}

/** One worker's share: its blocks, as a self-contained plan, and the columns it reads. */
export interface MatchTask {
  readonly tag: typeof TASK_TAG;
  readonly id: number;
  readonly plan: MatchPlan;
  readonly cols: Omit<MatchColumns, "masks" | "iou" | "blockIouStart">;
  /** A task of whole categories accumulates them as well. */
  readonly accumulate?: TaskAccumulate;
  /** mode 3: mask jobs of the task's labels and detections, and the mask of each entry. */
  readonly masks?: {
    gt: MaskJobs;
    dt: MaskJobs;
    gtJob: Int32Array; // per label entry
    dtJob: Int32Array; // per detection entry
    /** segm branch: the detections' areas come from their masks (loadRes). */
    dtAreaFromMasks: boolean;
  };
}

export interface MatchTaskResult {
  readonly tag: typeof TASK_TAG;
  readonly id: number;
  /** Split by image: the tp / ign bits of the task's entries. */
  readonly bits?: MatchBits;
  /** Matches that went to a label with id 0 (pycocotools counts them as false positives). */
  readonly zeroIdMatches?: number;
  /** segm branch: the area of each detection entry (from its mask). */
  readonly dtArea?: Float64Array;
  /** A task with `accumulate`: its categories' precision and recall (Accumulated's stored slices, no scores). */
  readonly accumulated?: { kIndex: Int32Array; precision: Float64Array; recall: Float64Array };
  readonly error?: { name: string; message: string };
}

/** Something that runs tasks on a thread of its own (see bindings/workers/node-threads.ts and web-workers.ts). */
export interface TaskRunner {
  /** On this thread: its task's columns need not be shared. */
  readonly local?: boolean;
  /** Runs one task; `transfer`: buffers that may be moved instead of copied. */
  run(task: MatchTask, transfer: ArrayBuffer[]): Promise<MatchTaskResult>;
}

/**
 * The main-thread side of a pool of workers (both hosts): every task posted gets an id of its own
 * (the pool's counter, not the caller's task number), so that any number of evaluations can share
 * one pool at once and each result goes to the call that posted its task. A worker that fails or
 * exits rejects its pending tasks and every later one; close() rejects all pending and later tasks.
 */
export class TaskDispatcher {
  private nextId = 1;
  private readonly pending = new Map<number, { worker: number; resolve: (r: MatchTaskResult) => void; reject: (e: Error) => void }>();
  private readonly broken: (Error | undefined)[];
  private closed: Error | undefined;

  /** `post(worker, task, transfer)` sends a task to worker `worker` (0..n-1); `what` names the pool in errors. */
  constructor(
    n: number,
    private readonly what: string,
    private readonly post: (worker: number, task: MatchTask, transfer: ArrayBuffer[]) => void,
  ) {
    this.broken = new Array<Error | undefined>(n).fill(undefined);
    this.runners = Array.from({ length: n }, (_, w) => ({ run: (task: MatchTask, transfer: ArrayBuffer[]) => this.run(w, task, transfer) }));
  }

  /** One runner per worker. */
  readonly runners: TaskRunner[];

  /** Tasks posted and not yet answered. */
  get pendingCount(): number {
    return this.pending.size;
  }

  private run(worker: number, task: MatchTask, transfer: ArrayBuffer[]): Promise<MatchTaskResult> {
    const refused = this.closed ?? this.broken[worker];
    if (refused) return Promise.reject(refused);
    const id = this.nextId++;
    return new Promise<MatchTaskResult>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      try {
        this.post(worker, { ...task, id }, transfer);
      } catch (e) {
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** A message from a worker: the result of the task with its id (anything else is ignored). */
  deliver(message: unknown): void {
    const r = message as MatchTaskResult | undefined;
    if (r?.tag !== TASK_TAG) return;
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    p.resolve(r);
  }

  /** Worker `worker` failed or exited: its pending tasks and every later one reject with `error`. */
  fail(worker: number, error: Error): void {
    if (this.closed) return;
    this.broken[worker] ??= error;
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      p.reject(error);
    }
  }

  /** The pool is closing: every pending task and every later one rejects. */
  close(): void {
    if (this.closed) return;
    const n = this.pending.size;
    this.closed = new Error(`${this.what} is closed`);
    const error = n > 0 ? new Error(`${this.what} was closed with ${n} task${n === 1 ? "" : "s"} pending`) : this.closed;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

/**
 * The task of blocks `blocks` (global indices, ascending) of a prepared evaluation. Its lists hold
 * the global annotation and result indices, and its columns are the evaluation's own, every
 * annotation's and result's (`share`d once for all tasks: no per-entry gather); the task's
 * detection entries are its blocks' in order, `runs` maps them back to the plan's entries.
 */
function taskOf(prep: PreparedCoco, id: number, blocks: Int32Array, cols: MatchTask["cols"], accumulate?: TaskAccumulate): { task: MatchTask; runs: Int32Array } {
  const { plan, gt, dt, mode, engine } = prep;
  const nB = blocks.length;
  const blockGtStart = new Int32Array(nB + 1);
  const blockDtStart = new Int32Array(nB + 1);
  const blockImage = new Int32Array(nB);
  let nG = 0;
  let nD = 0;
  let maxG = 0;
  let maxD = 0;
  for (let q = 0; q < nB; q++) {
    const b = blocks[q]!;
    const G = plan.blockGtStart[b + 1]! - plan.blockGtStart[b]!;
    const D = plan.blockDtStart[b + 1]! - plan.blockDtStart[b]!;
    blockGtStart[q] = nG;
    blockDtStart[q] = nD;
    blockImage[q] = plan.blockImagePos[b]!;
    nG += G;
    nD += D;
    if (G > maxG) maxG = G;
    if (D > maxD) maxD = D;
  }
  blockGtStart[nB] = nG;
  blockDtStart[nB] = nD;
  const runs = stretches(plan.blockDtStart, blocks);
  const gtList = entriesOf(plan.gtList, stretches(plan.blockGtStart, blocks), nG);
  const dtList = entriesOf(plan.dtList, runs, nD);
  const p = prep.p;
  let masks: MatchTask["masks"];
  if (mode === 3) {
    // results first, as the per-object path meets them
    const d = resultsMaskJobs(engine, dt, dtList);
    const g = datasetMaskJobs(engine, gt, labelsWithDetections({ nBlocks: nB, blockGtStart, blockDtStart, gtList }));
    const gtJob = new Int32Array(nG);
    for (let j = 0; j < nG; j++) gtJob[j] = Math.max(0, g.index[gtList[j]!]!);
    const dtJob = new Int32Array(nD);
    for (let j = 0; j < nD; j++) dtJob[j] = d.index[dtList[j]!]!;
    masks = { gt: g.jobs, dt: d.jobs, gtJob, dtJob, dtAreaFromMasks: dt.source === "segm" && dt.geometryPending };
  }
  return {
    task: {
      tag: TASK_TAG,
      id,
      plan: {
        T: plan.T,
        A: plan.A,
        iouThrs: [...p.iouThrs],
        areaRng: p.areaRng.map((r) => [r[0], r[1]] as const),
        nBlocks: nB,
        blockGtStart,
        blockDtStart,
        gtList,
        dtList,
        nOut: nD,
        maxG,
        maxD,
        blockOrder: imageMajorOrder(blockImage, nB),
      },
      cols,
      masks,
      accumulate,
    },
    runs,
  };
}

/**
 * The stretches (local start, plan start, length) of the blocks' entries in a plan list whose block
 * b holds entries start[b] .. start[b + 1]: adjacent blocks' entries make one (the blocks of a range
 * of images are a stretch per category, as the plan lists them by category, then image).
 */
function stretches(start: Int32Array, blocks: Int32Array): Int32Array {
  const out: number[] = [];
  let local = 0;
  let end = -1;
  for (let q = 0; q < blocks.length; q++) {
    const s0 = start[blocks[q]!]!;
    const n = start[blocks[q]! + 1]! - s0;
    if (n === 0) continue;
    if (s0 === end) out[out.length - 1]! += n;
    else out.push(local, s0, n);
    local += n;
    end = s0 + n;
  }
  return Int32Array.from(out);
}

/** The n entries of `list` the stretches name, in their local order. */
function entriesOf(list: Int32Array, runs: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let q = 0; q < runs.length; q += 3) out.set(list.subarray(runs[q + 1]!, runs[q + 1]! + runs[q + 2]!), runs[q]!);
  return out;
}

/** The columns every task reads (the evaluation's own: per annotation, per result). */
function taskColumns(prep: PreparedCoco): MatchTask["cols"] {
  const A = prep.gt.annotations;
  const box = prep.mode === 0;
  return {
    mode: prep.mode,
    gtBox: box ? A.box : new Float64Array(0),
    gtArea: A.area,
    gtCrowd: crowdRegionsOf(prep.gt),
    gtBaseIgnore: prep.gtBaseIgnore,
    gtIdZero: A.idIsZero,
    dtBox: box ? prep.dt.box : new Float64Array(0),
    dtArea: prep.dt.area,
  };
}

/** A task for a worker: the columns shared (copied where nothing can be shared), the mask jobs with pools of their own. */
function sharedTask(task: MatchTask, share: (a: ArrayBufferView) => ArrayBufferView): MatchTask {
  const c = task.cols;
  const cols = {
    mode: c.mode,
    gtBox: share(c.gtBox) as Float64Array,
    gtArea: share(c.gtArea) as Float64Array,
    gtCrowd: share(c.gtCrowd) as Uint8Array,
    gtBaseIgnore: share(c.gtBaseIgnore) as Uint8Array,
    gtIdZero: share(c.gtIdZero) as Uint8Array,
    dtBox: share(c.dtBox) as Float64Array,
    dtArea: share(c.dtArea) as Float64Array,
  };
  const m = task.masks;
  const a = task.accumulate;
  return { ...task, cols, masks: m && { ...m, gt: compactJobs(m.gt), dt: compactJobs(m.dt) }, accumulate: a && { ...a, score: share(a.score) as Float64Array } };
}

/** Splits the blocks by image into at most n tasks of similar work (contiguous image ranges). */
export function splitByImage(prep: PreparedCoco, n: number): Int32Array[] {
  const { plan } = prep;
  const I = prep.p.imgIds.length;
  const work = new Float64Array(I);
  for (let b = 0; b < plan.nBlocks; b++) {
    const G = plan.blockGtStart[b + 1]! - plan.blockGtStart[b]!;
    const D = plan.blockDtStart[b + 1]! - plan.blockDtStart[b]!;
    work[plan.blockImagePos[b]!]! += D * G + 4 * (D + G) + 1;
  }
  let total = 0;
  for (let i = 0; i < I; i++) total += work[i]!;
  const groupOf = new Int32Array(I);
  let acc = 0;
  for (let i = 0; i < I; i++) {
    groupOf[i] = Math.min(n - 1, Math.floor((acc / total) * n));
    acc += work[i]!;
  }
  const counts = new Int32Array(n);
  for (let b = 0; b < plan.nBlocks; b++) counts[groupOf[plan.blockImagePos[b]!]!]!++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(n);
  for (let b = 0; b < plan.nBlocks; b++) {
    const g = groupOf[plan.blockImagePos[b]!]!;
    out[g]![fill[g]!++] = b;
  }
  return out.filter((a) => a.length > 0);
}

/** A task of whole categories: its blocks and what it needs to accumulate them. */
interface CategoryPart {
  blocks: Int32Array;
  accumulate: TaskAccumulate;
}

/**
 * Splits the categories into at most n contiguous runs of similar work (matching and accumulating),
 * each task then accumulating its own categories: the plan lists the blocks by category, so a run's
 * blocks, detection entries and accumulate positions are each one stretch. null where no such split
 * exists (fewer categories than tasks, one category outweighing a share, useCats false): split by
 * image then.
 */
export function splitByCategory(prep: PreparedCoco, n: number): CategoryPart[] | null {
  const { plan, p } = prep;
  const { K, A, nBlocks, blockK, blockGtStart, blockDtStart, kStart, accOrder } = plan;
  if (n < 2 || K < n) return null;
  const M = p.maxDets.length;
  const work = new Float64Array(K);
  for (let b = 0; b < nBlocks; b++) {
    if (b > 0 && blockK[b]! < blockK[b - 1]!) return null; // (not category-major: no stretches)
    const G = blockGtStart[b + 1]! - blockGtStart[b]!;
    const D = blockDtStart[b + 1]! - blockDtStart[b]!;
    work[blockK[b]!]! += D * G + 4 * (D + G) + 1;
  }
  let total = 0;
  for (let q = 0; q < K; q++) total += work[q]! += (kStart[q + 1]! - kStart[q]!) * A * M;
  if (!(total > 0)) return null;
  // K index q goes to the share its middle falls in (non-decreasing: contiguous shares)
  const groupOf = new Int32Array(K);
  let acc = 0;
  for (let q = 0; q < K; q++) {
    groupOf[q] = Math.min(n - 1, Math.floor(((acc + work[q]! / 2) / total) * n));
    acc += work[q]!;
  }
  // first[g]: the first K index of share g or a later one (K: none)
  const first = new Int32Array(n + 1).fill(K);
  for (let q = K - 1; q >= 0; q--) for (let g = 0; g <= groupOf[q]!; g++) first[g] = q;
  const parts: CategoryPart[] = [];
  let b0 = 0;
  for (let g = 0; g < n; g++) {
    const qa = first[g]!;
    const qb = first[g + 1]!;
    let share = 0;
    for (let q = qa; q < qb; q++) share += work[q]!;
    if (share > (1.25 * total) / n) return null; // (one share would hold the others up)
    let b1 = b0;
    while (b1 < nBlocks && blockK[b1]! < qb) b1++;
    if (b1 === b0) continue;
    const e0 = blockDtStart[b0]!;
    const e1 = blockDtStart[b1]!;
    const p0 = kStart[qa]!;
    const p1 = kStart[qb]!;
    if (p1 - p0 !== e1 - e0) return null; // (every entry of a category has a position of it)
    const ks = new Int32Array(K + 1);
    for (let q = 0; q <= K; q++) ks[q] = Math.min(Math.max(kStart[q]! - p0, 0), p1 - p0);
    const blocks = new Int32Array(b1 - b0);
    for (let i = 0; i < blocks.length; i++) blocks[i] = b0 + i;
    parts.push({
      blocks,
      accumulate: {
        K,
        recThrs: [...p.recThrs],
        maxDets: [...p.maxDets],
        kStart: ks,
        kEval: plan.kEval,
        blockK: blockK.slice(b0, b1),
        accOrder: accOrder.slice(p0, p1),
        entryBase: e0,
        dtRank: plan.dtRank.slice(e0, e1),
        score: prep.dt.score,
      },
    });
    b0 = b1;
  }
  return parts.length > 1 ? parts : null;
}

/** Precision and recall of the tasks' categories (in K order) as one Accumulated's stored slices. */
function mergeAccumulated(prep: PreparedCoco, parts: readonly NonNullable<MatchTaskResult["accumulated"]>[]): Omit<Accumulated, "scores"> {
  const { T, A, K } = prep.plan;
  const R = prep.p.recThrs.length;
  const M = prep.p.maxDets.length;
  const am = A * M;
  let Kc = 0;
  for (const a of parts) Kc += a.kIndex.length;
  const kIndex = new Int32Array(Kc);
  const precision = new Float64Array(T * R * Kc * am);
  const recall = new Float64Array(T * Kc * am);
  let c0 = 0;
  for (const a of parts) {
    const n = a.kIndex.length;
    kIndex.set(a.kIndex, c0);
    for (let tr = 0; tr < T * R; tr++) precision.set(a.precision.subarray(tr * n * am, (tr + 1) * n * am), (tr * Kc + c0) * am);
    for (let t = 0; t < T; t++) recall.set(a.recall.subarray(t * n * am, (t + 1) * n * am), (t * Kc + c0) * am);
    c0 += n;
  }
  return { precisionShape: [T, R, K, A, M], recallShape: [T, K, A, M], kIndex, precision, recall };
}

/** The buffers of a task's result that move back to the calling thread instead of being copied. */
export function resultTransfer(r: MatchTaskResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (r.bits) out.push(r.bits.tp.buffer as ArrayBuffer, r.bits.ign.buffer as ArrayBuffer);
  if (r.dtArea) out.push(r.dtArea.buffer as ArrayBuffer);
  if (r.accumulated) out.push(r.accumulated.kIndex.buffer as ArrayBuffer, r.accumulated.precision.buffer as ArrayBuffer, r.accumulated.recall.buffer as ArrayBuffer);
  return out;
}

/** A typed array copied into a SharedArrayBuffer when there is one (workers then share it), else as is. */
export function sharer(): (a: ArrayBufferView) => ArrayBufferView {
  const canShare = typeof SharedArrayBuffer !== "undefined" && (typeof globalThis.crossOriginIsolated === "undefined" || globalThis.crossOriginIsolated);
  // by buffer and range: views of the same pool made twice are shared once
  const cache = new WeakMap<ArrayBufferLike, Map<string, ArrayBufferView>>();
  return (a) => {
    if (a.byteLength === 0 || (canShare && a.buffer instanceof SharedArrayBuffer)) return a; // (shared already)
    if (!canShare) {
      // a compact copy (a view's whole buffer would be cloned otherwise)
      return a.byteLength === a.buffer.byteLength ? a : ((a as unknown as { slice(): ArrayBufferView }).slice());
    }
    let m = cache.get(a.buffer);
    if (!m) cache.set(a.buffer, (m = new Map()));
    const key = `${a.constructor.name}:${a.byteOffset}:${a.byteLength}`;
    let s = m.get(key);
    if (!s) {
      const C = a.constructor as new (b: SharedArrayBuffer) => ArrayBufferView;
      const sab = new SharedArrayBuffer(a.byteLength);
      s = new C(sab);
      new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      m.set(key, s);
    }
    return s;
  };
}

/** How evaluateWithRunners splits the work: "auto" by category where that balances, else by image. */
export type TaskSplit = "auto" | "image";

/**
 * Evaluates on the runners: plan here; masks, matching and (split by category) accumulate there;
 * the rest here.
 */
export async function evaluateWithRunners(prep: PreparedCoco, runners: readonly TaskRunner[], split: TaskSplit = "auto"): Promise<CocoEvaluation> {
  const { plan, timings, dt } = prep;
  const tIou = performance.now();
  const byCategory = split === "auto" ? splitByCategory(prep, runners.length) : null;
  const groups = byCategory ? byCategory.map((c) => c.blocks) : splitByImage(prep, runners.length);
  const share = sharer();
  const cols = taskColumns(prep);
  // each task is posted as soon as it is made (a worker starts while the next is made); a runner on
  // this thread (localRunner) comes last, reads the columns as they are and runs its task at once
  const parts: { task: MatchTask; runs: Int32Array }[] = [];
  const pending: Promise<MatchTaskResult>[] = [];
  let matchStart = 0;
  for (let id = 0; id < groups.length; id++) {
    const part = taskOf(prep, id, groups[id]!, cols, byCategory?.[id]?.accumulate);
    parts.push(part);
    const local = runners[id]!.local === true;
    const task = local ? part.task : sharedTask(part.task, share);
    // only the task's own arrays move (the columns are shared, or the evaluation's)
    const transfer: ArrayBuffer[] = [];
    const m = task.masks;
    const c = task.accumulate;
    const own = m && !local ? [m.gt, m.dt].flatMap((j) => [j.jobs, j.bytes, j.coords, j.parts, j.counts, j.boxes]) : [];
    for (const a of [task.plan.blockGtStart, task.plan.blockDtStart, task.plan.gtList, task.plan.dtList, task.plan.blockOrder, m?.gtJob, m?.dtJob, ...own, c?.kStart, c?.blockK, c?.accOrder, c?.dtRank]) {
      if (a && a.byteLength > 0 && !transfer.includes(a.buffer as ArrayBuffer)) transfer.push(a.buffer as ArrayBuffer);
    }
    if (id === 0) {
      // (the first task made: what came before it is the split)
      matchStart = performance.now();
      timings.iou = matchStart - tIou;
    }
    pending.push(runners[id]!.run(task, transfer));
  }
  const results = await Promise.all(pending);
  let zero = 0;
  for (let id = 0; id < results.length; id++) {
    const r = results[id]!;
    if (r.error) {
      const e = new Error(r.error.message);
      e.name = r.error.name;
      throw e;
    }
    zero += r.zeroIdMatches ?? 0;
    if (r.dtArea) {
      const list = parts[id]!.task.plan.dtList;
      for (let j = 0; j < list.length; j++) dt.area[list[j]!] = r.dtArea[j]!;
    }
  }
  if (byCategory) return finishCoco(prep, matchedFromAccumulated(prep, zero, mergeAccumulated(prep, results.map((r) => r.accumulated!))), matchStart);
  // the tasks' detection entries -> the plan's, a stretch at a time
  const W = Math.ceil(plan.T / 32);
  const A = plan.A;
  const nDt = plan.dtList.length;
  const tp = new Uint32Array(A * nDt * W);
  const ign = new Uint32Array(A * nDt * W);
  for (let id = 0; id < results.length; id++) {
    const bits = results[id]!.bits!;
    const runs = parts[id]!.runs;
    const nLocal = parts[id]!.task.plan.nOut;
    for (let a = 0; a < A; a++) {
      for (let q = 0; q < runs.length; q += 3) {
        const from = (a * nLocal + runs[q]!) * W;
        const to = (a * nDt + runs[q + 1]!) * W;
        const n = runs[q + 2]! * W;
        tp.set(bits.tp.subarray(from, from + n), to);
        ign.set(bits.ign.subarray(from, from + n), to);
      }
    }
  }
  const matched = matchedFromBits(prep, { W, tp, ign, zeroIdMatches: zero });
  return finishCoco(prep, matched, matchStart);
}

/** A runner on this thread's engine (for N threads: N - 1 workers and this one). */
export function localRunner(engine: GeometryEngine): TaskRunner {
  return { local: true, run: (task) => Promise.resolve(runMatchTask(engine, task)) };
}

/** The worker side: one task on this thread's engine. */
export function runMatchTask(engine: GeometryEngine, task: MatchTask): MatchTaskResult {
  try {
    const k = engineKernels(engine);
    if (!k) throw new Error("engine.wasm lacks the COCO kernels");
    const cols: MatchColumns = { ...task.cols };
    const nD = task.plan.dtList.length;
    let dtArea: Float64Array | undefined;
    if (task.masks) {
      const mk = k;
      const m = task.masks;
      // masks: every job once, in job order (index = identity)
      const g = buildMaskJobs(mk, m.gt, identity(m.gt.count));
      const d = buildMaskJobs(mk, m.dt, identity(m.dt.count));
      cols.masks = { gt: g, dt: d, gtMask: m.gtJob, dtMask: m.dtJob };
      if (m.dtAreaFromMasks) {
        // loadRes' segm branch: area = the mask's (in the column the kernel reads: this thread's copy, or the evaluation's own)
        dtArea = new Float64Array(nD);
        const list = task.plan.dtList;
        for (let j = 0; j < nD; j++) {
          const v = d.table[8 * m.dtJob[j]! + 4]!;
          cols.dtArea[list[j]!] = v;
          dtArea[j] = v;
        }
      }
    }
    const a = task.accumulate;
    if (!a) {
      const bits = runCocoMatch(k, task.plan, cols);
      return { tag: TASK_TAG, id: task.id, bits, zeroIdMatches: bits.zeroIdMatches, dtArea };
    }
    // whole categories: accumulated here, from the bits where the match kernel left them (and no
    // bits go back: what reads them later matches again on the calling thread)
    const resident = runCocoMatchResident(k, task.plan, cols);
    const { T, A, dtList } = task.plan;
    const order = a.accOrder;
    for (let i = 0; i < order.length; i++) {
      const e = order[i]! - a.entryBase;
      if (!(e >= 0 && e < dtList.length)) throw new Error(`internal error: accumulate position ${i} names entry ${order[i]}, not one of this task's`);
      order[i] = e;
    }
    const { nBlocks, gtList, blockGtStart, areaRng } = task.plan;
    const npig = countLabels({ p: { areaRng }, A, K: a.K, nBlocks, gtList, blockGtStart, blockK: a.blockK }, cols.gtArea, cols.gtBaseIgnore);
    const acc = runCocoAccumulate(k, { p: a, T, A, K: a.K, dtList, dtRank: a.dtRank, accOrder: order, kStart: a.kStart, kEval: a.kEval }, resident, a.score, npig, false);
    releaseBits(k);
    return { tag: TASK_TAG, id: task.id, zeroIdMatches: resident.zeroIdMatches, dtArea, accumulated: { kIndex: acc.kIndex, precision: acc.precision, recall: acc.recall } };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { tag: TASK_TAG, id: task.id, error: { name: err.name, message: err.message } };
  }
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

export type { CocoDataset, CocoResults };
