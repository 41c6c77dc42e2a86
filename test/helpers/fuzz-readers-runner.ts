// The loop of test/ingest/fuzz-readers.test.ts, in a child process (node --import tsx) so that a hang or a
// crash fails the test instead of stalling it. Seeded and deterministic: case i is reproducible from
// the seed and i alone.
//
// Readers, each case: byte-level damage (flips, insertions of JSON tokens, whitespace, NUL, unicode and
// invalid UTF-8, deletions, truncations, duplicated spans, deep nesting, a byte order mark) of small
// COCO documents cut from the real fixture test/fixtures/synth_small (and hand-written ones), read by
//   - JSON.parse + the in-memory checks (the oracle),
//   - the in-memory file reader (node-files.ts loadCocoDataset / loadCocoResults),
//   - the streaming file reader the CLI uses (stream-load.ts streamCocoDataset / streamCocoResults, with
//     the wasm record scanner of stream-wasm.ts),
//   - the streaming reader as it reads a pipe (lines counted while reading, random chunk sizes, with or
//     without the wasm scanner).
// All must accept with the same parsed dataset / results (counts, ids, boxes, areas, scores, raw
// values, warnings; and, for a share, the same evaluation), or all reject with the same one-line
// CocoInputError message; JSON.parse must reject exactly when the readers give a syntax message.
//
// RLE, each case: a random or mutated compressed RLE string, decoded by the engine's kernel
// (GeometryEngine.rleFromString) and by its TypeScript twin (geometry/reference.ts): the same counts or
// the same error; then area, bbox and toString agree and toString round-trips.
//
// One JSON object per stdout line: {"fail": {...}} (at most 20), then {"done": {...}}.
//   node --import tsx test/helpers/fuzz-readers-runner.ts --seed N --cases N --rle N --tmp DIR
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { createEngine } from "../../bindings/engine/engine.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import type { GeometryEngine, Rle } from "../../bindings/geometry/types.js";
import type { CocoDataset, CocoResults } from "../../bindings/coco/inputs.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { cocoDatasetOf, cocoResultsOf, loadCocoDataset, loadCocoResults, readFailure } from "../../bindings/ingest/node-files.js";
import { CocoDatasetStream, CocoResultsStream } from "../../bindings/ingest/stream-coco.js";
import { scanJson } from "../../bindings/ingest/stream-json.js";
import { recordScanner, streamCocoDataset, streamCocoResults } from "../../bindings/ingest/stream-load.js";
import { LOCAL_FIXTURES } from "./paths.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const SEED = Number(arg("seed", "1")) >>> 0;
const CASES = Number(arg("cases", "1500"));
const RLE_CASES = Number(arg("rle", "4000"));
const TMP = arg("tmp", "/tmp");
const CASE_BUDGET_MS = Number(arg("budget-ms", "4000"));
mkdirSync(TMP, { recursive: true });

// ---- deterministic randomness: one generator per case --------------------------------------------
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

type Obj = Record<string, unknown>;
const failures: unknown[] = [];
let failCount = 0;
function fail(i: number, kind: string, problem: string, input: () => string): void {
  failCount++;
  if (failures.length >= 20) return;
  const f = { case: i, seed: SEED, kind, problem: problem.slice(0, 1500), input: input().slice(0, 1500) };
  failures.push(f);
  process.stdout.write(`${JSON.stringify({ fail: f })}\n`);
}

// ---- bases: small documents, cut from the real fixture, and hand-written ------------------------
interface Base {
  name: string;
  gt: Obj;
  dt: Obj[];
  iouType: "bbox" | "segm" | "keypoints";
}

