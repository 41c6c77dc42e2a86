// LRP parity with the LRP-Error fork of pycocotools (test/fixtures/LRP-SOURCE.md): every class's oLRP,
// components and threshold, and the means, at every area range and maxDets, compared exactly (NaN as
// NaN). The local sets (synth_small, synth_ties, lrp_edge) run always; the others read their inputs
// from ../shared and skip when it is absent.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import type { GeometryEngine } from "../../bindings/geometry/types.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import type { CocoParamsInput, IouType } from "../../bindings/coco/params.js";
import type { CocoDataset, CocoResults } from "../../bindings/coco/inputs.js";
import { CocoInputError } from "../../bindings/coco/errors.js";
import { loadCocoDataset, loadCocoResults } from "../../bindings/ingest/node-files.js";
import { parseCocoDataset, parseCocoResults } from "../../bindings/ingest/index.js";
import { type LrpClassResult, lrp } from "../../bindings/errors/lrp.js";
import { HAVE_SHARED_FIXTURES, LOCAL_FIXTURES, SHARED_FIXTURES } from "../helpers/paths.js";

type Grid = (number | null)[][][];
interface ExpectedEvaluation {
  iouType: IouType;
  dt: string;
  useCats: boolean;
  tau: number;
  iouThrsFrom: number;
  paramsCatIds?: number[];
  catIds: (number | string)[];
  areaRngLbl: string[];
  maxDets: number[];
  stats: (number | null)[];
  olrp: Grid;
  olrp_loc: Grid;
  olrp_fp: Grid;
  olrp_fn: Grid;
  lrp_opt_thr: Grid;
  means: Record<"olrp" | "olrp_loc" | "olrp_fp" | "olrp_fn", number[][]>;
}

/**
 * The one inexact case: fce_keypoints1 (medium area) differs by 2.2e-16 (2 ulps of 0.59) because one OKS
 * is 1 ulp low: V8's Math.exp(-0.34166963614301615) is 0.7105829168499558, numpy's (glibc's) ...559.
 */
const KEYPOINTS_TOL = 2.5e-16;

const LOCAL = new Set(["synth_small", "synth_ties", "lrp_edge"]);
const FIELDS = [
  ["olrp", "olrp"],
  ["olrpLoc", "olrp_loc"],
  ["olrpFp", "olrp_fp"],
  ["olrpFn", "olrp_fn"],
  ["threshold", "lrp_opt_thr"],
] as const;

function expectedSets(): { name: string; dir: string; evaluations: ExpectedEvaluation[] }[] {
  return readdirSync(LOCAL_FIXTURES)
    .filter((n) => existsSync(join(LOCAL_FIXTURES, n, "expected_lrp.json")))
    .sort()
    .map((name) => ({
      name,
      dir: LOCAL.has(name) ? join(LOCAL_FIXTURES, name) : join(SHARED_FIXTURES, name),
      evaluations: (JSON.parse(readFileSync(join(LOCAL_FIXTURES, name, "expected_lrp.json"), "utf8")) as { evaluations: ExpectedEvaluation[] }).evaluations,
    }));
}

/** Equal as the fork's float64 (null is NaN); else the absolute difference (Infinity for a NaN mismatch). */
function diff(got: number, want: number | null): number {
  const w = want === null ? Number.NaN : want;
  if (Number.isNaN(w) || Number.isNaN(got)) return Number.isNaN(w) && Number.isNaN(got) ? 0 : Number.POSITIVE_INFINITY;
  return got === w ? 0 : Math.abs(got - w);
}

const datasets = new Map<string, CocoDataset>();
function inputs(dir: string, dtName: string): { gt: CocoDataset; dt: CocoResults } {
  const gtPath = join(dir, existsSync(join(dir, "gt.json")) ? "gt.json" : "gt.json.gz");
  let gt = datasets.get(gtPath);
  if (!gt) {
    gt = loadCocoDataset(gtPath);
    datasets.set(gtPath, gt);
  }
  return { gt, dt: loadCocoResults(join(dir, dtName), gt) };
}

