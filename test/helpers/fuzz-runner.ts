// The fuzz loop of test/ingest/fuzz.test.ts, run in a child process (node --import tsx) so that a hang or a
// crash cannot take the test runner down: the parent kills it after a deadline and reports the cases
// it had reached. One JSON object per stdout line:
//   {"progress": i}                 every 250 cases
//   {"fail": {case, kind, seed, error, input}}  a case that broke a rule (at most 20 are reported)
//   {"done": {...counts}}           at the end
// Rules, per case: parsing + evaluation either succeeds (finite stats in [-1, 1]) or throws an error
// whose name ends in InputError with a one-line message `path: problem` of bounded length; nothing
// else is thrown; no case takes longer than the per-case budget; inputs changed only in ways that
// pycocotools ignores give the same stats as the unchanged input; the streaming loader (when present)
// accepts exactly what the parsers accept, with the same stats; the RLE string validator and the
// engine's decoder agree; the streaming JSON scanner accepts exactly valid JSON.
//
//   node --import tsx test/fuzz.runner.ts --seed N --cases N [--budget-ms N] [--fixtures DIR]
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fromCoco } from "../../bindings/analysis/coco-adapter.js";
import { parseEncordJson } from "../../bindings/analysis/encord-format.js";
import { analyze } from "../../bindings/analysis/analyze.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import type { IouType } from "../../bindings/coco/params.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { GeometryInputError } from "../../bindings/geometry/types.js";
import { rleStringProblem } from "../../bindings/ingest/check-segmentation.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const SEED = Number(arg("seed", "1")) >>> 0;
const CASES = Number(arg("cases", "20000"));
const CASE_BUDGET_MS = Number(arg("budget-ms", "3000"));
const FIXTURES = arg("fixtures", "");

// The CLI reads files with the streaming loader (bindings/ingest/stream-*.ts, when present): it must accept
// exactly what the in-memory parsers accept and give the same evaluation. Loaded if it exists.
type StreamMods = {
  CocoDatasetStream: new () => { finish(): unknown };
  CocoResultsStream: new (ds: unknown) => { finish(): unknown };
  scanJson: (bytes: Uint8Array, handler: unknown, chunkSize?: number) => void;
};
const stream: StreamMods | undefined = await (async () => {
  try {
    const c = await import("../../bindings/ingest/stream-coco.js");
    const j = await import("../../bindings/ingest/stream-json.js");
    return { CocoDatasetStream: c.CocoDatasetStream, CocoResultsStream: c.CocoResultsStream, scanJson: j.scanJson } as unknown as StreamMods;
  } catch {
    return undefined;
  }
})();

