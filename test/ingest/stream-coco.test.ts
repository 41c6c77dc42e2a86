// Streaming COCO parsing (bindings/ingest/stream-*.ts) = the in-memory parsers (parseCocoDataset /
// parseCocoResults): the same columns, raw values, warnings and first error, on the shared fixtures
// and on randomly mutated documents, with and without the wasm record scanner, at any chunking.
import { SHARED_FIXTURES } from "../helpers/paths.js";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../bindings/synth/generate.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import type { CocoDataset } from "../../bindings/coco/inputs.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import type { CocoResults } from "../../bindings/coco/inputs.js";
import { CocoDatasetStream, CocoResultsStream } from "../../bindings/ingest/stream-coco.js";
import { SEG_RLE_DECODED } from "../../bindings/columns/segmentations.js";
import { ReferenceGeometry, rleToString } from "../../bindings/geometry/reference.js";
import { scanJson } from "../../bindings/ingest/stream-json.js";
import { recordScanner, streamCocoDataset, streamCocoResults } from "../../bindings/ingest/stream-load.js";
import type { WasmRecordScanner } from "../../bindings/ingest/stream-wasm.js";

const FIXTURES = SHARED_FIXTURES;
const haveFixtures = existsSync(FIXTURES);

let wasm: WasmRecordScanner | null;
let dir: string;
beforeAll(async () => {
  wasm = await recordScanner();
  dir = mkdtempSync(join(tmpdir(), "stream-coco-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plain(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isNaN(x) ? "NaN" : Object.is(x, -0) ? "-0" : x));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** The keys the evaluation reads from `raw`, in a fixed order (streamed raw objects are rebuilt from columns). */
const RAW_KEYS = ["id", "image_id", "category_id", "area", "bbox", "segmentation", "keypoints", "num_keypoints"];
/** Results: loadRes overwrites id, area and iscrowd, so nothing reads them from `raw`. */
const RESULT_KEYS = ["image_id", "category_id", "bbox", "segmentation", "keypoints", "score"];
function rawShape(o: unknown, keys = RAW_KEYS): unknown {
  if (!o || typeof o !== "object" || Array.isArray(o)) return o;
  const r = o as Record<string, unknown>;
  return keys.filter((k) => r[k] !== undefined).map((k) => [k, sortedKeys(r[k])]);
}
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]));
  return v;
}

function datasetShape(d: CocoDataset): unknown {
  const a = d.annotations;
  return {
    images: [d.images.count, d.images.ids, plain(d.images.width), plain(d.images.height), d.images.fileNames],
    categories: [d.categories.count, d.categories.ids, d.categories.names, d.categories.supercategories],
    annotations: [a.count, a.ids, plain(a.image), plain(a.category), plain(a.area), plain(a.crowd), plain(a.box), plain(a.boxState), plain(a.idIsZero), a.canonical && plain(a.canonical)],
    raw: JSON.stringify(Array.from({ length: a.count }, (_, i) => rawShape(a.raw[i]))),
    warnings: d.warnings,
  };
}

function resultsShape(r: CocoResults): unknown {
  return {
    meta: [r.source, r.count, r.withSegmentation, r.geometryPending],
    cols: [plain(r.image), plain(r.category), plain(r.score), plain(r.area), plain(r.box), plain(r.boxState)],
    raw: JSON.stringify(Array.from({ length: r.count }, (_, i) => rawShape(r.raw[i], RESULT_KEYS))),
    warnings: r.warnings,
  };
}

/** toEqual, with the first difference of the JSON texts in the message. */
function same(got: unknown, want: unknown, label: string): void {
  const a = JSON.stringify(got);
  const b = JSON.stringify(want);
  if (a === b) return;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  expect(a.slice(Math.max(0, i - 150), i + 150), `${label.slice(0, 2000)}\n want: ${b.slice(Math.max(0, i - 150), i + 150)}`).toBe(b.slice(Math.max(0, i - 150), i + 150));
}

