// Boundary IoU (iouType "boundary"): the stats and summarize print-out of boundary-iou-api's COCOeval
// (test/fixtures/BOUNDARY-SOURCE.md: where the expected numbers come from), through the API (wasm
// engine, and the TypeScript reference geometry) and the CLI contract; bad --dilation-ratio values
// and bad inputs are one-line errors.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, HAVE_SHARED_FIXTURES, LOCAL_FIXTURES, SHARED_FIXTURES } from "../helpers/paths.js";
import { createEngine, type Engine } from "../../bindings/engine/engine.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { CocoInputError } from "../../bindings/coco/errors.js";
import { loadCocoDataset, loadCocoResults } from "../../bindings/ingest/node-files.js";

interface Expected {
  gt: string;
  dt: string;
  dilationRatio: number;
  useCats: boolean;
  stats: number[];
  summary: string[];
}

const CASES: { file: string; exp: Expected }[] = [
  "boundary_basic/expected_boundary.json",
  "boundary_basic/expected_boundary_r0.05.json",
  "boundary_basic/expected_boundary_r0.005.json",
  "boundary_basic/expected_boundary_nocats.json",
  "synth_small/expected_boundary.json",
  "synth_small/expected_boundary_bbox_results.json",
].map((file) => ({ file, exp: JSON.parse(readFileSync(join(LOCAL_FIXTURES, file), "utf8")) as Expected }));

