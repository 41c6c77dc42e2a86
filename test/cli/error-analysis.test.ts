// The error-analysis outputs of the CLI: coco --bootstrap, analyze's confusion / calibration / intervals
// (the built dist/cli.js, on the committed synth_small fixture).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT } from "../helpers/paths.js";

const DIR = join(ROOT, "test/fixtures/synth_small");
const GT = join(DIR, "gt.json.gz");
const DT = join(DIR, "dt_bbox.json.gz");
const haveCli = existsSync(CLI);
if (!haveCli) console.warn(`skipping CLI error-analysis tests: ${CLI} not built`);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!haveCli)("CLI error analysis", () => {
  it("coco --bootstrap: intervals around the stats, the same with 2 workers, seeded", () => {
    const base = ["coco", "--gt", GT, "--dt", DT, "--iou-type", "bbox", "--format", "json", "--bootstrap", "50"];
    const one = cli(...base);
    expect(one.code, one.stderr).toBe(0);
    const a = JSON.parse(one.stdout);
    expect(a.intervals.resamples).toBe(50);
    expect(a.intervals.stats.map((s: { estimate: number }) => s.estimate)).toEqual(a.stats);
    expect(a.intervals.statsLabels).toEqual(a.statsLabels);
    for (const s of a.intervals.stats) expect(s.lo).toBeLessThanOrEqual(s.hi);
    const two = JSON.parse(cli(...base, "--workers", "2").stdout);
    expect(two.intervals).toEqual(a.intervals);
    const other = JSON.parse(cli(...base, "--seed", "7").stdout);
    expect(other.intervals.stats[0]).not.toEqual(a.intervals.stats[0]);
    const plain = JSON.parse(cli("coco", "--gt", GT, "--dt", DT, "--iou-type", "bbox", "--format", "json").stdout);
    expect(plain.intervals).toBeUndefined();
    const text = cli("coco", "--gt", GT, "--dt", DT, "--iou-type", "bbox", "--bootstrap", "20").stdout;
    expect(text).toMatch(/95% intervals, 20 bootstrap resamples of the images \(seed 0\):\n AP@\[\.50:\.95\|all\|100\] +0\.\d{3} +\[0\.\d{3}, 0\.\d{3}\]/);
  });

  it("analyze --format json: confusion matrix, calibration, intervals", () => {
    const r = cli("analyze", "--gt", GT, "--dt", DT, "--format", "json", "--bootstrap", "100", "--iou", "0.5");
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const n = j.confusion.categories.length;
    expect(n).toBe(j.classes.length);
    expect(j.confusion.counts.length).toBe(n + 1);
    j.classes.forEach((c: { tp: number; fp: number; labels: number }, i: number) => {
      expect(j.confusion.counts[i][i]).toBe(c.tp);
      expect(j.confusion.counts[i].reduce((x: number, y: number) => x + y, 0)).toBe(c.tp + c.fp);
      expect(j.confusion.counts.reduce((x: number, row: number[]) => x + row[i]!, 0)).toBe(c.labels);
    });
    expect(j.calibration.count).toBe(j.tp + j.fp);
    expect(j.calibration.bins.length).toBe(10);
    expect(j.intervals.resamples).toBe(100);
    expect(j.intervals.mAP.estimate).toBe(j.mAP);
    expect(j.intervals.classes.length).toBe(j.classes.length);
    expect(JSON.parse(cli("analyze", "--gt", GT, "--dt", DT, "--format", "json", "--bootstrap", "0").stdout).intervals).toBeUndefined();
  });

  it("bad --bootstrap / --seed: a usage error (exit 2) before any work", () => {
    const a = cli("analyze", "--gt", GT, "--dt", DT, "--bootstrap", "2.5");
    expect(a.code).toBe(2);
    expect(a.stderr.split("\n")[0]).toBe("detection-eval analyze: --bootstrap: expected a whole number of resamples (0 for none), got 2.5");
    const c = cli("coco", "--gt", GT, "--dt", DT, "--iou-type", "bbox", "--bootstrap", "-3");
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("--bootstrap: expected a whole number of resamples (0 for none), got -3");
    const s = cli("analyze", "--gt", GT, "--dt", DT, "--seed", "x");
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('--seed: expected a number, got "x"');
  });
});