/** Every (area range, maxDets) of one expected evaluation; returns the largest difference and where. */
function checkEvaluation(engine: GeometryEngine, dir: string, exp: ExpectedEvaluation): { worst: number; where: string; compared: number } {
  const { gt, dt } = inputs(dir, exp.dt);
  const params: CocoParamsInput = { iouType: exp.iouType, useCats: exp.useCats };
  if (exp.paramsCatIds) params.catIds = exp.paramsCatIds;
  const ev = evaluateCoco(engine, gt, dt, params);
  expect(ev.params.areaRngLbl).toEqual(exp.areaRngLbl);
  expect(ev.params.maxDets).toEqual(exp.maxDets);
  // the fork ran with iouThrs[iouThrsFrom:], so its tau is our iouThrs[iouThrsFrom], bit for bit
  const tau = ev.params.iouThrs[exp.iouThrsFrom]!;
  expect(tau).toBe(exp.tau);
  let worst = 0;
  let where = "";
  let compared = 0;
  const note = (d: number, at: string) => {
    compared++;
    if (d > worst || (d !== 0 && where === "")) {
      worst = Math.max(worst, d);
      where = at;
    }
  };
  exp.areaRngLbl.forEach((areaRng, a) => {
    exp.maxDets.forEach((maxDets, mi) => {
      const r = lrp(ev, dt, { areaRng, maxDets, tau });
      expect(r.tau).toBe(tau);
      expect(r.classes.map((c) => c.categoryId)).toEqual(exp.catIds);
      r.classes.forEach((c: LrpClassResult, k) => {
        for (const [ours, theirs] of FIELDS) note(diff(c[ours], exp[theirs][k]![a]![mi]!), `${theirs}[${k}][${a}][${mi}]`);
      });
      note(diff(r.olrp, exp.means.olrp[a]![mi]!), `mean olrp [${a}][${mi}]`);
      note(diff(r.olrpLoc, exp.means.olrp_loc[a]![mi]!), `mean olrp_loc [${a}][${mi}]`);
      note(diff(r.olrpFp, exp.means.olrp_fp[a]![mi]!), `mean olrp_fp [${a}][${mi}]`);
      note(diff(r.olrpFn, exp.means.olrp_fn[a]![mi]!), `mean olrp_fn [${a}][${mi}]`);
    });
  });
  // the fork's own summary stats: moLRP, its components, oLRP small / medium / large (at maxDets[2])
  if (exp.iouType !== "keypoints" && exp.maxDets.length > 2) {
    const md = exp.maxDets[2]!;
    const all = lrp(ev, dt, { maxDets: md, tau });
    [all.olrp, all.olrpLoc, all.olrpFp, all.olrpFn].forEach((v, i) => note(diff(v, exp.stats[12 + i]!), `stats[${12 + i}]`));
    ["small", "medium", "large"].forEach((areaRng, i) => note(diff(lrp(ev, dt, { areaRng, maxDets: md, tau }).olrp, exp.stats[16 + i]!), `stats[${16 + i}]`));
  }
  return { worst, where, compared };
}

function label(exp: ExpectedEvaluation): string {
  const extra = [
    exp.useCats ? "" : "useCats false",
    exp.iouThrsFrom ? `tau ${exp.tau}` : "",
    exp.paramsCatIds ? `catIds ${exp.paramsCatIds.join(",")}` : "",
  ].filter(Boolean);
  return `${exp.dt} ${exp.iouType}${extra.length ? ` (${extra.join(", ")})` : ""}`;
}

let engine: GeometryEngine;
beforeAll(async () => {
  engine = await createEngine();
});

const sets = expectedSets();
if (!HAVE_SHARED_FIXTURES) console.warn(`skipping the LRP parity of the shared fixtures: ${SHARED_FIXTURES} not found`);

describe("LRP parity with the LRP-Error fork (exact)", () => {
  it("the expected files are there", () => {
    expect(sets.filter((s) => LOCAL.has(s.name)).length).toBe(3);
    expect(sets.length).toBeGreaterThanOrEqual(6);
  });
  for (const { name, dir, evaluations } of sets) {
    const present = LOCAL.has(name) || HAVE_SHARED_FIXTURES;
    for (const exp of evaluations) {
      it.skipIf(!present)(
        `${name}: ${label(exp)}`,
        () => {
          const { worst, where, compared } = checkEvaluation(engine, dir, exp);
          expect(compared).toBeGreaterThan(0);
          // keypoints: our OKS uses V8's Math.exp, 1 ulp off numpy's exp for some inputs (coco/overlaps.ts)
          if (exp.iouType === "keypoints") expect(worst, `largest difference at ${where}`).toBeLessThanOrEqual(KEYPOINTS_TOL);
          else expect(worst, `largest difference at ${where}`).toBe(0);
        },
        120_000,
      );
    }
  }
});

