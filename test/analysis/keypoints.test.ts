// Keypoints in analysis mode: OKS equal to pycocotools' computeOks (test/fixtures/kpt_oks/SOURCE.md),
// analyze().at() on random keypoint sets vs the brute-force matcher with an OKS written out here, and
// the one-line errors of bad keypoint input.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { fromCoco } from "../../bindings/analysis/coco-adapter.js";
import { KeypointSigmaTable, keypointImage } from "../../bindings/analysis/keypoints.js";
import { parseEncordJson } from "../../bindings/analysis/encord-format.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import type { AnalysisInput, ObjectInput } from "../../bindings/analysis/types.js";
import type { BruteData } from "../helpers/analysis-bruteforce.js";
import { compareWithBrute, rng } from "../helpers/analysis.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const engine = new ReferenceGeometry();
const DIR = join(LOCAL_FIXTURES, "kpt_oks");
const read = (f: string) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as unknown;
const PERSON = [0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087, 0.087, 0.089, 0.089];

/** Equal up to 4 units in the last place (relative). */
const ulpClose = (a: number, b: number) => Math.abs(a - b) <= 4 * Number.EPSILON * Math.abs(b);

function cocoInput(name: string): AnalysisInput {
  const ds = parseCocoDataset(read(`${name}_gt.json`) as never);
  const dt = parseCocoResults(read(`${name}_dt.json`) as never, ds);
  return fromCoco(engine, ds, dt, { iouType: "keypoints" });
}

describe("OKS vs pycocotools computeOks", () => {
  for (const [name, sigmas] of [["kpt_person", undefined], ["kpt_tri", [0.05, 0.1, 0.2]]] as const) {
    it(`${name}: every (detection, label) pair, within 4 ulp (numpy's exp and Math.exp may differ in the last bit)`, () => {
      const input = cocoInput(name);
      const expected = read(`${name}_expected_oks.json`) as Record<string, { dtIndex: number[]; gtIndex: number[]; oks: number[][] }>;
      const table = new KeypointSigmaTable(input.categories, sigmas);
      let pairs = 0;
      for (const e of Object.values(expected)) {
        const k = keypointImage(input.predictions, Int32Array.from(e.dtIndex), input.labels, Int32Array.from(e.gtIndex), table);
        const rows = k.predRows(0, e.dtIndex.length);
        for (let d = 0; d < e.dtIndex.length; d++)
          for (let g = 0; g < e.gtIndex.length; g++) {
            expect(ulpClose(rows[d * e.gtIndex.length + g]!, e.oks[d]![g]!), `dt ${e.dtIndex[d]} gt ${e.gtIndex[g]}: ${rows[d * e.gtIndex.length + g]} vs ${e.oks[d]![g]}`).toBe(true);
            pairs++;
          }
      }
      expect(pairs).toBeGreaterThan(20);
    });
  }

  it("the analysis' candidate OKS is the largest pycocotools OKS of the prediction's image; the label without visible keypoints is ignored", () => {
    const input = cocoInput("kpt_person");
    const expected = read("kpt_person_expected_oks.json") as Record<string, { dtIndex: number[]; gtIndex: number[]; oks: number[][] }>;
    const a = analyze(engine, input);
    expect(a.iouKind).toBe("oks");
    const rows = a.at({ iou: 0.5 }).explorer().predictions;
    for (const e of Object.values(expected))
      e.dtIndex.forEach((p, d) => {
        // label 2 has num_keypoints 0: an ignore region, never a candidate
        const best = Math.max(...e.gtIndex.map((g, j) => (g === 2 ? 0 : e.oks[d]![j]!)));
        expect(ulpClose(rows.find((r) => r.index === p)!.iou, best)).toBe(true);
      });
    expect(a.at({ iou: 0.5 }).summary().ignored).toBeGreaterThan(0); // the detections at the ignore region
  });
});

/** computeOks written out (no shared code): visible keypoints, or the box extended by its size when none. */
function oksOracle(g: readonly number[], box: readonly number[], area: number, d: readonly number[], sigmas: readonly number[]): number {
  const vis = [];
  for (let q = 0; q < sigmas.length; q++) if (g[3 * q + 2]! > 0) vis.push(q);
  const qs = vis.length ? vis : sigmas.map((_, q) => q);
  let s = 0;
  for (const q of qs) {
    let dx = d[3 * q]! - g[3 * q]!;
    let dy = d[3 * q + 1]! - g[3 * q + 1]!;
    if (!vis.length) {
      const [x, y, w, h] = box as [number, number, number, number];
      dx = Math.max(0, x - w - d[3 * q]!) + Math.max(0, d[3 * q]! - (x + 2 * w));
      dy = Math.max(0, y - h - d[3 * q + 1]!) + Math.max(0, d[3 * q + 1]! - (y + 2 * h));
    }
    s += Math.exp(-(dx * dx + dy * dy) / (2 * sigmas[q]!) ** 2 / (area + 2.220446049250313e-16) / 2);
  }
  return s / qs.length;
}