function fixtureBases(): Base[] {
  const dir = join(LOCAL_FIXTURES, "synth_small");
  let gt: Obj;
  let bbox: Obj[];
  let segm: Obj[];
  try {
    gt = JSON.parse(gunzipSync(readFileSync(join(dir, "gt.json.gz"))).toString("utf8")) as Obj;
    bbox = JSON.parse(gunzipSync(readFileSync(join(dir, "dt_bbox.json.gz"))).toString("utf8")) as Obj[];
    segm = JSON.parse(gunzipSync(readFileSync(join(dir, "dt_segm.json.gz"))).toString("utf8")) as Obj[];
  } catch {
    return [];
  }
  const images = gt.images as Obj[];
  const anns = gt.annotations as Obj[];
  const cats = gt.categories as Obj[];
  const out: Base[] = [];
  const r = mulberry32(SEED ^ 0x5eed);
  for (let k = 0; k < 24; k++) {
    // a few images (one with a crowd RLE now and then), their annotations and results, the categories they use
    const chosen = new Set<unknown>();
    const crowd = anns.filter((a) => typeof a.segmentation === "object" && !Array.isArray(a.segmentation));
    if (k % 4 === 0 && crowd.length) chosen.add(crowd[Math.floor(r() * crowd.length)]!.image_id);
    while (chosen.size < 2 + Math.floor(r() * 2)) chosen.add(images[Math.floor(r() * images.length)]!.id);
    const a = anns.filter((x) => chosen.has(x.image_id)).slice(0, 10);
    const catIds = new Set(a.map((x) => x.category_id));
    const segmK = k % 2 === 1;
    const dt = (segmK ? segm : bbox).filter((x) => chosen.has(x.image_id)).slice(0, segmK ? 5 : 12);
    for (const d of dt) catIds.add(d.category_id);
    out.push({
      name: `synth_small#${k}`,
      gt: { info: gt.info, images: images.filter((x) => chosen.has(x.id)), annotations: a, categories: cats.filter((c) => catIds.has(c.id)) },
      dt,
      iouType: segmK ? "segm" : "bbox",
    });
  }
  return out;
}

function handBases(engine: GeometryEngine): Base[] {
  const H = 24;
  const W = 32;
  const sq = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s];
  const rle = (poly: number[]) => engine.rleToString(engine.rleFromPolygon(poly, H, W));
  const kp = (x: number, y: number) => [x, y, 2, x + 3, y + 1, 2, x + 1, y + 5, 1];
  return [
    {
      name: "hand: boxes, polygons, RLE (string and counts), string ids, unicode",
      gt: {
        info: { description: "é 😀 \\ \" /", nested: { a: [1, [2, [3, { b: null }]]] } },
        images: [
          { id: 1, width: W, height: H, file_name: "ä.jpg" },
          { id: "two", width: W, height: H },
        ],
        categories: [
          { id: 1, name: "cat", supercategory: "animal" },
          { id: 2, name: "dög" },
        ],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, bbox: [2, 2, 8, 8], area: 64, iscrowd: 0, segmentation: [sq(2, 2, 8)] },
          { id: 2, image_id: "two", category_id: 2, bbox: [12.5, 4.25, 10, 6], area: 60.5, iscrowd: false, segmentation: [[12, 4, 22, 4, 22, 10, 12, 10]], extra: { x: [1e-7, -0, 1e21] } },
          { id: 3, image_id: "two", category_id: 1, bbox: [0, 0, 20, 20], area: 400, iscrowd: 1, segmentation: { size: [H, W], counts: rle(sq(0, 0, 20)) } },
          { id: 4, image_id: 1, category_id: 2, bbox: [20, 10, 5, 5], area: 25, iscrowd: 0, segmentation: { size: [H, W], counts: Array.from(engine.rleFromPolygon(sq(20, 10, 5), H, W).counts) } },
        ],
      },
      dt: [
        { image_id: 1, category_id: 1, bbox: [2.5, 2, 8, 8], score: 0.91 },
        { image_id: "two", category_id: 2, bbox: [12, 5, 10, 6], score: 0.72, id: 9 },
        { image_id: 1, category_id: 1, bbox: [14, 14, 5, 5], score: 0.35 },
        { image_id: "two", category_id: 1, bbox: [1, 1, 8, 8], score: 1e-3 },
      ],
      iouType: "bbox",
    },
    {
      name: "hand: segm results (RLE strings with escapes)",
      gt: {
        images: [{ id: 1, width: W, height: H }],
        categories: [{ id: 1, name: "a" }],
        annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [2, 2, 8, 8], area: 64, iscrowd: 0, segmentation: [sq(2, 2, 8)] }],
      },
      dt: [
        { image_id: 1, category_id: 1, segmentation: { size: [H, W], counts: rle(sq(2, 3, 8)) }, score: 0.88 },
        { image_id: 1, category_id: 1, segmentation: { size: [H, W], counts: rle([12, 4, 22, 4, 17, 10]) }, score: 0.66, bbox: [] },
      ],
      iouType: "segm",
    },
    {
      name: "hand: keypoints",
      gt: {
        images: [{ id: 10, width: 64, height: 48 }],
        categories: [{ id: 1, name: "person", keypoints: ["a", "b", "c"] }],
        annotations: [
          { id: 1, image_id: 10, category_id: 1, bbox: [8, 8, 12, 16], area: 150, iscrowd: 0, keypoints: kp(10, 10), num_keypoints: 3 },
          { id: 2, image_id: 10, category_id: 1, bbox: [30, 8, 12, 16], area: 160, iscrowd: 0, keypoints: kp(32, 10), num_keypoints: 3 },
        ],
      },
      dt: [
        { image_id: 10, category_id: 1, keypoints: kp(10.5, 10), score: 0.9 },
        { image_id: 10, category_id: 1, keypoints: kp(31, 11), score: 0.8 },
      ],
      iouType: "keypoints",
    },
  ];
}

