// Node-only file access (fs, zlib): JSON or gzipped JSON by path (writes: output-file.ts). Not imported by
// bindings/index.ts, which stays browser-safe; the CLI uses it. Every problem with a file is a
// CocoInputError whose message starts with the path as given (`gt.json: file is truncated (...)`).
//
// Files are read once, front to back, and never past the limits: a regular file's size is known
// before it is read (beyond MAX_TEXT_BYTES: "too large" at once); a pipe or device (`/dev/stdin`,
// `<(zcat x.gz)`, `/dev/zero`) is read as it comes, checked as JSON while it arrives (the first byte
// that cannot be JSON stops it, with the usual line and column), and stopped at the same limit.
import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import { constants as zlibConstants, createGunzip, gunzipSync } from "node:zlib";
import { parseCocoDataset } from "./coco-dataset.js";
import type { CocoDataset } from "../coco/inputs.js";
import { CocoInputError } from "../coco/errors.js";
import { parseCocoResults, resultsRootError } from "./coco-results.js";
import { datasetRootError } from "./coco-dataset.js";
import type { CocoResults } from "../coco/inputs.js";
import { jsonProblemMessage, parseJsonText, wideEncoding, wideEncodingProblem } from "./json-text.js";
import { JsonLimitError, JsonStreamScanner, JsonSyntaxError, MAX_PIECE_BYTES, type JsonElementHandler } from "./stream-json.js";

/** The longest string V8 can make (0x1fffffe8 UTF-16 units): JSON text beyond it needs a streaming parser. */
export const MAX_TEXT_BYTES = 0x1fffffe8;

/** Bytes per read. */
const CHUNK = 1 << 20;

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function tooLarge(path: string, bytes: number | undefined): CocoInputError {
  const size = bytes === undefined ? "" : ` (${mib(bytes)})`;
  return new CocoInputError(path, `file is too large to parse as one JSON text${size}; the limit is ${mib(MAX_TEXT_BYTES)} of JSON`);
}

/** Why a file cannot be read, in a few words. */
export function readReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a parent is not a directory";
    default:
      return (err.message ?? String(err)).split("\n")[0]!;
  }
}

/** A regular file (its size known, readable again) or something else (a pipe, a device, a socket). */
export interface InputKind {
  regular: boolean;
  size: number;
}

/** What `path` is; CocoInputError `cannot read (...)` when it does not exist or is a directory. */
export function inputKind(path: string): InputKind {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    throw new CocoInputError(path, `cannot read (${readReason(e as NodeJS.ErrnoException)})`);
  }
  if (st.isDirectory()) throw new CocoInputError(path, "cannot read (is a directory)");
  return { regular: st.isFile(), size: st.size };
}

/** True for errors of zlib (a damaged or cut gzip stream). */
function isZlibError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return e instanceof Error && typeof code === "string" && code.startsWith("Z_");
}

/** A gzip problem as the one-line input error. */
export function gzipError(path: string, e: NodeJS.ErrnoException): CocoInputError {
  if (e.code === "Z_BUF_ERROR" || /unexpected end/i.test(e.message)) return new CocoInputError(path, "file is truncated (the gzip stream ends early)");
  return new CocoInputError(path, `not valid gzip (${(e.message ?? String(e)).split("\n")[0]})`);
}

/**
 * A failure while reading `path` as the one-line input error: JSON syntax (json-text.ts's message;
 * `line` / `column` given when the scanner did not count them), a piece beyond the scanner's limit,
 * a gzip or file-system problem. Anything else is returned as it is.
 */
export function readFailure(path: string, e: unknown, where?: { line: number; column: number }): unknown {
  if (e instanceof JsonSyntaxError) {
    if (e.encoding) return new CocoInputError(path, wideEncodingProblem(e.encoding, "file"));
    if (e.at) {
      const at = where && e.at.kind === "invalid" && e.at.line === 0 ? { ...e.at, ...where } : e.at;
      return new CocoInputError(path, jsonProblemMessage(at, "file"));
    }
    return new CocoInputError(path, `invalid JSON (${e.message})`);
  }
  if (e instanceof JsonLimitError) {
    if (e.unit === "containers") {
      return new CocoInputError(path, `a JSON value has more than ${e.limit} arrays and objects (at byte ${e.offset}; the limit of one element)`);
    }
    return new CocoInputError(
      path,
      `a JSON value at byte ${e.offset} is larger than ${mib(e.limit)} (the limit of one element of a streamed array, or of a top-level value that is not one; whitespace between tokens does not count)`,
    );
  }
  if (isZlibError(e)) return gzipError(path, e);
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (e instanceof Error && typeof code === "string" && /^E[A-Z]+$/.test(code)) return new CocoInputError(path, `cannot read (${readReason(e as NodeJS.ErrnoException)})`);
  return e;
}

