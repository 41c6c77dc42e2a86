// TIDE parity with tidecv 1.0.1: every number tidecv gives (AP50, main and special dAP, error counts,
// per class AP and the per-class AP after each fix) is compared for exact equality (Object.is). The
// expected files (test/fixtures/*/expected_tide.json) hold tidecv's own output; TIDE-SOURCE.md says how
// they were made. null there is where tidecv divides by zero (or, per class, drops the class): NaN here.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CocoInputError } from "../../bindings/coco/errors.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { tide, type TideResult, TIDE_MAIN_ERRORS, TIDE_SPECIAL_ERRORS } from "../../bindings/errors/tide.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import type { GeometryEngine } from "../../bindings/geometry/types.js";
import { parseCocoDataset, parseCocoResults } from "../../bindings/ingest/index.js";
import { loadCocoDataset, loadCocoResults } from "../../bindings/ingest/node-files.js";
import { HAVE_SHARED_FIXTURES, LOCAL_FIXTURES, SHARED_FIXTURES } from "../helpers/paths.js";

type Num = number | null;
type Dap = Record<string, Num>;
interface ExpectedClass {
  categoryId: number;
  numGt: number;
  numPredictions: number;
  ap: number;
  main: Dap;
  special: Dap;
}
interface ExpectedRun {
  dt?: string;
  iouType: "bbox" | "segm";
  posThreshold: number;
  backgroundThreshold: number;
  tidecvError?: string;
  ap?: Num;
  main?: Dap;
  special?: Dap;
  fixedAp?: Dap;
  counts?: Record<string, number>;
  classes?: ExpectedClass[];
}
interface ExpectedFixture {
  fixture: string;
  gt: string;
  runs: ExpectedRun[];
}

/** Fixtures whose inputs ship with the repository (test/fixtures); the rest read ../shared/fixtures. */
const LOCAL = new Set(["synth_small", "synth_ties"]);

function expectedFixtures(): ExpectedFixture[] {
  return readdirSync(LOCAL_FIXTURES)
    .sort()
    .filter((name) => name !== "tide_edge" && existsSync(join(LOCAL_FIXTURES, name, "expected_tide.json")))
    .map((name) => JSON.parse(readFileSync(join(LOCAL_FIXTURES, name, "expected_tide.json"), "utf8")) as ExpectedFixture);
}

/** tidecv's number vs ours: identical bits (null = NaN here); a mismatch is listed with its difference. */
function differences(got: TideResult, exp: ExpectedRun): string[] {
  const out: string[] = [];
  const same = (what: string, a: number, b: Num | undefined): void => {
    if (b === undefined) return;
    const ok = b === null ? Number.isNaN(a) : Object.is(a, b);
    if (!ok) out.push(`${what}: ${a} vs tidecv ${b} (diff ${b === null ? "NaN" : Math.abs(a - b)})`);
  };
  same("ap", got.ap, exp.ap);
  const byName = (r: Readonly<Record<string, number>>, e: Dap | undefined, what: string): void => {
    if (!e) return;
    for (const k of Object.keys(e)) same(`${what}.${k}`, r[k]!, e[k]);
  };
  byName(got.main, exp.main, "main");
  byName(got.special, exp.special, "special");
  byName(got.fixedAp, exp.fixedAp, "fixedAp");
  byName(got.counts, exp.counts, "counts");
  if (exp.classes) {
    if (got.classes.length !== exp.classes.length) out.push(`classes: ${got.classes.length} vs tidecv ${exp.classes.length}`);
    exp.classes.forEach((c, i) => {
      const g = got.classes[i];
      if (!g) return;
      const what = `class ${c.categoryId}`;
      if (g.categoryId !== c.categoryId) out.push(`classes[${i}]: id ${g.categoryId} vs tidecv ${c.categoryId}`);
      same(`${what} numGt`, g.numGt, c.numGt);
      same(`${what} numPredictions`, g.numPredictions, c.numPredictions);
      same(`${what} ap`, g.ap, c.ap);
      byName(g.main, c.main, `${what} main`);
      byName(g.special, c.special, `${what} special`);
    });
  }
  return out;
}

