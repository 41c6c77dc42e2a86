// Node-only file loading (fs, zlib): JSON or gzipped JSON by path. Not imported by bindings/index.ts,
// which stays browser-safe; the CLI uses it.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseCocoDataset, type CocoDataset } from "../coco/dataset.js";
import { CocoInputError } from "../coco/errors.js";
import { parseCocoResults, type CocoResults } from "../coco/results.js";

/** Reads a file as text, gunzipping `.gz` files (or any file starting with the gzip magic bytes). */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.code === "EACCES" ? "permission denied" : err.message;
    throw new CocoInputError(path, `cannot read (${why})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new CocoInputError(path, `not valid gzip (${(e as Error).message})`);
    }
  }
  return bytes.toString("utf8");
}

function parseJsonFile(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CocoInputError(path, `invalid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

/** parseCocoDataset on a `.json` or `.json.gz` file. */
export function loadCocoDataset(path: string): CocoDataset {
  return parseCocoDataset(parseJsonFile(path) as object);
}

/** parseCocoResults on a `.json` or `.json.gz` file. */
export function loadCocoResults(path: string, dataset: CocoDataset): CocoResults {
  return parseCocoResults(parseJsonFile(path) as object, dataset);
}
