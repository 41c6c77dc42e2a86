// Node-only file access (fs, zlib): JSON or gzipped JSON by path, and atomic writes. Not imported by
// bindings/index.ts, which stays browser-safe; the CLI uses it. Every problem with a file is a
// CocoInputError whose message starts with the path as given (`gt.json: file is truncated (...)`).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseCocoDataset } from "./coco-dataset.js";
import type { CocoDataset } from "../coco/inputs.js";
import { CocoInputError } from "../coco/errors.js";
import { parseCocoResults } from "./coco-results.js";
import type { CocoResults } from "../coco/inputs.js";
import { parseJsonText } from "./json-text.js";

/** The longest string V8 can make (0x1fffffe8 UTF-16 units): JSON text beyond it needs a streaming parser. */
export const MAX_TEXT_BYTES = 0x1fffffe8;

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function tooLarge(path: string, bytes: number | undefined): CocoInputError {
  const size = bytes === undefined ? "" : ` (${mib(bytes)})`;
  return new CocoInputError(path, `file is too large to parse as one JSON text${size}; the limit is ${mib(MAX_TEXT_BYTES)} of JSON`);
}

function readReason(err: NodeJS.ErrnoException): string {
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

/** Reads a file as text, gunzipping `.gz` files (or any file starting with the gzip magic bytes). */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ERR_FS_FILE_TOO_LARGE" || e instanceof RangeError) throw tooLarge(path, undefined);
    throw new CocoInputError(path, `cannot read (${readReason(err)})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_TEXT_BYTES });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) throw tooLarge(path, undefined);
      if (err.code === "Z_BUF_ERROR" || /unexpected end/i.test(err.message)) {
        throw new CocoInputError(path, "file is truncated (the gzip stream ends early)");
      }
      throw new CocoInputError(path, `not valid gzip (${(err.message ?? String(e)).split("\n")[0]})`);
    }
  }
  if (bytes.length > MAX_TEXT_BYTES) throw tooLarge(path, bytes.length);
  try {
    return bytes.toString("utf8");
  } catch {
    throw tooLarge(path, bytes.length);
  }
}

/** A JSON (or gzipped JSON) file, parsed; syntax errors give line and column (bindings/ingest/json-text.ts). */
export function readJsonFile(path: string): unknown {
  return parseJsonText(readTextFile(path), path, "file");
}

/** parseCocoDataset on a `.json` or `.json.gz` file. */
export function loadCocoDataset(path: string): CocoDataset {
  const doc = readJsonFile(path);
  return parseCocoDataset(typeof doc === "string" ? JSON.stringify(doc) : (doc as object));
}

/** parseCocoResults on a `.json` or `.json.gz` file. */
export function loadCocoResults(path: string, dataset: CocoDataset): CocoResults {
  const doc = readJsonFile(path);
  return parseCocoResults(typeof doc === "string" ? JSON.stringify(doc) : (doc as object), dataset);
}

// ---- atomic writes ------------------------------------------------------------------------------

/** A file that cannot be written (exit code 1, one line). */
export class OutputInputError extends Error {
  override name = "OutputInputError";
}

/**
 * Temporary files being written, so that an interrupted run (SIGINT, see bindings/cli/main.ts) can
 * remove them: `created` is called before a temporary file is opened, `done` once it is renamed or removed.
 */
export interface TempFileListener {
  created(path: string): void;
  done(path: string): void;
}

let tempListener: TempFileListener | undefined;
const liveTemps = new Set<string>();

/** Routes temporary-file events (the CLI's worker posts them to the main thread). */
export function setTempFileListener(listener: TempFileListener | undefined): void {
  tempListener = listener;
}

/** Temporary files of this thread not yet renamed or removed. */
export function pendingTempFiles(): string[] {
  return [...liveTemps];
}

function writeReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOENT":
      return "no such directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOSPC":
      return "no space left on the device";
    case "EROFS":
      return "read-only file system";
    default:
      return (err.message ?? String(e)).split("\n")[0]!;
  }
}

/**
 * Writes `data` (a string is written as UTF-8) to `path` atomically: a temporary file beside it,
 * flushed, then renamed over it. Readers see the old file or the whole new one, never a part; on
 * failure the temporary file is removed and OutputInputError (`cannot write PATH (reason)`) thrown;
 * an interrupted CLI run removes it too.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number | undefined;
  liveTemps.add(tmp);
  tempListener?.created(tmp);
  try {
    fd = openSync(tmp, "wx", 0o644);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw new OutputInputError(`${path}: cannot write (${writeReason(e)})`);
  } finally {
    liveTemps.delete(tmp);
    tempListener?.done(tmp);
  }
}
