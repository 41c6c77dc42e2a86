// The explorer's row model (report/page/explorer-rows.ts) against brute force over view.explorer()'s row
// objects: its row order (orderByKey) against Array.prototype.sort, and every filter, search and sort of random
// analyses (numeric, string and missing ids, crowds, ties, several classes and images).
import { beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../../bindings/analysis/analyze.js";
import type { Analysis, AnalysisView } from "../../bindings/analysis/analysis.js";
import type { AnalysisInput, ObjectInput } from "../../bindings/analysis/types.js";
import { createEngine } from "../../bindings/engine/engine.js";
import type { GeometryEngine } from "../../bindings/geometry/types.js";
import { EXPLORER_COLUMNS, type ExplorerColumn, ExplorerRows, orderByKey } from "../../bindings/report/page/explorer-rows.js";
import { Rng } from "../../bindings/synth/generate.js";

let engine: GeometryEngine;
beforeAll(async () => {
  engine = await createEngine();
});

describe("orderByKey", () => {
  it("is a stable ascending argsort of every row, -Infinity first, NaN last, on keys of every sign and magnitude", () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + Math.floor(rng.float() * 3000);
      const pool = [0, -0, 1, -1, 0.5, 1e-300, -1e-300, 1e300, -1e300, Infinity, -Infinity, Number.NaN, 3, 3, 3];
      const key = Float64Array.from({ length: n }, () => (rng.float() < 0.3 ? pool[Math.floor(rng.float() * pool.length)]! : (rng.float() - 0.5) * 10 ** Math.floor(rng.float() * 12 - 6)));
      const cmp = (a: number, b: number) => {
        const x = key[a]!;
        const y = key[b]!;
        if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
        return x < y ? -1 : x > y ? 1 : 0; // -0 and 0 tie
      };
      // Array.prototype.sort is stable: ties keep the row order
      expect(Array.from(orderByKey(key))).toEqual(Array.from({ length: n }, (_, i) => i).sort(cmp));
    }
  });
});

/** A random analysis input: boxes on a few 64 x 48 images, ids of every kind, crowds, confidence ties. */
function randomInput(seed: number): AnalysisInput {
  const rng = new Rng(seed);
  const images = Array.from({ length: 2 + Math.floor(rng.float() * 5) }, (_, i) => ({ id: i % 2 ? `img-${i}` : i * 10, width: 64, height: 48, ...(i === 1 ? {} : { name: `Photo_${i}.JPG` }) }));
  const categories = ["Car", "person", "Bicycle", "zebra"].slice(0, 1 + Math.floor(rng.float() * 4)).map((name, i) => ({ id: i + 1, name }));
  const box = (): [number, number, number, number] => {
    const x = Math.floor(rng.float() * 50);
    const y = Math.floor(rng.float() * 36);
    return [x, y, 2 + Math.floor(rng.float() * 14), 2 + Math.floor(rng.float() * 12)];
  };
  const id = (i: number, prefix: string) => (rng.float() < 0.2 ? undefined : rng.float() < 0.5 ? i * 3 + 1 : `${prefix}${Math.floor(rng.float() * 1000)}`);
  const object = (i: number, prefix: string, pred: boolean): ObjectInput => {
    const o = { image: Math.floor(rng.float() * images.length), category: Math.floor(rng.float() * categories.length), shape: { kind: "box" as const, box: box() } };
    const oid = id(i, prefix);
    return {
      ...o,
      ...(oid !== undefined ? { id: oid } : {}),
      ...(pred ? { confidence: rng.float() < 0.2 ? 0.5 : Math.round(rng.float() * 100) / 100 } : rng.float() < 0.05 ? { crowd: true } : {}),
    };
  };
  const labels = Array.from({ length: Math.floor(rng.float() * 60) }, (_, i) => object(i, "L", false));
  // predictions near labels, and some anywhere
  const predictions = Array.from({ length: Math.floor(rng.float() * 80) }, (_, i) => {
    const l = labels[Math.floor(rng.float() * labels.length)];
    const p = object(i, "P", true);
    if (l && rng.float() < 0.7 && l.shape.kind === "box") {
      const [x, y, w, h] = l.shape.box;
      return { ...p, image: l.image, category: rng.float() < 0.8 ? l.category : p.category, shape: { kind: "box" as const, box: [x + Math.round(rng.float() * 4 - 2), y + Math.round(rng.float() * 4 - 2), w, h] as [number, number, number, number] } };
    }
    return p;
  });
  return { images, categories, labels, predictions };
}

