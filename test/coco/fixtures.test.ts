// pycocotools parity: the whole precision array, the stats, per-category AP and the summary print-out.
// The project's own parity set (test/fixtures) runs always, with the wasm engine and the TypeScript
// reference geometry; the shared fixtures (../shared, skipped when absent) with the reference (the CLI
// tests run them on the wasm engine).
import { LOCAL_FIXTURES, SHARED_FIXTURES } from "../helpers/paths.js";
import { createEngine } from "../../bindings/engine/engine.js";
import type { GeometryEngine } from "../../bindings/geometry/types.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CocoInputError } from "../../bindings/coco/errors.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { loadCocoDataset, loadCocoResults } from "../../bindings/ingest/node-files.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";

const FIXTURES = SHARED_FIXTURES;
const haveFixtures = existsSync(FIXTURES);
if (!haveFixtures) console.warn(`skipping COCO fixture tests: ${FIXTURES} not found (the shared fixtures live beside the project)`);

interface Expected {
  tag: string;
  iouType: "bbox" | "segm" | "keypoints";
  dt: string;
  stats: number[];
  per_category: { category_id: number; name: string; AP: number; AP50: number }[];
  precision_shape?: number[];
  summary_text: string[];
}

function cases(root: string): { name: string; dir: string; exp: Expected }[] {
  if (!existsSync(root)) return [];
  const out: { name: string; dir: string; exp: Expected }[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, "about.json"))) continue;
    for (const f of readdirSync(dir).filter((f) => f.startsWith("expected_")).sort()) {
      const exp = JSON.parse(readFileSync(join(dir, f), "utf8")) as Expected;
      if (existsSync(join(dir, `precision_${exp.tag}.f64.gz`))) out.push({ name, dir, exp });
    }
  }
  return out;
}

const TOL = 1e-12;

function checkParity(engine: GeometryEngine, dir: string, exp: Expected): void {
  const gt = loadCocoDataset(join(dir, existsSync(join(dir, "gt.json")) ? "gt.json" : "gt.json.gz"));
  const dt = loadCocoResults(join(dir, exp.dt), gt);
  const ev = evaluateCoco(engine, gt, dt, { iouType: exp.iouType });

  const buf = gunzipSync(readFileSync(join(dir, `precision_${exp.tag}.f64.gz`)));
  const want = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  if (exp.precision_shape) expect([...ev.precisionShape]).toEqual(exp.precision_shape);
  expect(ev.precision.length).toBe(want.length);
  let worst = 0;
  let firstBad = -1;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(want[i]! - ev.precision[i]!);
    if (!(d <= worst)) worst = d;
    if (!(d <= TOL) && firstBad < 0) firstBad = i;
  }
  expect(firstBad, `precision differs first at flat index ${firstBad} (max diff ${worst})`).toBe(-1);

  expect(ev.stats).toHaveLength(exp.stats.length);
  exp.stats.forEach((v, i) => expect(Math.abs(ev.stats[i]! - v), `stats[${i}]`).toBeLessThanOrEqual(TOL));
  const byId = new Map(ev.perCategory().map((c) => [c.categoryId, c]));
  for (const c of exp.per_category) {
    const got = byId.get(c.category_id);
    expect(got, `category ${c.category_id}`).toBeDefined();
    expect(Math.abs(got!.ap - c.AP), `AP of category ${c.category_id}`).toBeLessThanOrEqual(TOL);
    expect(Math.abs(got!.ap50 - c.AP50), `AP50 of category ${c.category_id}`).toBeLessThanOrEqual(TOL);
  }
  expect(ev.summary()).toBe(exp.summary_text.join("\n"));
}

describe("COCO parity on the project's own fixtures (test/fixtures)", () => {
  const local = cases(LOCAL_FIXTURES);
  it("the local set is there (a fresh clone must run parity)", () => expect(local.length).toBe(4));
  for (const { name, dir, exp } of local) {
    it(`${name}/${exp.tag}, wasm engine`, async () => checkParity(await createEngine(), dir, exp));
    it(`${name}/${exp.tag}, reference geometry`, () => checkParity(new ReferenceGeometry(), dir, exp));
  }
});

describe.skipIf(!haveFixtures)("COCO fixtures (pycocotools parity)", () => {
  const engine = new ReferenceGeometry();
  for (const { name, dir, exp } of cases(FIXTURES)) it(`${name}/${exp.tag}`, () => checkParity(engine, dir, exp));

  it("crowdpose2_mmpose: ground truth without area is refused, naming annotations[i].area", () => {
    const f = () => loadCocoDataset(join(FIXTURES, "crowdpose2_mmpose/gt.json"));
    expect(f).toThrow(CocoInputError);
    expect(f).toThrow(/^annotations\[0\]\.area: missing/);
  });

  it("fce_ignore1: result image ids unknown to the dataset (string vs number) are refused, naming them", () => {
    const gt = loadCocoDataset(join(FIXTURES, "fce_ignore1/gt.json"));
    const f = () => loadCocoResults(join(FIXTURES, "fce_ignore1/dt_bbox.json"), gt);
    expect(f).toThrow(CocoInputError);
    expect(f).toThrow(/^results: image ids not in the dataset: 2299 \(number\)/);
    expect(f).toThrow(/the dataset has "2299" \(string\)/);
  });
});
