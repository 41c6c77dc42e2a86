// `detection-eval export` at scale: wall time, peak RSS and file size of one export per format, each in
// a child process (node --import bench/rss-preload.mjs: the whole process' peak, worker included).
//   npx tsx bench/generate.ts --preset dense --out /tmp/dense     (or --preset huge: the >600 MB file)
//   node scripts/build.mjs && npx tsx bench/export.ts --gt /tmp/dense/gt.json --dt /tmp/dense/dt_bbox.json
//     [--formats parquet,arrow,csv] [--cli dist/cli.js] [--out DIR] [-- extra export options, e.g. --box-iou]
// --cli may name another build (e.g. a checkout of an older commit) to compare before / after.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PRELOAD = pathToFileURL(fileURLToPath(new URL("./rss-preload.mjs", import.meta.url))).href;
const USAGE = "usage: npx tsx bench/export.ts --gt GT --dt DT [--formats parquet,arrow,csv] [--cli dist/cli.js] [--out DIR] [-- export options]";
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function fail(message: string): never {
  process.stderr.write(`bench/export: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const opt: Record<string, string> = {};
for (let i = 0; i < own.length; i += 2) {
  const k = own[i]!;
  const v = own[i + 1];
  if (!k.startsWith("--") || v === undefined) fail(`bad argument ${JSON.stringify(k)}`);
  opt[k.slice(2)] = v;
}
if (!opt.gt || !opt.dt) fail("--gt and --dt are required");
const cli = resolve(opt.cli ?? "dist/cli.js");
const formats = (opt.formats ?? "parquet,arrow,csv").split(",");
const outDir = opt.out ?? mkdtempSync(join(tmpdir(), "de-bench-export-"));

process.stdout.write(
  `${cli}\n  input: ${opt.dt} (${mib(statSync(opt.dt).size)}), ${opt.gt} (${mib(statSync(opt.gt).size)})${extra.length ? `; ${extra.join(" ")}` : ""}\n`,
);
for (const format of formats) {
  const out = join(outDir, `objects.${format}`);
  const rssFile = join(outDir, `rss-${format}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", PRELOAD, cli, "export", "--gt", opt.gt, "--dt", opt.dt, "--out", out, ...extra], {
    env: { ...process.env, DETECTION_EVAL_BENCH_RSS_FILE: rssFile },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stdout.write(`  ${format}: exit ${r.status}${r.signal ? ` (${r.signal})` : ""}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}\n`);
    continue;
  }
  const rss = Number(readFileSync(rssFile, "utf8"));
  process.stdout.write(
    `  ${format}: ${seconds.toFixed(1)} s, peak RSS ${mib(rss)}, file ${mib(statSync(out).size)}  (${r.stderr.trim().split("\n").at(-1)})\n`,
  );
  rmSync(out, { force: true });
}
if (!opt.out) rmSync(outDir, { recursive: true, force: true });