// ---- serialising and damaging ----------------------------------------------------------------------
const enc = new TextEncoder();

function serialise(v: unknown): Uint8Array {
  const k = int(4);
  if (k === 0) return enc.encode(JSON.stringify(v));
  if (k === 1) return enc.encode(JSON.stringify(v, null, 1 + int(3)));
  if (k === 2) return enc.encode(JSON.stringify(v, null, "\t"));
  // odd but valid spacing around every token
  const ws = () => pick(["", " ", "\n", "\r\n", "\t", "  \n  "]);
  return enc.encode(JSON.stringify(v).replace(/([,:[\]{}])(?=(?:[^"\\]|\\.|"(?:[^"\\]|\\.)*")*$)/g, (m) => `${ws()}${m}${ws()}`));
}

const TOKENS: (string | number[])[] = [
  ",", "]", "}", "[", "{", '"', "\\", ":", "0", "-", "-0", "1e999", "1e-400", "NaN", "Infinity", "-Infinity", "true", "null", "fals",
  " ", "\n", "\t", "\r", "\u0000", "é", "😀", "\\ud800", "\\u00e9", "\\x", "'", "x", "\ufeff", "0.5", "01", "1.", ".5", "[]", "{}", '""', '"a"',
  [0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x80], [0xfe, 0xff], [0], [0x1f, 0x8b],
];

function bytesOf(t: string | number[]): Uint8Array {
  return typeof t === "string" ? enc.encode(t) : Uint8Array.from(t);
}

function splice(b: Uint8Array, at: number, del: number, ins: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at), 0);
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
}

function mutate(b: Uint8Array): { bytes: Uint8Array; what: string[] } {
  const what: string[] = [];
  const n = 1 + int(3);
  for (let j = 0; j < n; j++) {
    const at = int(b.length + 1);
    switch (int(11)) {
      case 0: {
        if (b.length === 0) break;
        const c = new Uint8Array(b);
        const p = Math.min(at, b.length - 1);
        c[p] = chance(0.5) ? c[p]! ^ (1 << int(8)) : int(256);
        b = c;
        what.push(`flip@${p}`);
        break;
      }
      case 1:
      case 2: {
        const t = pick(TOKENS);
        b = splice(b, at, 0, bytesOf(t));
        what.push(`insert ${JSON.stringify(t)}@${at}`);
        break;
      }
      case 3: {
        const del = Math.min(1 + int(20), b.length - at);
        b = splice(b, at, del, new Uint8Array(0));
        what.push(`delete ${del}@${at}`);
        break;
      }
      case 4:
        b = b.subarray(0, at);
        what.push(`truncate@${at}`);
        break;
      case 5: {
        const from = int(b.length + 1);
        const len = Math.min(1 + int(60), b.length - from);
        b = splice(b, at, 0, b.slice(from, from + len));
        what.push(`duplicate ${len}@${from}->${at}`);
        break;
      }
      case 6: {
        const len = chance(0.1) ? 5000 + int(20000) : 1 + int(300);
        const ws = new Uint8Array(len);
        for (let k = 0; k < len; k++) ws[k] = pick([0x20, 0x0a, 0x0d, 0x09]);
        b = splice(b, at, 0, ws);
        what.push(`whitespace ${len}@${at}`);
        break;
      }
      case 7: {
        const d = chance(0.2) ? 1000 + int(4000) : 2 + int(60);
        const open = chance(0.5) ? "[" : '{"k":';
        const body = `${open.repeat(d)}${chance(0.8) ? "1" : ""}${(open === "[" ? "]" : "}").repeat(d - (chance(0.2) ? 1 : 0))}`;
        b = splice(b, at, 0, enc.encode(body));
        what.push(`nest ${d}${open}@${at}`);
        break;
      }
      case 8: {
        // a number changed
        const s = new TextDecoder().decode(b);
        const m = [...s.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g)];
        if (!m.length) break;
        const x = pick(m);
        const rep = pick(["0", "-1", "1e309", "2.5", "4294967296", "9007199254740993", "1E2", "-0.0", "\"1\"", "null", "[1]", "true"]);
        b = enc.encode(s.slice(0, x.index) + rep + s.slice(x.index! + x[0].length));
        what.push(`number ${x[0]}->${rep}`);
        break;
      }
      case 9:
        if (chance(0.3)) {
          b = splice(b, 0, 0, Uint8Array.from([0xef, 0xbb, 0xbf]));
          what.push("bom");
        } else if (chance(0.1)) {
          b = new Uint8Array(Buffer.from(new TextDecoder().decode(b), "utf16le"));
          what.push("utf16");
        }
        break;
      default: {
        // a key renamed or doubled
        const s = new TextDecoder().decode(b);
        const keys = [...s.matchAll(/"(id|image_id|category_id|bbox|area|score|segmentation|counts|size|iscrowd|images|annotations|categories|keypoints)"/g)];
        if (!keys.length) break;
        const x = pick(keys);
        const rep = pick([`"${x[1]}x"`, `"${x[1]!.toUpperCase()}"`, `"\\u00${x[1]!.charCodeAt(0).toString(16)}${x[1]!.slice(1)}"`, `${x[0]}:1,${x[0]}`]);
        b = enc.encode(s.slice(0, x.index) + rep + s.slice(x.index! + x[0].length));
        what.push(`key ${x[0]}->${rep}`);
      }
    }
  }
  return { bytes: b, what };
}