// ---- deterministic randomness -------------------------------------------------------------------
function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rand = mulberry32(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const chance = (p: number) => rand() < p;

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// ---- bases: small valid inputs ------------------------------------------------------------------
interface Base {
  name: string;
  gt: Obj;
  dt: Json[];
  iouTypes: IouType[];
  /** Params for keypoints bases (the sigmas must match the keypoint count). */
  kptOksSigmas?: number[];
}

const engine = await createEngine();

function rleString(poly: number[], h: number, w: number): string {
  return engine.rleToString(engine.rleFromPolygon(poly, h, w));
}

function builtinBases(): Base[] {
  const H = 24;
  const W = 32;
  const sq = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s];
  const bboxGt: Obj = {
    info: { description: "fuzz base" },
    images: [
      { id: 1, width: W, height: H, file_name: "a.jpg" },
      { id: 2, width: W, height: H },
      { id: 3, width: W, height: H },
    ],
    categories: [
      { id: 1, name: "cat", supercategory: "animal" },
      { id: 2, name: "dog" },
      { id: 5, name: "none" },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [2, 2, 8, 8], area: 64, iscrowd: 0, segmentation: [sq(2, 2, 8)] },
      { id: 2, image_id: 1, category_id: 2, bbox: [12, 4, 10, 6], area: 60, iscrowd: 0, segmentation: [[12, 4, 22, 4, 22, 10, 12, 10]] },
      { id: 3, image_id: 2, category_id: 1, bbox: [0, 0, 20, 20], area: 400, iscrowd: 1, segmentation: { size: [H, W], counts: rleString(sq(0, 0, 20), H, W) } },
      { id: 4, image_id: 2, category_id: 1, bbox: [4, 4, 6, 6], area: 36, iscrowd: 0, segmentation: [[4, 4, 6, 6]] },
      {
        id: 5,
        image_id: 2,
        category_id: 2,
        bbox: [20, 10, 5, 5],
        area: 25,
        iscrowd: 0,
        segmentation: { size: [H, W], counts: Array.from(engine.rleFromPolygon(sq(20, 10, 5), H, W).counts) },
      },
    ],
  };
  const bboxDt: Json[] = [
    { image_id: 1, category_id: 1, bbox: [2.5, 2, 8, 8], score: 0.91 },
    { image_id: 1, category_id: 2, bbox: [12, 5, 10, 6], score: 0.72 },
    { image_id: 1, category_id: 1, bbox: [14, 14, 5, 5], score: 0.35 },
    { image_id: 2, category_id: 1, bbox: [1, 1, 8, 8], score: 0.64 },
    { image_id: 2, category_id: 1, bbox: [4, 4, 6, 5], score: 0.83 },
    { image_id: 2, category_id: 2, bbox: [20, 11, 5, 5], score: 0.57 },
    { image_id: 3, category_id: 2, bbox: [0, 0, 3, 3], score: 0.12 },
    { image_id: 3, category_id: 9, bbox: [0, 0, 3, 3], score: 0.22 },
  ];
  const segmDt: Json[] = [
    { image_id: 1, category_id: 1, segmentation: { size: [H, W], counts: rleString(sq(2, 3, 8), H, W) }, score: 0.88 },
    { image_id: 1, category_id: 2, segmentation: { size: [H, W], counts: rleString([12, 4, 22, 4, 17, 10], H, W) }, score: 0.66 },
    { image_id: 2, category_id: 1, segmentation: { size: [H, W], counts: rleString(sq(3, 3, 7), H, W) }, score: 0.77 },
    { image_id: 2, category_id: 2, segmentation: { size: [H, W], counts: rleString(sq(19, 10, 6), H, W) }, score: 0.55 },
    { image_id: 3, category_id: 1, segmentation: { size: [H, W], counts: rleString(sq(0, 0, 4), H, W) }, score: 0.31 },
  ];
  const polyDt: Json[] = [
    { image_id: 1, category_id: 1, bbox: [2, 2, 8, 8], segmentation: [sq(2, 2, 7)], score: 0.81 },
    { image_id: 2, category_id: 1, bbox: [4, 4, 6, 6], segmentation: [sq(4, 4, 6), sq(0, 0, 2)], score: 0.61 },
    { image_id: 2, category_id: 2, bbox: [20, 10, 5, 5], score: 0.41 },
  ];
  const kp = (x: number, y: number) => [x, y, 2, x + 3, y + 1, 2, x + 1, y + 5, 1, 0, 0, 0];
  const kpGt: Obj = {
    images: [
      { id: 10, width: 64, height: 48 },
      { id: 11, width: 64, height: 48 },
    ],
    categories: [{ id: 1, name: "person", keypoints: ["a", "b", "c", "d"] }],
    annotations: [
      { id: 1, image_id: 10, category_id: 1, bbox: [8, 8, 12, 16], area: 150, iscrowd: 0, keypoints: kp(10, 10), num_keypoints: 3 },
      { id: 2, image_id: 10, category_id: 1, bbox: [30, 8, 12, 16], area: 160, iscrowd: 0, keypoints: kp(32, 10), num_keypoints: 3 },
      { id: 3, image_id: 11, category_id: 1, bbox: [5, 5, 10, 10], area: 90, iscrowd: 0, keypoints: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], num_keypoints: 0 },
    ],
  };
  const kpDt: Json[] = [
    { image_id: 10, category_id: 1, keypoints: kp(10.5, 10), score: 0.9 },
    { image_id: 10, category_id: 1, keypoints: kp(31, 11), score: 0.8 },
    { image_id: 11, category_id: 1, keypoints: kp(6, 6), score: 0.3 },
  ];
  return [
    { name: "bbox", gt: bboxGt, dt: bboxDt, iouTypes: ["bbox", "segm"] },
    { name: "segm-rle", gt: bboxGt, dt: segmDt, iouTypes: ["segm", "bbox"] },
    { name: "bbox+polygons", gt: bboxGt, dt: polyDt, iouTypes: ["segm", "bbox"] },
    { name: "keypoints", gt: kpGt, dt: kpDt, iouTypes: ["keypoints", "bbox"], kptOksSigmas: [0.26, 0.25, 0.25, 0.35] },
  ];
}

