
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadCocoDataset, loadCocoResults, readJsonFile } from "../../bindings/ingest/node-files.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { streamCocoDataset, streamCocoResults } from "../../bindings/ingest/stream-load.js";
import type { CocoDataset, CocoResults } from "../../bindings/coco/inputs.js";
import { inputFiles } from "../helpers/input-files.js";

const GT = {
  info: { year: 2024 },
  images: [
    { id: 1, width: 40, height: 40, file_name: "a.jpg" },
    { id: 2, width: 40, height: 30 },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 10, 10], area: 100, iscrowd: 0, segmentation: [[1, 1, 11, 1, 11, 11, 1, 11]] },
    { id: 2, image_id: 2, category_id: 1, bbox: [5, 5, 10, 10], area: 100, iscrowd: 0 },
  ],
  categories: [{ id: 1, name: "a" }],
};
const DT = [
  { image_id: 1, category_id: 1, bbox: [1, 1, 10, 10], score: 0.9 },
  { image_id: 2, category_id: 1, bbox: [5, 6, 10, 10], score: 0.8 },
];

const inputs = inputFiles("stream-load-");
const { file, fifo } = inputs;

function shapeDataset(d: CocoDataset): unknown {
  const a = d.annotations;
  return [d.images.ids, d.categories.ids, a.ids, Array.from(a.area), Array.from(a.box), d.warnings];
}
function shapeResults(r: CocoResults): unknown {
  return [r.count, Array.from(r.score), Array.from(r.box), r.warnings];
}