function randomKeypoints(seed: number): AnalysisInput {
  const r = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const K = 4;
  const images = [0, 1, 2].map((i) => ({ id: i + 1, width: 100, height: 100 }));
  const categories = [1, 2].map((k) => ({ id: k, name: `c${k}` }));
  const labels: ObjectInput[] = [];
  const predictions: ObjectInput[] = [];
  const confs = [0.2, 0.5, 0.5, 0.9];
  for (let i = 0; i < 3; i++)
    for (let j = int(0, 4); j > 0; j--) {
      const cx = r() * 80 + 10;
      const cy = r() * 80 + 10;
      const kp: number[] = [];
      for (let q = 0; q < K; q++) kp.push(cx + (r() - 0.5) * 20, cy + (r() - 0.5) * 20, r() < 0.2 ? 0 : 2);
      const k = int(0, 1);
      labels.push({ image: i, category: k, shape: { kind: "keypoints", keypoints: kp, box: [cx - 10, cy - 10, 20, 20], area: 100 + r() * 300 }, crowd: r() < 0.1 });
      for (let n = int(0, 3); n > 0; n--) {
        const d: number[] = [];
        for (let q = 0; q < K; q++) d.push(kp[3 * q]! + (r() - 0.5) * 8, kp[3 * q + 1]! + (r() - 0.5) * 8, 1);
        predictions.push({ image: i, category: r() < 0.8 ? k : 1 - k, shape: { kind: "keypoints", keypoints: d }, confidence: confs[int(0, 3)]! });
      }
    }
  return { images, categories, labels, predictions };
}

function bruteOks(input: AnalysisInput, sigmas: readonly number[]): BruteData {
  const kps = (o: ObjectInput) => (o.shape as { readonly keypoints: readonly number[] }).keypoints;
  const noVisible = (o: ObjectInput) => kps(o).every((v, i) => i % 3 !== 2 || !(v > 0));
  return {
    nClass: input.categories.length,
    nImage: input.images.length,
    labels: input.labels.map((o) => ({ image: o.image, category: o.category, crowd: !!o.crowd || noVisible(o) })),
    predictions: input.predictions.map((o) => ({ image: o.image, category: o.category, confidence: o.confidence })),
    iou(p, l) {
      const P = input.predictions[p]!;
      const L = input.labels[l]!;
      if (P.image !== L.image) return 0;
      const s = L.shape as { readonly box: readonly number[]; readonly area: number };
      return oksOracle(kps(L), s.box, s.area, kps(P), sigmas);
    },
  };
}

describe("analysis with OKS vs brute force", () => {
  const sigmas = [0.05, 0.08, 0.1, 0.2];
  for (const mode of ["same-class", "any-class"] as const)
    it(`${mode}: 30 random keypoint sets`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const input = randomKeypoints(seed);
        const a = analyze(engine, input, { candidates: mode, kptSigmas: sigmas });
        const d = bruteOks(input, sigmas);
        for (const t of [0.1, 0.5, 0.75, 0.95]) for (const c of [-Infinity, 0.5]) compareWithBrute(a, input, d, { t, c, mode }, { explorer: true });
      }
    });
});