/** Small real fixtures from ../shared/fixtures, when present (results cut to a few dozen). */
function fixtureBases(): Base[] {
  if (!FIXTURES || !existsSync(FIXTURES)) return [];
  const out: Base[] = [];
  const load = (dir: string, gt: string, dt: string, iouTypes: IouType[], keep = 40) => {
    const g = join(FIXTURES, dir, gt);
    const d = join(FIXTURES, dir, dt);
    if (!existsSync(g) || !existsSync(d)) return;
    const gtJson = JSON.parse(readFileSync(g, "utf8")) as Obj;
    const dtJson = (JSON.parse(readFileSync(d, "utf8")) as Json[]).slice(0, keep);
    out.push({ name: `${dir}/${dt}`, gt: gtJson, dt: dtJson, iouTypes });
  };
  load("coco_val2017_detectron2_2img", "gt.json", "dt_segm.json", ["segm", "bbox"]);
  load("coco_val2017_detectron2_2img", "gt.json", "dt_segm_rleonly.json", ["segm", "bbox"]);
  load("torchmetrics_segm_2img", "gt.json", "dt_segm.json", ["segm", "bbox"]);
  load("hotcoco_edge6", "gt.json", "dt_bbox.json", ["bbox"]);
  load("hotcoco_zero_ids2", "gt.json", "dt_bbox.json", ["bbox"]);
  load("fce_basic3", "gt.json", "dt_segm.json", ["segm", "bbox"]);
  load("torchmetrics_bbox_4img", "gt.json", "dt_bbox.json", ["bbox"]);
  return out;
}

// ---- mutations ------------------------------------------------------------------------------------
/** A deep copy (deeply nested values are shared instead: structuredClone recurses). */
const clone = <T>(v: T): T => {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
};

/** Every (parent, key) slot of a JSON tree, up to `max` of them. */
function slots(root: Json, max = 4000): [Obj | Json[], string | number][] {
  const out: [Obj | Json[], string | number][] = [];
  const stack: Json[] = [root];
  while (stack.length && out.length < max) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        out.push([v, i]);
        stack.push(v[i]);
      }
    } else if (isObj(v)) {
      for (const k of Object.keys(v)) {
        out.push([v, k]);
        stack.push(v[k]);
      }
    }
  }
  return out;
}

const EXTREMES = [
  0, -0, 1, -1, 0.5, 1e-300, 1e300, -1e300, 2 ** 31, -(2 ** 31), 2 ** 31 / 5, 2 ** 31 / 5 + 1, -(2 ** 31) / 5 - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 4294967295,
  4294967296, 1e7, NaN, Infinity, -Infinity, 16384, 16385, 30000, 1e16,
];
const ODD_VALUES: Json[] = [null, true, false, "", "x", "1", "high", "NaN", [], {}, [1, 2, 3], [[1, 2]], { size: [2, 2] }, { counts: "" }, "0".repeat(50), [null], [[]], [{}]];

function randomValue(): Json {
  const r = rand();
  if (r < 0.45) return pick(EXTREMES);
  if (r < 0.85) return clone(pick(ODD_VALUES));
  if (r < 0.9) {
    let v: Json = 1;
    for (let d = int(3000); d > 0; d--) v = [v];
    return v;
  }
  return Array.from({ length: int(12) }, () => (chance(0.8) ? Math.round((rand() - 0.3) * 40) : pick(EXTREMES)));
}

