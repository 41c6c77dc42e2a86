// Evaluation alone (inputs already parsed, the API), one thread, against pycocotools' COCOeval evaluate +
// accumulate + summarize on the same files, measured in the same run (bench/pycocotools_eval.py's
// evalSeconds). Each of our runs gets freshly parsed inputs (parsing not timed), so no cache of an
// earlier run helps it; the earlier run's inputs are garbage-collected before the timed call.
//   npx tsx bench/generate.ts --preset val --out /tmp/val          (or --preset dense)
//   npx tsx bench/eval-only.ts --gt /tmp/val/gt.json --dt /tmp/val/dt_bbox.json --iou-type bbox [--runs 7] [--py-runs 1]
// (--py-runs 0: ours alone, no ratio)
import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { evaluateCoco } from "../bindings/coco/evaluate.js";
import { createEngine } from "../bindings/engine/engine.js";
import { loadCocoDataset, loadCocoResults } from "../bindings/ingest/node-files.js";

const arg = (name: string, dflt?: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : dflt;
  if (v === undefined) {
    process.stderr.write(`bench/eval-only: --${name} is required\nusage: npx tsx bench/eval-only.ts --gt GT --dt DT --iou-type bbox|segm [--runs 7] [--py-runs 1]\n`);
    process.exit(2);
  }
  return v;
};
const gtPath = arg("gt");
const dtPath = arg("dt");
const iouType = arg("iou-type", "bbox") as "bbox" | "segm";
const runs = Number(arg("runs", "7"));
const pyRuns = Number(arg("py-runs", "1"));
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const engine = await createEngine();
const ours: number[] = [];
let stats: number[] = [];
for (let r = 0; r < runs + 1; r++) {
  const gt = loadCocoDataset(gtPath);
  const dt = loadCocoResults(dtPath, gt);
  // the previous run's inputs are garbage now: collected here, not inside the timed call (pycocotools
  // runs once, in a fresh process)
  gc();
  const t0 = performance.now();
  const ev = evaluateCoco(engine, gt, dt, { iouType });
  stats = [...ev.stats];
  ev.summary();
  const ms = performance.now() - t0;
  if (r > 0) ours.push(ms); // the first run warms the JIT, as a training loop's later calls are
}
process.stdout.write(`detection-eval evaluate + accumulate + summarize: median ${median(ours).toFixed(1)} ms of ${runs} (min ${Math.min(...ours).toFixed(1)}, max ${Math.max(...ours).toFixed(1)})\n`);

if (pyRuns === 0) process.exit(0); // (--py-runs 0: ours alone)
const python = process.env.PYTHON ?? "python3";
const script = fileURLToPath(new URL("./pycocotools_eval.py", import.meta.url));
const py: number[] = [];
let pyStats: number[] | undefined;
for (let r = 0; r < pyRuns; r++) {
  const c = spawnSync(python, [script, gtPath, dtPath, iouType], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (c.status !== 0) {
    process.stdout.write(`pycocotools not run (${python}: ${(c.stderr || c.error?.message || "").trim().split("\n").pop()}); set PYTHON to an interpreter that imports it\n`);
    process.exit(0);
  }
  const out = JSON.parse(c.stdout.trim().split("\n").pop()!) as { evalSeconds: number; stats: number[] };
  py.push(out.evalSeconds * 1000);
  pyStats = out.stats;
}
const maxDiff = Math.max(...stats.map((v, i) => Math.abs(v - pyStats![i]!)));
process.stdout.write(`pycocotools COCOeval evaluate + accumulate + summarize: median ${median(py).toFixed(0)} ms of ${pyRuns}\n`);
process.stdout.write(`ratio: ${(median(py) / median(ours)).toFixed(1)}x (stats max |diff| ${maxDiff.toExponential(2)})\n`);