describe("keypoint input errors and rules", () => {
  const img = [{ id: 1, width: 50, height: 50 }];
  const cat = [{ id: 1, name: "person" }];
  const kp17 = Array.from({ length: 51 }, (_, i) => (i % 3 === 2 ? 2 : 10 + i / 3));
  const label: ObjectInput = { image: 0, category: 0, shape: { kind: "keypoints", keypoints: kp17, box: [5, 5, 30, 30], area: 500 } };
  const pred = (keypoints: number[]): ObjectInput => ({ image: 0, category: 0, shape: { kind: "keypoints", keypoints }, confidence: 0.9 });

  it("keypoint arrays of the wrong length name the object", () => {
    const input = { images: img, categories: cat, labels: [label], predictions: [pred(kp17), pred(kp17.slice(0, 10))] };
    expect(() => analyze(engine, input)).toThrow(/^predictions\[1\]\.keypoints: expected 3\*K numbers \[x1, y1, v1, \.\.\.\], got 10$/);
    const input2 = { ...input, predictions: [pred(kp17.slice(0, 12))] };
    expect(() => analyze(engine, input2)).toThrow(/^predictions\[0\]\.keypoints: expected 3\*17 = 51 numbers \(COCO's 17 person sigmas, used when no kptSigmas/);
    expect(() => analyze(engine, input2, { kptSigmas: [0.1, 0.1, 0.1] })).toThrow(/^labels\[0\]\.keypoints: expected 3\*3 = 9 numbers \(the 3 OKS sigmas of category "person"\), got 51$/);
    expect(() => analyze(engine, input, { kptSigmas: { nobody: [0.1] } })).toThrow(/^kptSigmas\.nobody: no category with this id or name$/);
  });

  it("keypoints are never rendered as masks or boxes, and other shapes never scored by OKS", () => {
    const input = { images: img, categories: cat, labels: [label], predictions: [pred(kp17)] };
    expect(() => analyze(engine, input, { iou: "mask" })).toThrow(/^predictions\[0\]: keypoints have no mask; analysis compares them by OKS/);
    expect(() => analyze(engine, input, { iou: "box" })).toThrow(/^predictions\[0\]: iou "box" needs axis-aligned boxes, got a keypoints$/);
    const boxPred: ObjectInput = { image: 0, category: 0, shape: { kind: "box", box: [1, 1, 5, 5] }, confidence: 0.5 };
    expect(() => analyze(engine, { ...input, predictions: [boxPred] })).toThrow(/^predictions\[0\]\.shape: iou "oks" compares keypoints, got a box/);
  });

  it("COCO keypoint results default to OKS; a bad keypoints value names its path", () => {
    const gt = { images: [{ id: 1, width: 50, height: 50 }], categories: [{ id: 1, name: "person" }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [5, 5, 30, 30], area: 500, keypoints: kp17, num_keypoints: 17, iscrowd: 0 }] };
    const ds = parseCocoDataset(gt as never);
    const ok = fromCoco(engine, ds, parseCocoResults([{ image_id: 1, category_id: 1, keypoints: kp17, score: 0.9 }] as never, ds));
    expect(ok.iouType).toBe("keypoints");
    expect(analyze(engine, ok).at({ iou: 0.99 }).tp).toBe(1); // the same keypoints: OKS 1
    const bad = () => parseCocoResults([{ image_id: 1, category_id: 1, keypoints: kp17, score: 0.9 }, { image_id: 1, category_id: 1, keypoints: [1, 2, 3, 4], score: 0.5 }] as never, ds);
    expect(bad).toThrow(/^results\[1\]\.keypoints: expected a list of x, y, v triples/);
    const short = fromCoco(engine, ds, parseCocoResults([{ image_id: 1, category_id: 1, keypoints: [1, 2, 1], score: 0.5 }] as never, ds));
    expect(() => analyze(engine, short)).toThrow(/^predictions\[0\]\.keypoints: expected 3\*17 = 51 numbers/);
  });

  it("Encord-style keypoints (flat or {x, y, v} points), normalised; an all-invisible label without a box is an error", () => {
    const doc = {
      images: [{ id: "a", width: 100, height: 50 }],
      labels: [{ image: "a", class: "hand", keypoints: { points: [{ x: 0.1, y: 0.2 }, { x: 0.3, y: 0.4, v: 0 }], area: 0.1 } }],
      predictions: [{ image: "a", class: "hand", confidence: 0.7, keypoints: [0.1, 0.2, 1, 0.3, 0.4, 1] }],
    };
    const input = parseEncordJson(doc);
    expect(input.labels[0]!.shape).toEqual({ kind: "keypoints", keypoints: [10, 10, 2, 30, 20, 0], area: 500 });
    const a = analyze(engine, input, { kptSigmas: { hand: [0.1, 0.1] } });
    expect(a.at({ iou: 0.99 }).tp).toBe(1);
    const hidden = parseEncordJson({ ...doc, labels: [{ image: "a", class: "hand", keypoints: [0.1, 0.2, 0, 0.3, 0.4, 0] }] });
    expect(() => analyze(engine, hidden, { kptSigmas: [0.1, 0.1] })).toThrow(/^labels\[0\]\.shape: a label without a visible keypoint needs a box/);
    expect(() => parseEncordJson({ ...doc, labels: [{ image: "a", class: "hand", keypoints: [1, 2, 3, 4] }] })).toThrow(/^labels\[0\]\.keypoints: expected 3\*K numbers \[x1, y1, v1, \.\.\.\], got 4$/);
  });

  it("COCO's person sigmas are the default", () => {
    expect(PERSON.length).toBe(17);
    const input = { images: img, categories: cat, labels: [label], predictions: [pred(kp17.map((v, i) => (i % 3 === 0 ? v + 1 : v)))] };
    const iou = analyze(engine, input).at({ iou: 0.5 }).explorer().predictions[0]!.iou;
    expect(iou).toBeCloseTo(oksOracle(kp17, [5, 5, 30, 30], 500, kp17.map((v, i) => (i % 3 === 0 ? v + 1 : v)), PERSON), 14);
  });
});
