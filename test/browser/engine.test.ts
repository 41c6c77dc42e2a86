// The engine in real Chromium gives the same numbers as in Node: COCO evaluation (stats, per-category AP,
// the whole precision array bit for bit) and analysis mode, on the shared fixtures read from disk.
import { commands } from "vitest/browser";
import { describe, expect, inject, it } from "vitest";
import { analyze, createEngine, evaluateCoco, fromCoco, init, parseCocoDataset, parseCocoResults } from "../../bindings/index.js";
import { fnv1a } from "./provided.js";

const cases = inject("cocoCases");

describe.skipIf(!inject("fixturesAvailable"))("engine in the browser = engine in Node", () => {
  it("runs in a real browser", () => {
    expect(navigator.userAgent).toMatch(/Chrom/);
    expect(typeof process === "undefined" || !("versions" in process && (process as { versions: { node?: string } }).versions.node)).toBe(true);
  });

  for (const c of cases) {
    it(`${c.name}/${c.iouType}: COCO stats and precision, analysis summary`, async () => {
      const engine = await createEngine();
      const gt = parseCocoDataset(JSON.parse(await commands.readFile(c.gt)));
      const dt = parseCocoResults(JSON.parse(await commands.readFile(c.dt)), gt);
      const ev = evaluateCoco(engine, gt, dt, { iouType: c.iouType });
      expect(ev.stats).toEqual(c.stats); // bitwise: toEqual on numbers is Object.is-like for finite values
      for (let i = 0; i < ev.stats.length; i++) expect(Math.abs(ev.stats[i]! - c.expectedStats[i]!)).toBeLessThan(1e-12);
      expect(JSON.parse(JSON.stringify(ev.perCategory()))).toEqual(c.perCategory);
      expect(ev.precision.length).toBe(c.precisionLength);
      expect(fnv1a(ev.precision)).toBe(c.precisionHash);

      const a = analyze(engine, fromCoco(engine, gt, dt, { iouType: c.iouType }));
      expect(JSON.parse(JSON.stringify(a.at({ iou: 0.5 }).summary()))).toEqual(c.analysis50);
      expect(JSON.parse(JSON.stringify(a.at({ iou: 0.75 }).summary()))).toEqual(c.analysis75);
    });
  }
});

describe("engine sources in the browser", () => {
  it("init() from a URL (the package's engine.wasm file), then createEngine()", async () => {
    const url = new URL("../../build/engine.wasm", import.meta.url);
    const module = await init(url);
    expect(module).toBeInstanceOf(WebAssembly.Module);
    const engine = await createEngine();
    expect(engine.module).toBe(module);
    expect(engine.rleArea(engine.rleFromBox([1, 1, 3, 2], 8, 8))).toBe(6);
  });

  it("createEngine({ wasm }) from a fetch() promise, bytes and a compiled module", async () => {
    const url = new URL("../../build/engine.wasm", import.meta.url);
    const fromFetch = await createEngine({ wasm: fetch(url) });
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const fromBytes = await createEngine({ wasm: bytes });
    const fromModule = await createEngine({ wasm: fromBytes.module });
    for (const e of [fromFetch, fromBytes, fromModule]) {
      const iou = e.boxIou(new Float64Array([0, 0, 2, 2]), new Float64Array([1, 0, 2, 2]), null);
      expect(Array.from(iou)).toEqual([1 / 3]);
    }
  });

  it("a Web Worker instantiates the module posted by the page and gets the same numbers", async () => {
    const engine = await createEngine();
    const worker = new Worker(new URL("./engine-worker.ts", import.meta.url), { type: "module" });
    try {
      const box = [3, 4, 20, 10] as const;
      const reply = await new Promise<{ area: number; counts: number[] }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data as { area: number; counts: number[] });
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage({ module: engine.module, box });
      });
      const here = engine.rleFromBox(box, 32, 32);
      expect(reply.area).toBe(engine.rleArea(here));
      expect(reply.counts).toEqual(Array.from(here.counts));
    } finally {
      worker.terminate();
    }
  });
});