describe("LRP: options and bad input", () => {
  const dir = join(LOCAL_FIXTURES, "lrp_edge");

  it("defaults: tau iouThrs[0] (0.5), area all, the last maxDets", () => {
    const { gt, dt } = inputs(dir, "dt_bbox.json");
    const ev = evaluateCoco(engine, gt, dt, { iouType: "bbox" });
    const r = lrp(ev, dt);
    expect([r.tau, r.areaRng, r.maxDets]).toEqual([0.5, "all", 100]);
    expect(r).toEqual(lrp(ev, dt, { tau: 0.5, areaRng: "all", maxDets: 100 }));
  });

  it("options outside the evaluation's params are one-line errors naming the option", () => {
    const { gt, dt } = inputs(dir, "dt_bbox.json");
    const ev = evaluateCoco(engine, gt, dt, { iouType: "bbox" });
    const bad: [object, RegExp][] = [
      [{ tau: 0.52 }, /^lrp options\.tau: 0\.52 is not one of the evaluation's iouThrs \(0\.5, 0\.55/],
      [{ areaRng: "tiny" }, /^lrp options\.areaRng: "tiny" is not one of the evaluation's area ranges \(all, small, medium, large\)$/],
      [{ maxDets: 50 }, /^lrp options\.maxDets: 50 is not one of the evaluation's maxDets \(1, 10, 100\)$/],
    ];
    for (const [options, message] of bad) {
      expect(() => lrp(ev, dt, options)).toThrow(CocoInputError);
      expect(() => lrp(ev, dt, options)).toThrow(message);
    }
  });

  it("an evaluation without IoU thresholds or maxDets is refused in one line", () => {
    const { gt, dt } = inputs(dir, "dt_bbox.json");
    expect(() => lrp(evaluateCoco(engine, gt, dt, { iouType: "bbox", iouThrs: [] }), dt)).toThrow(/^lrp options\.tau: the evaluation has no IoU thresholds/);
    expect(() => lrp(evaluateCoco(engine, gt, dt, { iouType: "bbox", maxDets: [] }), dt)).toThrow(/^lrp options\.maxDets: the evaluation has no maxDets$/);
  });

  it("results other than the evaluated ones are refused, not misread", () => {
    const { gt, dt } = inputs(dir, "dt_bbox.json");
    const ev = evaluateCoco(engine, gt, dt, { iouType: "bbox" });
    const empty = loadCocoResults(join(dir, "dt_empty.json"), gt);
    expect(() => lrp(ev, empty)).toThrow(/^lrp: the results are not the ones this evaluation was run on/);
  });

  it("no predictions: classes with labels at 1 (no TP), the rest -1, loc / FP means -1", () => {
    const { gt, dt } = inputs(dir, "dt_empty.json");
    const r = lrp(evaluateCoco(engine, gt, dt, { iouType: "segm" }), dt);
    expect(r.classes.map((c) => c.olrp)).toEqual([1, 1, -1, -1, 1, 1]);
    expect(r.classes[0]!.threshold).toBeNaN();
    expect([r.olrp, r.olrpLoc, r.olrpFp, r.olrpFn]).toEqual([1, -1, -1, 1]);
  });

  it("keypoints without categories match nothing: every prediction is a false positive", () => {
    const gtText = JSON.stringify({
      images: [{ id: 1, width: 100, height: 100 }],
      categories: [{ id: 1, name: "person" }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          bbox: [10, 10, 20, 20],
          area: 400,
          iscrowd: 0,
          num_keypoints: 1,
          keypoints: [15, 15, 2, ...new Array(48).fill(0)],
        },
      ],
    });
    const gt = parseCocoDataset(gtText);
    const dt = parseCocoResults(JSON.stringify([{ image_id: 1, category_id: 1, score: 0.9, keypoints: [15, 15, 1, ...new Array(48).fill(0)] }]), gt);
    const r = lrp(evaluateCoco(engine, gt, dt, { iouType: "keypoints", useCats: false }), dt);
    expect(r.classes).toEqual([{ categoryId: -1, olrp: 1, olrpLoc: Number.NaN, olrpFp: Number.NaN, olrpFn: 1, threshold: Number.NaN }]);
  });
});