function checkFixture(engine: GeometryEngine, dir: string, exp: ExpectedFixture): void {
  const gt = loadCocoDataset(join(dir, exp.gt));
  const results = new Map<string, ReturnType<typeof loadCocoResults>>();
  for (const run of exp.runs) {
    let dt = results.get(run.dt!);
    if (!dt) results.set(run.dt!, (dt = loadCocoResults(join(dir, run.dt!), gt)));
    const got = tide(gt, dt, engine, { iouType: run.iouType, posThreshold: run.posThreshold, backgroundThreshold: run.backgroundThreshold });
    expect(differences(got, run), `${exp.fixture} ${run.iouType} ${run.dt} pos ${run.posThreshold} bg ${run.backgroundThreshold}`).toEqual([]);
  }
}

const all = expectedFixtures();
const local = all.filter((f) => LOCAL.has(f.fixture));
const shared = all.filter((f) => !LOCAL.has(f.fixture));
if (!HAVE_SHARED_FIXTURES) console.warn(`skipping TIDE parity on the shared fixtures: ${SHARED_FIXTURES} not found (they live beside the project)`);

describe("TIDE parity with tidecv on the project's own fixtures (test/fixtures)", () => {
  it("the expected files are there: the local set, every shared one, bbox and segm", () => {
    expect(local.map((f) => f.fixture)).toEqual(["synth_small", "synth_ties"]);
    expect(shared.length).toBeGreaterThanOrEqual(12);
    const types = new Set(all.flatMap((f) => f.runs.map((r) => r.iouType)));
    expect([...types].sort()).toEqual(["bbox", "segm"]);
  });
  for (const exp of local) {
    it(`${exp.fixture}, wasm engine`, async () => checkFixture(await createEngine(), join(LOCAL_FIXTURES, exp.fixture), exp));
    it(`${exp.fixture}, reference geometry`, () => checkFixture(new ReferenceGeometry(), join(LOCAL_FIXTURES, exp.fixture), exp));
  }
});

describe.skipIf(!HAVE_SHARED_FIXTURES)("TIDE parity with tidecv on the shared fixtures (../shared/fixtures)", () => {
  for (const exp of shared) {
    it(
      `${exp.fixture} (${exp.runs.map((r) => r.iouType).join(", ")})`,
      async () => checkFixture(await createEngine(), join(SHARED_FIXTURES, exp.fixture), exp),
      60_000,
    );
  }
});

interface EdgeCase {
  name: string;
  description: string;
  iouType: "bbox" | "segm";
  gt: object;
  dt: object[];
  expected: ExpectedRun;
}
const edge = (JSON.parse(readFileSync(join(LOCAL_FIXTURES, "tide_edge/expected_tide.json"), "utf8")) as { cases: EdgeCase[] }).cases;
const edgeCase = (name: string): EdgeCase => edge.find((c) => c.name === name)!;

function runEdge(engine: GeometryEngine, c: EdgeCase): TideResult {
  const gt = parseCocoDataset(structuredClone(c.gt));
  return tide(gt, parseCocoResults(structuredClone(c.dt), gt), engine, { iouType: c.iouType });
}

