// The benchmark: `npm run bench` (build, then this). Generates the workloads once (cached under
// .cache/bench/), runs the CLI on each as a child process (`coco ... --format json --timings`), and
// reports wall time of the whole process (median of --runs), the per-stage milliseconds the CLI
// reports (medians), the child's peak RSS, and the speedup over pycocotools: measured in the same
// run when python3 can import pycocotools, else the baselines below (the report says which).
// `--workers 1,2` runs every workload with each worker count, checks that the outputs are identical
// and reports the scaling.
//
// synth_val-bbox / synth_val-segm run the CLI on the shared fixture itself (../shared/fixtures/synth_val,
// gzipped), the set the issue's targets and the baselines refer to; they are left out when it is absent.
//
// The >600 MB workload (huge-bbox: 7.2M detections, generated once, ~1.5 GB on disk) runs once per
// worker count unless --no-huge; --huge-runs N changes that.
//
//   npx tsx bench/run.ts [--runs 3] [--workers N[,M...]] [--no-huge] [--huge-runs 1] [--only val-bbox,dense-bbox]
//                        [--json] [--seed N] [--py-runs 1] [--py-huge] [--no-python] [--cli PATH]
//                        [--engine auto|wasm|reference]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type EngineKind, loadEngine } from "./engine.js";
import type { CocoSetCounts, PresetName } from "../bindings/synth/generate.js";
import { cachedCocoSet } from "../bindings/synth/write.js";
import { loadCocoInputs } from "../bindings/ingest/stream-load.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PRELOAD = pathToFileURL(fileURLToPath(new URL("./rss-preload.mjs", import.meta.url))).href;
const PY_SCRIPT = fileURLToPath(new URL("./pycocotools_eval.py", import.meta.url));
/** Bump with the generator's output (like bindings/synth/demo.ts's cache name). */
const CACHE_VERSION = "v1";

/**
 * Baselines copied from /work/shared/README.md ("Baselines" table: one run each on the project's
 * 2-core machine, whole evaluation incl. loading). They were measured on the shared fixtures
 * synth_val (34,117 labels / 43,082 detections) and the dense set (33,828 / 463,328), which our
 * generated val and dense presets resemble in counts but do not reproduce exactly.
 */
export const BASELINES: Record<string, { pycocotools: number; fasterCocoEval: number }> = {
  "val-bbox": { pycocotools: 12.7, fasterCocoEval: 2.8 },
  "val-segm": { pycocotools: 17.3, fasterCocoEval: 4.8 },
  "synth_val-bbox": { pycocotools: 12.7, fasterCocoEval: 2.8 },
  "synth_val-segm": { pycocotools: 17.3, fasterCocoEval: 4.8 },
  "dense-bbox": { pycocotools: 54.1, fasterCocoEval: 8.6 },
};

interface Workload {
  name: string;
  /** A generated set (bindings/synth/generate.ts), or a shared fixture directory name. */
  preset: PresetName | { fixture: string };
  iouType: "bbox" | "segm";
  huge?: boolean;
}

const FIXTURES = join(ROOT, "..", "shared", "fixtures");

const WORKLOADS: Workload[] = [
  { name: "val-bbox", preset: "val", iouType: "bbox" },
  { name: "val-segm", preset: "val", iouType: "segm" },
  { name: "synth_val-bbox", preset: { fixture: "synth_val" }, iouType: "bbox" },
  { name: "synth_val-segm", preset: { fixture: "synth_val" }, iouType: "segm" },
  { name: "dense-bbox", preset: "dense", iouType: "bbox" },
  { name: "huge-bbox", preset: "huge", iouType: "bbox", huge: true },
];

interface Args {
  runs: number;
  /** Worker counts to run (default: the CLI's default, 1). */
  workers: number[];
  huge: boolean;
  hugeRuns: number;
  only?: string[];
  json: boolean;
  seed?: number;
  pyRuns: number;
  pyHuge: boolean;
  python: boolean;
  cli: string;
  engine: EngineKind;
}

