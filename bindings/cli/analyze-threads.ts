// Node: analyze()'s per-image pass on worker threads (`analyze --workers N`, `report --workers N`).
// analysis/analyze.ts analyzeShared splits the images into contiguous shares, posts each share (its
// images and objects, structured-cloned) to a runner here, does the last share itself and merges in
// image order: the Analysis is the same for any N. Each worker instantiates its own engine from the
// compiled module. This module is also the workers' entry script (as workers/node-threads.ts is).
// It lives in cli/ because it joins the workers' host to analysis/, which the layers keep apart.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { createEngine, type Engine } from "../engine/engine.js";
import { analyze, analyzeShared, type AnalyzeOptions, imagePass, type ImagePassConfig, type ImagePassResult, type ImagePassRunner } from "../analysis/analyze.js";
import type { Analysis } from "../analysis/analysis.js";
import { AnalysisInputError, type AnalysisInput } from "../analysis/types.js";
import { GeometryInputError, type GeometryEngine } from "../geometry/types.js";

const WORKER_TAG = "detection-eval-analyze-worker";

interface PassTask {
  id: number;
  share: AnalysisInput;
  config: ImagePassConfig;
  pIndex: Int32Array;
  lIndex: Int32Array;
}
interface PassReply {
  id: number;
  result?: ImagePassResult;
  error?: { name: string; message: string };
}

if (!isMainThread && (workerData as { tag?: string } | undefined)?.tag === WORKER_TAG) {
  const ready = createEngine({ wasm: (workerData as { module: WebAssembly.Module }).module });
  parentPort!.on("message", async (t: PassTask) => {
    let reply: PassReply;
    try {
      reply = { id: t.id, result: imagePass(await ready, t.share, t.config, t.pIndex, t.lIndex) };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      reply = { id: t.id, error: { name: err.name, message: err.message } };
    }
    const r = reply.result;
    const transfer = r ? [r.pCand, r.pIou, r.pCrowd, r.pAny, r.pAnyIou, r.pOther, r.pBox, r.pGeom, r.lOther, r.lBox, r.lGeom, r.ovLabel, r.ovPred, r.ovIou, r.seLabel, r.sePred, r.seIou].map((a) => a.buffer as ArrayBuffer) : [];
    parentPort!.postMessage(reply, transfer);
  });
}

/** A worker's error as the error it was (the input errors stay input errors: one line, exit 1). */
function rebuilt(e: { name: string; message: string }): Error {
  if (e.name === "AnalysisInputError") return new AnalysisInputError(e.message);
  if (e.name === "GeometryInputError") return new GeometryInputError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/** N worker threads running the per-image pass, one runner each. */
export class AnalyzeWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (r: ImagePassResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  readonly runners: ImagePassRunner[];

  constructor(module: WebAssembly.Module, n: number) {
    const file = fileURLToPath(import.meta.url);
    const init = { workerData: { tag: WORKER_TAG, module } };
    for (let i = 0; i < n; i++) {
      // (from TypeScript sources, as in the tests: the worker registers the tsx loader, then loads this file)
      const w = file.endsWith(".ts")
        ? new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`, { ...init, eval: true })
        : new Worker(file, init);
      w.unref();
      w.on("message", (r: PassReply) => {
        const p = this.pending.get(r.id);
        if (!p) return;
        this.pending.delete(r.id);
        if (r.error) p.reject(rebuilt(r.error));
        else p.resolve(r.result!);
      });
      const fail = (e: Error) => {
        this.failure ??= e;
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      };
      w.on("error", (e: Error) => fail(new Error(`AnalyzeWorkerPool: worker ${i} failed: ${e.message}`)));
      w.on("exit", (code: number) => fail(new Error(`AnalyzeWorkerPool: worker ${i} exited (code ${code})`)));
      this.workers.push(w);
    }
    this.runners = this.workers.map((w) => (share, config, pIndex, lIndex) => {
      if (this.failure) return Promise.reject(this.failure);
      const id = this.nextId++;
      return new Promise<ImagePassResult>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        w.postMessage({ id, share, config, pIndex, lIndex } satisfies PassTask);
      });
    });
  }

  close(): Promise<void> {
    this.failure ??= new Error("AnalyzeWorkerPool: closed");
    return Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
  }
}

/** A pool of workers - 1 threads for an engine made by createEngine (undefined for 1 thread, or an engine without a module). */
export function analyzePool(engine: GeometryEngine, workers: number): AnalyzeWorkerPool | undefined {
  const module = (engine as Partial<Engine>).module;
  return workers > 1 && module ? new AnalyzeWorkerPool(module, workers - 1) : undefined;
}

/** analyze() on this thread and the pool's (the same Analysis for any pool). */
export function analyzeOn(pool: AnalyzeWorkerPool | undefined, engine: GeometryEngine, input: AnalysisInput, options: AnalyzeOptions): Promise<Analysis> {
  return pool ? analyzeShared(engine, input, options, pool.runners) : Promise.resolve().then(() => analyze(engine, input, options));
}
