// JSON text -> value, with errors a person can act on: where (line, column, byte), what (the
// character found and what JSON allows there), and the two common real-world causes named as such:
// a truncated download, and Python's NaN / Infinity literals. JSON.parse does the parsing; the
// scanner below runs only after it failed, to locate the first problem (V8's own messages change
// between versions and give no line numbers).
import { CocoInputError } from "../coco/errors.js";

/** "file" for a file read by path (`gt.json: file is truncated`), "text" for JSON handed to the API. */
export type JsonSourceKind = "file" | "text";

/** The first syntax problem of a JSON text that JSON.parse rejected, or null when none is found. */
export interface JsonProblem {
  /** UTF-16 index of the problem (text.length when the text ends early). */
  index: number;
  /** True when the text ends inside a value: a truncated file. */
  truncated: boolean;
  /** Empty text (only whitespace). */
  empty: boolean;
  problem: string;
}

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const DIGIT = (c: number) => c >= 0x30 && c <= 0x39;

function charText(text: string, i: number): string {
  const c = text.codePointAt(i)!;
  return JSON.stringify(String.fromCodePoint(c));
}

/**
 * Scans `text` as JSON (RFC 8259) without building anything; iterative, so any nesting depth is fine.
 * Returns the first problem, or null if the text is valid JSON.
 */