/**
 * The bytes of a file as they come (1 MiB chunks), gunzipped (on libuv's thread pool) when they
 * start with the gzip magic bytes. The file is read once: a pipe or device works as well as a file.
 */
export async function* fileChunks(path: string, chunkSize = CHUNK): AsyncGenerator<Buffer, void, undefined> {
  const input = createReadStream(path, { highWaterMark: chunkSize });
  const raw = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  let src: Readable | undefined;
  try {
    // the first two bytes decide (taken from the stream itself: a pipe cannot be read twice)
    let first: Buffer = Buffer.alloc(0);
    while (first.length < 2) {
      const n = await raw.next();
      if (n.done) break;
      first = first.length ? Buffer.concat([first, n.value]) : n.value;
    }
    if (!(first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b)) {
      if (first.length) yield first;
      for (;;) {
        const n = await raw.next();
        if (n.done) return;
        yield n.value;
      }
    }
    gunzip = createGunzip({ chunkSize });
    const rest = async function* (): AsyncGenerator<Buffer> {
      yield first;
      for (;;) {
        const n = await raw.next();
        if (n.done) return;
        yield n.value;
      }
    };
    src = Readable.from(rest());
    const gz = gunzip;
    src.once("error", (e) => gz.destroy(e)); // a read error ends the gunzipped stream (pipe does not forward it)
    src.pipe(gunzip);
    for await (const c of gunzip) yield c as Buffer;
  } finally {
    src?.destroy();
    gunzip?.destroy();
    input.destroy();
  }
}

/** A scanner handler that only checks the syntax (every value skipped). */
const SYNTAX_ONLY: JsonElementHandler = {
  selectKey: () => "skip",
  element: (_key, _index, r) => r.skip(),
};

