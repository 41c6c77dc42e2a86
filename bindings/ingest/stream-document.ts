// Node: a JSON file of any size (gzip or not, a pipe too) as the value JSON.parse gives, built element
// by element by the streaming scanner (bindings/ingest/stream-json.ts), so the text never exists as
// one string and the 512 MB limit of readJsonFile (node-files.ts) does not apply: memory is the
// value itself plus one element. The arrays of the root (an array root, or the arrays under the
// root object's keys) are streamed; every other value, and each element, is one piece (at most
// MAX_PIECE_BYTES). Problems are readJsonFile's, in its words (stream-load.ts scanFile).
import { inputKind } from "./node-files.js";
import { scanFile } from "./stream-load.js";
import type { JsonElementHandler, JsonReader } from "./stream-json.js";

/** Builds the document's value from the scanner's pieces. */
export class JsonDocumentBuilder implements JsonElementHandler {
  private doc: unknown;
  private rootKind: "array" | "object" | "string" | "other" = "other";
  /** The array being filled (the root's, or the one under the current key). */
  private array: unknown[] = [];

  root(kind: "array" | "object" | "string" | "other"): void {
    this.rootKind = kind;
    if (kind === "array") this.doc = this.array = [];
    else if (kind === "object") this.doc = {};
  }

  selectKey(key: string): "elements" {
    this.array = [];
    this.set(key, this.array); // a repeated key: the last value wins, at the first one's place (JSON.parse)
    return "elements";
  }

  element(_key: string, index: number, r: JsonReader): void {
    this.array[index] = r.value(1);
  }

  value(key: string, v: unknown): void {
    if (this.rootKind === "object") this.set(key, v);
    else this.doc = v;
  }

  private set(key: string, v: unknown): void {
    // an own property even for "__proto__", as JSON.parse makes it
    Object.defineProperty(this.doc as object, key, { value: v, writable: true, enumerable: true, configurable: true });
  }

  /** The value (after the scanner's end()). */
  finish(): unknown {
    return this.doc;
  }
}

/** A JSON (or gzipped JSON) file as its value; `chunks`: its bytes when already being read (scanFile's). */
export async function streamJsonFile(path: string, chunks?: AsyncIterable<Buffer>): Promise<unknown> {
  const kind = inputKind(path);
  const h = new JsonDocumentBuilder();
  return scanFile(path, kind, h, () => h.finish(), chunks);
}
