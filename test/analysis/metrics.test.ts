// The metric pages of analysis mode: the fast metric correlation / metric performance (presorted columns,
// one pass per question) against straightforward computations written here, the streaming explorer
// exports against the row objects, and the image metrics from RGBA pixels against values computed by hand.
import { describe, expect, it } from "vitest";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { argsortFinite, sortColumn, subsetCorrelation } from "../../bindings/analysis/stats.js";
import { imagePixelMetrics, lumaOf } from "../../bindings/analysis/pixels.js";
import type { AnalysisView, AtOptions, PerformanceBin } from "../../bindings/analysis/analysis.js";
import type { AnalysisInput, ImageInfo } from "../../bindings/analysis/types.js";
import { encodeAnalysis, decodeAnalysis } from "../../bindings/report/data.js";
import { randomInput, rng } from "../helpers/analysis.js";

const engine = new ReferenceGeometry();

// ---- straightforward reference implementations --------------------------------------------------------

function refPearson(x: number[], y: number[]): number {
  const n = x.length;
  if (n < 2) return NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  // a constant variable (exactly: every value equal) has no correlation
  if (x.every((v) => v === x[0]) || y.every((v) => v === y[0])) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** average ranks 1..n, by an O(n^2) count: rank = #smaller + (#equal + 1) / 2 */
function refRanks(x: number[]): number[] {
  return x.map((v) => {
    let less = 0,
      eq = 0;
    for (const w of x) {
      if (w < v) less++;
      else if (w === v) eq++;
    }
    return less + (eq + 1) / 2;
  });
}

function refSpearman(x: number[], y: number[]): number {
  if (x.length < 2) return NaN;
  if (x.every((v) => v === x[0]) || y.every((v) => v === y[0])) return NaN;
  return refPearson(refRanks(x), refRanks(y));
}

const closeTo = (a: number, b: number, what: string, tol = 1e-12) => {
  if (Number.isNaN(b)) expect(a, what).toBeNaN();
  else expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(tol);
};

/** The samples of one metric, from the explorer rows (outcome) and the metric column: the page's definition. */
function refSamples(v: AnalysisView, col: Float64Array, target: "predictions" | "labels"): { x: number[]; y: number[] } {
  const ex = v.explorer();
  const x: number[] = [];
  const y: number[] = [];
  if (target === "predictions") {
    for (const r of ex.predictions) {
      if (r.outcome === "ignored" || !Number.isFinite(col[r.index])) continue;
      x.push(col[r.index]!);
      y.push(r.outcome === "TP" ? 1 : 0);
    }
  } else {
    for (const r of ex.labels) {
      if (r.crowd || !Number.isFinite(col[r.index])) continue;
      x.push(col[r.index]!);
      y.push(r.outcome === "TP" ? 1 : 0);
    }
  }
  return { x, y };
}

/** Equal-count bins the obvious way: sort (value, index) pairs, cut at floor(b n / B). */
function refBins(xs: number[], ys: number[], idx: number[], B: number, target: "predictions" | "labels"): PerformanceBin[] {
  const o = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]! || idx[a]! - idx[b]!);
  const n = xs.length;
  const out: PerformanceBin[] = [];
  for (let b = 0; b < B; b++) {
    const lo = Math.floor((b * n) / B);
    const hi = Math.floor(((b + 1) * n) / B);
    if (hi <= lo) continue;
    const part = o.slice(lo, hi);
    const tp = part.reduce((s, i) => s + ys[i]!, 0);
    const count = hi - lo;
    out.push({
      min: xs[part[0]!]!,
      max: xs[part[count - 1]!]!,
      count,
      tp,
      fp: target === "predictions" ? count - tp : 0,
      fn: target === "labels" ? count - tp : 0,
      precision: target === "predictions" ? tp / count : NaN,
      fnRate: target === "labels" ? (count - tp) / count : NaN,
    });
  }
  return out;
}

/** Random questions: thresholds, confidences, class / image / prediction / label / metric-range subsets. */
function questions(input: AnalysisInput, seed: number): AtOptions[] {
  const r = rng(seed);
  const some = <T,>(xs: readonly T[]) => xs.filter(() => r() < 0.6);
  const qs: AtOptions[] = [{ iou: 0.5 }, { iou: 0.1 }, { iou: 0.9, confidence: 0.4 }];
  for (let i = 0; i < 5; i++) {
    const q: AtOptions = { iou: [0.2, 0.5, 0.7][i % 3], confidence: r() < 0.5 ? 0.3 : undefined };
    if (r() < 0.5) q.classes = some(input.categories.map((c) => c.id));
    if (r() < 0.5) q.images = some(input.images.map((m) => m.id));
    if (r() < 0.4) q.predictions = input.predictions.map(() => r() < 0.7);
    if (r() < 0.4) q.labels = input.labels.map(() => r() < 0.7);
    if (r() < 0.3) q.metricRanges = [{ metric: "area", min: 10 + r() * 30 }];
    qs.push(q);
  }
  return qs;
}

