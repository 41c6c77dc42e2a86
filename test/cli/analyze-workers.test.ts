// `analyze --workers N` and `report --workers N` through the built CLI: the same output for 1, 2 and 3
// threads (3 is capped to the cores with a warning), COCO masks and Encord-style input; a bad count
// is a usage error (exit 2) before any file is read.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, LOCAL_FIXTURES, ROOT } from "../helpers/paths.js";

const haveCli = existsSync(CLI);
const dir = mkdtempSync(join(tmpdir(), "detection-eval-workers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GT = join(LOCAL_FIXTURES, "synth_small/gt.json.gz");
const SEGM = join(LOCAL_FIXTURES, "synth_small/dt_segm.json.gz");
const capped = /^warning: --workers 3: more than this machine's \d+ cores/;

describe.skipIf(!haveCli)("--workers", () => {
  it("analyze: the same JSON for 1, 2 and 3 threads (COCO masks, Encord-style)", () => {
    for (const input of [["--gt", GT, "--dt", SEGM], ["--gt", join(ROOT, "examples/analysis-labels.json"), "--dt", join(ROOT, "examples/analysis-predictions.json")]]) {
      const one = cli("analyze", ...input, "--format", "json", "--bootstrap", "20", "--candidates", "any-class");
      expect(one.code, one.stderr).toBe(0);
      for (const n of ["2", "3"]) {
        const r = cli("analyze", ...input, "--format", "json", "--bootstrap", "20", "--candidates", "any-class", "--workers", n);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(one.stdout);
        // (3 threads on fewer cores: capped, with one warning more)
        expect(r.stderr.split("\n").filter((l) => !capped.test(l)).join("\n")).toBe(one.stderr);
      }
    }
  });

  it("report: the same page for 1 and 2 threads (but for the creation time and the timings)", () => {
    const page = (n: string) => {
      const out = join(dir, `r${n}.html`);
      const r = cli("report", "--gt", GT, "--dt", SEGM, "--out", out, "--bootstrap", "0", "--workers", n);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(out, "utf8").replace(/"created":"[^"]*"/, "").replace(/"timings":\{[^}]*\}/g, "");
    };
    expect(page("2")).toBe(page("1"));
  });

  it("a bad count: exit 2, before any work", () => {
    for (const cmd of [["analyze"], ["report", "--out", join(dir, "x.html")]]) {
      const r = cli(...cmd, "--gt", join(dir, "missing.json"), "--dt", SEGM, "--workers", "0");
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--workers: expected an integer from 1 to 256, got "0"/);
    }
  });
});
