// The built CLI (dist/cli.js, wasm engine): same numbers as the library, exit codes, one-line errors.
import { SHARED_FIXTURES, CLI as CLI_PATH } from "../helpers/paths.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { loadCocoDataset, loadCocoResults } from "../../bindings/ingest/node-files.js";

const CLI = CLI_PATH;
const haveCli = existsSync(CLI);
if (!haveCli) console.warn(`skipping CLI tests: ${CLI} not built (run node scripts/build.mjs)`);
const FIXTURES = SHARED_FIXTURES;
const haveFixtures = existsSync(FIXTURES);
if (!haveFixtures) console.warn(`skipping CLI fixture tests: ${FIXTURES} not found`);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GT = {
  images: [
    { id: 1, width: 100, height: 100 },
    { id: 2, width: 100, height: 100 },
  ],
  categories: [
    { id: 1, name: "cat" },
    { id: 2, name: "dog" },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 30, 30], area: 900, iscrowd: 0, segmentation: [[10, 10, 10, 40, 40, 40, 40, 10]] },
    { id: 2, image_id: 1, category_id: 2, bbox: [50, 50, 20, 40], area: 800, iscrowd: 0, segmentation: [[50, 50, 50, 90, 70, 90, 70, 50]] },
    { id: 3, image_id: 2, category_id: 1, bbox: [0, 0, 60, 60], area: 3600, iscrowd: 0, segmentation: [[0, 0, 0, 60, 60, 60, 60, 0]] },
  ],
};
const DT = [
  { image_id: 1, category_id: 1, bbox: [12, 11, 30, 28], score: 0.9 },
  { image_id: 1, category_id: 2, bbox: [52, 55, 20, 30], score: 0.7 },
  { image_id: 2, category_id: 1, bbox: [5, 5, 50, 60], score: 0.8 },
  { image_id: 2, category_id: 2, bbox: [60, 60, 10, 10], score: 0.6 },
];

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "detection-eval-cli-"));
  writeFileSync(join(dir, "gt.json"), JSON.stringify(GT));
  writeFileSync(join(dir, "dt.json.gz"), gzipSync(JSON.stringify(DT)));
  const noArea = structuredClone(GT) as { annotations: Record<string, unknown>[] };
  delete noArea.annotations[1]!.area;
  writeFileSync(join(dir, "gt_noarea.json"), JSON.stringify(noArea));
  writeFileSync(join(dir, "dt_badimg.json"), JSON.stringify([{ ...DT[0], image_id: "1" }]));
  writeFileSync(join(dir, "broken.json"), "{\"images\": [");
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveCli)("detection-eval coco", () => {
  it("prints the same numbers as the library (json), for bbox and segm, from .json and .json.gz", async () => {
    const engine = await createEngine();
    for (const iouType of ["bbox", "segm"] as const) {
      const r = cli("coco", "--gt", join(dir, "gt.json"), "--dt", join(dir, "dt.json.gz"), "--iou-type", iouType, "--format", "json");
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      const gt = parseCocoDataset(GT);
      const ev = evaluateCoco(engine, gt, parseCocoResults(DT, gt), { iouType });
      expect(out.stats).toEqual(ev.stats);
      expect(out.perCategory).toEqual(ev.perCategory());
      expect(out.perCategory[0]).toMatchObject({ categoryId: 1, name: "cat" });
      expect(Object.keys(out.perCategory[0]).sort()).toEqual(["ap", "ap50", "ap75", "ar100", "categoryId", "name"]);
      expect(out.warnings).toEqual(ev.warnings);
    }
  });

  it("text format is pycocotools' summary", async () => {
    const r = cli("coco", "--gt", join(dir, "gt.json"), "--dt", join(dir, "dt.json.gz"), "--iou-type", "bbox");
    expect(r.code).toBe(0);
    const engine = await createEngine();
    const gt = parseCocoDataset(GT);
    expect(r.stdout).toBe(`${evaluateCoco(engine, gt, parseCocoResults(DT, gt), { iouType: "bbox" }).summary()}\n`);
    expect(r.stdout.split("\n")[0]).toMatch(/^ Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = \d\.\d{3}$/);
    expect(r.stderr).toBe(""); // no progress when stderr is not a TTY
  });

  it("bad input: exit 1, one line, no stack trace; --debug shows the stack", () => {
    const cases: [string[], RegExp][] = [
      [["--gt", join(dir, "gt_noarea.json"), "--dt", join(dir, "dt.json.gz")], /annotations\[1\]\.area: missing/],
      [["--gt", join(dir, "gt.json"), "--dt", join(dir, "dt_badimg.json")], /results: image ids not in the dataset: "1" \(string\)/],
      [["--gt", join(dir, "broken.json"), "--dt", join(dir, "dt.json.gz")], /broken\.json: file is truncated \(unexpected end of JSON at byte 12\)/],
      [["--gt", join(dir, "nope.json"), "--dt", join(dir, "dt.json.gz")], /nope\.json: cannot read \(no such file\)/],
    ];
    for (const [args, re] of cases) {
      const r = cli("coco", ...args, "--iou-type", "bbox");
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const d = cli("coco", "--gt", join(dir, "gt_noarea.json"), "--dt", join(dir, "dt.json.gz"), "--iou-type", "bbox", "--debug");
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/\n\s+at /);
  });

  it("usage errors: exit 2 with a usage text", () => {
    for (const args of [[], ["nope"], ["coco", "--gt", "a.json"], ["coco", "--gt", "a", "--dt", "b", "--iou-type", "mask"], ["coco", "--bogus", "1"]]) {
      const r = cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/usage: detection-eval/);
      expect(r.stdout).toBe("");
    }
  });

  it("--workers above the machine's cores: a warning, the cores used, the same output", () => {
    const base = ["coco", "--gt", join(dir, "gt.json"), "--dt", join(dir, "dt.json.gz"), "--iou-type", "bbox", "--format", "json"];
    const one = cli(...base);
    const many = cli(...base, "--workers", "256");
    expect(many.code, many.stderr).toBe(0);
    expect(many.stdout).toBe(one.stdout);
    const cores = availableParallelism();
    if (cores < 256) {
      expect(many.stderr).toBe(`warning: --workers 256: more than this machine's ${cores} cores (os.availableParallelism()); using ${cores} (the numbers are the same for any count)\n`);
    }
    expect(cli(...base, "--workers", String(Math.min(cores, 256))).stderr).toBe("");
  });

  it("--help: exit 0", () => {
    const r = cli("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/coco/);
    const c = cli("coco", "--help");
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/--iou-type bbox\|segm\|keypoints/);
  });
});

