// `detection-eval compare`: the contract (each model's numbers equal `analyze` of that file alone at
// the same settings; `classes[].ap` one value per model), text output, and the usage errors.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, LOCAL_FIXTURES } from "../helpers/paths.js";
import { mulberry32 } from "../helpers/random.js";

const haveCli = existsSync(CLI);
const dir = mkdtempSync(join(tmpdir(), "de-compare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GT = join(LOCAL_FIXTURES, "synth_small/gt.json.gz");
const A = join(LOCAL_FIXTURES, "synth_small/dt_bbox.json.gz");
// model B: A's boxes jittered and a third of them dropped (seeded)
const B = join(dir, "b.json");
{
  const r = mulberry32(5);
  const dt = JSON.parse(gunzipSync(readFileSync(A)).toString("utf8")) as { bbox: number[]; score: number }[];
  writeFileSync(B, JSON.stringify(dt.filter(() => r() > 0.33).map((d) => ({ ...d, bbox: d.bbox.map((v, j) => (j < 2 ? v + (r() - 0.5) * 4 : v)), score: Math.round(r() * 100) / 100 }))));
}

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!haveCli)("detection-eval compare", () => {
  it("each model's numbers equal analyze of that file alone; classes carry one AP per model", () => {
    const settings = ["--iou", "0.6", "--iou-type", "bbox", "--box-iou", "--confidence", "0.2"];
    const r = cli("compare", "--gt", GT, "--dt", A, "--dt", B, "--name", "A", "--name", "B", ...settings, "--bootstrap", "100", "--format", "json");
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.models.map((m: { name: string }) => m.name)).toEqual(["A", "B"]);
    [A, B].forEach((file, i) => {
      const alone = JSON.parse(cli("analyze", "--gt", GT, "--dt", file, ...settings, "--bootstrap", "0", "--format", "json").stdout);
      for (const key of ["mAP", "mAR", "AR", "mP", "mR", "mF1", "tp", "fp", "fn", "ignored", "labels", "precision", "recall", "f1", "avgIou", "iou", "confidence"]) {
        expect(c.models[i][key], `${file} ${key}`).toEqual(alone[key]);
      }
      for (const k of alone.classes) expect(c.classes.find((x: { categoryId: number }) => x.categoryId === k.categoryId).ap[i]).toBe(k.ap);
    });
    const pair = c.pairs[0];
    expect(pair.mAP.delta).toBe(c.models[1].mAP - c.models[0].mAP);
    expect(pair.mAP.lo).toBeLessThanOrEqual(pair.mAP.hi);
    expect(pair.gained.length + pair.lost.length).toBeGreaterThan(0);
  }, 60_000);

  it("text: both names, the deltas and the per-class table", () => {
    const r = cli("compare", "--gt", GT, "--dt", A, "--dt", B, "--name", "base", "--name", "new", "--iou-type", "bbox", "--box-iou", "--bootstrap", "50");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/baseline: base/);
    expect(r.stdout).toMatch(/new - base \(95% paired bootstrap intervals over images, 50 resamples, seed 0\):/);
    expect(r.stdout).toMatch(/AP per class:/);
  }, 60_000);

  it("a bad results file is named", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, -1, 2], score: 1 }]));
    const r = cli("compare", "--gt", GT, "--dt", A, "--dt", bad);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").pop()).toMatch(new RegExp(`^detection-eval compare: ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: results`));
  });

  it("usage errors: one --dt, names not one per --dt, an option given twice", () => {
    expect(cli("compare", "--gt", GT, "--dt", A)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--dt: give two or more results files/) });
    expect(cli("compare", "--gt", GT, "--dt", A, "--dt", B, "--name", "x")).toMatchObject({ code: 2, stderr: expect.stringMatching(/--name: give one name per --dt \(2\), got 1/) });
    expect(cli("compare", "--gt", GT, "--dt", A, "--dt", B, "--iou", "0.5", "--iou", "0.7")).toMatchObject({ code: 2, stderr: expect.stringMatching(/--iou given twice \("0.5" and "0.7"\)/) });
  });
});