export function findJsonProblem(text: string): JsonProblem | null {
  const n = text.length;
  let i = 0;
  // container stack: 1 = array, 2 = object
  const stack: number[] = [];
  const end = (): JsonProblem => ({ index: n, truncated: true, empty: false, problem: "unexpected end" });
  const bad = (at: number, problem: string): JsonProblem => ({ index: at, truncated: false, empty: false, problem });
  const unexpected = (at: number, expected: string): JsonProblem => {
    const c = text.charCodeAt(at);
    if (text.startsWith("NaN", at) || text.startsWith("Infinity", at) || text.startsWith("-Infinity", at)) {
      const lit = text.startsWith("NaN", at) ? "NaN" : text.startsWith("-", at) ? "-Infinity" : "Infinity";
      return bad(at, `${lit} is not valid JSON (Python's json module writes it for a non-finite float; write null or a number)`);
    }
    if (c === 0x27) return bad(at, `unexpected character "'" (JSON strings use double quotes; expected ${expected})`);
    return bad(at, `unexpected character ${charText(text, at)} (expected ${expected})`);
  };
  const skipWs = () => {
    while (i < n && WS(text.charCodeAt(i))) i++;
  };
  /** Scans a string starting at the opening quote; returns a problem or null. */
  const scanString = (): JsonProblem | null => {
    i++;
    for (;;) {
      if (i >= n) return end();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c === 0x5c) {
        if (i + 1 >= n) return end();
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (i + k >= n) return end();
            const h = text.charCodeAt(i + k);
            const hex = DIGIT(h) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) return bad(i + k, `invalid \\u escape in a string (${charText(text, i + k)} is not a hex digit)`);
          }
          i += 6;
          continue;
        }
        if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          i += 2;
          continue;
        }
        return bad(i, `invalid escape \\${String.fromCodePoint(text.codePointAt(i + 1)!)} in a string`);
      }
      if (c < 0x20) return bad(i, `control character U+${c.toString(16).toUpperCase().padStart(4, "0")} inside a string (write it escaped)`);
      i++;
    }
  };
  const scanNumber = (): JsonProblem | null => {
    const start = i;
    if (text.charCodeAt(i) === 0x2d) {
      i++;
      if (i >= n) return end();
      if (text.startsWith("Infinity", i)) return unexpected(start, "a value");
    }
    const c0 = text.charCodeAt(i);
    if (c0 === 0x30) {
      i++;
      if (i < n && DIGIT(text.charCodeAt(i))) return bad(i - 1, "invalid number (no leading zeros in JSON)");
    } else if (DIGIT(c0)) {
      while (i < n && DIGIT(text.charCodeAt(i))) i++;
    } else return bad(i, `invalid number (${charText(text, i)} after "-")`);
    if (i < n && text.charCodeAt(i) === 0x2e) {
      i++;
      if (i >= n) return end();
      if (!DIGIT(text.charCodeAt(i))) return bad(i, `invalid number (a digit must follow the decimal point, got ${charText(text, i)})`);
      while (i < n && DIGIT(text.charCodeAt(i))) i++;
    }
    if (i < n && (text.charCodeAt(i) | 0x20) === 0x65) {
      i++;
      if (i < n && (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d)) i++;
      if (i >= n) return end();
      if (!DIGIT(text.charCodeAt(i))) return bad(i, `invalid number (a digit must follow the exponent, got ${charText(text, i)})`);
      while (i < n && DIGIT(text.charCodeAt(i))) i++;
    }
    return null;
  };
  const scanLiteral = (word: string): JsonProblem | null => {
    for (let k = 0; k < word.length; k++) {
      if (i + k >= n) return end();
      if (text.charCodeAt(i + k) !== word.charCodeAt(k)) return unexpected(i, "a value");
    }
    i += word.length;
    return null;
  };
  // a state machine (no recursion, so any nesting depth is fine): 0 = a value is expected,
  // 1 = a property name is expected, 2 = a value just ended
  skipWs();
  if (i >= n) return { index: 0, truncated: false, empty: true, problem: "empty" };
  let state = 0;
  let expected = "a JSON value";
  for (;;) {
    skipWs();
    if (state === 0) {
      if (i >= n) return end();
      const c = text.charCodeAt(i);
      let p: JsonProblem | null = null;
      if (c === 0x7b || c === 0x5b) {
        i++;
        stack.push(c === 0x7b ? 2 : 1);
        skipWs();
        if (i >= n) return end();
        if (text.charCodeAt(i) === (c === 0x7b ? 0x7d : 0x5d)) {
          i++;
          stack.pop();
          state = 2;
        } else state = c === 0x7b ? 1 : 0;
        expected = "a value";
        continue;
      }
      if (c === 0x22) p = scanString();
      else if (c === 0x2d || DIGIT(c)) p = scanNumber();
      else if (c === 0x74) p = scanLiteral("true");
      else if (c === 0x66) p = scanLiteral("false");
      else if (c === 0x6e) p = scanLiteral("null");
      else return unexpected(i, expected);
      if (p) return p;
      state = 2;
    } else if (state === 1) {
      if (i >= n) return end();
      if (text.charCodeAt(i) !== 0x22) return unexpected(i, "a property name in double quotes");
      const p = scanString();
      if (p) return p;
      skipWs();
      if (i >= n) return end();
      if (text.charCodeAt(i) !== 0x3a) return unexpected(i, "':' after the property name");
      i++;
      state = 0;
      expected = "a value";
    } else {
      if (stack.length === 0) {
        if (i < n) return bad(i, `unexpected data after the JSON value (${charText(text, i)})`);
        return null;
      }
      if (i >= n) return end();
      const c = text.charCodeAt(i);
      const top = stack[stack.length - 1]!;
      if (c === (top === 1 ? 0x5d : 0x7d)) {
        i++;
        stack.pop();
        continue;
      }
      if (c !== 0x2c) return unexpected(i, top === 1 ? "',' or ']'" : "',' or '}'");
      i++;
      state = top === 1 ? 0 : 1;
      expected = "a value";
    }
  }
}

