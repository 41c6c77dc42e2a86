
import { readFileSync, } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { cocoDatasetOf, readJsonFile } from "../../bindings/ingest/node-files.js";
import { isEncordJson, parseEncordJson } from "../../bindings/analysis/encord-format.js";
import { isLabelRows, parseLabelRows } from "../../bindings/analysis/label-rows.js";
import { readAnalysisGroundTruth, sniffFile } from "../../bindings/cli/analysis-input.js";
import type { CocoDataset } from "../../bindings/coco/inputs.js";
import type { AnalysisInput } from "../../bindings/analysis/types.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";
import { inputFiles } from "../helpers/input-files.js";

const inputs = inputFiles("analysis-input-");
const { file, fifo } = inputs;

function shapeDataset(d: CocoDataset): unknown {
  const a = d.annotations;
  return ["coco", d.images.ids, d.categories.ids, a.ids, Array.from(a.area), Array.from(a.box), Array.from(a.image), d.warnings];
}
const shapeInput = (i: AnalysisInput): unknown => ["encord", i];

type Outcome = string;
async function outcome(f: () => Promise<{ format: "coco"; gt: CocoDataset } | { format: "encord"; input: AnalysisInput }>): Promise<Outcome> {
  try {
    const r = await f();
    return JSON.stringify(r.format === "coco" ? shapeDataset(r.gt) : shapeInput(r.input));
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** What analyze read before: the whole text (readJsonFile), then the format of the parsed document. */
async function inMemory(gtPath: string, dtPath: string | undefined) {
  const gt = readJsonFile(gtPath);
  if (isLabelRows(gt)) return { format: "encord" as const, input: parseLabelRows(gt, dtPath !== undefined ? readJsonFile(dtPath) : undefined) };
  if (isEncordJson(gt)) return { format: "encord" as const, input: parseEncordJson(gt, dtPath !== undefined ? readJsonFile(dtPath) : undefined) };
  return { format: "coco" as const, gt: cocoDatasetOf(gt, gtPath) };
}

/** Every way of giving `gt` (and `dt`) has the in-memory outcome (file names aside). */
async function sameEverywhere(gt: string | Uint8Array, dt?: string | Uint8Array): Promise<string> {
  const plain = file(gt);
  const dtPlain = dt === undefined ? undefined : file(dt);
  const want = await outcome(() => inMemory(plain, dtPlain));
  const norm = (s: string, ...ps: (string | undefined)[]) => ps.reduce<string>((acc, p) => (p === undefined ? acc : acc.split(p).join("FILE")), s);
  const wantN = norm(want, plain, dtPlain);
  expect(norm(await outcome(() => readAnalysisGroundTruth(plain, dtPlain)), plain, dtPlain), "regular files").toBe(wantN);
  const gz = file(gzipSync(gt), ".json.gz");
  const dtGz = dt === undefined ? undefined : file(gzipSync(dt), ".json.gz");
  expect(norm(await outcome(() => readAnalysisGroundTruth(gz, dtGz)), gz, dtGz), "gzip").toBe(wantN);
  if (inputs.haveFifo) {
    const p = fifo(gt);
    const q = dt === undefined ? undefined : fifo(dt);
    expect(norm(await outcome(() => readAnalysisGroundTruth(p, q)), p, q), "pipes").toBe(wantN);
  }
  return wantN;
}

const COCO = {
  images: [
    { id: 1, width: 40, height: 40 },
    { id: 2, width: 40, height: 30 },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 10, 10], area: 100, iscrowd: 0, segmentation: [[1, 1, 11, 1, 11, 11, 1, 11]] },
    { id: 2, image_id: 2, category_id: 1, bbox: [5, 5, 10, 10], area: 100, iscrowd: 0 },
  ],
  categories: [{ id: 1, name: "a" }],
};
const ENCORD = {
  coordinates: "pixels",
  images: [
    { id: "a", width: 40, height: 30, name: "a.jpg" },
    { id: "b", width: 20, height: 20 },
  ],
  categories: [{ id: 1, name: "cat" }],
  labels: [
    { image: "a", class: 1, boundingBox: { x: 1, y: 2, w: 5, h: 4 } },
    { image: "b", class: "cat", polygon: [{ x: 1, y: 1 }, { x: 9, y: 1 }, { x: 5, y: 8 }], crowd: true },
  ],
};
const PREDICTIONS = { predictions: [{ image: "a", class: 1, confidence: 0.5, boundingBox: { x: 1, y: 2, w: 5, h: 5 } }] };
const box = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });
const ROWS = [
  {
    label_hash: "l1",
    data_units: { d1: { data_hash: "d1", data_title: "a.jpg", width: 100, height: 50, labels: { objects: [{ name: "car", objectHash: "o1", boundingBox: box(0.1, 0.2, 0.3, 0.4) }] } } },
  },
  { label_hash: "l2", data_units: { d2: { data_hash: "d2", width: 60, height: 50, labels: {} } } },
];
const PRED_ROWS = [{ data_units: { d1: { width: 100, height: 50, labels: { objects: [{ name: "car", confidence: 0.7, boundingBox: box(0.1, 0.2, 0.3, 0.5) }] } } } }];