// ---- outcomes -----------------------------------------------------------------------------------
const plain = (v: unknown): unknown =>
  ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isNaN(x) ? "NaN" : Object.is(x, -0) ? "-0" : x)) : v;
// (the keys the evaluation reads from `raw`: streamed raw objects are rebuilt from the columns, with iscrowd always set)
const RAW_KEYS = ["id", "image_id", "category_id", "area", "bbox", "segmentation", "keypoints", "num_keypoints"];
const RESULT_KEYS = ["image_id", "category_id", "bbox", "segmentation", "keypoints", "score"];
function rawShape(o: unknown, keys: string[]): unknown {
  if (!o || typeof o !== "object" || Array.isArray(o)) return o;
  const r = o as Obj;
  return keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]);
}
function datasetShape(d: CocoDataset): string {
  const a = d.annotations;
  return JSON.stringify({
    images: [d.images.count, d.images.ids, plain(d.images.width), plain(d.images.height), d.images.fileNames],
    categories: [d.categories.count, d.categories.ids, d.categories.names, d.categories.supercategories],
    annotations: [a.count, a.ids, plain(a.image), plain(a.category), plain(a.area), plain(a.crowd), plain(a.box), plain(a.boxState), plain(a.idIsZero), a.canonical && plain(a.canonical)],
    raw: Array.from({ length: a.count }, (_, i) => rawShape(a.raw[i], RAW_KEYS)),
    warnings: d.warnings,
  });
}
function resultsShape(r: CocoResults): string {
  return JSON.stringify({
    meta: [r.source, r.count, r.withSegmentation, r.geometryPending],
    cols: [plain(r.image), plain(r.category), plain(r.score), plain(r.area), plain(r.box), plain(r.boxState)],
    raw: Array.from({ length: r.count }, (_, i) => rawShape(r.raw[i], RESULT_KEYS)),
    warnings: r.warnings,
  });
}

type Outcome<T> = { ok: true; value: T; shape: string } | { ok: false; error: string; bad?: string };

/** An error's one-line message; `bad` when it is not an input error with one line (a crash). */
function rejection<T>(e: unknown): Outcome<T> {
  const err = e instanceof Error ? e : new Error(String(e));
  const oneLine = !/[\r\n]/.test(err.message);
  const bad = /InputError$/.test(err.name) && oneLine && err.message.length < 2000 ? undefined : `${err.name}: ${err.message.slice(0, 300)}\n${(err.stack ?? "").split("\n").slice(1, 6).join("\n")}`;
  return { ok: false, error: err.message, ...(bad ? { bad } : {}) };
}

