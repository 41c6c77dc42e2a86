// Node: evaluation on worker_threads (`detection-eval coco --workers N`). The compiled engine module
// is posted to each worker, which instantiates its own engine; tasks are split by image
// (bindings/workers/protocol.ts), and columns are shared through SharedArrayBuffers, not copied per
// worker. This module is also the workers' entry script: loaded in a worker created here, it serves
// tasks.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import type { CocoDataset } from "../coco/inputs.js";
import { type CocoEvaluation, evaluateCoco, type EvaluateOptions, prepareCoco } from "../coco/evaluate.js";
import type { CocoParamsInput } from "../coco/params.js";
import { MATCH_BOX_IOU, MATCH_MASK_IOU } from "../coco/types.js";
import type { CocoResults } from "../coco/inputs.js";
import { createEngine, type Engine } from "../engine/engine.js";
import type { GeometryEngine } from "../geometry/types.js";
import { evaluateWithRunners, localRunner, type MatchTask, type MatchTaskResult, resultTransfer, runMatchTask, TASK_TAG, TaskDispatcher, type TaskRunner, type TaskSplit } from "./protocol.js";

const WORKER_TAG = "detection-eval-eval-worker";

interface WorkerInit {
  tag: typeof WORKER_TAG;
  module: WebAssembly.Module;
}

if (!isMainThread && (workerData as WorkerInit | undefined)?.tag === WORKER_TAG) {
  const init = workerData as WorkerInit;
  const ready = createEngine({ wasm: init.module });
  parentPort!.on("message", async (task: MatchTask) => {
    if (task?.tag !== TASK_TAG) return;
    let r: MatchTaskResult;
    try {
      r = runMatchTask(await ready, task);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      r = { tag: TASK_TAG, id: task.id, error: { name: err.name, message: err.message } };
    }
    parentPort!.postMessage(r, resultTransfer(r));
  });
}

/** N worker threads, each with its own engine instance of one compiled module. */
export class NodeWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly dispatch: TaskDispatcher;
  private closing: Promise<void> | undefined;
  /** One runner per worker thread; any number of evaluations may use them at once. */
  readonly runners: TaskRunner[];

  constructor(module: WebAssembly.Module, n: number) {
    const file = fileURLToPath(import.meta.url);
    const init = { workerData: { tag: WORKER_TAG, module } satisfies WorkerInit };
    this.dispatch = new TaskDispatcher(n, "NodeWorkerPool", (i, task, transfer) => this.workers[i]!.postMessage(task, transfer));
    for (let i = 0; i < n; i++) {
      // (from TypeScript sources, as in the tests: the worker registers the tsx loader, then loads this file)
      const w = file.endsWith(".ts")
        ? new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`, { ...init, eval: true })
        : new Worker(file, init);
      w.unref();
      w.on("message", (r: unknown) => this.dispatch.deliver(r));
      w.on("error", (e: Error) => this.dispatch.fail(i, new Error(`NodeWorkerPool: worker ${i} failed: ${e.message}`)));
      w.on("exit", (code: number) => this.dispatch.fail(i, new Error(`NodeWorkerPool: worker ${i} exited (code ${code})`)));
      this.workers.push(w);
    }
    this.runners = this.dispatch.runners;
  }

  /** Terminates the workers; pending and later tasks reject (the evaluations using them fail at once). */
  close(): Promise<void> {
    this.dispatch.close();
    this.closing ??= Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
    return this.closing;
  }
}

/**
 * The threads to run for a request of `requested`: at most the machine's cores (more threads than
 * cores only cost memory and time: each holds an engine and its share of the columns). `capped`:
 * the request was above `cores`.
 */
export function effectiveWorkers(requested: number, cores: number = availableParallelism()): { workers: number; cores: number; capped: boolean } {
  const c = Math.max(1, Math.floor(cores));
  const workers = Math.max(1, Math.min(Math.floor(requested), c));
  return { workers, cores: c, capped: requested > c };
}

export interface ParallelOptions extends EvaluateOptions {
  /** Threads (1: this thread, as evaluateCoco); at most the machine's cores (os.availableParallelism()) unless `pool` is given: above it, the cores with a warning in the result. */
  workers: number;
  /** "image": split the work by image even where a split by category balances (tests compare the two). Default "auto". */
  split?: TaskSplit;
  /** A pool of workers - 1 threads started earlier (e.g. while the files were read, so that its start-up overlaps); not closed here. */
  pool?: NodeWorkerPool;
}

/**
 * evaluateCoco on `workers` threads (this one and workers - 1 worker threads): the same numbers for any
 * number. Planning and accumulating stay on this thread; masks, IoU and matching are split by image.
 */
export async function evaluateCocoParallel(
  engine: GeometryEngine,
  gt: CocoDataset,
  dt: CocoResults,
  params: CocoParamsInput,
  options: ParallelOptions,
): Promise<CocoEvaluation> {
  const module = (engine as Partial<Engine>).module;
  const { workers, cores, capped } = options.pool ? { workers: options.workers, cores: 0, capped: false } : effectiveWorkers(options.workers);
  const warned = (ev: CocoEvaluation): CocoEvaluation => {
    if (capped) ev.warnings.push(`workers: ${options.workers} requested, more than this machine's ${cores} cores (os.availableParallelism()); used ${workers} (the numbers are the same for any count)`);
    return ev;
  };
  if (workers <= 1 || !module) return warned(evaluateCoco(engine, gt, dt, params, options));
  if (params.iouType === "keypoints") return warned(evaluateCoco(engine, gt, dt, params, options)); // OKS reads raw keypoints: one thread
  const prep = prepareCoco(engine, gt, dt, params, options, true);
  // the workers run the wasm match kernel on box or mask IoU; anything else stays on this thread
  if (prep.backend.name !== "wasm" || (prep.mode !== MATCH_BOX_IOU && prep.mode !== MATCH_MASK_IOU)) return warned(evaluateCoco(engine, gt, dt, params, options));
  const pool = options.pool ?? new NodeWorkerPool(module, workers - 1);
  try {
    return warned(await evaluateWithRunners(prep, [...pool.runners, localRunner(engine)], options.split));
  } finally {
    if (!options.pool) await pool.close();
  }
}