const j = (v: unknown) => JSON.stringify(v, null, 1);

describe("readAnalysisGroundTruth: the in-memory readers' input and first problem, streamed", () => {
  it("valid inputs of the three formats", async () => {
    expect(await sameEverywhere(j(COCO))).toMatch(/^\["coco"/);
    expect(await sameEverywhere(gunzipSync(readFileSync(join(LOCAL_FIXTURES, "synth_small/gt.json.gz"))))).toMatch(/^\["coco"/);
    expect(await sameEverywhere(j(ENCORD))).toMatch(/^\["encord"/);
    expect(await sameEverywhere(j(ENCORD), j(PREDICTIONS))).toMatch(/"confidence":0.5/);
    expect(await sameEverywhere(j({ ...ENCORD, ...PREDICTIONS }))).toMatch(/"confidence":0.5/);
    expect(await sameEverywhere(j(ROWS), j(PRED_ROWS))).toMatch(/"confidence":0.7/);
    // key orders and repeated keys: the document's rule, not the first key's
    expect(await sameEverywhere(`{"labels": ${j(ENCORD.labels)}, "categories": [{"id": 1, "name": "cat"}], "coordinates": "pixels", "images": ${j(ENCORD.images)}}`)).toMatch(/^\["encord"/);
    expect(await sameEverywhere(`{"images": ${j(COCO.images)}, "labels": [], "categories": [], "annotations": []}`)).toMatch(/^\["coco"/);
    expect(await sameEverywhere(`{"images": 3, "labels": [], "images": ${j(ENCORD.images)}}`)).toMatch(/^\["encord"/);
  });

  it("problems: JSON syntax, roots, the formats' own checks, in the in-memory order", async () => {
    const cases: [string, (string | Uint8Array)[], RegExp][] = [
      ["syntax in COCO", [j(COCO).replace('"width": 40', '"width": 40,,')], /invalid JSON at line \d+ column \d+/],
      ["syntax in Encord", [j(ENCORD).replace('"crowd": true', '"crowd": tru')], /invalid JSON at line \d+ column \d+/],
      ["truncated Encord", [j(ENCORD).slice(0, 200)], /file is truncated/],
      ["empty", [""], /empty/],
      ["JSON encoded twice", [JSON.stringify(j(COCO))], /JSON text inside a JSON string/],
      ["an array that is not label rows", [j([{ image_id: 1 }])], /results file/],
      ["UTF-16", [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(j(COCO), "utf16le")])], /UTF-16/],
      ["a bad label", [j({ ...ENCORD, labels: [ENCORD.labels[0], { image: "zz", class: 1, boundingBox: box(0, 0, 1, 1) }] })], /^AnalysisInputError: labels\[1\]\.image: no image with id "zz"$/],
      ["a bad image after a bad label: images first", [j({ labels: [{ image: "zz" }], images: [{ id: "a", width: -1, height: 2 }] })], /images\[0\]\.width/],
      ["a bad prediction file with a bad label: its syntax first", [j({ ...ENCORD, labels: [{ image: "zz" }] }), "[{]"], /invalid JSON at line 1/],
      ["predictions in both files", [j({ ...ENCORD, ...PREDICTIONS }), j(PREDICTIONS)], /predictions: given in both files/],
      ["label rows: a bitmask", [j([{ data_units: { d: { width: 1, height: 1, labels: { objects: [{ name: "x", bitmask: "abc" }] } } } }])], /bitmask objects are not read/],
      ["COCO: a bad annotation", [j({ ...COCO, annotations: [{ id: 1, image_id: 9, category_id: 1, bbox: [1, 1, 1, 1] }] })], /annotations\[0\]/],
    ];
    for (const [name, [gt, dt], want] of cases) expect(await sameEverywhere(gt!, dt), name).toMatch(want);
  });

  it("a pipe's first bytes come again to the reader; a guess cut short there is corrected by the document", async () => {
    if (!inputs.haveFifo) return;
    // (a pipe's chunks are at most its buffer, 64 KiB: the sniff stops after the first one, inside `info`)
    const filler = "y".repeat(300_000);
    const big = j({ info: { x: filler }, ...COCO });
    const s = await sniffFile(fifo(big), 10);
    expect(s.guess).toMatchObject({ format: "coco", decided: false });
    const chunks: Buffer[] = [];
    for await (const c of s.chunks!) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe(big);
    // an Encord-style document guessed at a limit before its end: read whole, then the document decides
    const e = fifo(j({ ...ENCORD, z: filler }));
    const se = await sniffFile(e, 10);
    expect(se.guess).toMatchObject({ format: "encord", decided: false });
    expect(await readAnalysisGroundTruth(e, undefined, se)).toMatchObject({ format: "encord" });
    const p = fifo(j({ ...ENCORD, z: filler, annotations: [] }));
    const sp = await sniffFile(p, 10);
    expect(sp.guess).toMatchObject({ format: "encord", decided: false });
    expect(await readAnalysisGroundTruth(p, undefined, sp)).toMatchObject({ format: "coco" }); // `annotations` at its end
  });
});
