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
import { AnalysisInputError, type AnalysisInput, type ObjectInput, type Shape } from "../analysis/types.js";
import { type Box, GeometryInputError, type GeometryEngine, type RotatedBox } from "../geometry/types.js";

const WORKER_TAG = "detection-eval-analyze-worker";

/**
 * A share's objects as typed arrays (posting 10^5 objects one by one costs more than the pass saves):
 * what the pass reads of each (image, category, crowd, shape). Boxes, rotated boxes, polygons and
 * polylines are coordinates (f64, exact), RLE strings strings; other shapes travel as they are.
 */
interface PackedObjects {
  n: number;
  image: Int32Array;
  category: Int32Array;
  crowd: Uint8Array;
  /** 0 box, 1 rotated, 2 polygon, 3 polyline, 4 rleString, 5 other (in `others`). */
  kind: Uint8Array;
  /** Object i: parts objPart[i]..objPart[i+1]-1; part j: coords[partStart[j]..partStart[j+1]). */
  objPart: Int32Array;
  partStart: Int32Array;
  coords: Float64Array;
  strings: string[];
  others: Shape[];
}

function packObjects(objs: readonly ObjectInput[]): PackedObjects {
  const n = objs.length;
  const image = new Int32Array(n);
  const category = new Int32Array(n);
  const crowd = new Uint8Array(n);
  const kind = new Uint8Array(n);
  const objPart = new Int32Array(n + 1);
  const partStart: number[] = [0];
  const coords: number[] = [];
  const strings: string[] = [];
  const others: Shape[] = [];
  const part = (xs: readonly number[]) => {
    for (const x of xs) coords.push(x);
    partStart.push(coords.length);
  };
  for (let i = 0; i < n; i++) {
    const o = objs[i]!;
    image[i] = o.image;
    category[i] = o.category;
    crowd[i] = o.crowd ? 1 : 0;
    const sh = o.shape;
    if (sh.kind === "box" || sh.kind === "rotated") {
      kind[i] = sh.kind === "box" ? 0 : 1;
      part(sh.box);
    } else if (sh.kind === "polygon") {
      kind[i] = 2;
      for (const xs of sh.parts) part(xs);
    } else if (sh.kind === "polyline") {
      kind[i] = 3;
      part(sh.points);
    } else if (sh.kind === "rleString") {
      kind[i] = 4;
      strings.push(sh.counts);
    } else {
      kind[i] = 5;
      others.push(sh);
    }
    objPart[i + 1] = partStart.length - 1;
  }
  return { n, image, category, crowd, kind, objPart, partStart: Int32Array.from(partStart), coords: Float64Array.from(coords), strings, others };
}

function unpackObjects(p: PackedObjects): ObjectInput[] {
  const out: ObjectInput[] = new Array(p.n);
  let s = 0;
  let o = 0;
  const parts = (i: number) => {
    const ps: number[][] = [];
    for (let j = p.objPart[i]!; j < p.objPart[i + 1]!; j++) ps.push(Array.from(p.coords.subarray(p.partStart[j]!, p.partStart[j + 1]!)));
    return ps;
  };
  for (let i = 0; i < p.n; i++) {
    const k = p.kind[i]!;
    let shape: Shape;
    if (k === 0) shape = { kind: "box", box: parts(i)[0] as unknown as Box };
    else if (k === 1) shape = { kind: "rotated", box: parts(i)[0] as unknown as RotatedBox };
    else if (k === 2) shape = { kind: "polygon", parts: parts(i) };
    else if (k === 3) shape = { kind: "polyline", points: parts(i)[0]! };
    else if (k === 4) shape = { kind: "rleString", counts: p.strings[s++]! };
    else shape = p.others[o++]!;
    out[i] = { image: p.image[i]!, category: p.category[i]!, shape, ...(p.crowd[i] ? { crowd: true } : {}) };
  }
  return out;
}

interface PassTask {
  id: number;
  share: Omit<AnalysisInput, "labels" | "predictions"> & { labels: PackedObjects; predictions: PackedObjects };
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
      const share: AnalysisInput = { ...t.share, labels: unpackObjects(t.share.labels), predictions: unpackObjects(t.share.predictions) };
      reply = { id: t.id, result: imagePass(await ready, share, t.config, t.pIndex, t.lIndex) };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      reply = { id: t.id, error: { name: err.name, message: err.message } };
    }
    const r = reply.result;
    const transfer = r ? [r.pCand, r.pIou, r.pCrowd, r.pAny, r.pAnyIou, r.pOther, r.pBox, ...r.pGeom, r.lOther, r.lBox, ...r.lGeom, r.ovLabel, r.ovPred, r.ovIou, r.seLabel, r.sePred, r.seIou].map((a) => a.buffer as ArrayBuffer) : [];
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
        const packed = { ...share, labels: packObjects(share.labels), predictions: packObjects(share.predictions) };
        w.postMessage({ id, share: packed, config, pIndex, lIndex } satisfies PassTask);
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
