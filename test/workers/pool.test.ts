// One worker pool shared by several evaluations at once (bindings/workers/): each call gets its own
// results (task ids are the pool's, not the caller's task numbers), a closed pool rejects pending and
// later work at once, and a worker that dies rejects its tasks instead of leaving them pending.
import { MessageChannel } from "node:worker_threads";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";
import { effectiveWorkers, evaluateCocoParallel, NodeWorkerPool } from "../../bindings/workers/node-threads.js";
import { TASK_TAG, TaskDispatcher, type MatchTask } from "../../bindings/workers/protocol.js";
import { evaluateCocoInWorkers, serveMatchTasks, WebWorkerPool, type WorkerLike } from "../../bindings/workers/web-workers.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const CASES = [
  ["synth_small", "dt_bbox.json.gz", "bbox"],
  ["synth_ties", "dt_segm.json.gz", "segm"],
  ["synth_small", "dt_segm.json.gz", "segm"],
  ["synth_ties", "dt_bbox.json.gz", "bbox"],
] as const;

type Case = (typeof CASES)[number];

const load = (c: Case) => loadCocoInputs(join(LOCAL_FIXTURES, c[0], "gt.json.gz"), join(LOCAL_FIXTURES, c[0], c[1]));

interface Numbers {
  stats: number[];
  precision: Float64Array;
  recall: Float64Array;
  scores: Float64Array;
}

function expectSame(got: Numbers, want: Numbers, what: string): void {
  expect(got.stats, what).toEqual(want.stats);
  for (const key of ["precision", "recall", "scores"] as const) {
    expect(Buffer.from(got[key].buffer, got[key].byteOffset, got[key].byteLength).equals(Buffer.from(want[key].buffer, want[key].byteOffset, want[key].byteLength)), `${what} ${key}`).toBe(true);
  }
}

/** Rejects after `ms` (a hang fails the test instead of stalling it). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function sequential(engine: Engine): Promise<Numbers[]> {
  const out: Numbers[] = [];
  for (const c of CASES) {
    const { gt, dt } = await load(c);
    out.push(evaluateCoco(engine, gt, dt, { iouType: c[2] }));
  }
  return out;
}

describe("NodeWorkerPool shared by concurrent evaluations", () => {
  it("concurrent calls on one pool give the numbers of sequential calls, and the pool stays right afterwards", async () => {
    const engine = await createEngine();
    const want = await sequential(engine);
    const pool = new NodeWorkerPool(engine.module, 2);
    try {
      const inputs = await Promise.all(CASES.map(load));
      const got = await within(
        Promise.all(CASES.map((c, i) => evaluateCocoParallel(engine, inputs[i]!.gt, inputs[i]!.dt, { iouType: c[2] }, { workers: 3, pool }))),
        60_000,
        "concurrent evaluations",
      );
      got.forEach((ev, i) => expectSame(ev, want[i]!, `${CASES[i]!.join(" ")} (concurrent)`));
      // then one at a time on the same pool
      for (let i = 0; i < CASES.length; i++) {
        const { gt, dt } = await load(CASES[i]!);
        expectSame(await evaluateCocoParallel(engine, gt, dt, { iouType: CASES[i]![2] }, { workers: 3, pool }), want[i]!, `${CASES[i]!.join(" ")} (after)`);
      }
    } finally {
      await pool.close();
    }
  });

  it("closing the pool during an evaluation rejects it at once, and later evaluations on it reject", async () => {
    const engine = await createEngine();
    const pool = new NodeWorkerPool(engine.module, 2);
    const a = await load(CASES[1]);
    const running = evaluateCocoParallel(engine, a.gt, a.dt, { iouType: "segm" }, { workers: 3, pool });
    const closed = pool.close();
    await expect(within(running, 10_000, "evaluation on a closed pool")).rejects.toThrow(/NodeWorkerPool was closed with \d+ tasks? pending/);
    await closed;
    const b = await load(CASES[0]);
    await expect(within(evaluateCocoParallel(engine, b.gt, b.dt, { iouType: "bbox" }, { workers: 3, pool }), 10_000, "evaluation after close")).rejects.toThrow(
      /NodeWorkerPool is closed/,
    );
  });
});

/** A Web Worker stand-in on this thread: serveMatchTasks on one end of a MessageChannel. */
function channelWorker(): WorkerLike {
  const ch = new MessageChannel();
  serveMatchTasks(ch.port2 as never);
  const port = ch.port1 as unknown as {
    postMessage(m: unknown, t?: unknown[]): void;
    addEventListener(t: string, l: (e: MessageEvent) => void): void;
    removeEventListener(t: string, l: (e: MessageEvent) => void): void;
  };
  return {
    postMessage: (m: unknown, t?: Transferable[]) => port.postMessage(m, t as unknown[]),
    addEventListener: (t: "message", l: (e: MessageEvent) => void) => port.addEventListener(t, l),
    removeEventListener: (t: "message", l: (e: MessageEvent) => void) => port.removeEventListener(t, l),
    terminate: () => {
      ch.port1.close();
      ch.port2.close();
    },
  };
}

