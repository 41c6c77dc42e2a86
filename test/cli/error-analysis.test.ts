// The error-analysis outputs of the CLI: coco --bootstrap, analyze's confusion / calibration / intervals
// (the built dist/cli.js, on the committed synth_small fixture).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

const expectedTide = JSON.parse(readFileSync(join(DIR, "expected_tide.json"), "utf8")) as {
  runs: { dt: string; posThreshold: number; backgroundThreshold: number; ap: number; main: Record<string, number>; special: Record<string, number> }[];
};
const expectedLrp = JSON.parse(readFileSync(join(DIR, "expected_lrp.json"), "utf8")) as {
  evaluations: { iouType: string; dt: string; useCats: boolean; tau: number; catIds: number[]; means: Record<string, number[][]>; olrp: number[][][]; lrp_opt_thr: number[][][] }[];
};

describe.skipIf(!haveCli)("CLI errors command", () => {
  for (const iouType of ["bbox", "segm"] as const) {
    it(`${iouType}: TIDE as tidecv, LRP as the LRP-Error fork (the committed reference numbers), confusion margins`, () => {
      const dt = join(DIR, `dt_${iouType}.json.gz`);
      const r = cli("errors", "--gt", GT, "--dt", dt, "--iou-type", iouType, "--format", "json");
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      const t = expectedTide.runs.find((x) => x.dt === `dt_${iouType}.json.gz` && x.posThreshold === 0.5 && x.backgroundThreshold === 0.1)!;
      for (const [k, v] of Object.entries({ ...t.main, ...t.special })) expect(j.tide[k], k).toBe(v);
      expect(j.tide.ap).toBe(t.ap);
      const l = expectedLrp.evaluations.find((x) => x.iouType === iouType && x.useCats && x.tau === 0.5 && x.catIds.length > 1)!;
      // area "all" (index 0), maxDets 100 (index 2)
      expect(j.lrp.olrp).toBe(l.means.olrp![0]![2]);
      expect(j.lrp.olrp_loc).toBe(l.means.olrp_loc![0]![2]);
      expect(j.lrp.olrp_fp).toBe(l.means.olrp_fp![0]![2]);
      expect(j.lrp.olrp_fn).toBe(l.means.olrp_fn![0]![2]);
      j.lrp.classes.forEach((c: { categoryId: number; olrp: number; threshold: number | null }, k: number) => {
        expect(c.categoryId).toBe(l.catIds[k]);
        expect(c.olrp).toBe(l.olrp[k]![0]![2]);
        const thr = l.lrp_opt_thr[k]![0]![2]!;
        expect(c.threshold).toBe(thr === null || Number.isNaN(thr) ? null : thr);
      });
      const n = j.confusion.categories.length;
      expect(j.confusion.counts.length).toBe(n + 1);
      expect(j.calibration.bins.length).toBe(10);
    });
  }

  it("text: tidecv-style tables, LRP, confusions, calibration", () => {
    const r = cli("errors", "--gt", GT, "--dt", DT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^-- bbox AP @ 50: \d+\.\d\d \(TIDE, background IoU 0\.1\) --/);
    expect(r.stdout).toMatch(/Main Errors\n=+\n +Type +Cls +Loc +Both +Dupe +Bkg +Miss\n-+\n +dAP( +\d+\.\d\d){6}\n/);
    expect(r.stdout).toMatch(/Special Error[\s\S]*FalsePos +FalseNeg/);
    expect(r.stdout).toMatch(/moLRP +0\.\d{3}/);
    expect(r.stdout).toMatch(/confusion at IoU 0\.5: \d+ predictions of another class's label/);
    expect(r.stdout).toMatch(/calibration at IoU 0\.5 \(10 bins, \d+ predictions\): ECE 0\.\d{3}/);
  });

  it("options reach the computations; bad options and inputs give one line", () => {
    const t = JSON.parse(cli("errors", "--gt", GT, "--dt", DT, "--pos-threshold", "0.75", "--background-threshold", "0.2", "--format", "json").stdout);
    const want = expectedTide.runs.find((x) => x.dt === "dt_bbox.json.gz" && x.posThreshold === 0.75)!;
    expect(t.tide.ap).toBe(want.ap);
    expect(t.tide.Loc).toBe(want.main.Loc);
    const tau = JSON.parse(cli("errors", "--gt", GT, "--dt", DT, "--tau", "0.65", "--format", "json").stdout);
    expect(tau.lrp.tau).toBe(0.65);
    const l65 = expectedLrp.evaluations.find((x) => x.iouType === "bbox" && x.tau === 0.65);
    if (l65) expect(tau.lrp.olrp).toBe(l65.means.olrp![0]![2]);
    const bad = (args: string[], code: number, msg: string) => {
      const r = cli("errors", "--gt", GT, "--dt", DT, ...args);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.stderr.split("\n")[0]).toContain(msg);
    };
    bad(["--tau", "0.52"], 2, "--tau: expected one of 0.5, 0.55, 0.6");
    bad(["--pos-threshold", "0"], 2, "--pos-threshold: expected a number in (0, 1], got 0");
    bad(["--background-threshold", "0.7"], 2, "--background-threshold: expected a number in [0, --pos-threshold], got 0.7");
    bad(["--bins", "0"], 2, "--bins: expected a whole number in 1..1000, got 0");
    const dir = mkdtempSync(join(tmpdir(), "de-errors-"));
    try {
      writeFileSync(join(dir, "empty.json"), "[]");
      const r = cli("errors", "--gt", GT, "--dt", join(dir, "empty.json"), "--iou-type", "bbox", "--format", "json");
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      // every label is a Miss; fixing them leaves no class, where tidecv divides by zero: null
      expect(j.tide.ap).toBe(0);
      expect(j.tide.counts.Miss).toBeGreaterThan(1000);
      expect(j.tide.Miss).toBeNull();
      expect(j.lrp.olrp).toBe(1);
      expect(j.calibration.count).toBe(0);
      writeFileSync(join(dir, "nope.json"), "{");
      const e = cli("errors", "--gt", GT, "--dt", join(dir, "nope.json"));
      expect(e.code).toBe(1);
      expect(e.stderr.trim().split("\n").length).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

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
