// Evaluation on several threads, the part both Node (worker_threads) and browsers (Web Workers)
// share: the main thread plans (bindings/coco/evaluate.ts prepareCoco), splits the blocks by image
// into one task per worker, each worker builds its masks and matches its blocks with the wasm
// kernels, and the main thread merges the per-detection bits and accumulates. Each block is matched
// the same way whichever worker takes it, and accumulate sees the same bits in the same order, so
// the numbers are identical for any number of workers. Browser-safe: no node: imports.
import type { CocoResults } from "../coco/inputs.js";
import type { CocoDataset } from "../coco/inputs.js";
import { type CocoEvaluation, finishCoco, type PreparedCoco } from "../coco/evaluate.js";
import { matchedFromBits } from "../coco/backend-wasm.js";
import { labelsWithDetections } from "../coco/overlaps.js";
import { imageMajorOrder, type MatchBits, type MatchColumns, type MatchPlan, runCocoMatch } from "../coco/kernel-host.js";
import { crowdRegionsOf } from "../coco/match-ts.js";
import { buildMaskJobs, compactJobs, datasetMaskJobs, type MaskJobs, resultsMaskJobs } from "../coco/mask-pool.js";
import { engineKernels } from "../engine/host.js";
import type { GeometryEngine } from "../geometry/types.js";

/** Marks messages of this protocol. */
export const TASK_TAG = "detection-eval-match-task";

/** One worker's share: its blocks, as a self-contained plan, and the columns it reads. */
export interface MatchTask {
  readonly tag: typeof TASK_TAG;
  readonly id: number;
  readonly plan: MatchPlan;
  readonly cols: Omit<MatchColumns, "masks" | "iou" | "blockIouStart">;
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
  readonly bits?: MatchBits;
  /** segm branch: the area of each detection entry (from its mask). */
  readonly dtArea?: Float64Array;
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
function taskOf(prep: PreparedCoco, id: number, blocks: Int32Array, cols: MatchTask["cols"]): { task: MatchTask; runs: Int32Array } {
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
  return { ...task, cols, masks: m && { ...m, gt: compactJobs(m.gt), dt: compactJobs(m.dt) } };
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

/** A typed array copied into a SharedArrayBuffer when there is one (workers then share it), else as is. */
export function sharer(): (a: ArrayBufferView) => ArrayBufferView {
  const canShare = typeof SharedArrayBuffer !== "undefined" && (typeof globalThis.crossOriginIsolated === "undefined" || globalThis.crossOriginIsolated);
  // by buffer and range: views of the same pool made twice are shared once
  const cache = new WeakMap<ArrayBufferLike, Map<string, ArrayBufferView>>();
  return (a) => {
    if (a.byteLength === 0) return a;
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

/** Evaluates on the runners: plan here, match there, accumulate here. */
export async function evaluateWithRunners(prep: PreparedCoco, runners: readonly TaskRunner[]): Promise<CocoEvaluation> {
  const { plan, timings, dt } = prep;
  const tIou = performance.now();
  const groups = splitByImage(prep, runners.length);
  const share = sharer();
  const cols = taskColumns(prep);
  // each task is posted as soon as it is made (a worker starts while the next is made); a runner on
  // this thread (localRunner) comes last, reads the columns as they are and runs its task at once
  const parts: { task: MatchTask; runs: Int32Array }[] = [];
  const pending: Promise<MatchTaskResult>[] = [];
  let matchStart = 0;
  for (let id = 0; id < groups.length; id++) {
    const part = taskOf(prep, id, groups[id]!, cols);
    parts.push(part);
    const local = runners[id]!.local === true;
    const task = local ? part.task : sharedTask(part.task, share);
    // only the task's own arrays move (the columns are shared, or the evaluation's)
    const transfer: ArrayBuffer[] = [];
    const m = task.masks;
    const own = m && !local ? [m.gt, m.dt].flatMap((j) => [j.jobs, j.bytes, j.coords, j.parts, j.counts, j.boxes]) : [];
    for (const a of [task.plan.blockGtStart, task.plan.blockDtStart, task.plan.gtList, task.plan.dtList, task.plan.blockOrder, m?.gtJob, m?.dtJob, ...own]) {
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
  // merge: the tasks' detection entries -> the plan's, a stretch at a time
  const W = Math.ceil(plan.T / 32);
  const A = plan.A;
  const nDt = plan.dtList.length;
  const tp = new Uint32Array(A * nDt * W);
  const ign = new Uint32Array(A * nDt * W);
  let zero = 0;
  for (let id = 0; id < results.length; id++) {
    const r = results[id]!;
    if (r.error) {
      const e = new Error(r.error.message);
      e.name = r.error.name;
      throw e;
    }
    const bits = r.bits!;
    zero += bits.zeroIdMatches;
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
    if (r.dtArea) {
      const list = parts[id]!.task.plan.dtList;
      for (let j = 0; j < nLocal; j++) dt.area[list[j]!] = r.dtArea[j]!;
    }
  }
  return finishCoco(prep, matchedFromBits(prep, { W, tp, ign, zeroIdMatches: zero }), matchStart);
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
    const bits = runCocoMatch(k, task.plan, cols);

    return { tag: TASK_TAG, id: task.id, bits, dtArea };
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
