// Partial states and their merge: evaluations of disjoint image sets, merged, give the stats and the
// whole precision / recall / scores arrays of one evaluation of all the images, bit for bit; on
// pycocotools' own expected numbers too (the local parity set), on both backends, for bbox, segm and
// keypoints, with and without categories, custom parameters and score ties. The state file format
// refuses what it cannot have written; the merge refuses what does not add up.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../bindings/engine/engine.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { evaluateCoco, type CocoEvaluation } from "../../bindings/coco/evaluate.js";
import { type CocoState, CocoStateInputError, mergeCocoStates, shardImages } from "../../bindings/coco/state.js";
import { cocoStateFromJson, cocoStateToJson } from "../../bindings/coco/state-file.js";
import type { CocoSummary } from "../../bindings/coco/result.js";
import type { CocoParamsInput } from "../../bindings/coco/params.js";
import type { CocoId } from "../../bindings/coco/ids.js";
import type { GeometryEngine } from "../../bindings/geometry/types.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { generateCocoSet } from "../../bindings/synth/generate.js";
import { mulberry32 } from "../helpers/random.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const wasm = await createEngine();
const reference = new ReferenceGeometry();
const readGz = (dir: string, name: string) => JSON.parse(gunzipSync(readFileSync(join(LOCAL_FIXTURES, dir, name))).toString("utf8"));

type Json = Record<string, unknown>;
interface Inputs {
  gt: Json;
  dt: Json[];
}

/** Every array and stat of `a` and `b` the same bits (Object.is: -0, NaN and -1 cells included). */
function expectIdentical(got: CocoSummary, want: CocoSummary, what: string): void {
  expect(got.stats.length, what).toBe(want.stats.length);
  got.stats.forEach((v, i) => expect(Object.is(v, want.stats[i]), `${what}: stats[${i}] ${v} vs ${want.stats[i]}`).toBe(true));
  for (const key of ["precision", "recall", "scores"] as const) {
    const g = got[key];
    const w = want[key];
    expect(g.length, `${what}: ${key} length`).toBe(w.length);
    let bad = -1;
    for (let i = 0; i < w.length && bad < 0; i++) if (!Object.is(g[i], w[i])) bad = i;
    expect(bad, `${what}: ${key} differs first at ${bad}`).toBe(-1);
  }
  expect(got.perCategory(), what).toEqual(want.perCategory());
  expect(got.summary(), what).toBe(want.summary());
  expect(got.params.imgIds, what).toEqual(want.params.imgIds);
}

/** The states of `parts` (lists of image ids) of one input. */
function statesOf(engine: GeometryEngine, inp: Inputs, params: CocoParamsInput, parts: CocoId[][]): CocoState[] {
  const gt = parseCocoDataset(inp.gt);
  const dt = parseCocoResults(inp.dt, gt);
  return parts.map((imgIds) => evaluateCoco(engine, gt, dt, { ...params, imgIds }).state());
}

function whole(engine: GeometryEngine, inp: Inputs, params: CocoParamsInput): CocoEvaluation {
  const gt = parseCocoDataset(inp.gt);
  return evaluateCoco(engine, gt, parseCocoResults(inp.dt, gt), params);
}

/** A random partition of the ids into n non-empty-or-empty parts (not contiguous: any subsets merge). */
function randomParts(ids: readonly CocoId[], n: number, seed: number): CocoId[][] {
  const r = mulberry32(seed);
  const parts: CocoId[][] = Array.from({ length: n }, () => []);
  for (const id of ids) parts[Math.floor(r() * n)]!.push(id);
  return parts;
}

const roundTrip = (s: CocoState) => cocoStateFromJson(JSON.parse(JSON.stringify(cocoStateToJson(s))), "state.json");