async function outcome<T>(f: () => T | Promise<T>, shape: (x: T) => unknown): Promise<string> {
  try {
    return JSON.stringify(shape(await f()));
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** The in-memory reader, the streaming reader on the file, on its gzip, and on a pipe: all the same outcome (file names aside). */
async function sameEverywhere(text: string | Uint8Array, kind: "dataset" | "results"): Promise<string> {
  const gt = parseCocoDataset(GT);
  const read = (p: string) => (kind === "dataset" ? outcome(() => loadCocoDataset(p), shapeDataset) : outcome(() => loadCocoResults(p, gt), shapeResults));
  const stream = (p: string) => (kind === "dataset" ? outcome(() => streamCocoDataset(p), shapeDataset) : outcome(() => streamCocoResults(p, gt), shapeResults));
  const plain = file(text);
  const want = await read(plain);
  const norm = (s: string, p: string) => s.split(p).join("FILE");
  expect(norm(await stream(plain), plain), "streamed, regular file").toBe(norm(want, plain));
  const gz = file(gzipSync(text), ".json.gz");
  expect(norm(await stream(gz), gz), "streamed, gzip").toBe(norm(want, plain));
  expect(norm(await read(gz), gz), "in memory, gzip").toBe(norm(want, plain));
  if (inputs.haveFifo) {
    const p = fifo(text);
    expect(norm(await stream(p), p), "streamed, a pipe").toBe(norm(want, plain));
    const q = fifo(text);
    expect(norm(await read(q), q), "in memory, a pipe").toBe(norm(want, plain));
  }
  return norm(want, plain);
}

describe("one first problem, in the same words, for every reader and every kind of file", () => {
  const datasets: [string, string | Uint8Array, RegExp | string][] = [
    ["valid", JSON.stringify(GT), /^\[\[1,2\]/],
    ["valid, pretty, with a byte order mark", `\ufeff${JSON.stringify(GT, null, 2)}`, /^\[\[1,2\]/],
    ["JSON encoded twice", JSON.stringify(JSON.stringify(GT)), "CocoInputError: FILE: expected a JSON object, got a string (the file holds JSON text inside a JSON string: decode it once)"],
    ["a string", '"hello"', 'CocoInputError: FILE: expected a JSON object, got a string ("hello")'],
    ["a number", " 42 ", "CocoInputError: dataset: expected a JSON object with images, annotations and categories, got 42"],
    ["results given as a dataset", JSON.stringify([...DT, ...DT, ...DT]), /^CocoInputError: dataset: expected a JSON object with images, annotations and categories, got \[\{"image_id":1,.*\.\.\. \(this looks like a results file: a dataset is an object\)$/],
    ["images not an array", JSON.stringify({ ...GT, images: { a: 1 } }), 'CocoInputError: images: expected an array, got {"a":1}'],
    ["categories missing", JSON.stringify({ images: [], annotations: [] }), "CocoInputError: categories: missing (a COCO dataset needs images, annotations and categories)"],
    ["annotations twice: JSON.parse keeps the last", `{"images": ${JSON.stringify(GT.images)}, "annotations": ${JSON.stringify(GT.annotations)}, "categories": [{"id": 1}], "annotations": [${JSON.stringify(GT.annotations[1])}]}`, /^\[\[1,2\],\[1\],\[2\]/],
    ["truncated", JSON.stringify(GT).slice(0, 100), "CocoInputError: FILE: file is truncated (unexpected end of JSON at byte 100)"],
    ["pretty, with a syntax error", JSON.stringify(GT, null, 2).replace('"area": 100,', '"area": 100,,'), /^CocoInputError: FILE: invalid JSON at line \d+ column \d+: unexpected character "," \(expected a property name in double quotes\)$/],
    ["NaN", JSON.stringify(GT).replace('"area":100', '"area":NaN'), /NaN is not valid JSON/],
    ["empty", "", "CocoInputError: FILE: file is empty"],
    ["only whitespace", " \n\t ".repeat(1000), "CocoInputError: FILE: file is empty"],
    ["UTF-16", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(GT), "utf16le")]), "CocoInputError: FILE: the file is UTF-16; save it as UTF-8"],
    ["UTF-16 without a byte order mark", Buffer.from(JSON.stringify(GT), "utf16le").swap16(), "CocoInputError: FILE: the file is UTF-16; save it as UTF-8"],
    ["NUL bytes", new Uint8Array(5000), 'CocoInputError: FILE: invalid JSON at line 1 column 1: unexpected character "\\u0000" (expected a JSON value)'],
    ["a bad image, then a syntax error", JSON.stringify({ ...GT, images: [5, ...GT.images] }).replace('"categories":[', '"categories":[x'), /^CocoInputError: FILE: invalid JSON at line 1 column \d+: unexpected character "x"/],
    ["a bad image first", JSON.stringify({ ...GT, images: [{ id: 1 }, 5, "x", ...GT.images] }), "CocoInputError: images[1]: expected an object, got 5"],
    ["a duplicate before a bad image", JSON.stringify({ ...GT, images: [{ id: 1 }, { id: 1 }, 5] }), "CocoInputError: images: duplicate id 1 (images[0] and images[1])"],
    // found by test/ingest/fuzz-readers.test.ts
    ["truncated after bytes that are not UTF-8: the byte count is the file's", Buffer.concat([Buffer.from('{"info": "a'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('b", "images": [')]), "CocoInputError: FILE: file is truncated (unexpected end of JSON at byte 29)"],
    ["two byte order marks", `\ufeff\ufeff${JSON.stringify(GT)}`, 'CocoInputError: FILE: invalid JSON at line 1 column 1: unexpected character "\ufeff" (expected a JSON value)'],
    [
      "annotations without area: counted over all of them",
      JSON.stringify({ ...GT, annotations: [GT.annotations[0], { id: 3, image_id: 1, category_id: 1 }, { id: 4, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4] }, { id: 5, image_id: 1, category_id: 1, area: 1 }, { id: 6, image_id: 2, category_id: 1 }] }),
      "CocoInputError: annotations[1].area: missing (3 of 5 annotations have no area; pycocotools needs it for the area ranges and never derives it)",
    ],
  ];
  it.each(datasets)("dataset: %s", async (_name, text, want) => {
    const got = await sameEverywhere(text, "dataset");
    if (typeof want === "string") expect(got).toBe(want);
    else expect(got).toMatch(want);
  });

  const results: [string, string | Uint8Array, RegExp | string][] = [
    ["valid", JSON.stringify(DT), /^\[2,\[0\.9,0\.8\]/],
    ["JSON encoded twice", JSON.stringify(JSON.stringify(DT)), "CocoInputError: FILE: expected a JSON array, got a string (the file holds JSON text inside a JSON string: decode it once)"],
    ["a dataset given as results", JSON.stringify(GT), /^CocoInputError: results: expected a JSON array of result objects, got \{"info":\{"year":2024\},"images":\[\{"id":1,.*\.\.\. \(this looks like a dataset; results are the plain array of detections\)$/],
    ["the annotations of a dataset", JSON.stringify({ annotations: DT }), /^CocoInputError: results: expected a JSON array of result objects, got \{"annotations":\[.*\(results are the plain array of detections: pass the "annotations" array\)$/],
    ["a bad first result, then a syntax error", `[{"image_id": 1}, ${JSON.stringify(DT[0])}, {"image_id": 1 "x": 2}]`, /^CocoInputError: FILE: invalid JSON at line 1 column \d+: unexpected character "\\"" \(expected ',' or '\}'\)$/],
    ["a bad first result", `[{"image_id": 1}, ${JSON.stringify(DT[0])}]`, "CocoInputError: results[0]: needs a bbox, a segmentation or keypoints (the first result decides which)"],
    ["a bad result among good ones, many after it", JSON.stringify([...DT, { bbox: [1, 2, 3, 4] }, ...Array.from({ length: 500 }, () => ({ x: 1 }))]), "CocoInputError: results[2].image_id: missing"],
    ["truncated gzip-free file", JSON.stringify(DT).slice(0, 50), "CocoInputError: FILE: file is truncated (unexpected end of JSON at byte 50)"],
  ];

  it("segm results: a given \"bbox\": [] stays in raw (found by test/ingest/fuzz-readers.test.ts)", async () => {
    const gt = parseCocoDataset(GT);
    const dt = [
      { image_id: 1, category_id: 1, segmentation: { size: [40, 40], counts: [1600] }, score: 0.9 },
      { image_id: 1, category_id: 1, segmentation: { size: [40, 40], counts: [1600] }, score: 0.8, bbox: [] },
      { image_id: 2, category_id: 1, segmentation: { size: [30, 40], counts: [1200] }, score: 0.7, bbox: [1, 2, 3, 4] },
    ];
    const p = file(JSON.stringify(dt));
    const want = loadCocoResults(p, gt);
    for (const got of [await streamCocoResults(p, gt), await streamCocoResults(p, gt, null)]) {
      expect(Array.from(got.raw, (r) => r.bbox)).toEqual(Array.from(want.raw, (r) => r.bbox));
      expect(Array.from(got.boxState)).toEqual(Array.from(want.boxState));
    }
    expect(Array.from(want.raw, (r) => r.bbox)).toEqual([undefined, [], [1, 2, 3, 4]]);
  });

  it("bytes handed to the library: one byte order mark skipped, the byte count of a truncation, UTF-16 named", () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(parseCocoDataset(bytes(`\ufeff${JSON.stringify(GT)}`)).images.count).toBe(2);
    expect(() => parseCocoDataset(bytes(`\ufeff\ufeff${JSON.stringify(GT)}`))).toThrow(/^dataset: invalid JSON at line 1 column 1: unexpected character "\ufeff"/);
    expect(() => parseCocoDataset(Uint8Array.from([0x7b, 0x22, 0xff, 0xff]))).toThrow(/^dataset: text is truncated \(unexpected end of JSON at byte 4\)$/);
    expect(() => parseCocoDataset(new Uint8Array(Buffer.from(JSON.stringify(GT), "utf16le")))).toThrow(/^dataset: the text is UTF-16; save it as UTF-8$/);
  });
  it.each(results)("results: %s", async (_name, text, want) => {
    const got = await sameEverywhere(text, "results");
    if (typeof want === "string") expect(got).toBe(want);
    else expect(got).toMatch(want);
  });

  it("JSON text handed to the library: the same rule (the text, not the file, holds JSON inside a string)", () => {
    expect(() => parseCocoDataset(JSON.stringify(JSON.stringify(GT)))).toThrow(/^dataset: expected a JSON object, got a string \(the text holds JSON text inside a JSON string: decode it once\)$/);
    expect(() => parseCocoResults(JSON.stringify(JSON.stringify(DT)), parseCocoDataset(GT))).toThrow(/^results: expected a JSON array, got a string \(the text holds/);
    // readJsonFile gives the string as it is (convert / analyze decide), never its decoded JSON
    expect(typeof readJsonFile(file(JSON.stringify(JSON.stringify(GT))))).toBe("string");
  });

  it("a gzip that is cut or damaged", async () => {
    const gz = gzipSync(JSON.stringify(DT));
    const gt = parseCocoDataset(GT);
    for (const [bytes, want] of [
      [gz.subarray(0, 30), "file is truncated (the gzip stream ends early)"],
      [Buffer.concat([gz.subarray(0, 12), Buffer.alloc(20, 7), gz.subarray(32)]), "not valid gzip"],
    ] as const) {
      const p = file(bytes, ".json.gz");
      await expect(streamCocoResults(p, gt)).rejects.toThrow(want);
      expect(() => loadCocoResults(p, gt)).toThrow(want);
    }
  });
});
