// Shared helpers of the analysis tests: a seeded generator of random analysis inputs, IoU oracles
// that do not go through analyze() (pixel counting on decoded masks, the bbIou formula), and the
// comparison of an AnalysisView with the brute-force result.
import { expect } from "vitest";
import type { GeometryEngine } from "../../bindings/geometry/types.js";
import type { AnalysisInput, ObjectInput, Shape } from "../../bindings/analysis/types.js";
import type { Analysis, AtOptions } from "../../bindings/analysis/analysis.js";
import { bruteCocoAR, bruteForce, type BruteData, type BruteQuery } from "./analysis-bruteforce.js";
import { rotatedBoxIou } from "../../bindings/engine/rotated-iou.js";

import { mulberry32 } from "./random.js";

/** Seeded randomness (mulberry32). */
export const rng = mulberry32;

export interface RandomOptions {
  boxesOnly?: boolean;
  images?: number;
  classes?: number;
}

/** Random images with boxes, rotated boxes and polygons, crowd labels, jittered and random predictions, tied confidences. */
export function randomInput(seed: number, o: RandomOptions = {}): AnalysisInput {
  const r = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const nI = o.images ?? int(1, 4);
  const nK = o.classes ?? int(1, 4);
  const images = Array.from({ length: nI }, (_, i) => ({ id: 100 + i, width: int(12, 32), height: int(10, 28) }));
  const categories = Array.from({ length: nK }, (_, k) => ({ id: k + 1, name: `c${k + 1}` }));
  const labels: ObjectInput[] = [];
  const predictions: ObjectInput[] = [];
  const confs = [0.1, 0.3, 0.5, 0.5, 0.7, 0.9, 0.9, 0.95];
  const shapeAround = (W: number, H: number, cx: number, cy: number, w: number, h: number): Shape => {
    const kind = o.boxesOnly ? 0 : int(0, 3);
    if (kind <= 1) return { kind: "box", box: [cx - w / 2, cy - h / 2, w, h] };
    if (kind === 2) return { kind: "rotated", box: [cx, cy, w, h, int(-60, 60)] };
    const n = int(3, 7);
    const pts: number[] = [];
    for (let j = 0; j < n; j++) {
      const a = (2 * Math.PI * j) / n + r() * 0.5;
      const rad = 0.5 + 0.5 * r();
      pts.push(Math.min(W, Math.max(0, cx + Math.cos(a) * rad * w)), Math.min(H, Math.max(0, cy + Math.sin(a) * rad * h)));
    }
    return { kind: "polygon", parts: [pts] };
  };
  const q = (x: number) => Math.round(x * 4) / 4; // quarter pixels: ties in IoU happen
  for (let i = 0; i < nI; i++) {
    const { width: W, height: H } = images[i]!;
    const nl = int(0, 6);
    const mine: { cx: number; cy: number; w: number; h: number; k: number }[] = [];
    for (let j = 0; j < nl; j++) {
      const w = q(2 + r() * W * 0.6);
      const h = q(2 + r() * H * 0.6);
      const cx = q(r() * W);
      const cy = q(r() * H);
      const k = int(0, nK - 1);
      mine.push({ cx, cy, w, h, k });
      labels.push({ id: `L${labels.length}`, image: i, category: k, shape: shapeAround(W, H, cx, cy, w, h), crowd: r() < 0.1 });
    }
    const np = int(0, 10);
    for (let j = 0; j < np; j++) {
      let cx: number, cy: number, w: number, h: number, k: number;
      if (mine.length && r() < 0.75) {
        const m = mine[int(0, mine.length - 1)]!;
        cx = q(m.cx + (r() - 0.5) * m.w * 0.5);
        cy = q(m.cy + (r() - 0.5) * m.h * 0.5);
        w = q(Math.max(1, m.w * (0.7 + r() * 0.6)));
        h = q(Math.max(1, m.h * (0.7 + r() * 0.6)));
        k = r() < 0.8 ? m.k : int(0, nK - 1);
      } else {
        w = q(2 + r() * W * 0.5);
        h = q(2 + r() * H * 0.5);
        cx = q(r() * W);
        cy = q(r() * H);
        k = int(0, nK - 1);
      }
      predictions.push({ id: `P${predictions.length}`, image: i, category: k, shape: shapeAround(W, H, cx, cy, w, h), confidence: confs[int(0, confs.length - 1)] });
    }
  }
  return { images, categories, labels, predictions };
}