describe("metric correlation and metric performance (fast path) equal straightforward computations", () => {
  it("random inputs, random subsets, every metric (with user metrics with ties and NaN)", () => {
    let checked = 0;
    let defined = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const input = randomInput(seed, { images: 4 + (seed % 3) });
      const r = rng(seed * 13);
      const tied = input.predictions.map(() => (r() < 0.15 ? NaN : Math.floor(r() * 4) - 1.5));
      const wide = input.labels.map(() => (r() < 0.1 ? NaN : r() < 0.3 ? -0 : (r() - 0.5) * 1e6));
      const a = analyze(engine, input, { candidates: seed % 2 ? "same-class" : "any-class", metrics: { predictions: { tied }, labels: { wide } } });
      for (const q of questions(input, seed)) {
        const v = a.at(q);
        const rows = v.metricCorrelation();
        expect(rows.length).toBe(a.predictionMetricNames.length + a.labelMetricNames.length);
        for (const row of rows) {
          const col = a.metric(row.target, row.metric)!;
          const { x, y } = refSamples(v, col, row.target);
          const what = `seed ${seed} ${JSON.stringify(q).slice(0, 80)} ${row.target}.${row.metric}`;
          expect(row.n, what).toBe(x.length);
          closeTo(row.pearson, refPearson(x, y), `${what} pearson`);
          closeTo(row.spearman, refSpearman(x, y), `${what} spearman`);
          checked++;
          if (Number.isFinite(row.pearson) && Number.isFinite(row.spearman)) defined++;
        }
        for (const target of ["predictions", "labels"] as const) {
          for (const metric of target === "predictions" ? ["confidence", "tied", "area"] : ["wide", "objectsPerImage", "maxIouWithOtherLabel"]) {
            const col = a.metric(target, metric)!;
            const ex = v.explorer();
            const rowsOf = target === "predictions" ? ex.predictions.filter((p) => p.outcome !== "ignored") : ex.labels.filter((l) => !l.crowd);
            const kept = rowsOf.filter((row) => Number.isFinite(col[row.index]));
            const xs = kept.map((row) => col[row.index]!);
            const ys = kept.map((row) => (row.outcome === "TP" ? 1 : 0));
            for (const B of [1, 3, 10]) {
              const got = v.metricPerformance(metric, { target, bins: B });
              expect(got, `${metric} ${B}`).toEqual(refBins(xs, ys, kept.map((row) => row.index), B, target));
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(defined).toBeGreaterThan(checked / 2);
  });

  it("subsetCorrelation on large tied, signed, non-finite columns and random subsets", () => {
    const r = rng(99);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(r() * 400);
      const kind = trial % 4;
      const col = new Float64Array(n).map(() => {
        const u = r();
        if (u < 0.05) return NaN;
        if (u < 0.07) return u < 0.06 ? Infinity : -Infinity;
        if (kind === 0) return Math.floor(r() * 5) - 2; // heavy ties
        if (kind === 1) return (r() - 0.5) * 1e-150; // tiny scale
        if (kind === 2) return 1e9 + Math.floor(r() * 10) * 1e-6; // far from 0, small spread
        return r() < 0.5 ? 0 : -0;
      });
      const codes = new Int8Array(n).map(() => (r() < 0.3 ? -1 : r() < 0.4 ? 1 : 0));
      const got = subsetCorrelation(col, sortColumn(col), codes);
      const x: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++)
        if (codes[i]! >= 0 && Number.isFinite(col[i])) {
          x.push(col[i]!);
          y.push(codes[i]!);
        }
      expect(got.n).toBe(x.length);
      closeTo(got.pearson, refPearson(x, y), `trial ${trial} pearson`, 1e-9);
      closeTo(got.spearman, refSpearman(x, y), `trial ${trial} spearman`, 1e-12);
    }
  });

  it("argsortFinite is a stable sort of the finite values (-0 equals 0)", () => {
    const r = rng(7);
    const specials = [0, -0, 1e-310, -1e-310, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, -(2 ** 53), 0.1, -0.1];
    for (let trial = 0; trial < 40; trial++) {
      const n = Math.floor(r() * 3000);
      const col = new Float64Array(n).map(() => {
        const u = r();
        if (u < 0.05) return NaN;
        if (u < 0.08) return r() < 0.5 ? Infinity : -Infinity;
        if (u < 0.3) return specials[Math.floor(r() * specials.length)]!;
        if (u < 0.6) return Math.floor(r() * 50) - 25;
        return (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10);
      });
      const want = [...col.keys()].filter((i) => Number.isFinite(col[i])).sort((a, b) => col[a]! - col[b]! || a - b);
      expect([...argsortFinite(col)]).toEqual(want);
      const sc = sortColumn(col);
      expect([...sc.order].map((e) => e & 0x7fffffff)).toEqual(want);
      expect([...sc.order].map((e, i) => e < 0)).toEqual(want.map((q, i) => i === 0 || col[q] !== col[want[i - 1]!]));
    }
  });

  it("a column replaced by addMetric is re-sorted", () => {
    const input = randomInput(11, { images: 5 });
    const a = analyze(engine, input);
    const n = input.predictions.length;
    a.addMetric("predictions", "m", Array.from({ length: n }, (_, i) => i));
    const before = a.at({ iou: 0.5 }).metricCorrelation().find((x) => x.metric === "m")!;
    a.addMetric("predictions", "m", Array.from({ length: n }, (_, i) => -i));
    const after = a.at({ iou: 0.5 }).metricCorrelation().find((x) => x.metric === "m")!;
    closeTo(after.pearson, -before.pearson, "pearson flips");
    closeTo(after.spearman, -before.spearman, "spearman flips");
  });
});

describe("explorer exports", () => {
  /** the former implementation: CSV from the row objects */
  function csvFromRows(v: AnalysisView): string {
    const { predictions, labels } = v.explorer();
    const esc = (x: unknown): string => {
      if (x === null || x === undefined || (typeof x === "number" && Number.isNaN(x))) return "";
      const s = String(x);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const lines = ["kind,index,id,imageId,categoryId,confidence,candidate,candidateId,candidateCategoryId,iou,matchedBy,outcome,reason"];
    for (const r of predictions)
      lines.push(["prediction", r.index, r.id, r.imageId, r.categoryId, r.confidence, r.candidate, r.candidateId, r.candidateCategoryId, r.iou, "", r.outcome, r.reason].map(esc).join(","));
    for (const r of labels) lines.push(["label", r.index, r.id, r.imageId, r.categoryId, "", "", "", "", r.bestIou, r.matchedBy, r.outcome, r.reason].map(esc).join(","));
    return lines.join("\n") + "\n";
  }

  it("CSV and JSON equal the row objects' serialisation, whole and in chunks; ids needing quotes", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const base = randomInput(seed, { images: 4 });
      // string ids with commas and quotes, numeric ids, missing ids
      const input: AnalysisInput = {
        ...base,
        images: base.images.map((m, i) => ({ ...m, id: i % 2 ? `img "${i}", x` : m.id })),
        categories: base.categories.map((c, k) => ({ ...c, id: k % 2 ? `cat,${k}` : c.id })),
        predictions: base.predictions.map((p, i) => ({ ...p, id: i % 3 === 0 ? undefined : i % 3 === 1 ? i : `p"${i}` })),
        labels: base.labels.map((l, i) => ({ ...l, id: i % 2 ? undefined : `l\n${i}` })),
      };
      const a = analyze(engine, input);
      for (const q of questions(input, seed)) {
        const fresh = () => a.at(q);
        const want = csvFromRows(fresh());
        expect(fresh().explorerCsv()).toBe(want);
        expect([...fresh().explorerCsvChunks(3)].join("")).toBe(want);
        const json = JSON.stringify(fresh().explorer());
        expect(fresh().explorerJson()).toBe(json);
        expect([...fresh().explorerJsonChunks(2)].join("")).toBe(json);
        const v = fresh();
        v.explorer();
        expect(v.explorerJson()).toBe(json);
      }
    }
  });
});

// ---- image metrics from pixels -------------------------------------------------------------------------

function rgbaOf(width: number, height: number, f: (x: number, y: number) => [number, number, number, number?]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = f(x, y);
      out.set([r, g, b, a ?? 255], (y * width + x) * 4);
    }
  return out;
}