async function outcome<T>(f: () => T | Promise<T>, shape: (x: T) => string): Promise<Outcome<T>> {
  try {
    const value = await f();
    return { ok: true, value, shape: shape(value) };
  } catch (e) {
    return rejection(e);
  }
}

/** Where two texts first differ (got / want, with some context). */
function firstDifference(got: string, want: string): string {
  let k = 0;
  while (k < got.length && got[k] === want[k]) k++;
  return `got ...${got.slice(Math.max(0, k - 120), k + 120)}... want ...${want.slice(Math.max(0, k - 120), k + 120)}...`;
}

const say = (o: Outcome<unknown>) => (o.ok ? `accepts ${o.shape.slice(0, 300)}` : `rejects: ${o.error}`);

/** A syntax-class message (what a reader says when JSON.parse rejects the bytes). */
const SYNTAX = /: (invalid JSON at line \d+ column \d+: |file is truncated \(unexpected end of JSON|file is empty$|the file is UTF-(16|32); save it as UTF-8$)/;

// ---- one readers case ----------------------------------------------------------------------------
const engine = await createEngine();
const ref = new ReferenceGeometry();
const wasm = await recordScanner();
const bases = [...fixtureBases(), ...handBases(engine)];
const counts: Record<string, number> = { accepted: 0, rejected: 0, syntax: 0, evaluated: 0, gz: 0 };
const bump = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);

/** Datasets of the unmutated bases, for their results. */
const baseGt = new Map<Base, CocoDataset>();

async function readersCase(i: number): Promise<void> {
  rand = mulberry32((SEED * 1_000_003 + i) >>> 0);
  const base = pick(bases);
  const results = chance(0.45);
  const doc = results ? base.dt : base.gt;
  const { bytes, what } = mutate(serialise(doc));
  const show = () => `${base.name} ${results ? "results" : "dataset"} [${what.join(", ")}]: ${new TextDecoder().decode(bytes.subarray(0, 1200))}`;
  const gz = chance(0.15);
  if (gz) bump("gz");
  const path = join(TMP, `case${i % 8}.json${gz ? ".gz" : ""}`);
  writeFileSync(path, gz ? gzipSync(bytes) : bytes);

  let gt = baseGt.get(base);
  if (!gt) baseGt.set(base, (gt = loadCocoDataset(writeBase(base))));
  const g = gt;

  // the oracle: JSON.parse of the text, then the in-memory checks
  let parsed: { value: unknown } | undefined;
  try {
    let text = Buffer.from(bytes).toString("utf8");
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    parsed = { value: JSON.parse(text) };
  } catch {
    parsed = undefined;
  }
  const shape = results ? (resultsShape as (x: unknown) => string) : (datasetShape as (x: unknown) => string);
  const oracle = parsed
    ? await outcome<unknown>(() => (results ? cocoResultsOf(parsed!.value, path, g) : cocoDatasetOf(parsed!.value, path)), shape)
    : undefined;
  const memory = await outcome<unknown>(() => (results ? loadCocoResults(path, g) : loadCocoDataset(path)), shape);
  const file = await outcome<unknown>(() => (results ? streamCocoResults(path, g, wasm) : streamCocoDataset(path, wasm)), shape);
  const pipe = await outcome<unknown>(() => {
    const h = results ? new CocoResultsStream(g, chance(0.5) ? wasm : null) : new CocoDatasetStream(chance(0.5) ? wasm : null);
    h.input = { name: path, kind: "file" };
    try {
      scanJson(bytes, h, 1 + int(chance(0.5) ? 64 : 70000), { lines: true });
      return h.finish();
    } catch (e) {
      throw readFailure(path, e);
    }
  }, shape);

  for (const [name, o] of [["oracle", oracle], ["in-memory reader", memory], ["streaming file reader", file], ["streaming pipe reader", pipe]] as const) {
    if (o && !o.ok && o.bad) fail(i, "crash", `${name} threw ${o.bad}`, show);
  }
  if (!parsed) {
    bump("syntax");
    // JSON.parse rejects: every reader rejects with a syntax message
    if (memory.ok || !SYNTAX.test(memory.error)) fail(i, "syntax", `JSON.parse rejects; the in-memory reader ${say(memory)}`, show);
  } else if (memory.ok !== oracle!.ok || (memory.ok ? memory.shape !== (oracle as { shape: string }).shape : memory.error !== (oracle as { error: string }).error)) {
    fail(i, "oracle", `JSON.parse + checks ${say(oracle!)}; the in-memory reader ${say(memory)}`, show);
  }
  for (const [name, o] of [["streaming file reader", file], ["streaming pipe reader", pipe]] as const) {
    const same = o.ok === memory.ok && (o.ok ? o.shape === (memory as { shape: string }).shape : o.error === (memory as { error: string }).error);
    if (!same) fail(i, "streamed", o.ok && memory.ok ? `both accept, the ${name} differs: ${firstDifference(o.shape, memory.shape)}` : `the in-memory reader ${say(memory)}; the ${name} ${say(o)}`, show);
  }
  if (memory.ok) bump("accepted");
  else bump("rejected");

  // a share of the accepted results: the same evaluation from the streamed and the in-memory parse
  if (results && memory.ok && file.ok && chance(0.5)) {
    const ev = async (dt: unknown) => outcome(() => Array.from(evaluateCoco(engine, g, dt as CocoResults, { iouType: base.iouType }).stats), (s) => JSON.stringify(s));
    const a = await ev(memory.value);
    const b = await ev(file.value);
    if (!a.ok && a.bad) fail(i, "crash", `evaluation threw ${a.bad}`, show);
    if (a.ok !== b.ok || (a.ok ? a.shape !== (b as { shape: string }).shape : a.error !== (b as { error: string }).error)) {
      fail(i, "evaluation", `in-memory ${say(a)}; streamed ${say(b)}`, show);
    }
    bump("evaluated");
  }
}

