// Browsers (and Deno, Bun): evaluation on Web Workers, with the protocol of bindings/workers/protocol.ts.
// The page compiles the engine once and posts the WebAssembly.Module to each worker; the worker script
// is the host's (bundlers and CSP rules differ), and needs one line:
//
//   // eval-worker.ts (type: module)
//   import { serveMatchTasks } from "detection-eval";
//   serveMatchTasks();
//
//   // page
//   const ev = await evaluateCocoInWorkers(engine, gt, dt, { iouType: "segm" },
//     { workers: navigator.hardwareConcurrency, createWorker: () => new Worker(new URL("./eval-worker.ts", import.meta.url), { type: "module" }) });
//
// Columns go to the workers as SharedArrayBuffers when the page is cross-origin isolated (COOP/COEP
// headers), else as copies. The numbers are identical for any number of workers.
import type { CocoDataset } from "../coco/inputs.js";
import { type CocoEvaluation, evaluateCoco, type EvaluateOptions, prepareCoco } from "../coco/evaluate.js";
import type { CocoParamsInput } from "../coco/params.js";
import { MATCH_BOX_IOU, MATCH_MASK_IOU } from "../coco/types.js";
import type { CocoResults } from "../coco/inputs.js";
import { createEngine, type Engine } from "../engine/engine.js";
import type { GeometryEngine } from "../geometry/types.js";
import { evaluateWithRunners, localRunner, type MatchTask, type MatchTaskResult, resultTransfer, runMatchTask, TASK_TAG, TaskDispatcher, type TaskRunner } from "./protocol.js";

const INIT_TAG = "detection-eval-worker-init";

/** The part of a Worker (or a worker's global scope) this file uses. */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (e: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (e: MessageEvent) => void): void;
}

/** In a worker script: answers the tasks of evaluateCocoInWorkers (the engine comes from the page's module). */
export function serveMatchTasks(scope: PortLike = globalThis as unknown as PortLike): void {
  let engine: Promise<Engine> | undefined;
  scope.addEventListener("message", async (e: MessageEvent) => {
    const m = e.data as { tag?: string; module?: WebAssembly.Module } | MatchTask;
    if (m?.tag === INIT_TAG) {
      engine = createEngine({ wasm: (m as { module: WebAssembly.Module }).module });
      return;
    }
    if (m?.tag !== TASK_TAG || !engine) return;
    const task = m as MatchTask;
    let r: MatchTaskResult;
    try {
      r = runMatchTask(await engine, task);
    } catch (err) {
      const x = err instanceof Error ? err : new Error(String(err));
      r = { tag: TASK_TAG, id: task.id, error: { name: x.name, message: x.message } };
    }
    scope.postMessage(r, resultTransfer(r));
  });
}

/** A worker as WebWorkerPool uses it: a port, `terminate`, and (optionally) "error" events. */
export type WorkerLike = PortLike & { terminate(): void };

/** Workers made by `createWorker`, each running serveMatchTasks with its own engine instance of `module`. */
export class WebWorkerPool {
  private readonly workers: WorkerLike[] = [];
  private readonly dispatch: TaskDispatcher;
  /** One runner per worker; any number of evaluations may use them at once. */
  readonly runners: TaskRunner[];

  constructor(module: WebAssembly.Module, createWorker: () => WorkerLike, n: number) {
    this.dispatch = new TaskDispatcher(n, "WebWorkerPool", (i, task, transfer) => this.workers[i]!.postMessage(task, transfer));
    for (let i = 0; i < n; i++) {
      const w = createWorker();
      w.addEventListener("message", (e: MessageEvent) => this.dispatch.deliver(e.data));
      // a worker whose script fails to load (or dies) never answers: its tasks reject instead
      const events = w as unknown as { addEventListener?(type: "error", listener: (e: { message?: string }) => void): void };
      events.addEventListener?.("error", (e) => this.dispatch.fail(i, new Error(`WebWorkerPool: worker ${i} failed${e?.message ? `: ${e.message}` : ""}`)));
      w.postMessage({ tag: INIT_TAG, module });
      this.workers.push(w);
    }
    this.runners = this.dispatch.runners;
  }

  /** Terminates the workers; pending and later tasks reject (the evaluations using them fail at once). */
  close(): void {
    this.dispatch.close();
    for (const w of this.workers) w.terminate();
  }
}

export interface WebWorkerOptions extends EvaluateOptions {
  workers: number;
  /** Makes one worker whose script calls serveMatchTasks(). */
  createWorker: () => WorkerLike;
  /** A pool of workers - 1 workers made earlier (reused across evaluations, which may run at once); not closed here. */
  pool?: WebWorkerPool;
}

/** evaluateCoco on `workers` threads (the page's and workers - 1 Web Workers): the same numbers for any number. */
export async function evaluateCocoInWorkers(
  engine: GeometryEngine,
  gt: CocoDataset,
  dt: CocoResults,
  params: CocoParamsInput,
  options: WebWorkerOptions,
): Promise<CocoEvaluation> {
  const module = (engine as Partial<Engine>).module;
  if (options.workers <= 1 || !module || params.iouType === "keypoints") return evaluateCoco(engine, gt, dt, params, options);
  const prep = prepareCoco(engine, gt, dt, params, options, true);
  // the workers run the wasm match kernel on box or mask IoU; anything else stays on this thread
  if (prep.backend.name !== "wasm" || (prep.mode !== MATCH_BOX_IOU && prep.mode !== MATCH_MASK_IOU)) return evaluateCoco(engine, gt, dt, params, options);
  // the page's thread takes a share too (it would wait otherwise)
  const pool = options.pool ?? new WebWorkerPool(module, options.createWorker, options.workers - 1);
  try {
    return await evaluateWithRunners(prep, [...pool.runners, localRunner(engine)]);
  } finally {
    if (!options.pool) pool.close();
  }
}