describe("WebWorkerPool shared by concurrent evaluations", () => {
  it("concurrent calls on one pool give the numbers of sequential calls", async () => {
    const engine = await createEngine();
    const want = await sequential(engine);
    const pool = new WebWorkerPool(engine.module, channelWorker, 2);
    try {
      const inputs = await Promise.all(CASES.map(load));
      const got = await within(
        Promise.all(CASES.map((c, i) => evaluateCocoInWorkers(engine, inputs[i]!.gt, inputs[i]!.dt, { iouType: c[2] }, { workers: 3, createWorker: channelWorker, pool }))),
        60_000,
        "concurrent evaluations",
      );
      got.forEach((ev, i) => expectSame(ev, want[i]!, `${CASES[i]!.join(" ")} (concurrent)`));
    } finally {
      pool.close();
    }
  });

  it("closing the pool during an evaluation rejects it at once", async () => {
    const engine = await createEngine();
    const pool = new WebWorkerPool(engine.module, channelWorker, 2);
    const a = await load(CASES[1]);
    const running = evaluateCocoInWorkers(engine, a.gt, a.dt, { iouType: "segm" }, { workers: 3, createWorker: channelWorker, pool });
    pool.close();
    await expect(within(running, 10_000, "evaluation on a closed pool")).rejects.toThrow(/WebWorkerPool was closed with \d+ tasks? pending/);
  });

  it("a worker whose script fails rejects its tasks", async () => {
    const engine = await createEngine();
    const listeners: ((e: { message?: string }) => void)[] = [];
    const broken = (): WorkerLike => ({
      postMessage: () => undefined, // never answers
      addEventListener: (type: string, l: (e: never) => void) => {
        if (type === "error") listeners.push(l as (e: { message?: string }) => void);
      },
      removeEventListener: () => undefined,
      terminate: () => undefined,
    });
    const pool = new WebWorkerPool(engine.module, broken, 1);
    const a = await load(CASES[0]);
    const running = evaluateCocoInWorkers(engine, a.gt, a.dt, { iouType: "bbox" }, { workers: 2, createWorker: broken, pool });
    for (const l of listeners) l({ message: "SyntaxError in eval-worker.js" });
    await expect(within(running, 10_000, "evaluation on a broken worker")).rejects.toThrow(/WebWorkerPool: worker 0 failed: SyntaxError in eval-worker.js/);
    pool.close();
  });
});

describe("TaskDispatcher", () => {
  const task = (id: number) => ({ tag: TASK_TAG, id }) as unknown as MatchTask;

  it("gives every posted task an id of its own and routes each answer to its caller", async () => {
    const posted: { worker: number; id: number }[] = [];
    const d = new TaskDispatcher(2, "pool", (worker, t) => posted.push({ worker, id: t.id }));
    // two callers that both number their tasks 0 and 1
    const first = [d.runners[0]!.run(task(0), []), d.runners[1]!.run(task(1), [])];
    const second = [d.runners[0]!.run(task(0), []), d.runners[1]!.run(task(1), [])];
    expect(new Set(posted.map((p) => p.id)).size).toBe(4);
    // answers in any order
    for (const p of [...posted].reverse()) d.deliver({ tag: TASK_TAG, id: p.id, dtArea: Float64Array.of(p.id) });
    const ids = async (ps: Promise<{ dtArea?: Float64Array }>[]) => (await Promise.all(ps)).map((r) => r.dtArea![0]);
    expect(await ids(first)).toEqual([posted[0]!.id, posted[1]!.id]);
    expect(await ids(second)).toEqual([posted[2]!.id, posted[3]!.id]);
    expect(d.pendingCount).toBe(0);
    // unknown ids and foreign messages are ignored
    d.deliver({ tag: TASK_TAG, id: 12345 });
    d.deliver("hello");
  });

  it("a failed worker rejects its own tasks and later ones; close rejects the rest", async () => {
    const d = new TaskDispatcher(2, "pool", () => undefined);
    const a = d.runners[0]!.run(task(0), []);
    const b = d.runners[1]!.run(task(1), []);
    d.fail(0, new Error("worker 0 exited"));
    await expect(a).rejects.toThrow("worker 0 exited");
    await expect(d.runners[0]!.run(task(2), [])).rejects.toThrow("worker 0 exited");
    expect(d.pendingCount).toBe(1);
    d.close();
    await expect(b).rejects.toThrow("pool was closed with 1 task pending");
    await expect(d.runners[1]!.run(task(3), [])).rejects.toThrow("pool is closed");
  });
});

describe("worker count", () => {
  it("is capped at the machine's cores", () => {
    expect(effectiveWorkers(256, 2)).toEqual({ workers: 2, cores: 2, capped: true });
    expect(effectiveWorkers(2, 2)).toEqual({ workers: 2, cores: 2, capped: false });
    expect(effectiveWorkers(3, 64)).toEqual({ workers: 3, cores: 64, capped: false });
    expect(effectiveWorkers(8, 1)).toEqual({ workers: 1, cores: 1, capped: true });
    expect(effectiveWorkers(1, 0)).toEqual({ workers: 1, cores: 1, capped: false });
  });

  it("evaluateCocoParallel above the cores: the cores, a warning, the same numbers", async () => {
    const engine = await createEngine();
    const [want] = await sequential(engine);
    const { gt, dt } = await load(CASES[0]);
    const { workers, cores } = effectiveWorkers(10_000);
    const ev = await evaluateCocoParallel(engine, gt, dt, { iouType: "bbox" }, { workers: 10_000 });
    expectSame(ev, want!, "10,000 workers requested");
    expect(ev.warnings).toContain(`workers: 10000 requested, more than this machine's ${cores} cores (os.availableParallelism()); used ${workers} (the numbers are the same for any count)`);
  });
});