function render(engine: GeometryEngine, s: Shape, h: number, w: number): Uint8Array {
  const rle =
    s.kind === "box"
      ? engine.rleFromBox(s.box, h, w)
      : s.kind === "rotated"
        ? engine.rleFromRotatedBox(s.box, h, w)
        : s.kind === "polygon"
          ? engine.rleFromPolygons(s.parts, h, w)
          : s.kind === "rleString"
            ? engine.rleFromString(s.counts, h, w)
            : s.kind === "rle"
              ? s.rle
              : null;
  if (rle === null) throw new Error("keypoints have no mask");
  return engine.rleToBitmask(rle, "column-major");
}

/** BruteData whose IoU counts pixels of decoded masks (mask mode) or applies the bbIou formula (box mode). */
export function bruteData(engine: GeometryEngine, input: AnalysisInput, iou: "mask" | "box" = "mask"): BruteData {
  const dims = (o: ObjectInput) => input.images[o.image]!;
  let f: (p: number, l: number) => number;
  if (iou === "mask") {
    const pm = input.predictions.map((o) => render(engine, o.shape, dims(o).height, dims(o).width));
    const lm = input.labels.map((o) => render(engine, o.shape, dims(o).height, dims(o).width));
    f = (p, l) => {
      const a = pm[p]!;
      const b = lm[l]!;
      let i = 0,
        u = 0,
        area = 0;
      for (let x = 0; x < a.length; x++) {
        if (a[x]! && b[x]!) i++;
        if (a[x]! || b[x]!) u++;
        if (a[x]!) area++;
      }
      if (i === 0) return 0;
      return input.labels[l]!.crowd ? i / area : i / u;
    };
    // analyze()'s default rotatedIou "exact": a rotated box against a rotated or axis-aligned box takes
    // the polygon IoU (rotatedBoxIou, checked against shapely in test/engine/rotated.fixtures.test.ts)
    const pixels = f;
    const asCcw = (s: Shape) => (s.kind === "rotated" ? [s.box[0], s.box[1], s.box[2], s.box[3], -s.box[4]] : s.kind === "box" ? [s.box[0] + s.box[2] / 2, s.box[1] + s.box[3] / 2, s.box[2], s.box[3], 0] : null);
    f = (p, l) => {
      const a = input.predictions[p]!.shape;
      const b = input.labels[l]!.shape;
      const ra = asCcw(a);
      const rb = asCcw(b);
      if (ra === null || rb === null || (a.kind !== "rotated" && b.kind !== "rotated")) return pixels(p, l);
      return rotatedBoxIou([ra], [rb], { crowd: [input.labels[l]!.crowd ? 1 : 0] })[0]!;
    };
  } else {
    const box = (o: ObjectInput) => (o.shape as { box: readonly number[] }).box;
    f = (p, l) => {
      const [x1, y1, w1, h1] = box(input.predictions[p]!) as [number, number, number, number];
      const [x2, y2, w2, h2] = box(input.labels[l]!) as [number, number, number, number];
      const w = Math.min(w1 + x1, w2 + x2) - Math.max(x1, x2);
      if (w <= 0) return 0;
      const h = Math.min(h1 + y1, h2 + y2) - Math.max(y1, y2);
      if (h <= 0) return 0;
      const i = w * h;
      return i / (input.labels[l]!.crowd ? w1 * h1 : w1 * h1 + w2 * h2 - i);
    };
  }
  const cache = new Map<number, number>();
  const nL = input.labels.length;
  return {
    nClass: input.categories.length,
    nImage: input.images.length,
    labels: input.labels.map((o) => ({ image: o.image, category: o.category, crowd: !!o.crowd })),
    predictions: input.predictions.map((o) => ({ image: o.image, category: o.category, confidence: o.confidence })),
    iou(p, l) {
      if (input.predictions[p]!.image !== input.labels[l]!.image) return 0;
      const key = p * nL + l;
      let v = cache.get(key);
      if (v === undefined) cache.set(key, (v = f(p, l)));
      return v;
    },
  };
}

const close = (a: number, b: number, what: string) => {
  if (Number.isNaN(b)) expect(a, what).toBeNaN();
  else expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9);
};

