// Per-stage profile of one COCO evaluation, in process: read, gunzip, parse (dataset / results),
// evaluate's stages (ev.timings), accumulate, summarize. Prints one line per run and the medians.
//
//   npx tsx bench/profile.ts --gt GT.json[.gz] --dt RESULTS.json[.gz] --iou-type bbox|segm [--runs 5]
//                            [--engine wasm|reference] [--workers N] [--in-memory] [--json]
// Each run re-reads and re-parses (nothing is cached between runs), in one process: the first run
// includes V8's warm-up, later runs are warmer than a CLI process would be. The CLI's whole-process
// time is what bench/run.ts measures.
import { createEngine } from "../bindings/engine/engine.js";
import { evaluateCoco } from "../bindings/coco/evaluate.js";
import { loadCocoInputs } from "../bindings/ingest/stream-load.js";
import type { IouType } from "../bindings/coco/params.js";
import { ReferenceGeometry } from "../bindings/geometry/reference.js";
import { evaluateCocoParallel } from "../bindings/workers/node-threads.js";

function arg(name: string, dflt?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const gtPath = arg("gt");
const dtPath = arg("dt");
const iouType = (arg("iou-type", "bbox") as IouType);
const runs = Number(arg("runs", "5"));
const engineKind = arg("engine", "wasm");
const workers = Number(arg("workers", "1"));
const json = process.argv.includes("--json");
const inMemory = process.argv.includes("--in-memory");
if (!gtPath || !dtPath) {
  process.stderr.write("usage: npx tsx bench/profile.ts --gt GT --dt RESULTS --iou-type bbox|segm [--runs N] [--engine wasm|reference] [--workers N] [--in-memory]\n");
  process.exit(2);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const engine = engineKind === "reference" ? new ReferenceGeometry() : await createEngine();
  const rows: Record<string, number>[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const loaded = await loadCocoInputs(gtPath!, dtPath!, { stream: inMemory ? "never" : "auto" });
    const t1 = performance.now();
    const ev = workers > 1 ? await evaluateCocoParallel(engine, loaded.gt, loaded.dt, { iouType }, { workers }) : evaluateCoco(engine, loaded.gt, loaded.dt, { iouType });
    const t2 = performance.now();
    const stats = ev.stats;
    const summary = ev.summary();
    ev.perCategory();
    const t3 = performance.now();
    const row: Record<string, number> = { ...loaded.timings, load: t1 - t0 };
    for (const [k, v] of Object.entries(ev.timings)) row[k] = v;
    row.report = t3 - t2;
    row.total = t3 - t0;
    rows.push(row);
    if (!json) {
      process.stdout.write(
        `run ${r + 1}: ` + Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ") + ` | AP ${stats[0]!.toFixed(6)} ${summary.length > 0 ? "" : "?"}\n`,
      );
    }
  }
  const keys = Object.keys(rows[0]!);
  const med: Record<string, number> = {};
  for (const k of keys) med[k] = median(rows.map((x) => x[k] ?? NaN));
  if (json) process.stdout.write(JSON.stringify({ gt: gtPath, dt: dtPath, iouType, runs, medians: med, rows }, null, 1) + "\n");
  else {
    process.stdout.write(`median of ${runs}: ` + keys.map((k) => `${k} ${med[k]!.toFixed(1)}`).join(", ") + " (ms)\n");
    process.stdout.write(`peak RSS ${Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20)} MiB\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