const RLE_CHARS = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmno";
function mutateString(s: string): string {
  const a = [...s];
  const n = 1 + int(3);
  for (let k = 0; k < n; k++) {
    const r = rand();
    const at = int(a.length + 1);
    if (r < 0.3) a.splice(at, 0, chance(0.85) ? pick([...RLE_CHARS]) : pick(["~", "p", " ", "\u00e9", "\ud83d", "/", "\u0000"]));
    else if (r < 0.55) a.splice(at, 1);
    else if (r < 0.85) a[Math.min(at, a.length - 1)] = pick([...RLE_CHARS]);
    else a.length = Math.min(a.length, at);
  }
  return a.join("");
}

function randomRleString(): string {
  const n = int(24);
  let s = "";
  for (let i = 0; i < n; i++) s += chance(0.97) ? pick([...RLE_CHARS]) : pick(["p", "~", " ", "z"]);
  return s;
}

/** One structure-aware change at a random slot of gt or dt. */
function mutateTree(root: Json): void {
  const all = slots(root);
  if (all.length === 0) return;
  const [parent, key] = pick(all);
  const cur = (parent as Record<string | number, Json>)[key];
  const r = rand();
  const set = (v: Json) => ((parent as Record<string | number, Json>)[key] = v);
  if (r < 0.12) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Obj)[key as string];
  } else if (r < 0.2 && Array.isArray(parent)) {
    parent.splice(key as number, 0, clone(cur)); // duplicate (ids, elements)
  } else if (r < 0.35 && typeof cur === "number") {
    set(pick([cur * pick([-1, 1e3, 1e6, 1e12, 0.5]), cur + pick([0.5, -0.5, 1, 2 ** 31]), String(cur), pick(EXTREMES)]));
  } else if (r < 0.5 && typeof cur === "string") {
    set(chance(0.7) ? mutateString(cur) : chance(0.5) ? randomRleString() : Number(cur));
  } else if (r < 0.6 && Array.isArray(cur)) {
    const c = cur as Json[];
    const q = rand();
    if (q < 0.3) c.push(pick(EXTREMES));
    else if (q < 0.55) c.pop();
    else if (q < 0.8 && c.length) c[int(c.length)] = pick(EXTREMES);
    else c.length = 0;
  } else if (r < 0.66 && isObj(cur)) {
    const keys = ["size", "counts", "bbox", "area", "id", "image_id", "category_id", "score", "segmentation", "keypoints", "iscrowd", "width", "height"];
    (cur as Obj)[pick(keys)] = randomValue();
  } else set(randomValue());
}

/** Text-level damage: truncation, a stray character, Python's NaN / Infinity, a dropped character. */
function mutateText(text: string): string {
  const r = rand();
  if (r < 0.35) return text.slice(0, int(text.length));
  if (r < 0.6) {
    const at = int(text.length + 1);
    return text.slice(0, at) + pick(["x", ",", "]", "}", "{", '"', "'", "\n", "\u0001", "\\", "1", "-"]) + text.slice(at);
  }
  if (r < 0.85) {
    const m = [...text.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
    if (m.length === 0) return text + "x";
    const t = pick(m);
    return text.slice(0, t.index) + pick(["NaN", "Infinity", "-Infinity", "1e999", "01", "1.", ".5"]) + text.slice(t.index! + t[0].length);
  }
  const at = int(text.length);
  return text.slice(0, at) + text.slice(at + 1);
}

/** Changes pycocotools ignores: unknown keys, result id / area / iscrowd (loadRes overwrites them), key order. */
function neutralChange(gt: Obj, dt: Json[]): void {
  const r = rand();
  if (r < 0.3) {
    const objs = slots(gt).map(([p, k]) => (p as Record<string | number, Json>)[k]).filter(isObj);
    if (objs.length) pick(objs)[`x_extra_${int(100)}`] = clone(pick(ODD_VALUES));
  } else if (r < 0.6) {
    for (const d of dt) if (isObj(d)) Object.assign(d, pick([{ id: "abc" }, { area: "big" }, { iscrowd: null }, { id: 0, area: -5, iscrowd: 1 }]));
  } else if (r < 0.8) {
    for (const a of gt.annotations as Obj[]) a.ignore = pick([1, "yes", null, [1]]);
  } else {
    const rev = (o: Obj) => Object.fromEntries(Object.entries(o).reverse());
    gt.annotations = (gt.annotations as Obj[]).map(rev);
    dt.splice(0, dt.length, ...dt.map((d) => (isObj(d) ? rev(d) : d)));
  }
}

// ---- checking -------------------------------------------------------------------------------------
interface Failure {
  case: number;
  kind: string;
  base: string;
  error: string;
  input?: string;
}
const failures: Failure[] = [];
const counts: Record<string, number> = {};
const bump = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);