/** Both merges: accumulate in TypeScript and in the wasm kernel; each must equal `want`. */
function expectMerged(states: CocoState[], want: CocoSummary, what: string): CocoSummary {
  const ts = mergeCocoStates(states);
  expectIdentical(ts, want, `${what} (TypeScript accumulate)`);
  const k = mergeCocoStates(states, { engine: wasm });
  expectIdentical(k, want, `${what} (wasm accumulate)`);
  return k;
}

const SMALL: Record<"bbox" | "segm", Inputs> = {
  bbox: { gt: readGz("synth_small", "gt.json.gz"), dt: readGz("synth_small", "dt_bbox.json.gz") },
  segm: { gt: readGz("synth_small", "gt.json.gz"), dt: readGz("synth_small", "dt_segm.json.gz") },
};

describe("merged shards equal the whole evaluation, bit for bit", () => {
  for (const iouType of ["bbox", "segm"] as const) {
    it(`synth_small ${iouType}: 1, 2, 3 and 7 contiguous shards, through the state file, equal the whole run and pycocotools`, () => {
      const inp = SMALL[iouType];
      const want = whole(wasm, inp, { iouType });
      const expected = JSON.parse(readFileSync(join(LOCAL_FIXTURES, "synth_small", `expected_${iouType}.json`), "utf8")) as { stats: number[] };
      for (const n of [1, 2, 3, 7]) {
        const parts = Array.from({ length: n }, (_, i) => shardImages(want.params.imgIds, i + 1, n));
        expect(parts.flat()).toEqual(want.params.imgIds);
        const merged = expectMerged(statesOf(wasm, inp, { iouType }, parts).map(roundTrip), want, `${n} shards`);
        merged.stats.forEach((v, i) => expect(Math.abs(v - expected.stats[i]!), `pycocotools stats[${i}]`).toBeLessThanOrEqual(1e-12));
      }
    });
  }

  it("synth_ties (score ties across shards): random partitions, wasm and TypeScript backends mixed", () => {
    const inp: Inputs = { gt: readGz("synth_ties", "gt.json.gz"), dt: readGz("synth_ties", "dt_bbox.json.gz") };
    const want = whole(wasm, inp, { iouType: "bbox" });
    for (let seed = 1; seed <= 4; seed++) {
      const parts = randomParts(want.params.imgIds, 2 + seed, seed);
      const a = statesOf(wasm, inp, { iouType: "bbox" }, parts);
      const b = statesOf(reference, inp, { iouType: "bbox" }, parts);
      // the two backends' states are the same state
      a.forEach((s, i) => expect(cocoStateToJson(s)).toEqual(cocoStateToJson(b[i]!)));
      const mixed = a.map((s, i) => (i % 2 ? b[i]! : s));
      expectMerged(mixed.map(roundTrip), want, `seed ${seed}`);
    }
  });

  it("generated sets (crowds, ties, empty images), custom parameters, without categories, both backends", () => {
    const params: CocoParamsInput[] = [
      { iouType: "bbox" },
      { iouType: "segm" },
      { iouType: "bbox", useCats: false },
      { iouType: "bbox", maxDets: [3, 7], iouThrs: [0.3, 0.5, 0.71], areaRng: [[0, 1e10], [0, 2000]], areaRngLbl: ["all", "small"] },
      { iouType: "segm", recThrs: [0, 0.25, 0.5, 1], catIds: [1, 3, 5] },
    ];
    for (let seed = 1; seed <= 3; seed++) {
      const set = generateCocoSet(wasm, { preset: "demo", images: 40, seed, crowdRate: 0.05, scoreDecimals: 2 });
      for (const p of params) {
        const inp: Inputs = { gt: set.gt as unknown as Json, dt: (p.iouType === "segm" ? set.dtSegm : set.dtBbox) as unknown as Json[] };
        for (const engine of [wasm, reference]) {
          const want = whole(engine, inp, p);
          const parts = randomParts(want.params.imgIds, 3, seed * 7);
          expectMerged(statesOf(engine, inp, p, parts).map(roundTrip), want, `seed ${seed} ${JSON.stringify(p)}`);
        }
      }
    }
  });

  it("keypoints (OKS, labels without visible points, an id-0 label), with and without categories", () => {
    const r = mulberry32(11);
    const images = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, width: 200, height: 200 }));
    const annotations: Json[] = [];
    const results: Json[] = [];
    let id = 0;
    for (const im of images) {
      for (let q = 0; q < 1 + Math.floor(r() * 3); q++) {
        const x = r() * 120;
        const y = r() * 120;
        const w = 20 + r() * 60;
        const kps: number[] = [];
        let visible = 0;
        for (let k = 0; k < 17; k++) {
          const v = r() < 0.7 ? 2 : 0;
          if (v) visible++;
          kps.push(x + r() * w, y + r() * w, v);
        }
        annotations.push({ id: id++, image_id: im.id, category_id: 1, bbox: [x, y, w, w], area: w * w, iscrowd: 0, keypoints: kps, num_keypoints: visible });
        for (let d = 0; d < 2; d++) {
          results.push({ image_id: im.id, category_id: 1, keypoints: kps.map((v, i) => (i % 3 === 2 ? 1 : v + (r() - 0.5) * 8 * (d + 1))), score: Math.round(r() * 10) / 10 });
        }
      }
    }
    const inp: Inputs = { gt: { images, annotations, categories: [{ id: 1, name: "person" }] }, dt: results };
    for (const p of [{ iouType: "keypoints" } as const, { iouType: "keypoints", useCats: false } as const]) {
      const want = whole(wasm, inp, p);
      expectMerged(statesOf(wasm, inp, p, randomParts(want.params.imgIds, 4, 3)).map(roundTrip), want, JSON.stringify(p));
    }
  });

  it("merge keeps the warnings once and names the categories as the dataset does", () => {
    const inp = SMALL.bbox;
    const want = whole(wasm, inp, { iouType: "bbox" });
    const merged = mergeCocoStates(statesOf(wasm, inp, { iouType: "bbox" }, randomParts(want.params.imgIds, 3, 5)));
    expect(merged.warnings).toEqual(want.warnings);
    expect(merged.perCategory().map((c) => c.name)).toEqual(want.perCategory().map((c) => c.name));
  });
});