describe("image metrics from RGBA pixels", () => {
  it("luma is OpenCV's 8-bit RGB->gray", () => {
    const px = rgbaOf(5, 1, (x) => [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [37, 37, 37]][x] as [number, number, number]);
    expect([...lumaOf(px, 5, 1)]).toEqual([76, 150, 29, 255, 37]);
  });

  it("constant image: brightness = gray / 255, contrast 0, sharpness 0", () => {
    for (const [w, h] of [[1, 1], [1, 7], [6, 1], [9, 4]] as const) {
      const m = imagePixelMetrics(rgbaOf(w, h, () => [100, 100, 100]), w, h);
      expect(m).toEqual({ brightness: 100 / 255, contrast: 0, sharpness: 0 });
    }
  });

  it("checkerboards: every Laplacian is +-1020", () => {
    const board = (w: number, h: number) => rgbaOf(w, h, (x, y) => ((x + y) % 2 ? [0, 0, 0] : [255, 255, 255]));
    // even sides: half white
    expect(imagePixelMetrics(board(8, 6), 8, 6)).toEqual({ brightness: 0.5, contrast: 0.5, sharpness: 1020 * 1020 });
    // 3x3: 5 white, 4 black; Laplacian -1020 on white, +1020 on black (reflect-101 borders keep the pattern)
    const m = imagePixelMetrics(board(3, 3), 3, 3);
    expect(m.brightness).toBeCloseTo(5 / 9, 14);
    expect(m.contrast).toBeCloseTo(Math.sqrt((5 / 9) * (4 / 9)), 14);
    expect(m.sharpness).toBeCloseTo(1020 * 1020 * (1 - 1 / 81), 8);
  });

  it("a 3x1 line [0, 255, 0] by hand; alpha is ignored", () => {
    // luma [0, 255, 0]; one row, so up = down = itself: L = [255+255+0+0-0, 0+0+255+255-1020, 510] = [510, -510, 510]
    const px = rgbaOf(3, 1, (x) => (x === 1 ? [255, 255, 255, 0] : [0, 0, 0, 17]));
    const m = imagePixelMetrics(px, 3, 1);
    expect(m.brightness).toBeCloseTo(1 / 3, 15);
    expect(m.contrast).toBeCloseTo(Math.sqrt(2 / 9), 15);
    expect(m.sharpness).toBeCloseTo(((510 - 170) ** 2 * 2 + (510 + 170) ** 2) / 3, 9); // 231200
    expect(m.sharpness).toBeCloseTo(231200, 9);
    // plain number arrays too (clamped and rounded like a Uint8ClampedArray)
    expect(imagePixelMetrics(Array.from(px, (v, i) => (i % 4 === 3 ? 0 : v === 255 ? 300 : -4)), 3, 1)).toEqual(m);
  });

  it("a vertical edge: Laplacian only next to it", () => {
    // 4x3, columns luma [0, 0, 255, 255]: L per column = [0, 255, -255, 0] on every row
    const px = rgbaOf(4, 3, (x) => (x < 2 ? [0, 0, 0] : [255, 255, 255]));
    const m = imagePixelMetrics(px, 4, 3);
    expect(m.brightness).toBe(0.5);
    expect(m.contrast).toBe(0.5);
    expect(m.sharpness).toBe((255 * 255 * 2) / 4);
  });

  it("rejects bad pixel arrays with a named path", () => {
    expect(() => imagePixelMetrics(new Uint8ClampedArray(11), 2, 2)).toThrow(/^pixels\.rgba: expected 16 values/);
    expect(() => imagePixelMetrics(new Uint8ClampedArray(0), 0, 2)).toThrow(/^pixels: width and height must be positive integers/);
  });

  const twoImages = (): AnalysisInput => {
    const base = randomInput(21, { images: 3, classes: 2 });
    return base;
  };

  it("become image metrics of every prediction and label of the image, usable by every metric page", () => {
    const input = twoImages();
    const a = analyze(engine, input);
    expect(a.predictionMetricNames).not.toContain("brightness");
    const [i0, i1] = input.images as [ImageInfo, ImageInfo];
    const px0 = rgbaOf(i0.width, i0.height, (x, y) => ((x + y) % 2 ? [0, 0, 0] : [255, 255, 255]));
    const px1 = rgbaOf(i1.width, i1.height, (x) => [x * 5, x * 5, x * 5]);
    const m0 = a.addImagePixels(i0.id, px0, i0.width, i0.height);
    expect(m0).toEqual(imagePixelMetrics(px0, i0.width, i0.height));
    for (const name of ["brightness", "contrast", "sharpness"] as const) {
      expect(a.predictionMetricNames).toContain(name);
      expect(a.labelMetricNames).toContain(name);
      const pc = a.metric("predictions", name)!;
      const lc = a.metric("labels", name)!;
      input.predictions.forEach((p, q) => (p.image === 0 ? expect(pc[q]).toBe(m0[name]) : expect(pc[q]).toBeNaN()));
      input.labels.forEach((l, i) => (l.image === 0 ? expect(lc[i]).toBe(m0[name]) : expect(lc[i]).toBeNaN()));
      expect(a.imageMetric(name)![0]).toBe(m0[name]);
      expect(a.imageMetric(name)![1]).toBeNaN();
    }
    const n0 = input.predictions.filter((p) => p.image === 0).length;
    const v = a.at({ iou: 0.5 });
    const row = v.metricCorrelation().find((r) => r.target === "predictions" && r.metric === "brightness")!;
    expect(row.n).toBe(v.explorer().predictions.filter((r) => r.outcome !== "ignored" && input.predictions[r.index]!.image === 0).length);
    expect(row.n).toBeLessThanOrEqual(n0);
    expect(row.pearson).toBeNaN(); // one image: a constant metric
    // a second image: two values, correlations defined as for any metric
    const m1 = a.addImagePixels(i1.id, px1, i1.width, i1.height);
    const w = a.at({ iou: 0.5 });
    for (const r of w.metricCorrelation().filter((x) => ["brightness", "contrast", "sharpness"].includes(x.metric))) {
      const { x, y } = refSamples(w, a.metric(r.target, r.metric)!, r.target);
      expect(r.n).toBe(x.length);
      closeTo(r.pearson, refPearson(x, y), `${r.target}.${r.metric}`);
      closeTo(r.spearman, refSpearman(x, y), `${r.target}.${r.metric}`);
    }
    const bins = w.metricPerformance("sharpness", { bins: 2 });
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(w.metricCorrelation().find((x) => x.metric === "sharpness")!.n);
    expect(bins[0]!.min).toBe(Math.min(m0.sharpness, m1.sharpness));
    // a metric range on an image metric keeps the objects of the matching images
    const bright = a.at({ iou: 0.5, metricRanges: [{ metric: "brightness", min: m0.brightness, max: m0.brightness }] });
    const only0 = a.at({ iou: 0.5, images: [i0.id] });
    expect(bright.summary()).toEqual(only0.summary());
  });

  it("the analyze option equals the method; errors; reserved names; carried by the report encoding", async () => {
    const input = twoImages();
    const i0 = input.images[0]!;
    const px = rgbaOf(i0.width, i0.height, (x, y) => [(x * 31 + y * 7) % 256, (x * y) % 256, 200, 255]);
    const a = analyze(engine, input, { pixels: [{ imageId: i0.id, rgba: px, width: i0.width, height: i0.height }] });
    const b = analyze(engine, input);
    b.addImagePixels(i0.id, px, i0.width, i0.height);
    expect(a.at({ iou: 0.4 }).metricCorrelation()).toEqual(b.at({ iou: 0.4 }).metricCorrelation());
    expect(() => b.addImagePixels("nope", px, i0.width, i0.height)).toThrow(/^pixels\.imageId: no image with id "nope"/);
    expect(() => b.addImagePixels(i0.id, px, i0.width + 1, i0.height)).toThrow(/^pixels: pixels are \d+x\d+, image .* is \d+x\d+/);
    expect(() => analyze(engine, input, { pixels: [{ imageId: i0.id, rgba: px.subarray(4), width: i0.width, height: i0.height }] })).toThrow(
      /^pixels\[0\]\.rgba: expected \d+ values/,
    );
    expect(() => b.addMetric("predictions", "brightness", [])).toThrow(/a built-in metric has this name/);
    expect(() => analyze(engine, input, { metrics: { labels: { sharpness: input.labels.map(() => 1) } } })).toThrow(/^metrics\.labels\.sharpness: a built-in metric/);
    const decoded = await decodeAnalysis(await encodeAnalysis(a, { compress: false }));
    expect([...decoded.metric("predictions", "contrast")!]).toEqual([...a.metric("predictions", "contrast")!]);
    expect(decoded.at({ iou: 0.4 }).metricCorrelation()).toEqual(a.at({ iou: 0.4 }).metricCorrelation());
  });
});