const basePaths = new Map<Base, string>();
function writeBase(b: Base): string {
  let p = basePaths.get(b);
  if (!p) {
    p = join(TMP, `base${basePaths.size}.json`);
    writeFileSync(p, JSON.stringify(b.gt));
    basePaths.set(b, p);
  }
  return p;
}

// ---- one RLE case --------------------------------------------------------------------------------
/** Real compressed strings (from the fixture's segm results) with their sizes. */
function realRles(): { counts: string; h: number; w: number }[] {
  const out: { counts: string; h: number; w: number }[] = [];
  for (const b of bases) {
    for (const d of b.dt) {
      const s = d.segmentation as { size?: number[]; counts?: unknown } | undefined;
      if (s && typeof s.counts === "string" && s.size) out.push({ counts: s.counts, h: s.size[0]!, w: s.size[1]! });
    }
  }
  return out;
}
const REAL = realRles();
const ALPHABET = Array.from({ length: 64 }, (_, k) => String.fromCharCode(48 + k));

function rleOutcome(g: GeometryEngine, s: string, h: number, w: number): { ok: true; rle: Rle } | { ok: false; error: string; bad?: string } {
  try {
    return { ok: true, rle: g.rleFromString(s, h, w) };
  } catch (e) {
    const err = e as Error;
    return { ok: false, error: err.message, ...(err.name === "GeometryInputError" ? {} : { bad: `${err.name}: ${err.message}` }) };
  }
}