type Outcome = { ok: true; shape: unknown } | { ok: false; error: string };

function outcome<T>(f: () => T, shape: (x: T) => unknown): Outcome {
  try {
    return { ok: true, shape: shape(f()) };
  } catch (e) {
    return { ok: false, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** In-memory streaming (no file): the scanner over bytes in chunks. */
function streamDataset(bytes: Uint8Array, chunk: number, scanner: WasmRecordScanner | null): CocoDataset {
  const h = new CocoDatasetStream(scanner);
  scanJson(bytes, h, chunk);
  return h.finish();
}

function streamResults(bytes: Uint8Array, ds: CocoDataset, chunk: number, scanner: WasmRecordScanner | null): CocoResults {
  const h = new CocoResultsStream(ds, scanner);
  scanJson(bytes, h, chunk);
  return h.finish();
}

/** Every compressed RLE string the stream decoded at parse time has the counts the reference decodes. */
function expectDecodedCounts(res: CocoResults, what: string): number {
  const col = res.segments;
  if (!col) return 0;
  const { seg } = col;
  const ref = new ReferenceGeometry();
  const text = new TextDecoder();
  let n = 0;
  for (let i = 0; i < seg.kind.n; i++) {
    if (seg.kind.a[i] !== SEG_RLE_DECODED) continue;
    const str = text.decode(seg.bytes.a.subarray(seg.bstart.a[i]!, seg.bstart.a[i]! + seg.blength.a[i]!));
    const want = ref.rleFromString(str, seg.h.a[i]!, seg.w.a[i]!).counts;
    const got = seg.counts.a.subarray(seg.start.a[i]!, seg.start.a[i]! + seg.length.a[i]!);
    expect(Array.from(got), `${what}: decoded counts of element ${i}`).toEqual(Array.from(want));
    n++;
  }
  return n;
}

function read(path: string): Uint8Array {
  let b = readFileSync(path);
  if (b[0] === 0x1f && b[1] === 0x8b) b = gunzipSync(b);
  return b;
}

describe.skipIf(!haveFixtures)("streamed = in-memory parsing on the shared fixtures", () => {
  // COCO fixtures only: rotated_iou/ (and any other non-COCO set) has no gt.json
  const names = haveFixtures
    ? readdirSync(FIXTURES)
        .filter((n) => ["gt.json", "gt.json.gz"].some((f) => existsSync(join(FIXTURES, n, f))))
        .sort()
    : [];
  for (const name of names) {
    it(name, async () => {
      const d = join(FIXTURES, name);
      const files = readdirSync(d);
      const gtFile = files.includes("gt.json") ? "gt.json" : "gt.json.gz";
      const gtBytes = read(join(d, gtFile));
      const want = outcome(() => parseCocoDataset(gtBytes), datasetShape);
      for (const scanner of [wasm, null]) {
        for (const chunk of [1 << 20, 4099]) {
          const got = outcome(() => streamDataset(gtBytes, chunk, scanner), datasetShape);
          if (!want.ok) {
            // the loader re-reads failing files with the in-memory parser; streaming must fail too
            expect(got.ok, `${name} gt should fail`).toBe(false);
            continue;
          }
          expect(got).toEqual(want);
        }
      }
      // the file loader (gzip, error fallback) gives the in-memory result
      const viaFile = await streamCocoDataset(join(d, gtFile)).then(datasetShape, (e: Error) => `${e.name}: ${e.message}`);
      expect(viaFile).toEqual(want.ok ? want.shape : want.error);
      if (!want.ok) return;
      const gt = parseCocoDataset(gtBytes);
      for (const f of files.filter((f) => f.startsWith("dt_") && /\.json(\.gz)?$/.test(f))) {
        const dtBytes = read(join(d, f));
        const wantR = outcome(() => parseCocoResults(dtBytes, gt), resultsShape);
        for (const scanner of [wasm, null]) {
          for (const chunk of [1 << 20, 333]) {
            const got = outcome(() => streamResults(dtBytes, gt, chunk, scanner), resultsShape);
            if (!wantR.ok) expect(got.ok, `${name}/${f} should fail`).toBe(false);
            else {
              expect(got, `${name}/${f} @${chunk}`).toEqual(wantR);
              if (!/synth_val|coco_val2014/.test(name)) expectDecodedCounts(streamResults(dtBytes, gt, chunk, scanner), `${name}/${f} @${chunk}`);
            }
          }
        }
        const viaFileR = await streamCocoResults(join(d, f), gt).then(resultsShape, (e: Error) => `${e.name}: ${e.message}`);
        expect(viaFileR).toEqual(wantR.ok ? wantR.shape : wantR.error);
      }
    });
  }
});

// ---- random mutations ---------------------------------------------------------------------------

function baseDataset(rng: Rng) {
  const images = Array.from({ length: 4 }, (_, i) => ({ id: i + 1, width: 50 + rng.int(20), height: 40 + rng.int(20), file_name: `${i}.jpg` }));
  const categories = [{ id: 1, name: "a" }, { id: 2, name: "b", supercategory: "x" }];
  const annotations = Array.from({ length: 8 }, (_, i) => ({
    id: i + 1,
    image_id: 1 + rng.int(4),
    category_id: 1 + rng.int(2),
    bbox: [rng.int(20), rng.int(20), 1 + rng.int(20), 1 + rng.int(20)],
    area: rng.int(400),
    iscrowd: 0,
    segmentation: [[1, 1, 10.5, 1, 10, 10.25, 1, 10]],
  }));
  return { info: { year: 2024 }, images, annotations, categories };
}

function baseResults(rng: Rng) {
  return Array.from({ length: 10 }, () => ({
    image_id: 1 + rng.int(4),
    category_id: 1 + rng.int(2),
    bbox: [rng.int(20) + 0.5, rng.int(20), 1 + rng.int(20), 1 + rng.int(20)],
    score: Math.round(rng.float() * 1000) / 1000,
  }));
}

// biome-ignore lint/correctness/noPrecisionLoss: these literals are the rounding cases under test
const VALUES: unknown[] = [null, true, false, 0, -0, 1, 1.5, -2, 1e400, "1", "x", "0O1", [], [1, 2], [1, 2, 3, 4], [[1, 2, 3, 4, 5, 6]], [[1, 2, 3, 4]], {}, { size: [4, 4], counts: "04" }, { size: [4, 4], counts: [16] }, { size: [4, 4], counts: "0\\4" }, 0.30000000000000004, 123456789012345678, [[1e10, 0, 1, 1, 2, 2]], [{ size: [4, 4], counts: [16] }]];

function mutate(rng: Rng, obj: Record<string, unknown>, keys: string[]): void {
  const k = rng.int(5);
  const key = keys[rng.int(keys.length)]!;
  if (k === 0) delete obj[key];
  else if (k === 1) obj[key] = VALUES[rng.int(VALUES.length)];
  else if (k === 2) obj[`extra${rng.int(3)}`] = VALUES[rng.int(VALUES.length)];
  else if (k === 3) obj[key] = typeof obj[key] === "number" ? String(obj[key]) : obj[key];
  else obj[key] = VALUES[rng.int(VALUES.length)];
}

/** JSON text with odd but valid spellings: spaces, escaped keys, repeated keys. */
function oddJson(v: unknown, rng: Rng): string {
  if (Array.isArray(v)) return `[${v.map((x) => oddJson(x, rng)).join(rng.float() < 0.2 ? " , " : ",")}]`;
  if (v && typeof v === "object") {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => {
      let key = JSON.stringify(k);
      if (rng.float() < 0.05) key = `"${k.replace(/^./, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}"`;
      const one = `${key}${rng.float() < 0.1 ? " : " : ":"}${oddJson(x, rng)}`;
      return rng.float() < 0.03 ? `${key}:0,${one}` : one;
    });
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

describe("streamed = in-memory parsing on mutated documents", () => {
  it("datasets and results, 300 cases", () => {
    const rng = new Rng(Number(process.env.STREAM_FUZZ_SEED ?? 99));
    const enc = new TextEncoder();
    const trials = Number(process.env.STREAM_FUZZ ?? 300);
    for (let trial = 0; trial < trials; trial++) {
      const ds = baseDataset(rng);
      const nm = rng.int(3);
      for (let j = 0; j < nm; j++) {
        const a = ds.annotations[rng.int(ds.annotations.length)]! as Record<string, unknown>;
        mutate(rng, a, ["id", "image_id", "category_id", "bbox", "area", "iscrowd", "segmentation", "keypoints", "num_keypoints"]);
      }
      if (rng.float() < 0.1) (ds.images[0] as Record<string, unknown>).id = "1";
      const text = oddJson(ds, rng);
      const bytes = enc.encode(text);
      const want = outcome(() => parseCocoDataset(text), datasetShape);
      for (const scanner of [wasm, null]) {
        const got = outcome(() => streamDataset(bytes, 1 + rng.int(200), scanner), datasetShape);
        if (want.ok) same(got, want, text);
        else expect(got.ok, `should fail (${want.error}): ${text}`).toBe(false);
      }
      if (!want.ok) continue;
      const gt = parseCocoDataset(text);
      const res = baseResults(rng);
      const nr = rng.int(3);
      for (let j = 0; j < nr; j++) {
        const r = res[rng.int(res.length)]! as Record<string, unknown>;
        mutate(rng, r, ["image_id", "category_id", "bbox", "score", "segmentation", "keypoints", "id", "area"]);
      }
      if (rng.float() < 0.3) {
        // segm results
        for (const r of res as Record<string, unknown>[]) {
          delete r.bbox;
          r.segmentation = { size: [4, 4], counts: rng.float() < 0.5 ? "04" : "0\\5" };
        }
      }
      const rtext = oddJson(res, rng);
      const wantR = outcome(() => parseCocoResults(rtext, gt), resultsShape);
      for (const scanner of [wasm, null]) {
        const got = outcome(() => streamResults(enc.encode(rtext), gt, 1 + rng.int(100), scanner), resultsShape);
        if (wantR.ok) same(got, wantR, rtext);
        else expect(got.ok, `should fail: ${rtext}`).toBe(false);
      }
    }
  });

  it("images and categories (several elements per JSON.parse): odd strings, nesting, invalid elements, any chunking", () => {
    const rng = new Rng(11);
    const enc = new TextEncoder();
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    const odd = [
      `{"id": 3, "width": 10, "height": 10, "file_name": "a],}{\\"[b\\\\", "x": {"y": [1, {"z": "}"}]}}`,
      `{"id": 3, "__proto__": {"width": 1}, "width": 10, "height": 10}`,
      `{"id": 3, "width": 10, "height": 10, "id": 4}`,
      `{"id": 3, "width": 10, "height": 10, "n": ${deep(600)}}`,
      `{"id": 3, "width": 10, "height": 10, "n": ${deep(1200)}}`,
      `{"id": 3, "width": 10, "height": 10, "s": "\\ud800 \\u00e9 \u00e9"}`,
      `{"id": 3, "width": 10, "height": 10,}`,
      `{"id": 3, "width": 10, "height": 10, "s": "\\x"}`,
      `{"id": 3, "width": 10, "height": 10, "s": "a\tb"}`,
      `{"id": 3, "width": 10 "height": 10}`,
      `[1, 2]`,
      `7`,
      `"x"`,
      `null`,
    ];
    for (let trial = 0; trial < 80; trial++) {
      const ds = baseDataset(rng);
      const images = ds.images.map((im) => JSON.stringify(im));
      const cats = ds.categories.map((c) => JSON.stringify(c));
      const into = rng.float() < 0.5 ? images : cats;
      const o = odd[rng.int(odd.length)]!;
      into.splice(rng.int(into.length + 1), 0, o);
      const text = `{"images": [ ${images.join(rng.float() < 0.5 ? ", " : ",")} ], "annotations": ${JSON.stringify(ds.annotations)}, "categories": [${cats.join(",")}]}`;
      const want = outcome(() => parseCocoDataset(text), datasetShape);
      for (const scanner of [wasm, null]) {
        const got = outcome(() => streamDataset(enc.encode(text), 1 + rng.int(300), scanner), datasetShape);
        // (nesting past the reader's limit of 1000 may fail streaming: the loader then re-reads in memory)
        if (want.ok && !(o.includes(deep(1200)) && !got.ok)) same(got, want, text);
        else expect(got.ok, `should fail (${want.ok || want.error}): ${text.slice(0, 300)}`).toBe(false);
      }
    }
  });

  it("polygons around the 2^26 boundary limit and the int32 coordinate range", () => {
    // the scanner checks the boundary in integers: a polygon it wrongly accepts would parse here
    const rng = new Rng(7);
    const enc = new TextEncoder();
    for (let trial = 0; trial < 60; trial++) {
      const ds = baseDataset(rng);
      const sign = rng.float() < 0.5 ? -1 : 1;
      const x = sign * (6710886 + (rng.int(9) - 4) / 10); // boundary about 10|x| + 3 on the 5x grid, near 2^26
      const k = 3 + rng.int(4);
      const poly = [0, 0, x, 0];
      for (let j = 2; j < k; j++) poly.push(rng.int(3) - 1, rng.int(3) - 1);
      if (rng.float() < 0.2) poly[2 + 2 * rng.int(k - 1)] = sign * (429496729 + rng.int(3) / 10); // |5x + 0.5| near 2^31
      if (rng.float() < 0.3) for (let j = 0; j < poly.length; j++) poly[j] = -poly[j]!;
      ds.annotations[rng.int(ds.annotations.length)]!.segmentation = [poly];
      const text = JSON.stringify(ds);
      const want = outcome(() => parseCocoDataset(text), datasetShape);
      for (const scanner of [wasm, null]) {
        const got = outcome(() => streamDataset(enc.encode(text), 1 << 20, scanner), datasetShape);
        if (want.ok) same(got, want, text);
        else expect(got.ok, `should fail (${want.error}): ${text}`).toBe(false);
      }
    }
  });

  it("large documents across 1 MiB chunks (stitching)", () => {
    const rng = new Rng(3);
    const res = Array.from({ length: 60000 }, () => ({
      image_id: 1 + rng.int(4),
      category_id: 1 + rng.int(2),
      bbox: [rng.float() * 100, rng.int(20), 1 + rng.int(20), 1 + rng.int(20)],
      score: rng.float(),
      ...(rng.float() < 0.01 ? { extra: "x".repeat(rng.int(200000)) } : {}),
    }));
    const gt = parseCocoDataset(baseDataset(rng));
    const text = JSON.stringify(res);
    const bytes = new TextEncoder().encode(text);
    const want = resultsShape(parseCocoResults(text, gt));
    for (const chunk of [1 << 20, 300001, 65536]) expect(resultsShape(streamResults(bytes, gt, chunk, wasm))).toEqual(want);
    const p = join(dir, "big.json");
    writeFileSync(p, text);
    return streamCocoResults(p, gt).then((r) => expect(resultsShape(r)).toEqual(want));
  });
});

describe("segmentation columns written only once an element has one", () => {
  // elements without a segmentation key before the first one with any: their (SEG_NONE) entries are
  // written late; element i's entries must still be element i's
  const rng = new Rng(17);
  const poly = () => [[1, 1, 10 + rng.int(5), 1, 10, 10.25, 1, 10 + rng.int(5)]];
  const rle = () => {
    const x = 20 + rng.int(9);
    return rng.float() < 0.5 ? { size: [8, 8], counts: rleToString({ h: 8, w: 8, counts: Uint32Array.of(3, x, 61 - x) }) } : { size: [8, 8], counts: [3, x, 61 - x] };
  };

  it("a dataset whose first annotations have none", () => {
    const ds = baseDataset(rng);
    const anns = ds.annotations as Record<string, unknown>[];
    for (let i = 0; i < anns.length; i++) {
      if (i < 5) delete anns[i]!.segmentation;
      else anns[i]!.segmentation = i % 2 ? poly() : rle();
    }
    const text = JSON.stringify(ds);
    const want = datasetShape(parseCocoDataset(text));
    for (const scanner of [wasm, null]) {
      for (const chunk of [1 << 20, 37]) {
        const got = streamDataset(new TextEncoder().encode(text), chunk, scanner);
        same(datasetShape(got), want, `dataset @${chunk}`);
        expect(got.segments?.seg.kind.n, "an entry per fast annotation").toBe(anns.length);
      }
    }
  });

  it("results: bbox results without any carry no segmentation pools; later segmentations line up", () => {
    const gt = parseCocoDataset(baseDataset(rng));
    const plainRes = Array.from({ length: 300 }, () => baseResults(rng)[0]!);
    const text = JSON.stringify(plainRes);
    for (const scanner of [wasm, null]) {
      const got = streamResults(new TextEncoder().encode(text), gt, 61, scanner);
      expect(got.segments, "no segmentation anywhere: no pools").toBeUndefined();
      same(resultsShape(got), resultsShape(parseCocoResults(text, gt)), "bbox results");
    }
    const mixed = plainRes.map((r, i) => (i < 250 ? r : { ...r, segmentation: i % 3 === 0 ? null : i % 2 ? poly() : rle() }));
    const mixedText = JSON.stringify(mixed);
    const want = resultsShape(parseCocoResults(mixedText, gt));
    for (const scanner of [wasm, null]) {
      for (const chunk of [1 << 20, 61]) {
        const got = streamResults(new TextEncoder().encode(mixedText), gt, chunk, scanner);
        same(resultsShape(got), want, `mixed results @${chunk}`);
        expect(got.segments?.seg.kind.n, "an entry per fast result").toBe(mixed.length);
        expectDecodedCounts(got, `mixed results @${chunk}`);
      }
    }
  });
});

describe("a dataset read without keeping its segmentations", () => {
  const rng = new Rng(23);
  const dropped = (bytes: Uint8Array, chunk: number, scanner: WasmRecordScanner | null): CocoDataset => {
    const h = new CocoDatasetStream(scanner, false);
    scanJson(bytes, h, chunk);
    return h.finish();
  };
  /** datasetShape with the raw objects' segmentations left out (the one thing not kept). */
  const withoutSeg = (d: CocoDataset) => {
    const shape = datasetShape(d) as { raw: string };
    const raw = JSON.parse(shape.raw) as [string, unknown][][];
    return { ...shape, raw: raw.map((o) => (Array.isArray(o) ? o.filter(([k]) => k !== "segmentation") : o)) };
  };

  it("the same columns, warnings and errors; no pools, no segmentation in raw", () => {
    for (let trial = 0; trial < 60; trial++) {
      const ds = baseDataset(rng);
      const anns = ds.annotations as Record<string, unknown>[];
      for (const a of anns) if (rng.float() < 0.3) a.segmentation = { size: [8, 8], counts: rleToString({ h: 8, w: 8, counts: Uint32Array.of(5, 50, 9) }) };
      // now and then an invalid one: the check still runs, with the same message
      if (rng.float() < 0.3) anns[rng.int(anns.length)]!.segmentation = VALUES[rng.int(VALUES.length)];
      const text = JSON.stringify(ds);
      const bytes = new TextEncoder().encode(text);
      const want = outcome(() => parseCocoDataset(text), withoutSeg);
      for (const scanner of [wasm, null]) {
        const got = outcome(() => dropped(bytes, 1 + rng.int(300), scanner), withoutSeg);
        same(got, want, text);
        if (got.ok) {
          const d = dropped(bytes, 1 << 20, scanner);
          expect(d.segments, "no pools").toBeUndefined();
        }
      }
    }
  });
});
