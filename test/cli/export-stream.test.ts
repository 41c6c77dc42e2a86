// `detection-eval export` streamed (bindings/cli/export-stream.ts): with chunks of 1, 2 and 5 objects
// (DETECTION_EVAL_EXPORT_CHUNK), the file reads back to the same table as the whole-input path
// (fromCoco + analyze + objectTable + encodeTable): the CSV byte for byte, the Parquet (hyparquet) and
// Arrow (apache-arrow) files row for row and type for type. Inputs: test/fixtures/synth_small (bbox and
// segm), and random COCO files with tied scores, crowd labels, an empty image, a result of an unknown
// category and label ids beyond int32; the same files shuffled (not in image order: analysed whole) give the same table too. A
// failure in a later chunk leaves the old file and no temporary file. (Arrow fields' nullable flag is
// not compared: the streamed file marks every field nullable, encodeArrow only those with a null.)
import { linkSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { parquetReadObjects, parquetSchema, parquetMetadata } from "hyparquet";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { analyze } from "../../bindings/analysis/analyze.js";
import { fromCoco } from "../../bindings/analysis/coco-adapter.js";
import { objectTable } from "../../bindings/analysis/object-table.js";
import { main } from "../../bindings/cli/main.js";
import { encodeTable, type TableFormat } from "../../bindings/cli/table-files.js";
import { planStreamedExport } from "../../bindings/cli/export-stream.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { readJsonFile } from "../../bindings/ingest/node-files.js";
import { openAtomicOutput } from "../../bindings/ingest/output-file.js";
import { streamCocoResults } from "../../bindings/ingest/stream-load.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";
import { mulberry32 } from "../helpers/random.js";

const engine = await createEngine();
const dir = mkdtempSync(join(tmpdir(), "de-export-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

async function cli(...argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const code = await main(argv, { stdout: () => {}, stderr: (s) => (stderr += s), isTTY: false });
  return { code, stderr };
}

/** The table of the whole input, encoded in memory (the export before streaming). */
async function wholeFile(
  gt: string,
  dt: string,
  format: TableFormat,
  iouType: "bbox" | "segm",
  options: { candidates?: "same-class" | "any-class"; box?: boolean } = {},
): Promise<Uint8Array> {
  const ds = parseCocoDataset(readJsonFile(gt) as object);
  const res = await streamCocoResults(dt, ds);
  const a = analyze(engine, fromCoco(engine, ds, res, { iouType }), { candidates: options.candidates ?? "same-class", iou: options.box ? "box" : "mask" });
  return encodeTable(objectTable(a, a.at({ iou: 0.5 })), format);
}

function parquetTable(bytes: Uint8Array): Promise<{ schema: unknown; rows: Record<string, unknown>[] }> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const schema = parquetSchema(parquetMetadata(file)).children.map((c) => [c.element.name, c.element.type, c.element.logical_type?.type ?? null]);
  return parquetReadObjects({ file }).then((rows) => ({ schema, rows }));
}

function arrowTable(bytes: Uint8Array): { schema: string[]; rows: unknown[] } {
  const t = tableFromIPC(bytes);
  return { schema: t.schema.fields.map((f) => `${f.name}:${f.type}`), rows: t.toArray().map((r) => r.toJSON()) };
}

/** The streamed file (chunks of `chunk` objects) reads back as the whole-input one. */
async function expectSameFile(
  gt: string,
  dt: string,
  format: TableFormat,
  iouType: "bbox" | "segm",
  chunk: number,
  extra: string[] = [],
  options: { candidates?: "same-class" | "any-class"; box?: boolean } = {},
): Promise<void> {
  vi.stubEnv("DETECTION_EVAL_EXPORT_CHUNK", String(chunk));
  const out = join(dir, `t.${format}`);
  const r = await cli("export", "--gt", gt, "--dt", dt, "--iou-type", iouType, "--out", out, ...extra);
  expect(r.code, r.stderr).toBe(0);
  const got = new Uint8Array(readFileSync(out));
  const want = await wholeFile(gt, dt, format, iouType, options);
  if (format === "csv") expect(Buffer.from(got).toString("utf8")).toBe(Buffer.from(want).toString("utf8"));
  else if (format === "parquet") expect(await parquetTable(got)).toEqual(await parquetTable(want));
  else expect(arrowTable(got)).toEqual(arrowTable(want));
}

/** A random COCO pair: tied scores, crowd labels, an empty image; `shuffle` breaks the image order. */
function randomCoco(seed: number, options: { shuffle?: boolean; bigLabelIds?: boolean } = {}): { gt: string; dt: string } {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const images = Array.from({ length: 7 }, (_, i) => ({ id: 10 + i * 3, width: 40, height: 30, file_name: `im${i}.png` }));
  const categories = [1, 2, 7].map((id) => ({ id, name: `c${id}` }));
  const annotations: Record<string, unknown>[] = [];
  const results: Record<string, unknown>[] = [];
  const box = () => {
    const x = int(30);
    const y = int(20);
    return [x, y, 2 + int(10), 2 + int(10)];
  };
  images.forEach((im, i) => {
    if (i === 3) return; // an image without objects
    for (let k = int(5); k > 0; k--) {
      const [x, y, w, h] = box() as [number, number, number, number];
      annotations.push({
        id: (options.bigLabelIds ? 5_000_000_000 : 1) + annotations.length,
        image_id: im.id,
        category_id: categories[int(3)]!.id,
        bbox: [x, y, w, h],
        area: w * h,
        segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]],
        iscrowd: rnd() < 0.15 ? 1 : 0,
      });
      // predictions near the label, some of another class, scores that tie
      for (let j = int(3); j > 0; j--) {
        const b = [x + int(3) - 1, y + int(3) - 1, w + int(3) - 1, h + int(3) - 1];
        results.push({ image_id: im.id, category_id: categories[int(3)]!.id, bbox: b, score: [0.3, 0.5, 0.5, 0.9][int(4)] });
      }
    }
    for (let j = int(3); j > 0; j--) results.push({ image_id: im.id, category_id: categories[int(3)]!.id, bbox: box(), score: [0.5, 0.9][int(2)] });
  });
  // a result of a category the dataset lacks (left out, with a warning)
  results.splice(1, 0, { image_id: images[0]!.id, category_id: 99, bbox: box(), score: 0.5 });
  if (options.shuffle) {
    for (const list of [annotations, results])
      for (let i = list.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
  }
  const name = `r${seed}${options.shuffle ? "s" : ""}${options.bigLabelIds ? "b" : ""}`;
  const gt = join(dir, `${name}.gt.json`);
  const dt = join(dir, `${name}.dt.json`);
  writeFileSync(gt, JSON.stringify({ images, categories, annotations }));
  writeFileSync(dt, JSON.stringify(results));
  return { gt, dt };
}

async function plan(gt: string, dt: string): Promise<unknown> {
  const ds = parseCocoDataset(readJsonFile(gt) as object);
  const res = await streamCocoResults(dt, ds);
  return planStreamedExport(engine, ds, res, { iouType: "bbox", analyze: {}, viewIou: 0.5 });
}

describe("export, streamed a chunk of images at a time", () => {
  for (const iouType of ["bbox", "segm"] as const)
    it(`synth_small ${iouType}: chunks of 2 and 50 objects give the whole-input file (CSV, Parquet, Arrow)`, async () => {
      const gt = join(LOCAL_FIXTURES, "synth_small/gt.json.gz");
      const dt = join(LOCAL_FIXTURES, `synth_small/dt_${iouType}.json.gz`);
      expect(await plan(gt, dt)).not.toBeNull();
      for (const format of ["csv", "parquet", "arrow"] as const) for (const chunk of [2, 50]) await expectSameFile(gt, dt, format, iouType, chunk);
    });

  it("random inputs with tied scores, crowd labels, an empty image, label ids beyond int32: chunks of 1, 2, 5 objects", async () => {
    for (const seed of [1, 2, 3]) {
      const { gt, dt } = randomCoco(seed, { bigLabelIds: seed === 3 });
      expect(await plan(gt, dt)).not.toBeNull();
      for (const format of ["csv", "parquet", "arrow"] as const)
        for (const chunk of [1, 2, 5]) {
          await expectSameFile(gt, dt, format, "bbox", chunk);
          await expectSameFile(gt, dt, format, "segm", chunk);
        }
      await expectSameFile(gt, dt, "csv", "bbox", 2, ["--box-iou"], { box: true });
      await expectSameFile(gt, dt, "csv", "segm", 2, ["--candidates", "any-class"], { candidates: "any-class" });
    }
    // the warnings of the whole-input path, once
    vi.stubEnv("DETECTION_EVAL_EXPORT_CHUNK", "1");
    const { gt, dt } = randomCoco(1);
    const r = await cli("export", "--gt", gt, "--dt", dt, "--out", join(dir, "w.csv"));
    expect(r.stderr.match(/results: 1 with a category not in the dataset are left out/g)).toHaveLength(1);
  });

  it("input not in image order is analysed whole, to the same file", async () => {
    const { gt, dt } = randomCoco(4, { shuffle: true });
    expect(await plan(gt, dt)).toBeNull();
    for (const format of ["csv", "parquet", "arrow"] as const) await expectSameFile(gt, dt, format, "bbox", 1);
  });

  it("a bad object in a later chunk: one-line error, the old file intact, no temporary file left", async () => {
    const { gt, dt } = randomCoco(5);
    const json = JSON.parse(readFileSync(gt, "utf8")) as { annotations: { bbox: number[] }[] };
    json.annotations.at(-1)!.bbox[2] = -3;
    const bad = join(dir, "bad.gt.json");
    writeFileSync(bad, JSON.stringify(json));
    const sub = mkdtempSync(join(dir, "out-"));
    const out = join(sub, "t.csv");
    writeFileSync(out, "old");
    vi.stubEnv("DETECTION_EVAL_EXPORT_CHUNK", "1");
    const r = await cli("export", "--gt", bad, "--dt", dt, "--iou-type", "bbox", "--out", out);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`annotations\\[${json.annotations.length - 1}\\]\\.bbox: analysis needs a width and height >= 0`));
    expect(readFileSync(out, "utf8")).toBe("old");
    expect(readdirSync(sub)).toEqual(["t.csv"]);
  });
});

