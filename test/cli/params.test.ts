// The CLI exposes pycocotools' parameters (--img-ids / --images-from, --cat-ids, --iou-thrs,
// --rec-thrs, --max-dets, --area-rng, --no-use-cats) with pycocotools' numbers for them (computed
// with pycocotools 2.0.11, see test/fixtures/synth_small/expected_params.json); --version; bad
// values are usage errors naming the option.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, LOCAL_FIXTURES } from "../helpers/paths.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { loadAnalysisInput } from "../../bindings/cli/commands/analyze.js";
import { analyze } from "../../bindings/analysis/analyze.js";

const DIR = join(LOCAL_FIXTURES, "synth_small");
const haveCli = existsSync(CLI);
const tmp = mkdtempSync(join(tmpdir(), "de-params-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Case {
  name: string;
  iouType: "bbox" | "segm";
  imgIds?: number[];
  catIds?: number[];
  maxDets?: number[];
  iouThrs?: number[];
  recThrs?: number[];
  areaRng?: [number, number][];
  areaRngLbl?: string[];
  useCats?: number;
  stats: number[];
}
const expected = JSON.parse(readFileSync(join(DIR, "expected_params.json"), "utf8")) as { cases: Case[] };

function argsOf(c: Case, idsAs: "inline" | "json-file" | "line-file"): string[] {
  const a = ["coco", "--gt", join(DIR, "gt.json.gz"), "--dt", join(DIR, `dt_${c.iouType}.json.gz`), "--iou-type", c.iouType, "--format", "json"];
  if (c.imgIds) {
    if (idsAs === "inline") a.push("--img-ids", c.imgIds.join(","));
    else {
      const f = join(tmp, `${c.name}-${idsAs}.txt`);
      writeFileSync(f, idsAs === "json-file" ? JSON.stringify(c.imgIds) : `# image ids\n${c.imgIds.join("\n")}\n`);
      a.push("--images-from", f);
    }
  }
  if (c.catIds) a.push("--cat-ids", c.catIds.join(","));
  if (c.maxDets) a.push("--max-dets", c.maxDets.join(","));
  if (c.iouThrs) a.push("--iou-thrs", c.iouThrs.join(","));
  if (c.recThrs) a.push("--rec-thrs", c.recThrs.join(","));
  if (c.areaRng) a.push("--area-rng", c.areaRng.map(([lo, hi], i) => `${c.areaRngLbl?.[i] ?? ""}=${lo}:${hi}`).join(","));
  if (c.useCats === 0) a.push("--no-use-cats");
  return a;
}

describe.skipIf(!haveCli)("coco parameters on the command line", () => {
  it("the expected file holds the three cases (subset, areas, no categories)", () => {
    expect(expected.cases.map((c) => c.name)).toEqual(["subset", "areas", "nocats"]);
  });

  for (const c of expected.cases) {
    it(`${c.name}: pycocotools' stats, bit for bit`, () => {
      const r = cli(...argsOf(c, "inline"));
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.stats).toEqual(c.stats);
      expect(out.params.useCats).toBe(c.useCats !== 0);
      if (c.maxDets) expect(out.params.maxDets).toEqual(c.maxDets);
    });
  }

  it("--images-from takes a JSON array or one id per line, with the same numbers as --img-ids", () => {
    const c = expected.cases[0]!;
    for (const how of ["json-file", "line-file"] as const) expect(JSON.parse(cli(...argsOf(c, how)).stdout).stats).toEqual(c.stats);
  });

  it("bad values: exit 2 and a line naming the option", () => {
    const base = ["coco", "--gt", join(DIR, "gt.json.gz"), "--dt", join(DIR, "dt_bbox.json.gz"), "--iou-type", "bbox"];
    const bad: [string[], RegExp][] = [
      [["--img-ids", "1,2"], /^detection-eval coco: --img-ids: no image with id "1"/],
      [["--cat-ids", "1,,2"], /--cat-ids: expected a comma-separated list/],
      [["--iou-thrs", "0.5,2"], /--iou-thrs: expected thresholds in \[0, 1\]/],
      [["--max-dets", "1,2.5"], /--max-dets: expected non-negative integers/],
      [["--area-rng", "all=5:1"], /--area-rng: expected \[label=\]min:max with min <= max, got "all=5:1"/],
      [["--img-ids", "100000", "--images-from", join(tmp, "none")], /--img-ids and --images-from: give one of them/],
      [["--images-from", join(tmp, "missing.txt")], /--images-from: cannot read .*missing\.txt: ENOENT/],
    ];
    for (const [extra, msg] of bad) {
      const r = cli(...base, ...extra);
      expect(r.code, extra.join(" ")).toBe(2);
      expect(r.stderr.split("\n")[0], extra.join(" ")).toMatch(msg);
    }
  });

  it("--version and -v print the package version", () => {
    const pkg = JSON.parse(readFileSync(join(LOCAL_FIXTURES, "../../package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) {
      const r = cli(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`detection-eval ${pkg.version}\n`);
    }
    expect(cli("--help").stdout).toContain("--version");
  });

  it("analyze --classes takes names as well as ids", () => {
    const base = ["analyze", "--gt", join(DIR, "gt.json.gz"), "--dt", join(DIR, "dt_bbox.json.gz"), "--iou-type", "bbox", "--format", "json"];
    const gt = JSON.parse(cli("coco", "--gt", join(DIR, "gt.json.gz"), "--dt", join(DIR, "dt_bbox.json.gz"), "--iou-type", "bbox", "--format", "json").stdout) as { perCategory: { categoryId: number; name: string }[] };
    const [a, b] = gt.perCategory;
    const byId = JSON.parse(cli(...base, "--classes", `${a!.categoryId},${b!.categoryId}`).stdout);
    const byName = JSON.parse(cli(...base, "--classes", `${a!.name},${b!.name}`).stdout);
    expect(byName.classes.map((c: { categoryId: number }) => c.categoryId)).toEqual([a!.categoryId, b!.categoryId]);
    expect(byName.mAP).toBe(byId.mAP);
    const r = cli(...base, "--classes", "no-such-class");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").pop()).toMatch(/^detection-eval analyze: classes: no category with id or name "no-such-class"/);
  });

  it("analyze --img-ids / --images-from: the numbers of the library's at({ images }) on the whole set", async () => {
    const engine = await createEngine();
    const { input } = await loadAnalysisInput(engine, join(DIR, "gt.json.gz"), join(DIR, "dt_bbox.json.gz"), "bbox");
    const ids = input.images.filter((_, i) => i % 4 === 1).map((im) => im.id);
    const want = analyze(engine, input).at({ images: ids }).summary();
    const f = join(tmp, "ids.txt");
    writeFileSync(f, ids.join("\n"));
    for (const sel of [["--img-ids", ids.join(",")], ["--images-from", f]]) {
      const r = cli("analyze", "--gt", join(DIR, "gt.json.gz"), "--dt", join(DIR, "dt_bbox.json.gz"), "--iou-type", "bbox", "--format", "json", ...sel);
      expect(r.code, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout);
      expect([got.mAP, got.tp, got.fp, got.fn, got.labels]).toEqual([want.mAP, want.tp, want.fp, want.fn, want.labels]);
    }
    const bad = cli("analyze", "--gt", join(DIR, "gt.json.gz"), "--dt", join(DIR, "dt_bbox.json.gz"), "--img-ids", "12345678");
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n").pop()).toMatch(/^detection-eval analyze: --img-ids: no image with id "12345678"/);
  });

  it("report --classes ticks those classes at first (ids or names); an unknown one leaves the old file", () => {
    const out = join(tmp, "r.html");
    const args = ["report", "--gt", join(DIR, "gt.json.gz"), "--dt", join(DIR, "dt_bbox.json.gz"), "--iou-type", "bbox", "--out", out];
    expect(cli(...args, "--classes", "1,class_3").code).toBe(0);
    const html = readFileSync(out, "utf8");
    const meta = JSON.parse(/<script type="application\/json" id="report-meta">(.*?)<\/script>/s.exec(html)![1]!.replace(/\\u003c/g, "<"));
    expect(meta.defaults.classes).toEqual(["1", "3"]);
    const r = cli(...args, "--classes", "nope");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").pop()).toMatch(/^detection-eval report: classes: no category with id or name "nope"/);
    expect(readFileSync(out, "utf8")).toBe(html);
  });

  it("analyze says which IoU it uses, and warns when sub-pixel boxes make it differ from coco's", () => {
    const gt = {
      images: [{ id: 1, width: 10, height: 10 }],
      categories: [{ id: 1, name: "a" }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [2, 2, 3, 3], area: 9, iscrowd: 0 }],
    };
    const dt = [{ image_id: 1, category_id: 1, bbox: [2.4, 2, 3, 3], score: 0.9 }];
    const g = join(tmp, "sub-gt.json");
    const d = join(tmp, "sub-dt.json");
    writeFileSync(g, JSON.stringify(gt));
    writeFileSync(d, JSON.stringify(dt));
    const masks = cli("analyze", "--gt", g, "--dt", d, "--iou-type", "bbox", "--format", "json");
    expect(masks.code).toBe(0);
    expect(JSON.parse(masks.stdout).iouKind).toBe("mask");
    expect(JSON.parse(masks.stdout).avgIou).toBe(1); // the shifted box renders to the same pixels
    expect(masks.stderr).toMatch(/^warning: 1 boxes have sub-pixel coordinates: analysis renders boxes as pixel masks .* --box-iou uses the exact box IoU\n$/);
    const boxes = cli("analyze", "--gt", g, "--dt", d, "--iou-type", "bbox", "--box-iou", "--format", "json");
    expect(boxes.stderr).toBe("");
    expect(JSON.parse(boxes.stdout).iouKind).toBe("box");
    expect(JSON.parse(boxes.stdout).avgIou).toBeCloseTo(7.8 / 10.2, 12);
    expect(cli("analyze", "--gt", g, "--dt", d, "--iou-type", "bbox").stdout.split("\n")[0]).toMatch(/^IoU threshold 0\.5 \(IoU of the rendered masks\)/);
  });
});
