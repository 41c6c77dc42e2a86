// Node: COCO files (JSON or gzipped JSON, any size) streamed into the columnar CocoDataset /
// CocoResults (bindings/ingest/stream-coco.ts). Bytes are read in 1 MiB chunks and gunzipped by zlib
// on libuv's thread pool while this thread scans, so the text never exists as one string and
// memory is that of the columns.
//
// Error messages stay those of the in-memory parsers: when streaming finds a problem and the file
// can be read as one text (below V8's string limit), the file is loaded again with
// loadCocoDataset / loadCocoResults (bindings/ingest/node-files.ts), whose message (or result) is used.
// Beyond that limit the streaming message is reported (with a byte offset for JSON syntax errors).
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { createGunzip } from "node:zlib";
import type { CocoDataset } from "../coco/inputs.js";
import { CocoInputError } from "../coco/errors.js";
import type { CocoResults } from "../coco/inputs.js";
import { loadCocoDataset, loadCocoResults, MAX_TEXT_BYTES } from "./node-files.js";
import { CocoDatasetStream, CocoResultsStream, presizeColumns, StructureError } from "./stream-coco.js";
import { JsonStreamScanner, JsonSyntaxError, type JsonElementHandler } from "./stream-json.js";
import { WasmRecordScanner } from "./stream-wasm.js";
import { ENGINE_WASM_BASE64 } from "../generated/engine-wasm.js";

const CHUNK = 1 << 20;

export interface StreamLoadOptions {
  /** "auto" (default) and "always" stream; "never" uses the in-memory loaders of bindings/ingest/node-files.ts. */
  stream?: "auto" | "always" | "never";
  /** The compiled engine module (its record scanner reads the hot arrays); default: the inlined engine; null: JavaScript only. */
  module?: WebAssembly.Module | null;
}

let inlined: Promise<WebAssembly.Module> | undefined;

/** The record scanner on a private instance of `module` (default: the inlined engine), or null. */
export async function recordScanner(module?: WebAssembly.Module | null): Promise<WasmRecordScanner | null> {
  if (module === null) return null;
  const m = module ?? (await (inlined ??= WebAssembly.compile(Buffer.from(ENGINE_WASM_BASE64, "base64"))));
  return WasmRecordScanner.create(m);
}

/** True when the file starts with the gzip magic bytes. */
function isGzip(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Feeds a file (gunzipped when it starts with the gzip magic bytes) to a scanner. */
async function scanFile(path: string, handler: JsonElementHandler): Promise<void> {
  const scanner = new JsonStreamScanner(handler);
  // the magic bytes first: a missing or unreadable file throws here, before a stream exists whose
  // asynchronous 'error' event nobody would listen to (it surfaced as an "internal error")
  const gz = isGzip(path);
  const input = createReadStream(path, { highWaterMark: CHUNK });
  let source: AsyncIterable<Buffer> = input;
  if (gz) {
    const gunzip = createGunzip({ chunkSize: CHUNK });
    input.once("error", (e) => gunzip.destroy(e)); // a read error ends the gunzipped stream (pipe does not forward it)
    source = input.pipe(gunzip);
  }
  try {
    for await (const chunk of source) scanner.push(chunk);
    scanner.end();
  } finally {
    input.destroy();
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A streaming failure as the in-memory loader reports it (or, beyond its limit, as streaming found it). */
async function classicOr<T>(path: string, e: unknown, classic: () => T): Promise<T> {
  const size = fileSize(path);
  if (size <= MAX_TEXT_BYTES) {
    // the in-memory loader's message (or its result, when streaming was stricter than it)
    return classic();
  }
  if (e instanceof JsonSyntaxError) throw new CocoInputError(path, `invalid JSON (${e.message})`);
  if (e instanceof StructureError) {
    const what =
      e.problem === "missing"
        ? "missing (a COCO dataset needs images, annotations and categories)"
        : e.problem === "repeated"
          ? "appears twice in the dataset object"
          : e.problem === "array"
            ? "expected a JSON object with images, annotations and categories, got an array (this looks like a results file: a dataset is an object)"
            : e.where === "results"
              ? "expected a JSON array of result objects"
              : "expected an array";
    throw new CocoInputError(e.where, what);
  }
  if (e instanceof Error && /gzip|incorrect header|unexpected end of file/i.test(e.message) && !(e instanceof CocoInputError)) {
    throw new CocoInputError(path, /unexpected end/i.test(e.message) ? "file is truncated (the gzip stream ends early)" : `not valid gzip (${e.message})`);
  }
  throw e;
}

/** A COCO dataset file, streamed (parseCocoDataset semantics). */
/** Column capacity from the file size (about 64 bytes of JSON per element; gzip about 4:1). */
function presizeFor(path: string): void {
  let bytes = fileSize(path);
  try {
    if (isGzip(path)) bytes *= 4;
  } catch {
    /* reported by the scan */
  }
  presizeColumns(bytes / 64, bytes);
}

export async function streamCocoDataset(path: string, scanner?: WasmRecordScanner | null): Promise<CocoDataset> {
  presizeFor(path);
  const h = new CocoDatasetStream(scanner === undefined ? await recordScanner() : scanner);
  try {
    await scanFile(path, h);
    return h.finish();
  } catch (e) {
    return classicOr(path, e, () => loadCocoDataset(path));
  }
}

/** A COCO results file, streamed against its dataset (parseCocoResults semantics). */
export async function streamCocoResults(path: string, dataset: CocoDataset, scanner?: WasmRecordScanner | null): Promise<CocoResults> {
  presizeFor(path);
  const h = new CocoResultsStream(dataset, scanner === undefined ? await recordScanner() : scanner);
  try {
    await scanFile(path, h);
    return h.finish();
  } catch (e) {
    return classicOr(path, e, () => loadCocoResults(path, dataset));
  }
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
  const gt = stream === "never" ? loadCocoDataset(gtPath) : await streamCocoDataset(gtPath, scanner);
  const t1 = performance.now();
  const dt = stream === "never" ? loadCocoResults(dtPath, gt) : await streamCocoResults(dtPath, gt, scanner);
  const t2 = performance.now();
  return { gt, dt, timings: { loadGt: t1 - t0, loadDt: t2 - t1 } };
}