const haveCli = existsSync(CLI);
const tmp = mkdtempSync(join(tmpdir(), "de-boundary-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const inputs = (exp: Expected) => ({ gt: join(LOCAL_FIXTURES, exp.gt), dt: join(LOCAL_FIXTURES, exp.dt) });

// synth_val (COCO val2017's scale): the inputs are in ../shared/fixtures, the expected numbers here
const SYNTH_VAL = JSON.parse(readFileSync(join(LOCAL_FIXTURES, "synth_val/expected_boundary.json"), "utf8")) as Expected;
if (!HAVE_SHARED_FIXTURES) console.warn(`skipping the synth_val Boundary IoU parity test: ${SHARED_FIXTURES} not found`);

describe("boundary IoU = boundary-iou-api's COCOeval (iouType boundary)", () => {
  for (const { file, exp } of CASES) {
    it(`${file}: stats and print-out, wasm engine`, () => {
      const { gt: gtPath, dt: dtPath } = inputs(exp);
      const gt = loadCocoDataset(gtPath);
      const dt = loadCocoResults(dtPath, gt);
      const ev = evaluateCoco(engine, gt, dt, { iouType: "boundary", dilationRatio: exp.dilationRatio, useCats: exp.useCats });
      expect(ev.stats).toEqual(exp.stats);
      expect(ev.summary().split("\n")).toEqual(exp.summary);
    });
  }

  for (const { file, exp } of CASES.filter((c) => c.file.startsWith("boundary_basic/"))) {
    it(`${file}: the TypeScript reference geometry gives the same stats`, () => {
      const { gt: gtPath, dt: dtPath } = inputs(exp);
      const gt = loadCocoDataset(gtPath);
      const dt = loadCocoResults(dtPath, gt);
      const ev = evaluateCoco(new ReferenceGeometry(), gt, dt, { iouType: "boundary", dilationRatio: exp.dilationRatio, useCats: exp.useCats });
      expect(ev.stats).toEqual(exp.stats);
    });
  }

  it.skipIf(!HAVE_SHARED_FIXTURES)("synth_val (5,000 images, 43,082 detections): stats and print-out", () => {
    const gt = loadCocoDataset(join(SHARED_FIXTURES, SYNTH_VAL.gt));
    const dt = loadCocoResults(join(SHARED_FIXTURES, SYNTH_VAL.dt), gt);
    const ev = evaluateCoco(engine, gt, dt, { iouType: "boundary" });
    expect(ev.stats).toEqual(SYNTH_VAL.stats);
    expect(ev.summary().split("\n")).toEqual(SYNTH_VAL.summary);
  }, 120_000);

  it("box results: each box is rasterised as a polygon (the warning names boundary)", () => {
    const exp = CASES.find((c) => c.file.endsWith("bbox_results.json"))!.exp;
    const gt = loadCocoDataset(inputs(exp).gt);
    const dt = loadCocoResults(inputs(exp).dt, gt);
    const ev = evaluateCoco(engine, gt, dt, { iouType: "boundary" });
    expect(ev.warnings).toContain("boundary evaluation of box results: each box is rasterised as a polygon mask, as in pycocotools");
  });

  it("differs from segm on the same inputs (the boundary term matters)", () => {
    const exp = CASES[0]!.exp;
    const { gt: gtPath, dt: dtPath } = inputs(exp);
    const gt = loadCocoDataset(gtPath);
    const dt = loadCocoResults(dtPath, gt);
    const segm = evaluateCoco(engine, gt, dt, { iouType: "segm" });
    expect(segm.stats[0]).not.toBe(exp.stats[0]);
  });
});

describe.skipIf(!haveCli)("detection-eval coco --iou-type boundary", () => {
  for (const { file, exp } of CASES.filter((c) => c.exp.useCats)) {
    it(`${file}: --format json stats, and the text print-out`, () => {
      const { gt, dt } = inputs(exp);
      const ratio = exp.dilationRatio === 0.02 ? [] : ["--dilation-ratio", String(exp.dilationRatio)];
      const r = cli("coco", "--gt", gt, "--dt", dt, "--iou-type", "boundary", ...ratio, "--format", "json");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { stats: number[]; iouType: string; params: { dilationRatio?: number } };
      expect(out.stats).toEqual(exp.stats);
      expect([out.iouType, out.params.dilationRatio]).toEqual(["boundary", exp.dilationRatio]);
      const t = cli("coco", "--gt", gt, "--dt", dt, "--iou-type", "boundary", ...ratio);
      expect(t.code).toBe(0);
      expect(t.stdout).toBe(`${exp.summary.join("\n")}\n`);
    });
  }

  it("--shard i/n --state-out, then merge: the unsharded stats (the ratio travels in the states)", () => {
    const exp = CASES.find((c) => c.file.endsWith("r0.05.json"))!.exp;
    const { gt, dt } = inputs(exp);
    const parts = [1, 2].map((i) => join(tmp, `part-${i}.json`));
    parts.forEach((f, i) => {
      const r = cli("coco", "--gt", gt, "--dt", dt, "--iou-type", "boundary", "--dilation-ratio", "0.05", "--shard", `${i + 1}/2`, "--state-out", f);
      expect(r.code, r.stderr).toBe(0);
    });
    const m = cli("merge", ...parts, "--format", "json");
    expect(m.code, m.stderr).toBe(0);
    const out = JSON.parse(m.stdout) as { stats: number[]; params: { dilationRatio?: number } };
    expect([out.params.dilationRatio, ...out.stats]).toEqual([0.05, ...exp.stats]);
  });

  it("--dilation-ratio 0.02 is the default", () => {
    const exp = CASES[0]!.exp;
    const { gt, dt } = inputs(exp);
    const r = cli("coco", "--gt", gt, "--dt", dt, "--iou-type", "boundary", "--dilation-ratio", "0.02", "--format", "json");
    expect((JSON.parse(r.stdout) as { stats: number[] }).stats).toEqual(exp.stats);
  });

  it("a bad --dilation-ratio is a one-line usage error", () => {
    const { gt, dt } = inputs(CASES[0]!.exp);
    for (const [v, msg] of [
      ["abc", /--dilation-ratio: expected a number, got "abc"/],
      ["0", /--dilation-ratio: expected a number in \(0, 1\], got 0/],
      ["-0.1", /--dilation-ratio: expected a number in \(0, 1\], got -0.1/],
      ["1.5", /--dilation-ratio: expected a number in \(0, 1\], got 1.5/],
    ] as const) {
      const r = cli("coco", "--gt", gt, "--dt", dt, "--iou-type", "boundary", `--dilation-ratio=${v}`);
      // the house form of a usage error: its one line, then the command's usage
      expect(r.code, v).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0], v).toMatch(new RegExp(`^detection-eval coco: ${msg.source}$`));
    }
    const r = cli("coco", "--gt", gt, "--dt", dt, "--iou-type", "segm", "--dilation-ratio", "0.05");
    expect(r.code).not.toBe(0);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(/^detection-eval coco: --dilation-ratio: only with --iou-type boundary, got --iou-type segm$/);
  });

  it("an image without height is an error naming its path", () => {
    const ds = JSON.parse(readFileSync(join(LOCAL_FIXTURES, "boundary_basic/gt.json"), "utf8")) as { images: Record<string, unknown>[] };
    delete ds.images[1]!.height;
    const gt = join(tmp, "no-height.json");
    writeFileSync(gt, JSON.stringify(ds));
    const r = cli("coco", "--gt", gt, "--dt", join(LOCAL_FIXTURES, "boundary_basic/dt.json"), "--iou-type", "boundary");
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/images\[1\]\.height: missing/);
  });
});

describe("params.dilationRatio", () => {
  it("must be a number in (0, 1]", () => {
    const gt = loadCocoDataset(join(LOCAL_FIXTURES, "boundary_basic/gt.json"));
    const dt = loadCocoResults(join(LOCAL_FIXTURES, "boundary_basic/dt.json"), gt);
    for (const bad of [0, -1, 1.01, Number.NaN, "0.02" as unknown as number]) {
      expect(() => evaluateCoco(engine, gt, dt, { iouType: "boundary", dilationRatio: bad })).toThrow(CocoInputError);
      expect(() => evaluateCoco(engine, gt, dt, { iouType: "boundary", dilationRatio: bad })).toThrow(/params\.dilationRatio/);
    }
    expect(evaluateCoco(engine, gt, dt, { iouType: "boundary" }).params.dilationRatio).toBe(0.02);
  });
});