const USAGE =
  "usage: npx tsx bench/run.ts [--runs N] [--workers N[,M...]] [--no-huge] [--huge-runs N] [--only a,b] [--json] [--seed N] " +
  "[--py-runs N] [--py-huge] [--no-python] [--cli PATH] [--engine auto|wasm|reference]";

function fail(message: string, code = 2): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 3, workers: [1], huge: true, hugeRuns: 1, json: false, pyRuns: 1, pyHuge: false, python: true, cli: join(ROOT, "dist", "cli.js"), engine: "auto" };
  const int = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) fail(`${name} needs an integer >= ${min}, got ${JSON.stringify(v)}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    switch (k) {
      case "--runs": a.runs = int(k, v, 1); i++; break;
      case "--workers":
        a.workers = (v ?? "").split(",").map((x) => int(k, x, 1));
        i++;
        break;
      case "--seed": a.seed = int(k, v, 0); i++; break;
      case "--py-runs": a.pyRuns = int(k, v, 1); i++; break;
      case "--only": a.only = (v ?? "").split(",").filter(Boolean); i++; break;
      case "--cli": if (!v) fail(`--cli needs a path\n${USAGE}`); a.cli = resolve(v); i++; break;
      case "--engine":
        if (v !== "auto" && v !== "wasm" && v !== "reference") fail(`--engine must be auto, wasm or reference\n${USAGE}`);
        a.engine = v; i++; break;
      case "--huge": a.huge = true; break;
      case "--no-huge": a.huge = false; break;
      case "--huge-runs": a.hugeRuns = int(k, v, 1); i++; break;
      case "--json": a.json = true; break;
      case "--py-huge": a.pyHuge = true; break;
      case "--no-python": a.python = false; break;
      case "--help": case "-h": process.stdout.write(USAGE + "\n"); return process.exit(0);
      default: fail(`unknown argument ${JSON.stringify(k)}\n${USAGE}`);
    }
  }
  if (a.only) {
    const names = new Set(WORKLOADS.map((w) => w.name));
    for (const n of a.only) if (!names.has(n)) fail(`unknown workload ${JSON.stringify(n)} (${[...names].join(", ")})`);
  }
  return a;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  stdout: string;
  stderr: string;
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolvePromise({
        code,
        signal,
        seconds: (performance.now() - t0) / 1000,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The CLI's output: stats (the comparison), the whole output without timings (identity across worker counts), timings. */
function outputOf(stdout: string): { stats: number[]; identity: string; timings: Record<string, number> } {
  const parsed = JSON.parse(stdout) as { timings?: Record<string, number> };
  const timings = parsed.timings ?? {};
  delete parsed.timings;
  return { stats: statsOf(stdout), identity: JSON.stringify(parsed), timings };
}

function statsOf(stdout: string): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`output is not JSON: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  const stats = (parsed as { stats?: unknown }).stats;
  if (!Array.isArray(stats) || stats.length !== 12 || !stats.every((x) => typeof x === "number")) {
    throw new Error(`output has no "stats" array of 12 numbers: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  return stats as number[];
}

const firstLine = (s: string): string => s.trim().split("\n")[0] ?? "";

interface WorkloadResult {
  name: string;
  workers: number;
  iouType: string;
  gt: string;
  dt: string;
  labels: number;
  detections: number;
  ok: boolean;
  error?: string;
  seconds: number[];
  medianSeconds?: number;
  peakRssBytes?: number;
  stats?: number[];
  /** Median milliseconds per stage, as the CLI reports them (--timings). */
  stages?: Record<string, number>;
  /** The whole output (timings left out): equal across worker counts. */
  identity?: string;
  pycocotools?: {
    source: "measured" | "baseline";
    seconds: number;
    peakRssBytes?: number;
    stats?: number[];
    /** max |ours - pycocotools| over the 12 stats (measured only). */
    maxStatsDiff?: number;
    error?: string;
  };
  fasterCocoEvalBaseline?: number;
}

function pythonCommand(): string {
  return process.env.PYTHON || "python3";
}

function pycocotoolsAvailable(): boolean {
  const r = spawnSync(pythonCommand(), ["-c", "import pycocotools"], { stdio: "ignore" });
  return r.status === 0;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string): void => void process.stderr.write(s + "\n");
  if (!existsSync(args.cli)) {
    fail(
      `${args.cli} not found: build the CLI first (\`npm run build\`, which bundles bindings/cli.ts), ` +
        `or point --cli at one`,
      1,
    );
  }
  const fixtureDir = (w: Workload) => (typeof w.preset === "string" ? "" : join(FIXTURES, w.preset.fixture));
  const workloads = WORKLOADS.filter((w) => (args.only ? args.only.includes(w.name) : !w.huge || args.huge)).filter((w) => {
    const d = fixtureDir(w);
    if (d && !existsSync(join(d, "gt.json.gz"))) log(`${w.name}: skipped (${d} not found)`);
    return !d || existsSync(join(d, "gt.json.gz"));
  });

  // Data sets, generated once per (preset, seed, generator version).
  let enginePromise: ReturnType<typeof loadEngine> | undefined;
  const getEngine = async () => (await (enginePromise ??= loadEngine(args.engine))).engine;
  const sets = new Map<PresetName | string, { counts: Pick<CocoSetCounts, "labels" | "detections">; files: { gt: string; dtBbox: string; dtSegm?: string } }>();
  for (const w of workloads) {
    const d = fixtureDir(w);
    if (!d || sets.has(d)) continue;
    const files = { gt: join(d, "gt.json.gz"), dtBbox: join(d, "dt_bbox.json.gz"), dtSegm: join(d, "dt_segm.json.gz") };
    const { gt, dt } = await loadCocoInputs(files.gt, files.dtBbox);
    sets.set(d, { counts: { labels: gt.annotations.count, detections: dt.count }, files });
  }
  for (const preset of new Set(workloads.flatMap((w) => (typeof w.preset === "string" ? [w.preset] : [])))) {
    const seedPart = args.seed === undefined ? "" : `-seed${args.seed}`;
    const dir = join(ROOT, ".cache", "bench", `${preset}-${CACHE_VERSION}${seedPart}`);
    const t0 = performance.now();
    const set = await cachedCocoSet(getEngine, { preset, seed: args.seed }, dir, (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rgenerating ${preset}: ${done}/${total} images`);
    });
    if (process.stderr.isTTY) process.stderr.write("\r");
    if (set.generated) {
      const kind = (await enginePromise!).kind;
      log(`generated ${preset} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${kind} engine) -> ${dir}`);
    }
    sets.set(preset, set);
  }

  const usePython = args.python && pycocotoolsAvailable();
  const rssDir = mkdtempSync(join(tmpdir(), "detection-eval-bench-"));
  const results: WorkloadResult[] = [];
  try {
    for (const w of workloads) {
      const set = sets.get(typeof w.preset === "string" ? w.preset : fixtureDir(w))!;
      const dt = w.iouType === "segm" ? set.files.dtSegm : set.files.dtBbox;
      if (!dt) throw new Error(`${w.name}: no ${w.iouType} results`);
      let pyDone: WorkloadResult["pycocotools"] | undefined;
      for (const workers of args.workers) {
        const r: WorkloadResult = {
          name: w.name,
          workers,
          iouType: w.iouType,
          gt: set.files.gt,
          dt,
          labels: set.counts.labels,
          detections: set.counts.detections,
          ok: true,
          seconds: [],
        };
        results.push(r);
        const cliArgs = ["coco", "--gt", set.files.gt, "--dt", dt, "--iou-type", w.iouType, "--format", "json", "--timings", "--workers", String(workers)];
        let peak = 0;
        const stageRuns: Record<string, number>[] = [];
        const runs = w.huge ? args.hugeRuns : args.runs;
        for (let run = 0; run < runs; run++) {
          const rssFile = join(rssDir, `${w.name}-${workers}-${run}`);
          const env = { ...process.env, DETECTION_EVAL_BENCH_RSS_FILE: rssFile };
          const c = await runChild(process.execPath, ["--import", PRELOAD, args.cli, ...cliArgs], env);
          if (c.code !== 0) {
            r.ok = false;
            r.error = `exit ${c.code ?? c.signal}: ${firstLine(c.stderr.split("\n").filter((l) => !l.startsWith("timings (ms)")).join("\n")) || "(no message)"}`;
            break;
          }
          try {
            const out = outputOf(c.stdout);
            r.stats = out.stats;
            r.identity = out.identity;
            stageRuns.push(out.timings);
          } catch (e) {
            r.ok = false;
            r.error = (e as Error).message;
            break;
          }
          r.seconds.push(c.seconds);
          if (existsSync(rssFile)) peak = Math.max(peak, Number(readFileSync(rssFile, "utf8")));
          log(`${w.name} (workers ${workers}): run ${run + 1}/${runs} ${c.seconds.toFixed(2)} s`);
        }
        if (r.ok) {
          r.medianSeconds = median(r.seconds);
          if (peak > 0) r.peakRssBytes = peak;
          const keys = Object.keys(stageRuns[0] ?? {});
          r.stages = Object.fromEntries(keys.map((k) => [k, median(stageRuns.map((t) => t[k] ?? NaN))]));
        } else log(`${w.name}: FAILED: ${r.error}`);

        const base = BASELINES[w.name];
        if (base) r.fasterCocoEvalBaseline = base.fasterCocoEval;
        if (pyDone) r.pycocotools = pyDone;
        else if (usePython && (!w.huge || args.pyHuge)) {
          const times: number[] = [];
          let py: NonNullable<WorkloadResult["pycocotools"]> = { source: "measured", seconds: NaN };
          for (let run = 0; run < args.pyRuns; run++) {
            const c = await runChild(pythonCommand(), [PY_SCRIPT, set.files.gt, dt, w.iouType]);
            if (c.code !== 0) {
              py.error = `pycocotools exit ${c.code ?? c.signal}: ${firstLine(c.stderr.split("\n").slice(-2).join("\n"))}`;
              break;
            }
            const out = JSON.parse(c.stdout.trim().split("\n").pop()!) as { stats: number[]; maxRssBytes: number };
            times.push(c.seconds);
            py = { ...py, stats: out.stats, peakRssBytes: Math.max(py.peakRssBytes ?? 0, out.maxRssBytes) };
            log(`${w.name}: pycocotools run ${run + 1}/${args.pyRuns} ${c.seconds.toFixed(2)} s`);
          }
          if (times.length > 0) py.seconds = median(times);
          if (py.stats && r.stats) py.maxStatsDiff = Math.max(...py.stats.map((x, i) => Math.abs(x - r.stats![i]!)));
          r.pycocotools = pyDone = py;
        } else if (base) {
          r.pycocotools = pyDone = { source: "baseline", seconds: base.pycocotools };
        }
      }
    }
  } finally {
    rmSync(rssDir, { recursive: true, force: true });
  }
  // outputs identical across worker counts
  const identical = new Map<string, boolean>();
  for (const r of results) {
    if (!r.ok || r.identity === undefined) continue;
    const first = results.find((q) => q.name === r.name && q.ok && q.identity !== undefined)!;
    identical.set(r.name, (identical.get(r.name) ?? true) && first.identity === r.identity);
  }
  const notIdentical = [...identical].filter(([, v]) => !v).map(([k]) => k);
  if (notIdentical.length > 0) log(`OUTPUTS DIFFER across worker counts: ${notIdentical.join(", ")}`);

  const measured = results.some((r) => r.pycocotools?.source === "measured");
  const pyNote = measured
    ? `pycocotools measured in this run (median of ${args.pyRuns}, \`${pythonCommand()} bench/pycocotools_eval.py\`, loading included)` +
      (args.pyHuge ? "" : "; not run on huge (add --py-huge)")
    : `pycocotools not importable by \`${pythonCommand()}\`${args.python ? "" : " (--no-python)"}: ratios against the baselines of ` +
      "shared/README.md (one run each on the 2-core machine, measured on the shared synth_val / dense sets, which our presets resemble, not reproduce)";
  if (args.json) {
    const report = {
      node: process.version,
      cli: args.cli,
      runs: args.runs,
      workers: args.workers,
      identicalAcrossWorkers: notIdentical.length === 0,
      pycocotools: measured ? "measured" : "baseline",
      note: pyNote,
      workloads: results,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  } else {
    process.stdout.write(markdown(results, args, pyNote) + "\n");
    if (args.workers.length > 1) process.stdout.write(`\nOutputs identical across worker counts ${args.workers.join(", ")}: ${notIdentical.length === 0 ? "yes" : `NO (${notIdentical.join(", ")})`}\n`);
  }
  if (results.some((r) => !r.ok) || notIdentical.length > 0) process.exit(1);
}

const int = (n: number): string => n.toLocaleString("en-US");
const secs = (s: number | undefined): string => (s === undefined || Number.isNaN(s) ? "n/a" : `${s.toFixed(2)} s`);
const mibs = (b: number | undefined): string => (b === undefined ? "n/a" : `${Math.round(b / 2 ** 20)} MiB`);
const ratio = (ref: number | undefined, ours: number | undefined): string =>
  ref === undefined || ours === undefined || Number.isNaN(ref) || !(ours > 0) ? "n/a" : `${(ref / ours).toFixed(1)}x`;

/** Stages of the CLI's --timings, in the order of the pipeline (others follow). */
const STAGES = ["loadGt", "loadDt", "geometry", "plan", "iou", "match", "accumulate", "summarize"];

function markdown(results: WorkloadResult[], args: Args, note: string): string {
  const measured = results.some((r) => r.pycocotools?.source === "measured");
  const head = [
    "workload",
    "workers",
    "labels",
    "detections",
    `time (median of ${args.runs}; huge: ${args.hugeRuns})`,
    "peak RSS",
    measured ? "pycocotools (measured)" : "pycocotools (baseline)",
    "speedup vs pycocotools",
    "speedup vs faster-coco-eval (baseline)",
    ...(measured ? ["max abs Δ of stats vs pycocotools"] : []),
  ];
  const rows = results.map((r) => [
    r.name,
    String(r.workers),
    int(r.labels),
    int(r.detections),
    r.ok ? secs(r.medianSeconds) : `FAILED (${r.error})`,
    mibs(r.peakRssBytes),
    r.pycocotools?.error ? r.pycocotools.error : secs(r.pycocotools?.seconds),
    ratio(r.pycocotools?.seconds, r.medianSeconds),
    ratio(r.fasterCocoEvalBaseline, r.medianSeconds),
    ...(measured ? [r.pycocotools?.maxStatsDiff === undefined ? "n/a" : r.pycocotools.maxStatsDiff.toExponential(1)] : []),
  ]);
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  const stageKeys = [...new Set(results.flatMap((r) => Object.keys(r.stages ?? {})))].filter((k) => k !== "evaluate" && k !== "command");
  stageKeys.sort((a, b) => (STAGES.indexOf(a) + 1 || 99) - (STAGES.indexOf(b) + 1 || 99));
  const stageHead = ["workload", "workers", ...stageKeys, "in the command", "process (wall)"];
  const stageRows = results
    .filter((r) => r.ok && r.stages)
    .map((r) => [r.name, String(r.workers), ...stageKeys.map((k) => (r.stages![k] === undefined ? "" : r.stages![k]!.toFixed(0))), r.stages!.command?.toFixed(0) ?? "", ((r.medianSeconds ?? NaN) * 1000).toFixed(0)]);
  return [
    `detection-eval bench: node ${process.version}, ${args.runs} run(s) per workload, workers ${args.workers.join(", ")}`,
    "",
    line(head),
    line(head.map(() => "---")),
    ...rows.map(line),
    "",
    `Speedup = reference time / our median time (> 1: we are faster). ${note}.`,
    "",
    "Per-stage milliseconds (medians; the CLI's --timings; with workers, iou is splitting the work and match the workers' masks, IoU and matching, and split by category their accumulate too):",
    "",
    line(stageHead),
    line(stageHead.map(() => "---")),
    ...stageRows.map(line),
  ].join("\n");
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e), 1));
