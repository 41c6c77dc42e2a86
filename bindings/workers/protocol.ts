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
import { type MatchBits, type MatchColumns, type MatchPlan, runCocoMatch } from "../coco/kernel-host.js";
import { buildMaskJobs, datasetMaskJobs, type MaskJobs, resultsMaskJobs } from "../coco/mask-pool.js";
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

/** The task of blocks `blocks` (global indices, ascending) of a prepared evaluation. */
function taskOf(prep: PreparedCoco, id: number, blocks: Int32Array, share: (a: ArrayBufferView) => ArrayBufferView): { task: MatchTask; dtGlobal: Int32Array } {
  const { plan, gt, dt, mode, engine } = prep;
  const nB = blocks.length;
  const blockGtStart = new Int32Array(nB + 1);
  const blockDtStart = new Int32Array(nB + 1);
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
    nG += G;
    nD += D;
    if (G > maxG) maxG = G;
    if (D > maxD) maxD = D;
  }
  blockGtStart[nB] = nG;
  blockDtStart[nB] = nD;
  const gtList = new Int32Array(nG);
  const dtList = new Int32Array(nD);
  const dtGlobal = new Int32Array(nD); // local detection entry -> global entry
  for (let q = 0; q < nB; q++) {
    const b = blocks[q]!;
    gtList.set(plan.gtList.subarray(plan.blockGtStart[b]!, plan.blockGtStart[b + 1]!), blockGtStart[q]!);
    const d0 = plan.blockDtStart[b]!;
    const D = plan.blockDtStart[b + 1]! - d0;
    dtList.set(plan.dtList.subarray(d0, d0 + D), blockDtStart[q]!);
    for (let j = 0; j < D; j++) dtGlobal[blockDtStart[q]! + j] = d0 + j;
  }
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
    masks = { gt: shareJobs(g.jobs, share), dt: shareJobs(d.jobs, share), gtJob, dtJob, dtAreaFromMasks: dt.source === "segm" && dt.geometryPending };
  }
  // the task's own columns, gathered in entry order (its lists then index them 0..n-1)
  const A = gt.annotations;
  const gtBox = new Float64Array(mode === 0 ? 4 * nG : 0);
  const gtArea = new Float64Array(nG);
  const gtCrowd = new Uint8Array(nG);
  const gtBaseIgnore = new Uint8Array(nG);
  const gtIdZero = new Uint8Array(nG);
  for (let j = 0; j < nG; j++) {
    const a = gtList[j]!;
    if (mode === 0) {
      gtBox[4 * j] = A.box[4 * a]!;
      gtBox[4 * j + 1] = A.box[4 * a + 1]!;
      gtBox[4 * j + 2] = A.box[4 * a + 2]!;
      gtBox[4 * j + 3] = A.box[4 * a + 3]!;
    }
    gtArea[j] = A.area[a]!;
    gtCrowd[j] = A.crowd[a] === 1 ? 1 : 0; // crowd IoU: int(iscrowd) != 0
    gtBaseIgnore[j] = prep.gtBaseIgnore[a]!;
    gtIdZero[j] = A.idIsZero[a]!;
  }
  const dtBox = new Float64Array(mode === 0 ? 4 * nD : 0);
  const dtArea = new Float64Array(nD);
  for (let j = 0; j < nD; j++) {
    const r = dtList[j]!;
    if (mode === 0) {
      dtBox[4 * j] = dt.box[4 * r]!;
      dtBox[4 * j + 1] = dt.box[4 * r + 1]!;
      dtBox[4 * j + 2] = dt.box[4 * r + 2]!;
      dtBox[4 * j + 3] = dt.box[4 * r + 3]!;
    }
    dtArea[j] = dt.area[r]!;
  }
  const cols = { mode, gtBox, gtArea, gtCrowd, gtBaseIgnore, gtIdZero, dtBox, dtArea };
  return {
    task: {
      tag: TASK_TAG,
      id,
      plan: { T: plan.T, A: plan.A, iouThrs: [...p.iouThrs], areaRng: p.areaRng.map((r) => [r[0], r[1]] as const), nBlocks: nB, blockGtStart, blockDtStart, gtList: identity(nG), dtList: identity(nD), nOut: nD, maxG, maxD },
      cols,
      masks,
    },
    dtGlobal,
  };
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

function shareJobs(j: MaskJobs, share: (a: ArrayBufferView) => ArrayBufferView): MaskJobs {
  return {
    count: j.count,
    jobs: j.jobs,
    bytes: share(j.bytes) as Uint8Array,
    coords: share(j.coords) as Float64Array,
    parts: share(j.parts) as Int32Array,
    counts: share(j.counts) as Uint32Array,
    boxes: share(j.boxes) as Float64Array,
  };
}

/** Evaluates on the runners: plan here, match there, accumulate here. */
export async function evaluateWithRunners(prep: PreparedCoco, runners: readonly TaskRunner[]): Promise<CocoEvaluation> {
  const { plan, timings, dt } = prep;
  const tIou = performance.now();
  const groups = splitByImage(prep, runners.length);
  const share = sharer();
  const parts = groups.map((blocks, id) => taskOf(prep, id, blocks, share));
  const matchStart = performance.now();
  timings.iou = matchStart - tIou;
  // tasks are handed out in order: a runner on this thread (localRunner) comes last, and runs its
  // task synchronously once the others are posted
  const pending: Promise<MatchTaskResult>[] = new Array(parts.length);
  for (let id = 0; id < parts.length; id++) {
    pending[id] = (({ task }) => {
      const transfer: ArrayBuffer[] = [];
      const c = task.cols;
      for (const a of [task.plan.blockGtStart, task.plan.blockDtStart, task.plan.gtList, task.plan.dtList, c.gtBox, c.gtArea, c.gtCrowd, c.gtBaseIgnore, c.gtIdZero, c.dtBox, c.dtArea]) {
        if (a.byteLength > 0 && !transfer.includes(a.buffer as ArrayBuffer)) transfer.push(a.buffer as ArrayBuffer);
      }
      return runners[id]!.run(task, transfer);
    })(parts[id]!);
  }
  const results = await Promise.all(pending);
  // merge: local detection entries -> the plan's entries
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
    const dtGlobal = parts[id]!.dtGlobal;
    const nLocal = dtGlobal.length;
    for (let a = 0; a < A; a++) {
      for (let j = 0; j < nLocal; j++) {
        const pos = dtGlobal[j]!;
        for (let w = 0; w < W; w++) {
          tp[(a * nDt + pos) * W + w] = bits.tp[(a * nLocal + j) * W + w]!;
          ign[(a * nDt + pos) * W + w] = bits.ign[(a * nLocal + j) * W + w]!;
        }
      }
    }
    if (r.dtArea) for (let j = 0; j < nLocal; j++) dt.area[plan.dtList[dtGlobal[j]!]!] = r.dtArea[j]!;
  }
  return finishCoco(prep, matchedFromBits(prep, { W, tp, ign, zeroIdMatches: zero }), matchStart);
}

/** A runner on this thread's engine (for N threads: N - 1 workers and this one). */
export function localRunner(engine: GeometryEngine): TaskRunner {
  return { run: (task) => Promise.resolve(runMatchTask(engine, task)) };
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
        // loadRes' segm branch: area = the mask's (the column is this task's own)
        dtArea = new Float64Array(nD);
        for (let j = 0; j < nD; j++) {
          const v = d.table[8 * m.dtJob[j]! + 4]!;
          cols.dtArea[j] = v;
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
