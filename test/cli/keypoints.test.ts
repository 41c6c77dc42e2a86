// The analysis commands on COCO keypoint input (test/fixtures/kpt_oks): OKS by default, named OKS in
// the text, the JSON, the report's meta and the export; --kpt-sigmas; one-line errors.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, LOCAL_FIXTURES } from "../helpers/paths.js";

const F = join(LOCAL_FIXTURES, "kpt_oks");
const tmp = mkdtempSync(join(tmpdir(), "de-kpt-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const person = ["--gt", join(F, "kpt_person_gt.json"), "--dt", join(F, "kpt_person_dt.json")];
const tri = ["--gt", join(F, "kpt_tri_gt.json"), "--dt", join(F, "kpt_tri_dt.json")];

describe.skipIf(!existsSync(CLI))("CLI on keypoint input", () => {
  it("analyze: OKS by default, labelled OKS; --iou-type bbox analyses the boxes with a warning", () => {
    const text = cli("analyze", ...person, "--bootstrap", "0");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^OKS threshold 0\.5 \(object keypoint similarity\)/);
    expect(text.stdout).toMatch(/TP 3 {2}FP 4 {2}FN 0 {2}ignored 2 .* avg OKS 0\.871/);
    const json = JSON.parse(cli("analyze", ...person, "--bootstrap", "0", "--format", "json").stdout);
    expect([json.iouKind, json.tp, json.fp, json.fn, json.ignored]).toEqual(["oks", 3, 4, 0, 2]);
    const boxes = cli("analyze", ...person, "--iou-type", "bbox", "--bootstrap", "0");
    expect(boxes.stderr).toMatch(/^warning: results: they carry keypoints, analysed here as boxes; iouType "keypoints" \(--iou-type keypoints\) compares them by OKS$/m);
  });

  it("--kpt-sigmas as a list or a file; without it 3 keypoints are a one-line error", () => {
    const bad = cli("analyze", ...tri, "--bootstrap", "0");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toBe('detection-eval analyze: labels[0].keypoints: expected 3*17 = 51 numbers (COCO\'s 17 person sigmas, used when no kptSigmas / --kpt-sigmas are given for category "tri"), got 9\n');
    const list = JSON.parse(cli("analyze", ...tri, "--bootstrap", "0", "--format", "json", "--kpt-sigmas", "0.05,0.1,0.2").stdout);
    const file = join(tmp, "sigmas.json");
    writeFileSync(file, JSON.stringify({ tri: [0.05, 0.1, 0.2] }));
    const byFile = JSON.parse(cli("analyze", ...tri, "--bootstrap", "0", "--format", "json", "--kpt-sigmas", file).stdout);
    expect(byFile).toEqual(list);
    expect(list.iouKind).toBe("oks");
    const wrong = cli("analyze", ...tri, "--bootstrap", "0", "--kpt-sigmas", "0.1,0.1");
    expect(wrong.stderr).toBe('detection-eval analyze: labels[0].keypoints: expected 3*2 = 6 numbers (the 2 OKS sigmas of category "tri"), got 9\n');
  });

  it("report and export", () => {
    const out = join(tmp, "r.html");
    const r = cli("report", ...person, "--out", out, "--bootstrap", "0");
    expect(r.code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html.includes('"iouKind":"oks"')).toBe(true);
    expect(html.includes('"iouType":"keypoints"')).toBe(true);
    expect(html.includes('"tide":{')).toBe(false); // TIDE has no keypoint rules
    const csv = join(tmp, "t.csv");
    expect(cli("export", ...person, "--out", csv).code).toBe(0);
    const rows = readFileSync(csv, "utf8").trim().split("\n");
    expect(rows.length).toBe(1 + 9 + 4);
    expect(rows[1]).toMatch(/^prediction,0,1,1,a\.png,1,person,0\.935,.*,TP,/);
  });
});