describe("shardImages", () => {
  it("n contiguous ranges whose sizes differ by one at most, covering every image once", () => {
    const ids = Array.from({ length: 23 }, (_, i) => i * 3);
    for (const n of [1, 2, 5, 23, 30]) {
      const parts = Array.from({ length: n }, (_, i) => shardImages(ids, i + 1, n));
      expect(parts.flat()).toEqual(ids);
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(() => shardImages(ids, 0, 3)).toThrow(RangeError);
    expect(() => shardImages(ids, 4, 3)).toThrow(RangeError);
  });
});

describe("bad states and merges are refused with one line naming the problem", () => {
  const inp = SMALL.bbox;
  const all = whole(wasm, inp, { iouType: "bbox" }).params.imgIds;
  const parts = [shardImages(all, 1, 2), shardImages(all, 2, 2)];
  const [s1, s2] = statesOf(wasm, inp, { iouType: "bbox" }, parts) as [CocoState, CocoState];
  const json = () => JSON.parse(JSON.stringify(cocoStateToJson(s1))) as Json & { arrays: Record<string, string>; params: Json };
  const refused = (doc: unknown, message: RegExp) => {
    const f = () => cocoStateFromJson(doc, "a.json");
    expect(f).toThrow(CocoStateInputError);
    expect(f).toThrow(message);
  };
  const b64 = (a: ArrayLike<number>, C: Int32ArrayConstructor | Uint8ArrayConstructor | Float64ArrayConstructor) => Buffer.from(new C(Array.from(a)).buffer).toString("base64");

  it("state files", () => {
    refused([], /^a\.json: format: not a detection-eval COCO state/);
    refused({ ...json(), format: "x" }, /^a\.json: format:/);
    refused({ ...json(), version: 2 }, /^a\.json: version: expected 1, got 2/);
    refused({ ...json(), shard: { index: 3, count: 2 } }, /^a\.json: shard: expected null or/);
    refused({ ...json(), params: { ...json().params, iouType: "mask" } }, /^a\.json: params\.iouType: expected bbox, segm, keypoints, boundary or rotated/);
    refused({ ...json(), params: { ...json().params, imgIds: [...s1.params.imgIds].reverse() } }, /^a\.json: params\.imgIds: expected the sorted, unique values/);
    refused({ ...json(), categoryNames: [] }, /^a\.json: categoryNames: expected \d+ names/);
    refused({ ...json(), detections: -1 }, /^a\.json: detections: expected a count, got -1/);
    const j = json();
    refused({ ...j, arrays: { ...j.arrays, score: "!!" } }, /^a\.json: arrays\.score: expected a base64 string/);
    refused({ ...j, arrays: { ...j.arrays, score: j.arrays.score!.slice(0, 8) } }, /^a\.json: arrays\.score: expected \d+ values, got 0\.75/);
    const status = new Uint8Array(Buffer.from(j.arrays.status!, "base64"));
    status[5] = 3;
    refused({ ...j, arrays: { ...j.arrays, status: Buffer.from(status).toString("base64") } }, /^a\.json: arrays\.status\[5\]: expected 0 \(ignored\), 1 \(true positive\) or 2 \(false positive\), got 3/);
    const image = Array.from(s1.blockImage);
    image[0] = s1.params.imgIds.length;
    refused({ ...j, arrays: { ...j.arrays, blockImage: b64(image, Int32Array) } }, /^a\.json: arrays\.blockImage\[0\]: expected a position in params\.imgIds/);
    image[0] = image[1]!;
    const cats = Array.from(s1.blockCategory);
    cats[0] = cats[1]!;
    refused({ ...j, arrays: { ...j.arrays, blockImage: b64(image, Int32Array), blockCategory: b64(cats, Int32Array) } }, /^a\.json: arrays\.blockImage\[1\]: a second block of the same image and category/);
    const starts = Array.from(s1.blockDtStart);
    [starts[1], starts[2]] = [starts[2]!, starts[1]!];
    refused({ ...j, arrays: { ...j.arrays, blockDtStart: b64(starts, Int32Array) } }, /^a\.json: arrays\.blockDtStart\[2\]: offsets must not decrease/);
  });

  it("merges", () => {
    const fails = (states: CocoState[], message: RegExp) => {
      const f = () => mergeCocoStates(states, { labels: ["a.json", "b.json", "c.json"] });
      expect(f).toThrow(CocoStateInputError);
      expect(f).toThrow(message);
    };
    fails([], /^no states given/);
    fails([s1, s1], /^b\.json: image .* is in a\.json too/);
    const other = statesOf(wasm, inp, { iouType: "bbox", maxDets: [1, 10, 50] }, [parts[1]!])[0]!;
    fails([s1, other], /^b\.json: evaluated with other parameters than a\.json \(params\.maxDets differs\)/);
    const sh = (s: CocoState, index: number, count: number): CocoState => ({ ...s, shard: { index, count } });
    fails([sh(s1, 1, 3), sh(s2, 2, 3)], /^shard 3\/3 missing/);
    fails([sh(s1, 1, 2), sh(s2, 1, 2)], /^b\.json: shard 1\/2 is given twice \(also a\.json\)/);
    fails([sh(s1, 1, 2), sh(s2, 2, 3)], /^b\.json: shard 2\/3, but a\.json is one of 2 shards/);
    fails([sh(s1, 1, 2), s2], /^b\.json: not a shard/);
    expect(() => mergeCocoStates([{} as CocoState])).toThrow(TypeError);
    // and the right ones merge
    expect(mergeCocoStates([sh(s2, 2, 2), sh(s1, 1, 2)]).stats).toEqual(whole(wasm, inp, { iouType: "bbox" }).stats);
  });
});
