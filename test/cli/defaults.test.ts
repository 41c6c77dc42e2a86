// Defaults keep every prediction: logits (negative scores) count in analyze, report and errors unless
// --confidence says otherwise (they were silently dropped at a default of 0: mAP 0 where coco gives 0.95).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/paths.js";

const dir = mkdtempSync(join(tmpdir(), "de-defaults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gt = join(dir, "gt.json");
const dt = join(dir, "dt.json");
writeFileSync(
  gt,
  JSON.stringify({
    images: [{ id: 1, width: 100, height: 100 }],
    categories: [{ id: 1, name: "a" }],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], area: 400, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 1, bbox: [50, 50, 20, 20], area: 400, iscrowd: 0 },
    ],
  }),
);
// logits: both true positives score below 0
writeFileSync(
  dt,
  JSON.stringify([
    { image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: -0.5 },
    { image_id: 1, category_id: 1, bbox: [50, 50, 20, 20], score: -2.25 },
  ]),
);
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });

describe.skipIf(!existsSync(CLI))("defaults keep every prediction", () => {
  it("analyze: negative scores count; --confidence 0 drops them on request", () => {
    const all = JSON.parse(cli("analyze", "--gt", gt, "--dt", dt, "--box-iou", "--format", "json", "--bootstrap", "0").stdout);
    expect(all.confidence).toBeNull();
    expect(all.tp).toBe(2);
    expect(all.mAP).toBe(1);
    const cut = JSON.parse(cli("analyze", "--gt", gt, "--dt", dt, "--box-iou", "--format", "json", "--bootstrap", "0", "--confidence", "0").stdout);
    expect(cut.tp).toBe(0);
    expect(cli("analyze", "--gt", gt, "--dt", dt, "--box-iou").stdout.split("\n")[0]).toBe("IoU threshold 0.5 (exact box IoU), every confidence, candidates same-class");
  });

  it("errors: the confusion matrix and calibration count them", () => {
    const j = JSON.parse(cli("errors", "--gt", gt, "--dt", dt, "--format", "json").stdout);
    expect(j.confusion.counts[0][0]).toBe(2);
    expect(j.calibration.count).toBe(2);
    expect(j.calibration.outOfRange).toBe(2);
  });

  it("report: the page starts at the lowest confidence (every prediction)", () => {
    const out = join(dir, "r.html");
    const r = cli("report", "--gt", gt, "--dt", dt, "--box-iou", "--out", out, "--bootstrap", "0");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mAP@0\.5 1\.000/);
    const meta = JSON.parse(/<script type="application\/json" id="report-meta">([\s\S]*?)<\/script>/.exec(readFileSync(out, "utf8"))![1]!);
    expect(meta.defaults.confidence).toBeNull();
  });
});