const MESSAGE_RE = /^[A-Za-z_$][\w$]*(\[\d+\]|\.[\w$]+)*: \S/;

function checkError(e: unknown): string | null {
  if (!(e instanceof Error)) return `threw a non-error: ${String(e)}`;
  if (!/InputError$/.test(e.name)) return `${e.name}: ${e.message}`;
  const m = e.message;
  if (m.includes("\n") || m.includes("\r")) return `multi-line message: ${JSON.stringify(m)}`;
  if (m.length > 400) return `message too long (${m.length}): ${m.slice(0, 200)}`;
  if (/\[object |\bundefined\b(?! \()/.test(m)) return `message shows an internal value: ${m}`;
  // COCO input errors start with a JSON path, or the input's name for file-level problems ("dataset",
  // "results"); analysis-mode errors (AnalysisInputError) keep their own one-line style
  if (e.name === "CocoInputError" && !MESSAGE_RE.test(m)) return `message does not start with a path: ${m}`;
  return null;
}

type Outcome = { ok: true; stats: number[] } | { ok: false; error: unknown };

async function run(gt: Json, dt: Json, iouType: IouType, base: Base, analysis: boolean): Promise<Outcome> {
  try {
    const ds = parseCocoDataset(gt as object);
    const res = parseCocoResults(dt as object, ds);
    const ev = await evaluateCoco(engine, ds, res, { iouType, ...(iouType === "keypoints" && base.kptOksSigmas ? { kptOksSigmas: base.kptOksSigmas } : {}) });
    const stats = [...ev.stats];
    if (analysis && iouType !== "keypoints" && res.source !== "keypoints") {
      const input = fromCoco(engine, ds, res, { iouType: iouType as "bbox" | "segm" });
      analyze(engine, input).at({ iou: 0.5 });
    }
    return { ok: true, stats };
  } catch (e) {
    return { ok: false, error: e };
  }
}

function fail(i: number, kind: string, base: Base, error: string, input?: () => string): void {
  bump("failures");
  if (failures.length >= 20) return;
  const f: Failure = { case: i, kind, base: base.name, error };
  if (input) f.input = input().slice(0, 4000);
  failures.push(f);
  process.stdout.write(`${JSON.stringify({ fail: f })}\n`);
}

/** True when JSON text represents `v` exactly (no NaN / Infinity / undefined / -0 / cycles). */
function jsonExact(v: Json, depth = 0): boolean {
  if (depth > 2000) return false;
  if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v === "string" || typeof v === "boolean" || v === null) return true;
  if (Array.isArray(v)) return v.every((x) => jsonExact(x, depth + 1));
  if (isObj(v)) return Object.values(v).every((x) => jsonExact(x, depth + 1));
  return false;
}

/** Parse + evaluate through the streaming loader (bytes in chunks of `chunk`). */
async function runStream(gtText: string, dtText: string, chunk: number, iouType: IouType, base: Base): Promise<{ parsed: boolean; outcome: Outcome }> {
  const enc = new TextEncoder();
  let ds: unknown;
  let res: unknown;
  try {
    const h = new stream!.CocoDatasetStream();
    stream!.scanJson(enc.encode(gtText), h, chunk);
    ds = h.finish();
    const r = new stream!.CocoResultsStream(ds);
    stream!.scanJson(enc.encode(dtText), r, chunk);
    res = r.finish();
  } catch (e) {
    return { parsed: false, outcome: { ok: false, error: e } };
  }
  try {
    const ev = await evaluateCoco(engine, ds as never, res as never, { iouType, ...(iouType === "keypoints" && base.kptOksSigmas ? { kptOksSigmas: base.kptOksSigmas } : {}) });
    return { parsed: true, outcome: { ok: true, stats: [...ev.stats] } };
  } catch (e) {
    return { parsed: true, outcome: { ok: false, error: e } };
  }
}

/** The in-memory parsers' verdict on parsing alone (no evaluation). */
function parsesInMemory(gt: Json, dt: Json): string {
  try {
    parseCocoResults(dt as object, parseCocoDataset(gt as object));
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

/** Analysis mode's Encord-style input (examples/): parse, analyse, answer one question. */
const encordBase = (() => {
  const dir = new URL("../../examples/", import.meta.url);
  try {
    return {
      gt: JSON.parse(readFileSync(new URL("analysis-labels.json", dir), "utf8")) as Obj,
      dt: JSON.parse(readFileSync(new URL("analysis-predictions.json", dir), "utf8")) as Obj,
    };
  } catch {
    return undefined;
  }
})();

function runEncord(gt: Json, dt: Json): Outcome {
  try {
    const input = parseEncordJson(gt, dt);
    const a = analyze(engine, input, { candidates: chance(0.5) ? "same-class" : "any-class" });
    const v = a.at({ iou: 0.5 });
    return { ok: true, stats: [v.mAP] };
  } catch (e) {
    return { ok: false, error: e };
  }
}

// ---- main loop ------------------------------------------------------------------------------------
const bases = [...builtinBases(), ...fixtureBases()];
const baseline = new Map<string, number[]>();
for (const b of bases) {
  for (const t of b.iouTypes) {
    const o = await run(clone(b.gt), clone(b.dt), t, b, false);
    if (!o.ok) {
      process.stdout.write(`${JSON.stringify({ fail: { case: -1, kind: "base", base: b.name, error: String((o.error as Error).message) } })}\n`);
      process.exit(1);
    }
    baseline.set(`${b.name}/${t}`, o.stats);
  }
}

const t0 = performance.now();
let slowest = 0;
for (let i = 0; i < CASES; i++) {
  if (i % 250 === 0) process.stdout.write(`${JSON.stringify({ progress: i })}\n`);
  rand = mulberry32((SEED * 2654435761 + i) >>> 0); // each case reproducible on its own
  const base = pick(bases);
  const iouType = pick(base.iouTypes);
  const gt = clone(base.gt);
  const dt = clone(base.dt) as Json[];
  if (encordBase && chance(0.08)) {
    bump("encord");
    const g = clone(encordBase.gt);
    const d = clone(encordBase.dt);
    let gIn: Json = g;
    let dIn: Json = d;
    if (chance(0.2)) {
      if (chance(0.5)) gIn = JSON.parse(JSON.stringify(g));
      const text = mutateText(JSON.stringify(chance(0.5) ? g : d));
      try {
        if (chance(0.5)) gIn = JSON.parse(text);
        else dIn = JSON.parse(text);
      } catch {
        /* text damage that JSON.parse rejects is the COCO cases' business */
      }
    } else for (let j = 1 + int(3); j > 0; j--) mutateTree(chance(0.6) ? g : d);
    const c0 = performance.now();
    const o = runEncord(gIn, dIn);
    const ms = performance.now() - c0;
    const show = () => JSON.stringify({ gt: gIn, dt: dIn }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
    if (ms > CASE_BUDGET_MS) fail(i, "encord", bases[0]!, `took ${ms.toFixed(0)} ms (budget ${CASE_BUDGET_MS} ms)`, show);
    if (o.ok) bump("accepted");
    else {
      bump("rejected");
      const problem = checkError(o.error);
      if (problem) fail(i, "encord", bases[0]!, problem, show);
    }
    continue;
  }
  const r = rand();
  let kind: string;
  let gtIn: Json = gt;
  let dtIn: Json = dt;
  if (r < 0.08) {
    kind = "neutral";
    neutralChange(gt, dt);
  } else if (r < 0.2) {
    kind = "text";
    if (chance(0.5)) gtIn = mutateText(JSON.stringify(gt));
    else dtIn = mutateText(JSON.stringify(dt));
  } else if (r < 0.3) {
    kind = "rle";
    // random RLE strings / counts on ground truth or results
    const target = chance(0.5) ? (gt.annotations as Obj[]) : (dt.filter(isObj) as Obj[]);
    if (target.length) {
      const o = pick(target);
      const h = int(30);
      const w = int(30);
      o.segmentation = chance(0.6)
        ? { size: chance(0.9) ? [h, w] : randomValue(), counts: chance(0.5) ? randomRleString() : mutateString(rleString([1, 1, 9, 1, 9, 7], 24, 32)) }
        : { size: [h, w], counts: Array.from({ length: int(8) }, () => (chance(0.8) ? int(h * w + 1) : pick(EXTREMES))) };
    }
  } else if (r < 0.4) {
    kind = "polygon";
    const target = chance(0.5) ? (gt.annotations as Obj[]) : (dt.filter(isObj) as Obj[]);
    if (target.length) {
      const o = pick(target);
      const n = chance(0.8) ? 2 * (3 + int(5)) : int(12);
      const part = Array.from({ length: n }, () => (chance(0.7) ? rand() * 40 - 5 : pick(EXTREMES)));
      o.segmentation = chance(0.8) ? [part] : [part, [1, 1, 5, 1, 5, 5]];
    }
  } else {
    kind = "tree";
    const k = 1 + int(3);
    for (let j = 0; j < k; j++) mutateTree(chance(0.6) ? gt : dt);
  }
  if (kind !== "neutral" && chance(0.01)) gtIn = randomValue();
  if (kind !== "neutral" && chance(0.01)) dtIn = chance(0.5) ? randomValue() : { annotations: dt };
  bump(kind);
  const analysis = chance(0.1);
  const c0 = performance.now();
  const o = await run(gtIn, dtIn, iouType, base, analysis);
  const ms = performance.now() - c0;
  if (ms > slowest) slowest = ms;
  const show = () => JSON.stringify({ iouType, gt: gtIn, dt: dtIn }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
  if (ms > CASE_BUDGET_MS) fail(i, kind, base, `took ${ms.toFixed(0)} ms (budget ${CASE_BUDGET_MS} ms)`, show);
  if (o.ok) {
    bump("accepted");
    if (!o.stats.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)) fail(i, kind, base, `stats out of range: ${o.stats}`, show);
    if (kind === "neutral") {
      const want = baseline.get(`${base.name}/${iouType}`)!;
      if (o.stats.some((v, j) => Math.abs(v - want[j]!) > 1e-12)) fail(i, kind, base, `stats changed: ${o.stats} vs ${want}`, show);
    }
  } else {
    bump("rejected");
    const problem = checkError(o.error);
    if (problem) fail(i, kind, base, problem, show);
    else if (kind === "neutral") fail(i, kind, base, `a neutral change was rejected: ${(o.error as Error).message}`, show);
  }
  // the streaming loader: never accepts what the parsers reject; same evaluation when both accept
  if (stream && !analysis && chance(0.3)) {
    const gtText = typeof gtIn === "string" ? gtIn : jsonExact(gtIn) ? JSON.stringify(gtIn) : undefined;
    const dtText = typeof dtIn === "string" ? dtIn : jsonExact(dtIn) ? JSON.stringify(dtIn) : undefined;
    if (gtText !== undefined && dtText !== undefined) {
      bump("streamed");
      const chunk = chance(0.5) ? 1 + int(64) : 1 << 20;
      const sr = await runStream(gtText, dtText, chunk, iouType, base);
      const memory = parsesInMemory(gtText, dtText);
      const showText = () => JSON.stringify({ iouType, chunk, gt: gtText, dt: dtText });
      if (sr.parsed && memory !== "") fail(i, `${kind}/stream`, base, `the streaming loader accepted what the parser rejects: ${memory}`, showText);
      else if (!sr.parsed) {
        const e = sr.outcome.ok ? undefined : sr.outcome.error;
        // a rejection is reported with the in-memory message by the CLI; anything thrown must still be an input error
        if (!(e instanceof Error) || !/InputError$|SyntaxError$|StructureError$/.test(e.name)) {
          fail(i, `${kind}/stream`, base, `the streaming loader threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, showText);
        }
        if (memory === "") bump("streamStricter");
      } else if (o.ok !== sr.outcome.ok || (o.ok && sr.outcome.ok && o.stats.some((v, j) => !Object.is(v, (sr.outcome as { stats: number[] }).stats[j])))) {
        const say = (x: Outcome) => (x.ok ? `stats ${x.stats}` : `error ${(x.error as Error).message}`);
        fail(i, `${kind}/stream`, base, `streaming gives ${say(sr.outcome)}, the parsers ${say(o)}`, showText);
      } else if (!o.ok && !sr.outcome.ok && (o.error as Error).message !== (sr.outcome.error as Error).message) {
        fail(i, `${kind}/stream`, base, `streaming: ${(sr.outcome.error as Error).message}; parsers: ${(o.error as Error).message}`, showText);
      }
    }
  }
}

// the string validator and both decoders agree on random strings (same verdict, same message)
let agree = 0;
for (let i = 0; i < 3000; i++) {
  rand = mulberry32((SEED * 40503 + i) >>> 0);
  const s = chance(0.5) ? randomRleString() : mutateString(rleString([1, 1, 9, 1, 9, 7], 24, 32));
  const h = chance(0.5) ? 24 : int(40);
  const w = chance(0.5) ? 32 : int(40);
  const mine = rleStringProblem(s, h * w);
  let theirs = "";
  try {
    engine.rleFromString(s, h, w);
  } catch (e) {
    if (!(e instanceof GeometryInputError)) {
      fail(i, "rle-agree", bases[0]!, `rleFromString threw ${(e as Error).name}: ${(e as Error).message}`, () => JSON.stringify({ s, h, w }));
      continue;
    }
    theirs = e.message.replace(/^rleFromString: compressed RLE /, "");
  }
  const same = mine === "" ? theirs === "" : theirs !== "" && (theirs === mine || (mine.startsWith("counts sum to") && theirs.startsWith(mine)));
  if (!same) fail(i, "rle-agree", bases[0]!, `validator says ${JSON.stringify(mine)}, engine says ${JSON.stringify(theirs)}`, () => JSON.stringify({ s, h, w }));
  agree++;
}

// the streaming scanner accepts exactly the documents JSON.parse + the in-memory reader accept, also in the
// values it skips (unknown keys)
let jsonAgreement = 0;
if (stream) {
  const enc = new TextEncoder();
  const alphabet = '{}[]",:0123456789-.eE+ \ntruefalsnNaI\\uab';
  for (let i = 0; i < 4000; i++) {
    rand = mulberry32((SEED * 69069 + i) >>> 0);
    let v = "";
    for (let j = 1 + int(10); j > 0; j--) v += alphabet[int(alphabet.length)];
    const text = chance(0.5)
      ? `{"images":[{"id":1}],"annotations":[],"categories":[{"id":1}],"info":${v}}`
      : `{"images":[{"id":1}],"categories":[{"id":1}],"annotations":[{"id":1,"image_id":1,"category_id":1,"area":1,"extra":${v}}]}`;
    // the value may close the annotation and open others ({"extra":6},{}): valid JSON, but a COCO
    // document the in-memory reader refuses is a rejection both ways
    let valid = true;
    try {
      parseCocoDataset(JSON.parse(text) as object);
    } catch {
      valid = false;
    }
    let streamed = true;
    try {
      const h = new stream.CocoDatasetStream();
      stream.scanJson(enc.encode(text), h, 1 + int(20));
      h.finish();
    } catch {
      streamed = false;
    }
    if (streamed !== valid) fail(i, "json-agree", bases[0]!, `JSON.parse + parseCocoDataset ${valid ? "accept" : "reject"}, the streaming scanner ${streamed ? "accepts" : "rejects"}`, () => text);
    jsonAgreement++;
  }
}

process.stdout.write(
  `${JSON.stringify({ done: { jsonAgreement, cases: CASES, seed: SEED, ms: Math.round(performance.now() - t0), slowestMs: Math.round(slowest), rleAgreement: agree, bases: bases.length, ...counts } })}\n`,
);
