// pycocotools parity on the shared fixtures: the whole precision array, the stats, per-category AP and
// the summary print-out, evaluated with the TypeScript reference geometry (the CLI tests use the wasm engine).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CocoInputError } from "../bindings/coco/errors.js";
import { evaluateCoco } from "../bindings/coco/evaluate.js";
import { loadCocoDataset, loadCocoResults } from "../bindings/ingest/node-files.js";
import { ReferenceGeometry } from "../bindings/reference/geometry.js";

const FIXTURES = new URL("../../shared/fixtures/", import.meta.url).pathname;
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

function cases(): { name: string; dir: string; exp: Expected }[] {
  if (!haveFixtures) return [];
  const out: { name: string; dir: string; exp: Expected }[] = [];
  for (const name of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, name);
    for (const f of readdirSync(dir).filter((f) => f.startsWith("expected_")).sort()) {
      const exp = JSON.parse(readFileSync(join(dir, f), "utf8")) as Expected;
      if (existsSync(join(dir, `precision_${exp.tag}.f64.gz`))) out.push({ name, dir, exp });
    }
  }
  return out;
}

const TOL = 1e-12;

describe.skipIf(!haveFixtures)("COCO fixtures (pycocotools parity)", () => {
  const engine = new ReferenceGeometry();
  for (const { name, dir, exp } of cases()) {
    it(`${name}/${exp.tag}`, () => {
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
    });
  }

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