let rleAgree = 0;
function rleCase(i: number): void {
  rand = mulberry32((SEED * 7_000_003 + i) >>> 0);
  let s: string;
  let h: number;
  let w: number;
  if (REAL.length && chance(0.6)) {
    const r = pick(REAL);
    const c = [...r.counts];
    const n = 1 + int(3);
    for (let j = 0; j < n; j++) {
      const at = int(c.length + 1);
      const k = int(5);
      if (k === 0) c[Math.min(at, c.length - 1)] = pick(ALPHABET);
      else if (k === 1) c.splice(at, 0, pick(ALPHABET));
      else if (k === 2) c.splice(at, 1 + int(3));
      else if (k === 3) c.splice(at, 0, pick(["p", "~", " ", "é", "/", "\\", "\u0000", "😀", "O", "o", "0"]));
      else c.length = at;
    }
    s = c.join("");
    h = chance(0.8) ? r.h : r.h + int(3) - 1;
    w = chance(0.8) ? r.w : r.w + int(3) - 1;
  } else if (chance(0.3)) {
    // long counts: continuation characters (bit 0x20 set: 'P'..'o'), overflow past 10 characters or 2^32, negative deltas
    h = chance(0.5) ? int(12) : 1 + int(20000);
    w = chance(0.5) ? int(12) : 1 + int(20000);
    const n = 1 + int(30);
    s = Array.from({ length: n }, () => (chance(0.6) ? ALPHABET[32 + int(32)]! : pick(ALPHABET))).join("");
  } else {
    h = chance(0.05) ? pick([-1, 1.5, Number.NaN, 2 ** 31]) : int(12);
    w = int(12);
    const n = int(24);
    s = Array.from({ length: n }, () => (chance(0.97) ? pick(ALPHABET) : pick(["p", "\u007f", "é", " "]))).join("");
    if (chance(0.2) && h * w > 0 && h * w <= 400 && Number.isInteger(h)) s = engine.rleToString(engine.rleFromCounts(randomCounts(h * w), h, w));
  }
  const a = rleOutcome(engine, s, h, w);
  const b = rleOutcome(ref, s, h, w);
  const show = () => JSON.stringify({ s, h, w });
  if (!a.ok && a.bad) fail(i, "rle-crash", `engine.rleFromString threw ${a.bad}`, show);
  if (!b.ok && b.bad) fail(i, "rle-crash", `reference rleFromString threw ${b.bad}`, show);
  if (!a.ok || !b.ok) {
    const ea = a.ok ? "decodes" : `throws ${a.error}`;
    const eb = b.ok ? "decodes" : `throws ${b.error}`;
    if (ea !== eb) fail(i, "rle", `engine ${ea}; reference ${eb}`, show);
    else rleAgree++;
    return;
  }
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const ca = Array.from(a.rle.counts);
  const cb = Array.from(b.rle.counts);
  if (!same(ca, cb)) {
    fail(i, "rle", `counts differ: engine ${JSON.stringify(ca).slice(0, 200)}, reference ${JSON.stringify(cb).slice(0, 200)}`, show);
    return;
  }
  if (engine.rleArea(a.rle) !== ref.rleArea(b.rle)) {
    fail(i, "rle", `area: engine ${engine.rleArea(a.rle)}, reference ${ref.rleArea(b.rle)}`, show);
    return;
  }
  if (!same(engine.rleToBbox(a.rle), ref.rleToBbox(b.rle))) {
    fail(i, "rle", `bbox: engine ${engine.rleToBbox(a.rle)}, reference ${ref.rleToBbox(b.rle)}`, show);
    return;
  }
  const sa = engine.rleToString(a.rle);
  const sb = ref.rleToString(b.rle);
  if (sa !== sb) {
    fail(i, "rle", `toString: engine ${sa}, reference ${sb}`, show);
    return;
  }
  const back = engine.rleFromString(sa, h, w);
  if (!same(Array.from(back.counts), ca)) {
    fail(i, "rle", `toString does not round-trip: ${sa}`, show);
    return;
  }
  rleAgree++;
}

function randomCounts(total: number): number[] {
  const out: number[] = [];
  let left = total;
  while (left > 0) {
    const c = Math.min(left, chance(0.1) ? 0 : 1 + int(Math.max(1, Math.ceil(total / 3))));
    out.push(c);
    left -= c;
  }
  return out;
}

// ---- the loops -----------------------------------------------------------------------------------
const t0 = performance.now();
let slowest = 0;
for (let i = 0; i < CASES; i++) {
  const t = performance.now();
  await readersCase(i);
  const ms = performance.now() - t;
  if (ms > slowest) slowest = ms;
  if (ms > CASE_BUDGET_MS) fail(i, "slow", `the case took ${ms.toFixed(0)} ms (budget ${CASE_BUDGET_MS})`, () => "");
  if (i % 250 === 0) process.stdout.write(`${JSON.stringify({ progress: i })}\n`);
}
for (let i = 0; i < RLE_CASES; i++) rleCase(i);
process.stdout.write(
  `${JSON.stringify({ done: { seed: SEED, cases: CASES, rleCases: RLE_CASES, rleAgree, failures: failCount, bases: bases.length, ms: Math.round(performance.now() - t0), slowestMs: Math.round(slowest), ...counts } })}\n`,
);