/** Reads up to `buf.length` bytes at the current position of a pipe or device (waiting when it has none yet). */
function readSome(fd: number, buf: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/**
 * The bytes of a file (not gunzipped), read at most once and never past MAX_TEXT_BYTES. A pipe or
 * device that does not start with the gzip magic bytes is checked as JSON as it arrives.
 */
function readFileBytes(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CocoInputError(path, `cannot read (${readReason(err)})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new CocoInputError(path, "cannot read (is a directory)");
    const chunks: Buffer[] = [];
    let total = 0;
    // a regular file: its size (a gzipped one decompresses to more)
    if (st.isFile() && st.size > MAX_TEXT_BYTES) throw tooLarge(path, st.size);
    let check: JsonStreamScanner | null = null;
    let decided = st.isFile();
    let gz = false;
    let nextCheck = 1 << 14;
    for (;;) {
      // a regular file in one read of its size (+1 to see it end), anything else in chunks
      const buf = Buffer.allocUnsafe(st.isFile() && chunks.length === 0 ? st.size + 1 : CHUNK);
      const n = st.isFile() ? readSync(fd, buf, 0, buf.length, null) : readSome(fd, buf);
      if (n === 0) break;
      const c = buf.subarray(0, n);
      chunks.push(c);
      total += n;
      if (total > MAX_TEXT_BYTES) throw tooLarge(path, undefined);
      if (!decided && total >= 2) {
        decided = true;
        const h = chunks.length === 1 ? c : Buffer.concat(chunks);
        gz = h[0] === 0x1f && h[1] === 0x8b;
        if (!gz) {
          check = new JsonStreamScanner(SYNTAX_ONLY, { lines: true });
          for (const x of chunks) check.push(x);
        }
      } else check?.push(c);
      if (gz && total >= nextCheck) {
        // gzip from a pipe: what it decompresses to so far is checked as JSON at doubling sizes (a
        // gzipped stream of garbage stops early, not after MAX_TEXT_BYTES of compressed input)
        nextCheck *= 2;
        gunzippedPrefixCheck(path, chunks, total);
      }
    }
    check?.end();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof CocoInputError) throw e;
    const f = readFailure(path, e);
    if (f instanceof CocoInputError) throw f;
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ERR_FS_FILE_TOO_LARGE" || e instanceof RangeError) throw tooLarge(path, undefined);
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** Checks the JSON that the gzip bytes read so far decompress to (throws the input error of a syntax problem, or "too large"). */
function gunzippedPrefixCheck(path: string, chunks: readonly Buffer[], total: number): void {
  let out: Buffer;
  try {
    out = gunzipSync(Buffer.concat(chunks, total), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: MAX_TEXT_BYTES });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) throw tooLarge(path, undefined);
    throw gzipError(path, err);
  }
  new JsonStreamScanner(SYNTAX_ONLY, { lines: true }).push(out);
}

/** A file that cannot be read within the limits; `reason` says why in a few words (an fs error: its code). */
export class FileReadError extends Error {
  override name = "FileReadError";
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * The bytes of a small input file (an id list, a metrics table, an image), read once and never past
 * `limit` bytes, a pipe or device too. "text": a NUL byte (never in a text file) stops it at once;
 * "regular file": anything else (a pipe, a device) is refused before reading.
 */
export function readFileBounded(path: string, limit: number, kind: "text" | "bytes" | "regular file" = "bytes"): Buffer {
  const text = kind === "text";
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new FileReadError((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  try {
    const st = fstatSync(fd);
    if (kind === "regular file" && !st.isFile()) throw new FileReadError(st.isDirectory() ? "EISDIR" : "not a regular file");
    if (st.isFile() && st.size > limit) throw new FileReadError(`too large: ${mib(st.size)}, the limit is ${mib(limit)}`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(st.isFile() && chunks.length === 0 ? st.size + 1 : CHUNK);
      const n = st.isFile() ? readSync(fd, buf, 0, buf.length, null) : readSome(fd, buf);
      if (n === 0) break;
      const c = buf.subarray(0, n);
      if (text) {
        const nul = c.indexOf(0);
        if (nul >= 0) throw new FileReadError(`not a text file: a NUL byte at byte ${total + nul}`);
      }
      chunks.push(c);
      total += n;
      if (total > limit) throw new FileReadError(`too large: more than ${mib(limit)}`);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw new FileReadError((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  } finally {
    closeSync(fd);
  }
}

/** Reads a file as text, gunzipping `.gz` files (or any file starting with the gzip magic bytes). */
export function readTextFile(path: string): string {
  return readText(path).text;
}

/** The text of a file and the length of the bytes it was decoded from. */
function readText(path: string): { text: string; bytes: number } {
  let bytes: Uint8Array = readFileBytes(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_TEXT_BYTES });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) throw tooLarge(path, undefined);
      throw gzipError(path, err);
    }
  }
  if (bytes.length > MAX_TEXT_BYTES) throw tooLarge(path, bytes.length);
  const enc = wideEncoding(bytes.subarray(0, 4));
  if (enc) throw new CocoInputError(path, wideEncodingProblem(enc, "file"));
  try {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"), bytes: bytes.length };
  } catch {
    throw tooLarge(path, bytes.length);
  }
}

/** A JSON (or gzipped JSON) file, parsed; syntax errors give line and column (bindings/ingest/json-text.ts). */
export function readJsonFile(path: string): unknown {
  const { text, bytes } = readText(path);
  return parseJsonText(text, path, "file", bytes);
}

/** parseCocoDataset on a parsed file (`path` names a root string: JSON encoded twice is not read as JSON text). */
export function cocoDatasetOf(doc: unknown, path: string): CocoDataset {
  if (typeof doc === "string") throw datasetRootError(doc, path, "file");
  return parseCocoDataset(doc as object);
}

/** parseCocoResults on a parsed file (`path` names a root string). */
export function cocoResultsOf(doc: unknown, path: string, dataset: CocoDataset): CocoResults {
  if (typeof doc === "string") throw resultsRootError(doc, path, "file");
  return parseCocoResults(doc as object, dataset);
}

/** parseCocoDataset on a `.json` or `.json.gz` file. */
export function loadCocoDataset(path: string): CocoDataset {
  return cocoDatasetOf(readJsonFile(path), path);
}

/** parseCocoResults on a `.json` or `.json.gz` file. */
export function loadCocoResults(path: string, dataset: CocoDataset): CocoResults {
  return cocoResultsOf(readJsonFile(path), path, dataset);
}

/** The limit of one piece of the streaming readers (re-exported for messages and docs). */
export { MAX_PIECE_BYTES };
