// analyze().at() against the brute force on the synthetic COCO fixtures of ../shared (skipped when absent),
// through the COCO parser and the adapter, with the wasm engine when its kernels are bound.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { GeometryEngine, Rle } from "../../bindings/geometry/types.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { fromCoco } from "../../bindings/analysis/coco-adapter.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import type { AnalysisInput, Shape } from "../../bindings/analysis/types.js";
import type { BruteData } from "../helpers/analysis-bruteforce.js";
import { compareWithBrute, rng } from "../helpers/analysis.js";

const FIXTURES = new URL("../../../shared/fixtures/", import.meta.url);
const have = existsSync(new URL("synth_small/gt.json", FIXTURES));
if (!have) console.warn("analysis fixtures: ../shared/fixtures not found, fixture tests skipped");

async function getEngine(): Promise<{ engine: GeometryEngine; kind: string }> {
  try {
    const { createEngine } = await import("../../bindings/engine/engine.js");
    return { engine: await createEngine(), kind: "wasm" };
  } catch {
    return { engine: new ReferenceGeometry(), kind: "reference" };
  }
}

function load(engine: GeometryEngine, name: string, dt: string, iouType: "bbox" | "segm"): AnalysisInput {
  const read = (f: string) => JSON.parse(readFileSync(new URL(`${name}/${f}`, FIXTURES), "utf8"));
  const ds = parseCocoDataset(read("gt.json"));
  return fromCoco(engine, ds, parseCocoResults(read(dt), ds), { iouType });
}

/** Brute-force data whose IoU oracle is the engine's maskIou of one prediction against one label. */
function maskOracle(engine: GeometryEngine, input: AnalysisInput): BruteData {
  const rle = (s: Shape, h: number, w: number): Rle =>
    s.kind === "rle" ? s.rle : s.kind === "box" ? engine.rleFromBox(s.box, h, w) : s.kind === "polygon" ? engine.rleFromPolygons(s.parts, h, w) : (() => { throw new Error(s.kind); })();
  const dim = (i: number) => input.images[i]!;
  const pr = input.predictions.map((o) => rle(o.shape, dim(o.image).height, dim(o.image).width));
  const lr = input.labels.map((o) => rle(o.shape, dim(o.image).height, dim(o.image).width));
  const cache = new Map<number, number>();
  const nL = input.labels.length;
  return {
    nClass: input.categories.length,
    nImage: input.images.length,
    labels: input.labels.map((o) => ({ image: o.image, category: o.category, crowd: !!o.crowd })),
    predictions: input.predictions.map((o) => ({ image: o.image, category: o.category, confidence: o.confidence })),
    iou(p, l) {
      if (input.predictions[p]!.image !== input.labels[l]!.image) return 0;
      let v = cache.get(p * nL + l);
      if (v === undefined) {
        v = engine.maskIou([pr[p]!], [lr[l]!], Uint8Array.of(input.labels[l]!.crowd ? 1 : 0))[0]!;
        cache.set(p * nL + l, v);
      }
      return v;
    },
  };
}

describe.skipIf(!have)("analysis: synth_small fixture vs brute force", () => {
  for (const [dt, iouType] of [
    ["dt_segm.json", "segm"],
    ["dt_bbox.json", "bbox"],
  ] as const) {
    it(`${iouType}: thresholds 0.1..0.95, confidences, subsets, both candidate modes`, async () => {
      const { engine } = await getEngine();
      const input = load(engine, "synth_small", dt, iouType);
      const d = maskOracle(engine, input);
      const r = rng(11);
      const classes = new Set(input.categories.map((_, k) => k).filter(() => r() < 0.3));
      const images = new Set(input.images.map((_, i) => i).filter(() => r() < 0.4));
      for (const mode of ["same-class", "any-class"] as const) {
        const a = analyze(engine, input, { candidates: mode });
        for (const t of [0.1, 0.3, 0.5, 0.75, 0.95]) compareWithBrute(a, input, d, { t, c: -Infinity, mode }, { explorer: t === 0.5 });
        compareWithBrute(a, input, d, { t: 0.5, c: 0.5, mode }, { explorer: true });
        compareWithBrute(a, input, d, { t: 0.6, c: 0.2, mode, classes }, { explorer: true });
        compareWithBrute(a, input, d, { t: 0.55, c: 0.1, mode, images }, { explorer: true });
        compareWithBrute(a, input, d, { t: 0.5, c: -Infinity, mode, classes, images }, { ar: true });
      }
    });
  }

  it("synth_ties (scores rounded: frequent confidence ties), segm and bbox", async () => {
    if (!existsSync(new URL("synth_ties/gt.json", FIXTURES))) return;
    const { engine } = await getEngine();
    for (const [dt, iouType] of [
      ["dt_segm.json", "segm"],
      ["dt_bbox.json", "bbox"],
    ] as const) {
      const input = load(engine, "synth_ties", dt, iouType);
      const d = maskOracle(engine, input);
      for (const mode of ["same-class", "any-class"] as const) {
        const a = analyze(engine, input, { candidates: mode });
        for (const [t, c] of [
          [0.5, -Infinity],
          [0.75, 0.3],
          [0.35, 0.55],
        ] as const)
          compareWithBrute(a, input, d, { t, c, mode }, { explorer: true });
      }
    }
  });

  it("bbox with exact box IoU (iou: box)", async () => {
    const { engine } = await getEngine();
    const input = load(engine, "synth_small", "dt_bbox.json", "bbox");
    const a = analyze(engine, input, { iou: "box" });
    const box = (s: Shape) => (s as { box: readonly number[] }).box;
    const d: BruteData = {
      ...maskOracle(engine, input),
      iou(p, l) {
        if (input.predictions[p]!.image !== input.labels[l]!.image) return 0;
        const q = Float64Array.from(box(input.predictions[p]!.shape));
        const g = Float64Array.from(box(input.labels[l]!.shape));
        return engine.boxIou(q, g, Uint8Array.of(input.labels[l]!.crowd ? 1 : 0))[0]!;
      },
    };
    for (const t of [0.3, 0.5, 0.8]) compareWithBrute(a, input, d, { t, c: -Infinity, mode: "same-class" }, { explorer: true });
  });

  it("the wasm engine and the reference geometry give the same analysis", async () => {
    const { engine, kind } = await getEngine();
    if (kind !== "wasm") return;
    const ref = new ReferenceGeometry();
    const a = analyze(engine, load(engine, "synth_small", "dt_segm.json", "segm"), { candidates: "any-class" });
    const b = analyze(ref, load(ref, "synth_small", "dt_segm.json", "segm"), { candidates: "any-class" });
    for (const t of [0.3, 0.5, 0.9]) {
      expect(a.at({ iou: t }).summary()).toEqual(b.at({ iou: t }).summary());
      expect(a.at({ iou: t }).explorer()).toEqual(b.at({ iou: t }).explorer());
    }
  });

  it("the summary is close to pycocotools' AP50 on the same data (sanity)", async () => {
    const { engine } = await getEngine();
    const input = load(engine, "synth_small", "dt_segm.json", "segm");
    const v = analyze(engine, input).at({ iou: 0.5 });
    const expected = JSON.parse(readFileSync(new URL("synth_small/expected_segm.json", FIXTURES), "utf8"));
    // different rules (no fallback to a second label, AP 0 for classes without labels), same ballpark
    expect(Math.abs(v.mAP - expected.stats[1])).toBeLessThan(0.05);
  });
});
