// The LVIS protocol (bindings/coco/lvis.ts) against lvis-api's own numbers (test/fixtures/LVIS-SOURCE.md):
// the results dict, stats and print-out, bit for bit, on the wasm kernels and on the TypeScript path,
// through the API (in-memory readers) and the CLI (streaming readers); then its bad inputs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, LOCAL_FIXTURES } from "../helpers/paths.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { parseCocoDataset, parseCocoResults } from "../../bindings/ingest/index.js";
import { capPerImage, evaluateLvis, LVIS_RESULT_NAMES } from "../../bindings/coco/lvis.js";
import { CocoInputError } from "../../bindings/coco/errors.js";

const FIXTURES = ["lvis_bbox_mix", "lvis_segm_rle", "lvis_cap_ties", "lvis_repeated_ids"];
const IOU_TYPES = ["bbox", "segm"] as const;
const haveCli = existsSync(CLI);
const tmp = mkdtempSync(join(tmpdir(), "de-lvis-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const engine = await createEngine();

interface Expected {
  results: Record<string, number>;
  stats: number[];
  print: string[];
}
const read = (fx: string, f: string) => readFileSync(join(LOCAL_FIXTURES, fx, f), "utf8");
const expectedOf = (fx: string, t: string) => JSON.parse(read(fx, `expected_lvis_${t}.json`)) as Expected;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("LVIS protocol: lvis-api's numbers", () => {
  for (const fx of FIXTURES)
    for (const t of IOU_TYPES)
      for (const path of ["wasm", "typescript"] as const) {
        it(`${fx} ${t} (${path})`, () => {
          const exp = expectedOf(fx, t);
          const gt = parseCocoDataset(read(fx, "gt.json"));
          const dt = parseCocoResults(read(fx, "dt.json"), gt);
          const ev = path === "wasm" ? evaluateLvis(engine, gt, dt, { iouType: t }) : evaluateLvis(new ReferenceGeometry(), gt, dt, { iouType: t }, { kernels: "reference" });
          expect(Object.keys(ev.results)).toEqual(Object.keys(exp.results));
          expect(Object.keys(ev.results)).toEqual([...LVIS_RESULT_NAMES]);
          for (const k of Object.keys(exp.results)) expect(ev.results[k as keyof typeof ev.results], k).toBe(exp.results[k]);
          expect(ev.stats).toEqual(exp.stats);
          expect(ev.summary()).toBe(exp.print.join("\n"));
        });
      }
});

describe.skipIf(!haveCli)("detection-eval coco --protocol lvis", () => {
  for (const fx of FIXTURES)
    for (const t of IOU_TYPES) {
      const files = ["--gt", join(LOCAL_FIXTURES, fx, "gt.json"), "--dt", join(LOCAL_FIXTURES, fx, "dt.json"), "--iou-type", t, "--protocol", "lvis"];
      it(`${fx} ${t}: --format json`, () => {
        const exp = expectedOf(fx, t);
        const r = cli("coco", ...files, "--format", "json");
        expect(r.code, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout) as { stats: number[]; results: Record<string, number> };
        expect(out.stats).toEqual(exp.stats);
        expect(Object.keys(out.results)).toEqual(Object.keys(exp.results));
        for (const k of Object.keys(exp.results)) expect(out.results[k], k).toBe(exp.results[k]);
      });
      it(`${fx} ${t}: text`, () => {
        const r = cli("coco", ...files);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(`${expectedOf(fx, t).print.join("\n")}\n`);
      });
    }

  const base = ["coco", "--gt", join(LOCAL_FIXTURES, "lvis_cap_ties", "gt.json"), "--dt", join(LOCAL_FIXTURES, "lvis_cap_ties", "dt.json"), "--protocol", "lvis"];
  it("keypoints and the parameters the protocol fixes are usage errors", () => {
    for (const extra of [["--iou-type", "keypoints"], ["--iou-type", "bbox", "--max-dets", "100"], ["--iou-type", "bbox", "--cat-ids", "1"], ["--iou-type", "bbox", "--workers", "2"], ["--iou-type", "bbox", "--bootstrap", "10"]]) {
      const r = cli(...base, ...extra);
      expect(r.code, extra.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/--protocol lvis|not available/);
    }
  });
  it("a bad LVIS field: exit 1, one line naming its path", () => {
    const gt = JSON.parse(read("lvis_cap_ties", "gt.json"));
    delete gt.images[2].neg_category_ids;
    const p = join(tmp, "gt-no-neg.json");
    writeFileSync(p, JSON.stringify(gt));
    const r = cli("coco", "--gt", p, "--dt", join(LOCAL_FIXTURES, "lvis_cap_ties", "dt.json"), "--iou-type", "bbox", "--protocol", "lvis");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/images\[2\]\.neg_category_ids: missing/);
  });
  it("the COCO protocol of the same files is pycocotools' (12 stats)", () => {
    const r = cli("coco", "--gt", join(LOCAL_FIXTURES, "lvis_cap_ties", "gt.json"), "--dt", join(LOCAL_FIXTURES, "lvis_cap_ties", "dt.json"), "--iou-type", "bbox", "--format", "json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { stats: number[] };
    expect(out.stats).toHaveLength(12);
  });
});

describe("LVIS protocol: bad input", () => {
  const gtJson = () => JSON.parse(read("lvis_cap_ties", "gt.json")) as { images: Record<string, unknown>[]; categories: Record<string, unknown>[] };
  const run = (gt: object) => {
    const ds = parseCocoDataset(gt);
    return () => evaluateLvis(engine, ds, parseCocoResults(read("lvis_cap_ties", "dt.json"), ds), { iouType: "bbox" });
  };
  const cases: [string, (g: ReturnType<typeof gtJson>) => void, RegExp][] = [
    ["neg_category_ids missing", (g) => delete g.images[3]!.neg_category_ids, /^images\[3\]\.neg_category_ids: missing \(the LVIS protocol needs/],
    ["not_exhaustive_category_ids missing", (g) => delete g.images[0]!.not_exhaustive_category_ids, /^images\[0\]\.not_exhaustive_category_ids: missing/],
    ["neg_category_ids not a list", (g) => (g.images[1]!.neg_category_ids = 3), /^images\[1\]\.neg_category_ids: expected a list of category ids, got 3 \(number\)$/],
    ["a neg_category_ids element not an id", (g) => (g.images[1]!.neg_category_ids = [3, null]), /^images\[1\]\.neg_category_ids\[1\]: expected a category id/],
    ["frequency missing", (g) => delete g.categories[2]!.frequency, /^categories\[2\]\.frequency: missing/],
    ["frequency not r / c / f", (g) => (g.categories[1]!.frequency = "x"), /^categories\[1\]\.frequency: expected "r", "c" or "f", got "x" \(string\)$/],
  ];
  for (const [name, edit, message] of cases) {
    it(name, () => {
      const g = gtJson();
      edit(g);
      const f = run(g);
      expect(f).toThrow(CocoInputError);
      expect(f).toThrow(message);
    });
  }
  it("ids in the lists that are not categories name nothing (as lvis-api's `in` test)", () => {
    const g = gtJson();
    const exp = expectedOf("lvis_cap_ties", "bbox");
    g.images[0]!.neg_category_ids = [77, "1x"];
    expect(run(g)().results).toEqual(exp.results);
  });
  it("a repeated id whose last label the area filter leaves out: an error naming it", () => {
    const g = gtJson() as unknown as { annotations: Record<string, unknown>[] };
    g.annotations[7]!.id = 1; // the last label with id 1 ...
    g.annotations[7]!.area = 0; // ... is left out, while annotations[0] (kept) would evaluate it
    expect(run(g)).toThrow(/^annotations\[7\]\.area: 0 \(number\): the LVIS protocol leaves this label out, but annotations\[0\] has the same id/);
  });
  it("keypoints: not an LVIS iou type", () => {
    const ds = parseCocoDataset(gtJson());
    const dt = parseCocoResults(read("lvis_cap_ties", "dt.json"), ds);
    expect(() => evaluateLvis(engine, ds, dt, { iouType: "keypoints" as "bbox" })).toThrow(/^params\.iouType: expected bbox or segm/);
  });
});

describe("capPerImage (LVISResults.limit_dets_per_image)", () => {
  it("keeps the best by score per image, equal scores in file order", () => {
    const ds = parseCocoDataset({ images: [{ id: 1 }, { id: 2 }], categories: [{ id: 1 }], annotations: [] });
    const s = [0.5, 0.9, 0.5, 0.5, 0.1, 0.5];
    const results = s.map((score, i) => ({ image_id: i === 4 ? 2 : 1, category_id: 1, bbox: [0, 0, 1, 1], score }));
    const dt = parseCocoResults(results, ds);
    // image 1: 0.9 then the 0.5s in file order (results 0, 2, 3, 5): a cap of 3 keeps 1, 0, 2
    expect(Array.from(capPerImage(dt, 3))).toEqual([1, 1, 1, 0, 1, 0]);
    expect(Array.from(capPerImage(dt, 5))).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