describe("openAtomicOutput: writeFileAtomic's guarantees, piece by piece", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it("nothing shows before commit(); abort() leaves the old file and no temporary file", () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const out = join(sub, "f.csv");
    writeFileSync(out, "old");
    const o = openAtomicOutput(out);
    o.write(bytes("a,"));
    o.write(bytes("b\n"));
    expect(readFileSync(out, "utf8")).toBe("old");
    o.abort();
    expect(readFileSync(out, "utf8")).toBe("old");
    expect(readdirSync(sub)).toEqual(["f.csv"]);
    const p = openAtomicOutput(out);
    p.write(bytes("a,"));
    p.write(bytes("b\n"));
    p.commit();
    p.abort(); // after commit: nothing to undo
    expect(readFileSync(out, "utf8")).toBe("a,b\n");
    expect(readdirSync(sub)).toEqual(["f.csv"]);
  });

  it("through a symlink to its target (the link stays a link); into a hard-linked file in place", () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const target = join(sub, "t.csv");
    writeFileSync(target, "old");
    symlinkSync(target, join(sub, "link.csv"));
    linkSync(target, join(sub, "hard.csv"));
    const o = openAtomicOutput(join(sub, "link.csv"));
    o.write(bytes("new"));
    o.write(bytes(" data"));
    o.commit();
    expect(lstatSync(join(sub, "link.csv")).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("new data");
    expect(readFileSync(join(sub, "hard.csv"), "utf8")).toBe("new data");
    expect(readdirSync(sub).sort()).toEqual(["hard.csv", "link.csv", "t.csv"]);
  });

  it("a missing directory: one line naming the output", () => {
    expect(() => openAtomicOutput(join(dir, "no/such/f.parquet"))).toThrow(`${join(dir, "no/such/f.parquet")}: cannot write (no such directory)`);
  });
});