/** Every row of the view as brute force sees it: its text per column and its numeric value where it has one. */
function bruteRows(a: Analysis, v: AnalysisView) {
  const ex = v.explorer();
  const nP = a.p.nPred;
  const img = new Map(a.images.map((im) => [im.id, im.name ?? String(im.id)]));
  const cls = new Map(a.categories.map((c) => [c.id, c.name]));
  const predId = (q: number) => (a.p.predIds[q] === undefined ? `#${q}` : String(a.p.predIds[q]));
  const labelId = (l: number) => (a.p.labelIds[l] === undefined ? `#${l}` : String(a.p.labelIds[l]));
  const pArea = a.metric("predictions", "area")!;
  const lArea = a.metric("labels", "area")!;
  return [
    ...ex.predictions.map((p) => ({
      row: p.index,
      kind: "prediction",
      id: predId(p.index),
      rawId: a.p.predIds[p.index],
      image: img.get(p.imageId)!,
      class: cls.get(p.categoryId)!,
      confidence: p.confidence,
      outcome: p.outcome,
      reason: p.reason ?? "",
      iou: p.candidate >= 0 ? p.iou : Number.NaN,
      partner: p.candidate >= 0 ? nP + p.candidate : -1,
      area: pArea[p.index]!,
    })),
    ...ex.labels.map((l) => ({
      row: nP + l.index,
      kind: "label",
      id: labelId(l.index),
      rawId: a.p.labelIds[l.index],
      image: img.get(l.imageId)!,
      class: cls.get(l.categoryId)!,
      confidence: Number.NaN,
      outcome: l.outcome === "crowd" ? "ignored" : l.outcome,
      reason: l.reason ?? "",
      iou: l.bestIou ?? Number.NaN,
      partner: l.matchedBy,
      area: lArea[l.index]!,
    })),
  ];
}
type Brute = ReturnType<typeof bruteRows>[number];

/** Brute-force order of a column: numbers by value, text by code units, blanks (NaN) last; ties by row. */
function bruteSort(rows: Brute[], column: ExplorerColumn, desc: boolean, all: Brute[]): Brute[] {
  const byRow = new Map(all.map((r) => [r.row, r]));
  const outcomeOrder = ["TP", "FP", "FN", "ignored"];
  const idKey = (r: Brute | undefined): [number, number | string] => {
    if (!r) return [3, 0];
    return typeof r.rawId === "number" ? [0, r.rawId] : typeof r.rawId === "string" ? [1, r.rawId] : [2, Number(r.id.slice(1))];
  };
  const cmpId = (x: Brute | undefined, y: Brute | undefined) => {
    const [gx, vx] = idKey(x);
    const [gy, vy] = idKey(y);
    return gx - gy || (vx < vy ? -1 : vx > vy ? 1 : 0);
  };
  const num = (r: Brute): number => {
    switch (column) {
      case "kind":
        return r.kind === "label" ? 1 : 0;
      case "confidence":
        return r.confidence;
      case "outcome":
        return outcomeOrder.indexOf(r.outcome);
      case "iou":
        return r.iou;
      case "area":
        return r.area;
      default:
        return 0;
    }
  };
  const text = (r: Brute): string => (column === "image" ? r.image : column === "class" ? r.class : r.reason);
  const cmp = (x: Brute, y: Brute): number => {
    const sign = desc ? -1 : 1;
    if (column === "id") return sign * cmpId(x, y);
    if (column === "partner") {
      const px = x.partner >= 0 ? x.partner : undefined;
      const py = y.partner >= 0 ? y.partner : undefined;
      if (px === undefined || py === undefined) return px === py ? 0 : px === undefined ? 1 : -1;
      // partners are rows of the whole analysis: order them by id (then row), as the id column does
      const rx = byRow.get(px);
      const ry = byRow.get(py);
      return sign * (cmpId(rx, ry) || px - py);
    }
    if (column === "image" || column === "class" || column === "reason") {
      const a = text(x);
      const b = text(y);
      if (column === "reason" && (!a || !b)) return a === b ? 0 : !a ? 1 : -1;
      return sign * (a < b ? -1 : a > b ? 1 : 0);
    }
    const a = num(x);
    const b = num(y);
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return sign * (a < b ? -1 : a > b ? 1 : 0);
  };
  return [...rows].sort((x, y) => cmp(x, y) || x.row - y.row);
}

