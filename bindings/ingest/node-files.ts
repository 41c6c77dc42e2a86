// Node-only file access (fs, zlib): JSON or gzipped JSON by path (writes: output-file.ts). Not imported by
// bindings/index.ts, which stays browser-safe; the CLI uses it. Every problem with a file is a
// CocoInputError whose message starts with the path as given (`gt.json: file is truncated (...)`).
import { readFileSync } from "node:fs";
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
