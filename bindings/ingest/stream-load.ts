// Node: COCO files (JSON or gzipped JSON, any size; regular files, pipes and devices alike) streamed
// into the columnar CocoDataset / CocoResults (bindings/ingest/stream-coco.ts). Bytes are read once,
// in 1 MiB chunks, and gunzipped by zlib on libuv's thread pool while this thread scans, so the text
// never exists as one string and memory is that of the columns plus one piece of JSON (at most
// MAX_PIECE_BYTES; whitespace between tokens is never kept).
//
// The first problem is reported as the in-memory parsers (parseCocoDataset / parseCocoResults via
// bindings/ingest/node-files.ts) report it: JSON syntax errors in json-text.ts's words and place
// (line and column: counted while reading a pipe or device; for a regular file, counted afterwards in
// one more pass over its bytes up to the problem, in constant memory), then the structure and the
// checks of the elements. Nothing is read twice into memory.
import { isGzipFile } from "./gzip-file.js";
import type { CocoDataset } from "../coco/inputs.js";
import type { CocoResults } from "../coco/inputs.js";
import { fileChunks, inputKind, type InputKind, loadCocoDataset, loadCocoResults, readFailure } from "./node-files.js";
import { CocoDatasetStream, CocoResultsStream, presizeColumns } from "./stream-coco.js";
import { JsonStreamScanner, JsonSyntaxError, LineCounter, type JsonElementHandler } from "./stream-json.js";
import { WasmRecordScanner } from "./stream-wasm.js";
import { ENGINE_WASM_BASE64 } from "../generated/engine-wasm.js";

export interface StreamLoadOptions {
  /** "auto" (default) and "always" stream; "never" uses the in-memory loaders of bindings/ingest/node-files.ts. */
  stream?: "auto" | "always" | "never";
  /** The compiled engine module (its record scanner reads the hot arrays); default: the inlined engine; null: JavaScript only. */
  module?: WebAssembly.Module | null;
  /**
   * false: the dataset's segmentations are checked as they are read but not kept (the annotations'
   * `raw` objects may lack them): for evaluations that never read them (bbox, keypoints, rotated
   * boxes), whose polygons are most of a dataset's memory. Default true. Streamed reading only.
   */
  segmentations?: boolean;
  /**
   * true: the results' boxes, scores and areas are made on SharedArrayBuffers, so that worker threads
   * (evaluateCocoParallel) read them without a copy. Default false. Streamed reading only.
   */
  shared?: boolean;
}

let inlined: Promise<WebAssembly.Module> | undefined;

/** The record scanner on a private instance of `module` (default: the inlined engine), or null. */
export async function recordScanner(module?: WebAssembly.Module | null): Promise<WasmRecordScanner | null> {
  if (module === null) return null;
  const m = module ?? (await (inlined ??= WebAssembly.compile(Buffer.from(ENGINE_WASM_BASE64, "base64"))));
  return WasmRecordScanner.create(m);
}

/** Line and column of byte `byte` of a regular file (one more pass over its bytes, gunzipped when needed). */
async function lineColumnAt(path: string, byte: number): Promise<{ line: number; column: number }> {
  const c = new LineCounter();
  let seen = 0;
  for await (const chunk of fileChunks(path)) {
    let from = 0;
    if (seen === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) from = 3; // a byte order mark is not a character
    const end = Math.min(chunk.length, byte - seen);
    c.advance(chunk, from, Math.max(from, end));
    seen += chunk.length;
    if (seen >= byte) break;
  }
  return { line: c.line, column: c.column() };
}

/**
 * Feeds a file to `handler`'s scanner and returns `finish()`; a failure becomes the one-line input
 * error (bindings/ingest/node-files.ts readFailure), with line and column. `chunks`: the file's
 * bytes when they are being read already (a pipe whose first bytes were looked at: they come again).
 */
export async function scanFile<T>(path: string, kind: InputKind, handler: JsonElementHandler, finish: () => T, chunks: AsyncIterable<Buffer> = fileChunks(path)): Promise<T> {
  const scanner = new JsonStreamScanner(handler, { lines: !kind.regular });
  try {
    for await (const chunk of chunks) scanner.push(chunk);
    scanner.end();
    return finish();
  } catch (e) {
    const where = kind.regular && e instanceof JsonSyntaxError && e.at?.kind === "invalid" && e.at.line === 0 ? await lineColumnAt(path, e.at.byte) : undefined;
    throw readFailure(path, e, where);
  }
}

/** Column capacity from the size of a regular file (about 64 bytes of JSON per element; gzip about 4:1). */
function presizeFor(kind: InputKind, path: string, shared = false): void {
  let bytes = 0;
  if (kind.regular) {
    bytes = isGzipFile(path) ? 4 * kind.size : kind.size;
  }
  presizeColumns(bytes / 64, bytes, shared);
}

/**
 * A COCO dataset file, streamed (parseCocoDataset semantics); `chunks` as scanFile's; `segmentations`
 * as StreamLoadOptions'.
 */
export async function streamCocoDataset(path: string, scanner?: WasmRecordScanner | null, chunks?: AsyncIterable<Buffer>, segmentations = true): Promise<CocoDataset> {
  const kind = inputKind(path);
  presizeFor(kind, path);
  const h = new CocoDatasetStream(scanner === undefined ? await recordScanner() : scanner, segmentations);
  h.input = { name: path, kind: "file" };
  return scanFile(path, kind, h, () => h.finish(), chunks);
}

/** A COCO results file, streamed against its dataset (parseCocoResults semantics); `shared` as StreamLoadOptions'. */
export async function streamCocoResults(path: string, dataset: CocoDataset, scanner?: WasmRecordScanner | null, shared = false): Promise<CocoResults> {
  const kind = inputKind(path);
  presizeFor(kind, path, shared);
  const h = new CocoResultsStream(dataset, scanner === undefined ? await recordScanner() : scanner);
  h.input = { name: path, kind: "file" };
  return scanFile(path, kind, h, () => h.finish());
}

export interface LoadedInputs {
  gt: CocoDataset;
  dt: CocoResults;
  /** Milliseconds: dataset, results. */
  timings: { loadGt: number; loadDt: number };
}

/** Ground truth then results, as the CLI reads them. */
export async function loadCocoInputs(gtPath: string, dtPath: string, options: StreamLoadOptions = {}): Promise<LoadedInputs> {
  const t0 = performance.now();
  const stream = options.stream ?? "auto";
  const scanner = stream === "never" ? null : await recordScanner(options.module);
  const gt = stream === "never" ? loadCocoDataset(gtPath) : await streamCocoDataset(gtPath, scanner, undefined, options.segmentations ?? true);
  const t1 = performance.now();
  const dt = stream === "never" ? loadCocoResults(dtPath, gt) : await streamCocoResults(dtPath, gt, scanner, options.shared ?? false);
  const t2 = performance.now();
  return { gt, dt, timings: { loadGt: t1 - t0, loadDt: t2 - t1 } };
}