describe("ExplorerRows", () => {
  it("lists, filters, searches and sorts exactly the rows brute force finds, on random analyses", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const input = randomInput(seed);
      const a = analyze(engine, input);
      const rows = new ExplorerRows(a);
      // half the seeds with everything built ahead (the page does it while idle): the same rows either way
      if (seed % 2 === 0) {
        let steps = 0;
        while (rows.prepare(EXPLORER_COLUMNS.flatMap((column) => [{ column, desc: false }, { column, desc: true }]))) steps++;
        expect(steps).toBeGreaterThan(1);
      }
      for (const opts of [{ iou: 0.5 }, { iou: 0.75, confidence: 0.3 }, { iou: 0.4, classes: [1] }]) {
        const v = a.at(opts);
        rows.setView(v);
        const brute = bruteRows(a, v);
        const what = `seed ${seed} ${JSON.stringify(opts)}`;
        expect(Array.from(rows.rows()), what).toEqual(brute.map((r) => r.row));
        for (const r of brute) {
          expect(rows.cell(r.row, "id"), what).toBe(r.id);
          expect(rows.cell(r.row, "image"), what).toBe(r.image);
          expect(rows.cell(r.row, "reason"), what).toBe(r.reason);
          expect(rows.cell(r.row, "outcome"), what).toBe(r.kind === "label" && r.outcome === "ignored" ? "crowd" : r.outcome);
        }
        for (const outcome of ["TP", "FP", "FN", "ignored"] as const)
          for (const kind of ["all", "predictions", "labels"] as const)
            expect(Array.from(rows.rows({ outcome, kind })), `${what} ${outcome} ${kind}`).toEqual(
              brute.filter((r) => r.outcome === outcome && (kind === "all" || (kind === "labels") === (r.kind === "label"))).map((r) => r.row),
            );
        for (const q of ["photo_2", "CAR", "img-1", "fp", "no pred", "1", "#3", "zz"]) {
          const s = q.toLowerCase();
          const hit = (r: Brute) => [r.image, r.class, r.id, r.outcome, r.outcome === "ignored" ? "crowd" : "", r.reason].some((t) => t.toLowerCase().includes(s));
          expect(Array.from(rows.rows({ search: q })), `${what} search ${q}`).toEqual(brute.filter(hit).map((r) => r.row));
        }
        for (const column of EXPLORER_COLUMNS)
          for (const desc of [false, true])
            expect(Array.from(rows.rows({ sort: column, desc })), `${what} sort ${column} ${desc ? "desc" : "asc"}`).toEqual(bruteSort(brute, column, desc, bruteRows(a, a.at())).map((r) => r.row));
      }
    }
  });

  it("the flip filter lists the labels found by one view and missed by the other", () => {
    const input = randomInput(5);
    const a = analyze(engine, input);
    const rows = new ExplorerRows(a);
    const strict = a.at({ iou: 0.9 });
    const loose = a.at({ iou: 0.3 });
    rows.setView(loose);
    const here = loose.explorer().labels;
    const there = new Map(strict.explorer().labels.map((l) => [l.index, l.outcome]));
    const gained = here.filter((l) => l.outcome === "TP" && there.get(l.index) === "FN").map((l) => a.p.nPred + l.index);
    expect(gained.length).toBeGreaterThan(0);
    expect(Array.from(rows.rows({ flips: { other: strict, which: "gained" } }))).toEqual(gained);
    expect(Array.from(rows.rows({ flips: { other: strict, which: "lost" } }))).toEqual([]);
  });
});