/** UTF-8 length of text[0, end). */
export function utf8Length(text: string, end = text.length): number {
  let bytes = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** 1-based line and column (in characters) of a UTF-16 index. */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/**
 * "UTF-16" or "UTF-32" when the first bytes of a JSON text say so: a byte order mark (FF FE, FE FF,
 * FF FE 00 00, 00 00 FE FF), or RFC 4627's pattern of NUL bytes around the first two ASCII
 * characters (`{\0"\0` is UTF-16LE). No UTF-8 JSON text starts like that. Else null.
 */
export function wideEncoding(head: ArrayLike<number>): "UTF-16" | "UTF-32" | null {
  const n = head.length;
  if (n < 2) return null;
  const b0 = head[0]!;
  const b1 = head[1]!;
  const b2 = n > 2 ? head[2]! : -1;
  const b3 = n > 3 ? head[3]! : -1;
  if (b0 === 0xff && b1 === 0xfe) return b2 === 0 && b3 === 0 ? "UTF-32" : "UTF-16";
  if (b0 === 0xfe && b1 === 0xff) return "UTF-16";
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return "UTF-32";
  if (n < 4) return null;
  const ascii = (c: number) => c > 0 && c < 0x80;
  if (b0 === 0 && b1 === 0 && b2 === 0 && ascii(b3)) return "UTF-32"; // BE
  if (ascii(b0) && b1 === 0 && b2 === 0 && b3 === 0) return "UTF-32"; // LE
  if (b0 === 0 && ascii(b1) && b2 === 0 && ascii(b3)) return "UTF-16"; // BE
  if (ascii(b0) && b1 === 0 && ascii(b2) && b3 === 0) return "UTF-16"; // LE
  return null;
}

/** The problem of a JSON text in another Unicode encoding (`gt.json: the file is UTF-16; save it as UTF-8`). */
export function wideEncodingProblem(encoding: "UTF-16" | "UTF-32", kind: JsonSourceKind): string {
  return `the ${kind} is ${encoding}; save it as UTF-8`;
}

/** Where and what the first syntax problem of a JSON document is (found in memory or while streaming). */
export interface JsonProblemAt {
  kind: "invalid" | "truncated" | "empty";
  /** invalid: what JSON allows there (findJsonProblem's words). */
  problem: string;
  /** invalid: 1-based line and column (in characters); truncated: unused. */
  line: number;
  column: number;
  /** truncated: the document's length in bytes; invalid: the byte offset of the problem. */
  byte: number;
}

/** The one-line message of a located problem: `invalid JSON at line 3 column 14: ...`, `file is truncated (...)`, `file is empty`. */
export function jsonProblemMessage(p: JsonProblemAt, kind: JsonSourceKind): string {
  if (p.kind === "empty") return `${kind} is empty`;
  if (p.kind === "truncated") return `${kind} is truncated (unexpected end of JSON at byte ${p.byte})`;
  return `invalid JSON at line ${p.line} column ${p.column}: ${p.problem}`;
}

/** The one-line problem of a JSON text JSON.parse rejected (`v8Message`: its message, a fallback; `byteLength`: of the bytes it was decoded from). */
export function jsonErrorProblem(text: string, kind: JsonSourceKind, v8Message: string, byteOffset = 0, byteLength?: number): string {
  const p = findJsonProblem(text);
  if (p === null) return `cannot parse JSON (${v8Message.split("\n")[0]})`;
  if (p.empty) return jsonProblemMessage({ kind: "empty", problem: "", line: 0, column: 0, byte: 0 }, kind);
  // (the bytes' length when the text was decoded from bytes: invalid UTF-8 decodes to U+FFFD, 3 bytes re-encoded)
  if (p.truncated) return jsonProblemMessage({ kind: "truncated", problem: "", line: 0, column: 0, byte: byteLength ?? byteOffset + utf8Length(text) }, kind);
  const { line, column } = lineColumn(text, p.index);
  return jsonProblemMessage({ kind: "invalid", problem: p.problem, line, column, byte: byteOffset + utf8Length(text, p.index) }, kind);
}

/**
 * JSON.parse with located errors: throws CocoInputError(`name`, problem), e.g.
 * `gt.json: invalid JSON at line 3 column 14: unexpected character "x" (expected ',' or '}')`.
 * A leading byte order mark is skipped.
 */
export function parseJsonText(text: string, name: string, kind: JsonSourceKind = "text", byteLength?: number): unknown {
  let bom = 0;
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    bom = 3;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CocoInputError(name, jsonErrorProblem(text, kind, (e as Error).message ?? String(e), bom, byteLength));
  }
}
