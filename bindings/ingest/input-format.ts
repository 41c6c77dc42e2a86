// Which analysis input a JSON document is, decided from its bytes as they come, before any parser
// runs (so a file of any size goes straight to its streaming reader). The rule is that of the parsed
// document (analysis/label-rows.ts isLabelRows, analysis/encord-format.ts isEncordJson, else COCO;
// mirrored here, as ingest never imports analysis):
// - an array whose first element is an object with a `data_units` object: Encord label rows
//   (decided at that element);
// - an object with an `annotations` key: COCO (decided at that key: isEncordJson refuses it);
// - an object whose `images` and `labels` or `predictions` are arrays: the Encord-style format
//   (decided at the object's end, the last of repeated keys counting, as in JSON.parse);
// - anything else (another array or object, a string, a number; invalid JSON): COCO, whose reader
//   then reports the problem in its usual words.
// Values are skipped (checked for syntax only), so memory is one element at most. Browser-safe.
import { type JsonElementHandler, type JsonReader, JsonStreamScanner } from "./stream-json.js";

export type AnalysisFormat = "coco" | "encord" | "label-rows";

export interface FormatGuess {
  format: AnalysisFormat;
  /** The document's root, when its first byte was seen. */
  root: "array" | "object" | "string" | "other" | undefined;
  /** False when the bytes stopped before the rule could be applied to the whole document (invalid JSON, or a caller's limit): `format` is then the rule on what was seen. */
  decided: boolean;
}

/** Thrown by the handler once the format is known (caught by push / end). */
const DECIDED = Object.freeze({ decided: true as const });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The keys whose value must be an array for the Encord-style format. */
const WATCHED = new Set(["images", "labels", "predictions"]);

class SniffHandler implements JsonElementHandler {
  kind: FormatGuess["root"];
  format: AnalysisFormat | undefined;
  /** Watched keys -> whether their (last) value is an array. */
  readonly arrays = new Map<string, boolean>();

  private decide(f: AnalysisFormat): never {
    this.format = f;
    throw DECIDED;
  }

  root(kind: "array" | "object" | "string" | "other"): void {
    this.kind = kind;
    if (kind === "string" || kind === "other") this.decide("coco");
  }

  selectKey(key: string): "elements" | "skip" {
    if (key === "annotations") this.decide("coco");
    if (!WATCHED.has(key)) return "skip";
    this.arrays.set(key, false);
    return "elements";
  }

  element(key: string, _index: number, r: JsonReader): void {
    if (key === "") {
      const first = r.value(1); // may throw NEED_MORE: then called again with more bytes
      this.decide(isObject(first) && isObject(first.data_units) ? "label-rows" : "coco");
    }
    this.arrays.set(key, true);
    r.skip();
  }

  arrayEnd(key: string): void {
    if (key === "") this.decide("coco"); // an empty array
    this.arrays.set(key, true);
  }

  value(key: string, v: unknown): void {
    if (WATCHED.has(key)) this.arrays.set(key, Array.isArray(v));
  }

  /** The rule on the keys seen so far (at the end of an object: the rule itself). */
  ruleSoFar(): AnalysisFormat {
    if (this.kind !== "object") return "coco";
    const a = this.arrays;
    return a.get("images") === true && (a.get("labels") === true || a.get("predictions") === true) ? "encord" : "coco";
  }
}

/**
 * Feed the document's bytes with push() until it returns true (decided), or to the end (end());
 * guess() then says the format. A syntax error stops the guess where it is (push / end return
 * true, decided false): the chosen reader reports it.
 */
export class FormatSniffer {
  private readonly h = new SniffHandler();
  private readonly scanner: JsonStreamScanner;
  private stopped = false;
  private complete = false;

  constructor() {
    this.scanner = new JsonStreamScanner(this.h);
  }

  /** True once nothing more is needed. */
  push(chunk: Uint8Array): boolean {
    if (this.stopped) return true;
    this.run(() => this.scanner.push(chunk));
    return this.stopped;
  }

  /** The end of the document. */
  end(): void {
    if (this.stopped) return;
    this.run(() => this.scanner.end());
    if (!this.stopped) this.complete = true;
    this.stopped = true;
  }

  private run(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.stopped = true; // decided, or invalid JSON (the reader says where)
      if (e !== DECIDED) return;
    }
  }

  /** The format: decided, or the rule on what was seen (bytes cut short). */
  guess(): FormatGuess {
    const h = this.h;
    if (h.format !== undefined) return { format: h.format, root: h.kind, decided: true };
    return { format: h.ruleSoFar(), root: h.kind, decided: this.complete };
  }
}

/** The format of a document held in memory (chunked as given: for tests). */
export function sniffFormat(bytes: Uint8Array, chunkSize = bytes.length || 1): FormatGuess {
  const s = new FormatSniffer();
  for (let i = 0; i < bytes.length; i += chunkSize) if (s.push(bytes.subarray(i, Math.min(bytes.length, i + chunkSize)))) return s.guess();
  s.end();
  return s.guess();
}
