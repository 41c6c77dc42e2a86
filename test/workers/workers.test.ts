// --workers N gives bit-identical stats, precision, recall and scores for any N (bindings/workers/).
import { LOCAL_FIXTURES, SHARED_FIXTURES } from "../helpers/paths.js";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";


describe("workers", () => {
  // the project's own sets (a lone clone runs them), then the shared ones where they are
  it.each([["project", LOCAL_FIXTURES, 4], ["shared", SHARED_FIXTURES, 7]] as const)("1, 2 and 3 workers give identical numbers (%s fixtures)", (_, fixtures, atLeast) => {
    if (!existsSync(fixtures)) return;
    const child = new URL("../helpers/workers-child.ts", import.meta.url).pathname;
    const r = spawnSync(process.execPath, ["--import", "tsx", child, fixtures], { encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { name: string; digests: string[] });
    expect(rows.length).toBeGreaterThanOrEqual(atLeast);
    for (const row of rows) {
      expect(new Set(row.digests).size, `${row.name}: ${row.digests.join(" ")}`).toBe(1);
    }
  });
});

/** A fixture's file, plain or gzipped, from the project's sets or else the shared ones (undefined: neither has it). */
function fixtureFile(name: string, file: string): string | undefined {
  for (const root of [LOCAL_FIXTURES, SHARED_FIXTURES]) for (const f of [file, `${file}.gz`]) if (existsSync(`${root}${name}/${f}`)) return `${root}${name}/${f}`;
  return undefined;
}

describe("Web Worker protocol (in-process message ports)", () => {
  it("evaluateCocoInWorkers = evaluateCoco, bit for bit", async () => {
    const { MessageChannel } = await import("node:worker_threads");
    const { createEngine } = await import("../../bindings/engine/engine.js");
    const { evaluateCoco } = await import("../../bindings/coco/evaluate.js");
    const { loadCocoInputs } = await import("../../bindings/ingest/stream-load.js");
    const { evaluateCocoInWorkers, serveMatchTasks } = await import("../../bindings/workers/web-workers.js");
    const engine = await createEngine();
    const createWorker = () => {
      const ch = new MessageChannel();
      serveMatchTasks(ch.port2 as never);
      const port = ch.port1 as unknown as {
        postMessage(m: unknown, t?: unknown[]): void;
        addEventListener(t: "message", l: (e: MessageEvent) => void): void;
        removeEventListener(t: "message", l: (e: MessageEvent) => void): void;
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
    };
    for (const [name, dtFile, iouType] of [
      ["synth_small", "dt_segm.json", "segm"],
      ["synth_small", "dt_bbox.json", "bbox"],
      ["coco_val2017_detectron2_2img", "dt_segm.json", "segm"],
    ] as const) {
      const gtPath = fixtureFile(name, "gt.json");
      const dtPath = fixtureFile(name, dtFile);
      if (!gtPath || !dtPath) continue; // (the shared set, absent in a lone clone)
      const a = await loadCocoInputs(gtPath, dtPath);
      const want = evaluateCoco(engine, a.gt, a.dt, { iouType });
      const b = await loadCocoInputs(gtPath, dtPath);
      const got = await evaluateCocoInWorkers(engine, b.gt, b.dt, { iouType }, { workers: 3, createWorker });
      expect(got.stats).toEqual(want.stats);
      expect(Buffer.from(got.precision.buffer).equals(Buffer.from(want.precision.buffer)), `${name} precision`).toBe(true);
      expect(Buffer.from(got.recall.buffer).equals(Buffer.from(want.recall.buffer)), `${name} recall`).toBe(true);
      expect(Buffer.from(got.scores.buffer).equals(Buffer.from(want.scores.buffer)), `${name} scores`).toBe(true);
    }
  });
});