describe("TIDE edge cases (inputs and tidecv's numbers in test/fixtures/tide_edge)", () => {
  for (const c of edge) {
    it(`${c.name}: ${c.description}`, async () => {
      const got = runEdge(await createEngine(), c);
      expect(differences(got, c.expected)).toEqual([]);
      expect(differences(runEdge(new ReferenceGeometry(), c), c.expected)).toEqual([]);
    });
  }

  it("no predictions: AP 0; fixing Miss or FalseNeg leaves no class, where tidecv divides by zero: NaN", async () => {
    const c = edgeCase("no_predictions");
    expect(c.expected.tidecvError).toMatch(/ZeroDivisionError/);
    const r = runEdge(await createEngine(), c);
    expect(r.ap).toBe(0);
    expect(r.main.Miss).toBeNaN();
    expect(r.special.FalseNeg).toBeNaN();
    expect(r.main.Cls).toBe(0);
    expect(r.counts.Miss).toBe(3);
  });

  it("every prediction inside a crowd region: no class at all (tidecv stops in evaluate): AP and every dAP NaN, no classes", async () => {
    const c = edgeCase("all_crowd_all_ignored");
    expect(c.expected.tidecvError).toMatch(/^evaluate: ZeroDivisionError/);
    const r = runEdge(await createEngine(), c);
    expect(r.ap).toBeNaN();
    for (const k of TIDE_MAIN_ERRORS) expect(r.main[k]).toBeNaN();
    for (const k of TIDE_SPECIAL_ERRORS) expect(r.special[k]).toBeNaN();
    expect(r.classes).toEqual([]);
    expect(r.counts.Bkg).toBe(2); // tidecv's errors still exist: both predictions are on an image without labels
  });

  it("a class with predictions and no labels counts AP 0, and fixing Bkg drops it from the mean (NaN per class)", async () => {
    const r = runEdge(await createEngine(), edgeCase("unknown_category"));
    const c99 = r.classes.find((c) => c.categoryId === 99)!;
    expect(c99.numGt).toBe(0);
    expect(c99.ap).toBe(0);
    expect(r.warnings.join("\n")).toMatch(/category id not in the dataset/);
  });

  it("more than maxDets predictions in an image: the lowest-scored are left out, with a warning", async () => {
    const c = edgeCase("max_dets");
    const engine = await createEngine();
    const r = runEdge(engine, c);
    expect(r.warnings.join("\n")).toMatch(/1 images have more than 100 predictions/);
    const gt = parseCocoDataset(structuredClone(c.gt));
    const all = tide(gt, parseCocoResults(structuredClone(c.dt), gt), engine, { maxDets: 200 });
    expect(all.counts.Miss).toBe(0); // the dropped 0.001 prediction matches the second label
    expect(r.counts.Miss).toBe(1);
  });

  it("the same inputs twice give the same numbers (no state kept between runs)", async () => {
    const engine = await createEngine();
    const c = edgeCase("one_class");
    const gt = parseCocoDataset(structuredClone(c.gt));
    const dt = parseCocoResults(structuredClone(c.dt), gt);
    expect(tide(gt, dt, engine)).toEqual(tide(gt, dt, engine));
  });
});

describe("TIDE input errors (one line, no crash)", () => {
  const c = edgeCase("one_class");
  const gt = parseCocoDataset(structuredClone(c.gt));
  const dt = parseCocoResults(structuredClone(c.dt), gt);
  const engine = new ReferenceGeometry();

  it("bad options", () => {
    expect(() => tide(gt, dt, engine, { iouType: "keypoints" as "bbox" })).toThrow(/^options\.iouType: expected "bbox" or "segm"/);
    expect(() => tide(gt, dt, engine, { posThreshold: Number.NaN })).toThrow(CocoInputError);
    expect(() => tide(gt, dt, engine, { backgroundThreshold: "0.1" as unknown as number })).toThrow(/^options\.backgroundThreshold: expected a finite number/);
    expect(() => tide(gt, dt, engine, { maxDets: 0 })).toThrow(/^options\.maxDets: expected a positive integer/);
  });

  it("results parsed against another dataset", () => {
    const other = parseCocoDataset(structuredClone(c.gt));
    expect(() => tide(other, dt, engine)).toThrow(/parsed against another dataset/);
  });

  it("a label without a box in bbox mode names it", () => {
    const g = structuredClone(c.gt) as { annotations: Record<string, unknown>[] };
    delete g.annotations[1]!.bbox;
    const ds = parseCocoDataset(g);
    expect(() => tide(ds, parseCocoResults(structuredClone(c.dt), ds), engine)).toThrow(/^annotations\[1\]\.bbox: missing/);
  });

  it("keypoint results", () => {
    const kp = parseCocoResults([{ image_id: 1, category_id: 1, keypoints: [1, 2, 2], score: 0.5 }], gt);
    expect(() => tide(gt, kp, engine)).toThrow(/^results: keypoint results/);
  });

  it("a segm run on boxes without masks rasterises the boxes (pycocotools' loadRes), and matches a bbox run on these rectangles", () => {
    // integer rectangles rasterise to exactly their pixels, so mask IoU equals box IoU here
    const segm = tide(gt, dt, engine, { iouType: "segm" });
    const bbox = tide(gt, dt, engine, { iouType: "bbox" });
    expect({ ...segm, iouType: "bbox" }).toEqual(bbox);
  });
});