describe.skipIf(!haveCli || !haveFixtures)("detection-eval coco on the shared fixtures", () => {
  it("error fixtures exit 1 with one line", () => {
    for (const name of ["crowdpose2_mmpose", "fce_ignore1"]) {
      const r = cli("coco", "--gt", join(FIXTURES, name, "gt.json"), "--dt", join(FIXTURES, name, "dt_bbox.json"), "--iou-type", "bbox", "--format", "json");
      expect(r.code).toBe(1);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });

  it("CLI (wasm engine) and library agree on synth_small bbox / segm and fce_keypoints1", async () => {
    const engine = await createEngine();
    for (const [name, dt, iouType] of [
      ["synth_small", "dt_bbox.json", "bbox"],
      ["synth_small", "dt_segm.json", "segm"],
      ["fce_keypoints1", "dt_keypoints.json", "keypoints"],
    ] as const) {
      const r = cli("coco", "--gt", join(FIXTURES, name, "gt.json"), "--dt", join(FIXTURES, name, dt), "--iou-type", iouType, "--format", "json");
      expect(r.code, r.stderr).toBe(0);
      const gt = loadCocoDataset(join(FIXTURES, name, "gt.json"));
      const ev = evaluateCoco(engine, gt, loadCocoResults(join(FIXTURES, name, dt), gt), { iouType });
      expect(JSON.parse(r.stdout).stats).toEqual(ev.stats);
    }
  });
});