/** A brute-force query as at() options (class / image indices -> ids, keep predicates -> masks). */
export function atOptionsOf(input: AnalysisInput, q: BruteQuery): AtOptions {
  return {
    iou: q.t,
    confidence: q.c,
    ...(q.classes ? { classes: [...q.classes].map((k) => input.categories[k]!.id) } : {}),
    ...(q.images ? { images: [...q.images].map((i) => input.images[i]!.id) } : {}),
    ...(q.predKeep ? { predictions: input.predictions.map((_, p) => q.predKeep!(p)) } : {}),
    ...(q.labelKeep ? { labels: input.labels.map((_, l) => q.labelKeep!(l)) } : {}),
  };
}

/** Runs the same question through analyze().at() and the brute force and compares everything. */
export function compareWithBrute(a: Analysis, input: AnalysisInput, d: BruteData, q: BruteQuery, opts: { explorer?: boolean; ar?: boolean } = {}): void {
  const v = a.at(atOptionsOf(input, q));
  const b = bruteForce(d, q);
  const ctx = `t=${q.t} c=${q.c} mode=${q.mode} classes=${q.classes ? [...q.classes] : "*"} images=${q.images ? [...q.images] : "*"}`;
  expect(v.classes.map((x) => x.index), ctx).toEqual(b.classes.map((x) => x.k));
  for (let i = 0; i < b.classes.length; i++) {
    const x = v.classes[i]!;
    const y = b.classes[i]!;
    const cc = `${ctx} class ${y.k}`;
    expect([x.tp, x.fp, x.fn, x.ignored, x.labels], cc).toEqual([y.tp, y.fp, y.fn, y.ignored, y.labels]);
    close(x.ap, y.ap, `${cc} ap`);
    close(x.precision, y.precision, `${cc} precision`);
    close(x.recall, y.recall, `${cc} recall`);
    close(x.f1, y.f1, `${cc} f1`);
    close(x.avgIou, y.avgIou, `${cc} avgIou`);
    close(v.prCurve(x.categoryId).ap, y.ap, `${cc} prCurve ap`);
  }
  expect([v.tp, v.fp, v.fn], ctx).toEqual([b.tp, b.fp, b.fn]);
  close(v.mAP, b.mAP, `${ctx} mAP`);
  close(v.mAR, b.mAR, `${ctx} mAR`);
  close(v.mP, b.mP, `${ctx} mP`);
  close(v.mF1, b.mF1, `${ctx} mF1`);
  close(v.precision, b.precision, `${ctx} precision`);
  close(v.recall, b.recall, `${ctx} recall`);
  close(v.f1, b.f1, `${ctx} f1`);
  close(v.avgIou, b.avgIou, `${ctx} avgIou`);
  if (opts.ar) close(v.cocoAR, bruteCocoAR(d, q), `${ctx} cocoAR`);
  if (opts.explorer) {
    const ex = v.explorer();
    const got = new Map(ex.predictions.map((r) => [r.index, r]));
    for (let p = 0; p < b.pred.length; p++) {
      const want = b.pred[p];
      const row = got.get(p);
      if (!want) {
        expect(row, `${ctx} prediction ${p} should be filtered out`).toBeUndefined();
        continue;
      }
      expect(row, `${ctx} prediction ${p}`).toBeDefined();
      expect([row!.outcome, row!.reason, row!.candidate], `${ctx} prediction ${p}`).toEqual([want.outcome, want.reason, want.cand]);
      close(row!.iou, want.iou, `${ctx} prediction ${p} iou`);
    }
    expect(ex.predictions.length).toBe(b.pred.filter((x) => x).length);
    const lrows = new Map(ex.labels.map((r) => [r.index, r]));
    for (let l = 0; l < b.label.length; l++) {
      const want = b.label[l];
      const row = lrows.get(l);
      if (!want) {
        expect(row, `${ctx} label ${l} should be filtered out`).toBeUndefined();
        continue;
      }
      expect([row!.outcome, row!.reason, row!.matchedBy], `${ctx} label ${l}`).toEqual([want.outcome, want.reason, want.matchedBy]);
    }
    // outcome counts agree with the rows
    const o = v.outcomes().total;
    expect(o.tp).toBe(b.tp);
    expect(o.fp).toBe(b.fp);
    expect(o.fn).toBe(b.fn);
    for (const [reason, n] of Object.entries(o.fpReasons)) expect(n, reason).toBe(b.pred.filter((x) => x?.outcome === "FP" && x.reason === reason && b.classes.length).length);
    for (const [reason, n] of Object.entries(o.fnReasons)) expect(n, reason).toBe(b.label.filter((x) => x?.outcome === "FN" && x.reason === reason).length);
  }
}
