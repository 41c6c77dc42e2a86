// A byte-level, incremental JSON reader for documents of any size (V8 strings stop near 512 MB, so
// large files cannot go through JSON.parse). It reads UTF-8 bytes in chunks and hands out the
// elements of the top-level array (results files), or of the arrays under chosen keys of the
// top-level object (datasets: images, annotations, categories), one at a time, to a handler that
// consumes each element from a JsonReader: as a JavaScript value (value()), or straight into
// columns (bindings/ingest/stream-coco.ts reads numbers and strings without building objects).
//
// Semantics are JSON.parse's: the same grammar (anything it rejects is rejected, at the same place
// and in the same words as bindings/ingest/json-text.ts, see JsonSyntaxError.at), numbers rounded
// as JSON.parse rounds them (Clinger's exact fast path, else Number() on the digits), strings
// decoded as UTF-8 with replacement characters, the last of repeated keys winning inside
// materialised objects, any nesting depth, and a leading UTF-8 byte order mark skipped.
//
// Memory: the current chunk plus the piece being read (one element, or one top-level member that
// is not streamed), at most MAX_PIECE_BYTES. Whitespace between tokens is never kept: between
// elements and members it is consumed as it arrives, and long runs inside a kept piece are dropped
// from it (their offsets and line breaks are remembered for messages). A top-level string is
// validated as it streams by; arrays under skipped keys are streamed and skipped element by element.
//
// Browser-safe (no Node imports): bindings/ingest/stream-load.ts feeds it from files in Node; a browser
// can feed it from a ReadableStream.
import { findJsonProblem, type JsonProblemAt, wideEncoding } from "./json-text.js";

/** Thrown inside a handler when the element is not complete in the bytes at hand (caught by the scanner). */
export const NEED_MORE: { readonly needMore: true } = Object.freeze({ needMore: true as const });

/** Invalid JSON; `offset` is the byte offset in the whole document. */
export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
  /**
   * Set by JsonStreamScanner: the problem as bindings/ingest/json-text.ts finds it in memory (the same
   * words and place; line and column are 0 when the scanner was not counting lines).
   */
  at?: JsonProblemAt;
  /** Set by JsonStreamScanner when the document's first bytes are those of UTF-16 or UTF-32 text. */
  encoding?: "UTF-16" | "UTF-32";
  constructor(
    message: string,
    readonly offset: number,
    /** Index in the reader's buffer (for locating it). */
    readonly index = -1,
  ) {
    super(message);
  }
}

/** The most bytes the scanner keeps for one piece: an element of a streamed array, or a top-level member or value that is not streamed. */
export const MAX_PIECE_BYTES = 64 * 2 ** 20;

/**
 * The most arrays and objects one materialised value (JsonReader.value) may have: a bound on the
 * memory of one element (about 100 bytes each), whatever its bytes (`[[],[],...]`, `[[[[...`).
 */
export const MAX_CONTAINERS = 1 << 20;

/** A piece larger than the scanner's limit (maxPiece bytes), or a value with more than MAX_CONTAINERS arrays and objects; `offset` is where. */
export class JsonLimitError extends Error {
  override name = "JsonLimitError";
  constructor(
    message: string,
    readonly offset: number,
    readonly limit: number,
    readonly unit: "bytes" | "containers" = "bytes",
  ) {
    super(message);
  }
}

/** A run of whitespace dropped from a kept piece: one byte of it stays at `at`, `removed` bytes after it are gone. */
interface Gap {
  at: number;
  removed: number;
  /** Line breaks among the removed bytes, and the bytes after the last one (all of them when none). */
  nl: number;
  tail: number;
}

/**
 * Line and column over UTF-8 bytes as lineColumn of json-text.ts counts them in the decoded text:
 * UTF-16 units since the last "\n", the bytes decoded as TextDecoder / Buffer.toString decode them
 * (WHATWG: a character beyond U+FFFF is two units, each maximal invalid subsequence one U+FFFD).
 */
export class LineCounter {
  line = 1;
  /** Units since the line start (a pending sequence not counted yet). */
  col = 0;
  /** A multi-byte sequence in progress: continuation bytes still needed, their range for the next one, its units when complete. */
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private units = 1;

  /** Advances over buf[from, to). */
  advance(buf: Uint8Array, from: number, to: number): void {
    let line = this.line;
    let col = this.col;
    for (let i = from; i < to; i++) {
      const c = buf[i]!;
      if (this.need === 0 && c < 0x80) {
        if (c === 0x0a) {
          line++;
          col = 0;
        } else col++;
        continue;
      }
      if (this.need > 0) {
        if (c >= this.lower && c <= this.upper) {
          this.lower = 0x80;
          this.upper = 0xbf;
          if (--this.need === 0) col += this.units;
          continue;
        }
        // the sequence breaks off: one U+FFFD, and this byte starts anew
        this.need = 0;
        this.lower = 0x80;
        this.upper = 0xbf;
        col++;
        if (c < 0x80) {
          if (c === 0x0a) {
            line++;
            col = 0;
          } else col++;
          continue;
        }
      }
      if (c >= 0xc2 && c <= 0xdf) {
        this.need = 1;
        this.units = 1;
      } else if (c >= 0xe0 && c <= 0xef) {
        this.need = 2;
        this.units = 1;
        if (c === 0xe0) this.lower = 0xa0;
        else if (c === 0xed) this.upper = 0x9f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        this.need = 3;
        this.units = 2;
        if (c === 0xf0) this.lower = 0x90;
        else if (c === 0xf4) this.upper = 0x8f;
      } else col++; // not a lead byte: U+FFFD
    }
    this.line = line;
    this.col = col;
  }

  /** The column (1-based) of the character that starts here: a sequence left unfinished is one U+FFFD before it. */
  column(): number {
    return this.col + (this.need > 0 ? 1 : 0) + 1;
  }

  /** Advances over a dropped whitespace run. */
  skip(g: Gap): void {
    if (this.need > 0) {
      this.need = 0;
      this.lower = 0x80;
      this.upper = 0xbf;
      this.col++;
    }
    if (g.nl > 0) {
      this.line += g.nl;
      this.col = g.tail;
    } else this.col += g.removed;
  }

  clone(): LineCounter {
    const c = new LineCounter();
    c.line = this.line;
    c.col = this.col;
    c.need = this.need;
    c.lower = this.lower;
    c.upper = this.upper;
    c.units = this.units;
    return c;
  }
}

/** The index in buf of the byte where the `units`-th UTF-16 unit of the decoding of buf[from, end) begins (WHATWG decoding, as LineCounter). */
export function unitsToBytes(buf: Uint8Array, from: number, end: number, units: number): number {
  let i = from;
  let u = 0;
  while (i < end && u < units) {
    const c = buf[i]!;
    if (c < 0x80) {
      i++;
      u++;
      continue;
    }
    let need = 0;
    let lower = 0x80;
    let upper = 0xbf;
    let n = 1;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lower = 0xa0;
      else if (c === 0xed) upper = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      n = 2;
      if (c === 0xf0) lower = 0x90;
      else if (c === 0xf4) upper = 0x8f;
    }
    let j = i + 1;
    let k = 0;
    while (k < need && j < end) {
      const d = buf[j]!;
      if (d < lower || d > upper) break;
      lower = 0x80;
      upper = 0xbf;
      j++;
      k++;
    }
    i = j;
    u += k === need ? n : 1; // complete: its units; broken off or not a lead byte: one U+FFFD
  }
  return i;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT = 2 ** 53;

/** UTF-8 with replacement characters, as Buffer.toString; a leading U+FEFF is kept (it is a character of the text here). */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
/** Bytes of the next chunk copied to finish a piece that straddles two chunks. */
const STITCH = 1 << 16;

// byte classes
const WS = new Uint8Array(256);
WS[0x20] = WS[0x0a] = WS[0x0d] = WS[0x09] = 1;
/** 1 for bytes that end the fast scan of a string: '"', '\\', control characters and non-ASCII. */
const STR_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STR_STOP[c] = 1;
STR_STOP[0x22] = STR_STOP[0x5c] = 1;
for (let c = 0x80; c < 256; c++) STR_STOP[c] = 1;

function describeByte(c: number): string {
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, "0")}`;
}

/** A cursor over the bytes at hand. Reading past `end` throws NEED_MORE, unless the input is final. */
export class JsonReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** Absolute offset of buf[0] in the document. */
  base = 0;
  /** True when no bytes follow `end`. */
  final = false;
  /** Whitespace dropped from buf (by the scanner), for absolute offsets. */
  gaps: readonly Gap[] = [];

  /** The document offset of buf[at]. */
  absolute(at: number): number {
    let off = this.base + at;
    for (const g of this.gaps) {
      if (g.at >= at) break;
      off += g.removed;
    }
    return off;
  }

  fail(message: string, at = this.pos): never {
    const off = this.absolute(at);
    throw new JsonSyntaxError(`${message} at byte ${off}`, off, at);
  }

  /** Called when the bytes run out at `at`: NEED_MORE, or the end-of-input error when final. */
  eof(at = this.pos): never {
    if (!this.final) throw NEED_MORE;
    this.fail("unexpected end of JSON input", at);
  }

  /** Skips whitespace; returns the next byte (not consumed). */
  peek(): number {
    const buf = this.buf;
    let p = this.pos;
    const e = this.end;
    if (p < e) {
      const c = buf[p]!;
      if (c > 0x20) return c;
    }
    while (p < e && WS[buf[p]!]) p++;
    this.pos = p;
    if (p >= e) this.eof(p);
    return buf[p]!;
  }

  /** Skips whitespace and consumes `ch`. */
  expect(ch: number, what: string): void {
    const c = this.peek();
    if (c !== ch) this.fail(`expected ${what}, got ${describeByte(c)}`);
    this.pos++;
  }

  /** After a value inside an array or object: consumes ',' (returns true) or the closing byte (false). */
  next(close: number): boolean {
    const c = this.peek();
    if (c === 0x2c) {
      this.pos++;
      return true;
    }
    if (c === close) {
      this.pos++;
      return false;
    }
    this.fail(`expected ',' or '${String.fromCharCode(close)}', got ${describeByte(c)}`);
  }

  /** At '[' or '{' (whitespace skipped): consumes it and returns true when the container is empty (closing byte consumed too). */
  open(ch: number): boolean {
    this.pos++;
    const c = this.peek();
    if (c === (ch === 0x5b ? 0x5d : 0x7d)) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** A JSON number at pos (whitespace skipped), as JSON.parse reads it. */
  number(): number {
    const buf = this.buf;
    const e = this.end;
    const start = this.pos;
    let p = start;
    let neg = false;
    if (buf[p] === 0x2d) {
      neg = true;
      p++;
    }
    if (p >= e) this.eof(p);
    let c = buf[p]!;
    let mant = 0;
    let exact = true;
    let exp10 = 0;
    if (c === 0x30) {
      p++;
      if (p < e && buf[p]! >= 0x30 && buf[p]! <= 0x39) this.fail("invalid number (no leading zeros)", p - 1);
    } else if (c >= 0x31 && c <= 0x39) {
      while (p < e && (c = buf[p]!) >= 0x30 && c <= 0x39) {
        if (exact) {
          const m = mant * 10 + (c - 0x30);
          if (m >= MAX_EXACT) exact = false;
          else mant = m;
        }
        if (!exact) exp10++;
        p++;
      }
    } else this.fail(`expected a digit, got ${describeByte(c)}`, p);
    if (p >= e) {
      if (!this.final) this.eof(p);
    } else if (buf[p] === 0x2e) {
      p++;
      const f0 = p;
      while (p < e && (c = buf[p]!) >= 0x30 && c <= 0x39) {
        if (exact) {
          const m = mant * 10 + (c - 0x30);
          if (m >= MAX_EXACT) exact = false;
          else {
            mant = m;
            exp10--;
          }
        }
        p++;
      }
      if (p >= e && !this.final) this.eof(p);
      if (p === f0) this.fail("expected a digit after '.'", p);
    }
    if (p < e && (buf[p] === 0x65 || buf[p] === 0x45)) {
      p++;
      let eneg = false;
      if (p < e && (buf[p] === 0x2b || buf[p] === 0x2d)) {
        eneg = buf[p] === 0x2d;
        p++;
      }
      const d0 = p;
      let ev = 0;
      while (p < e && (c = buf[p]!) >= 0x30 && c <= 0x39) {
        if (ev < 100000) ev = ev * 10 + (c - 0x30);
        p++;
      }
      if (p >= e && !this.final) this.eof(p);
      if (p === d0) this.fail("expected a digit in the exponent", p);
      exp10 += eneg ? -ev : ev;
    } else if (p >= e && !this.final) this.eof(p);
    this.pos = p;
    if (exact && exp10 >= -22 && exp10 <= 22) {
      const v = exp10 >= 0 ? mant * POW10[exp10]! : mant / POW10[-exp10]!;
      return neg ? -v : v;
    }
    // beyond the exact fast path: the digits as text, which Number() rounds as JSON.parse does
    let s = "";
    for (let i = start; i < p; i++) s += String.fromCharCode(buf[i]!);
    return Number(s);
  }

  /** The end of the string starting at pos (at '"'): index of the closing quote; `escaped` set when it has escapes or non-ASCII. */
  private stringEnd(): number {
    const buf = this.buf;
    const e = this.end;
    let p = this.pos + 1;
    this.escaped = false;
    for (;;) {
      while (p < e && !STR_STOP[buf[p]!]) p++;
      if (p >= e) this.eof(p);
      const c = buf[p]!;
      if (c === 0x22) return p;
      if (c === 0x5c) {
        this.escaped = true;
        // escapes are checked here too: skipped strings are never given to JSON.parse
        if (p + 1 >= e) this.eof(p + 1);
        const x = buf[p + 1]!;
        if (x === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (p + k >= e) this.eof(p + k);
            const h = buf[p + k]!;
            if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) this.fail("invalid \\u escape in a string", p + k);
          }
          p += 6;
          continue;
        }
        if (!(x === 0x22 || x === 0x5c || x === 0x2f || x === 0x62 || x === 0x66 || x === 0x6e || x === 0x72 || x === 0x74)) {
          this.fail(`invalid escape in a string`, p);
        }
        p += 2;
        continue;
      }
      if (c < 0x20) this.fail(`control character ${describeByte(c)} in a string`, p);
      this.escaped = true; // non-ASCII
      p++;
    }
  }
  private escaped = false;

  /** A JSON string at pos (whitespace skipped). */
  string(): string {
    if (this.buf[this.pos] !== 0x22) this.fail(`expected a string, got ${describeByte(this.buf[this.pos]!)}`);
    const q = this.stringEnd();
    const s0 = this.pos + 1;
    let out: string;
    if (!this.escaped) {
      const n = q - s0;
      if (n < 64) {
        out = "";
        const buf = this.buf;
        for (let i = s0; i < q; i++) out += String.fromCharCode(buf[i]!);
      } else out = utf8.decode(this.buf.subarray(s0, q));
    } else {
      const text = utf8.decode(this.buf.subarray(this.pos, q + 1));
      try {
        out = JSON.parse(text) as string;
      } catch (e) {
        this.fail(`invalid string (${(e as Error).message.split("\n")[0]})`);
      }
    }
    this.pos = q + 1;
    return out;
  }

  /**
   * The raw bytes of a string at pos without quotes, when it has no escapes and is ASCII: [start, end)
   * in buf, valid until the next chunk. Returns -1 (nothing consumed) for other strings.
   */
  rawString(): number {
    if (this.buf[this.pos] !== 0x22) this.fail(`expected a string, got ${describeByte(this.buf[this.pos]!)}`);
    const q = this.stringEnd();
    if (this.escaped) return -1;
    this.rawStart = this.pos + 1;
    this.pos = q + 1;
    return q;
  }
  rawStart = 0;

  /**
   * A key at pos (whitespace skipped, at '"'), compared with `keys` (ASCII, no escapes): its index,
   * or -1 for other keys (consumed too), and -2 for a key with escapes or non-ASCII (not consumed:
   * the caller falls back to value()). The ':' after it is consumed for indices >= -1.
   */
  key(keys: readonly Uint8Array[]): number {
    if (this.buf[this.pos] !== 0x22) this.fail(`expected a key (a string), got ${describeByte(this.buf[this.pos]!)}`);
    const q = this.stringEnd();
    if (this.escaped) return -2;
    const s0 = this.pos + 1;
    const n = q - s0;
    const buf = this.buf;
    let found = -1;
    const c0 = buf[s0];
    for (let k = 0; k < keys.length; k++) {
      const lit = keys[k]!;
      if (lit.length !== n || lit[0] !== c0) continue;
      let i = 1;
      while (i < n && buf[s0 + i] === lit[i]) i++;
      if (i === n) {
        found = k;
        break;
      }
    }
    const p = q + 1;
    if (p < this.end && buf[p] === 0x3a) this.pos = p + 1;
    else {
      this.pos = p;
      this.expect(0x3a, "':'");
    }
    return found;
  }

  /** Skips one value (validating its syntax); iterative, so any nesting depth is fine. */
  skip(_depth = 0): void {
    let c = this.peek();
    if (c !== 0x5b && c !== 0x7b) {
      this.skipScalar(c);
      return;
    }
    // the closing bytes of the open containers, one byte each
    let closes = new Uint8Array(64);
    let n = 0;
    for (;;) {
      if (c === 0x5b || c === 0x7b) {
        if (!this.open(c)) {
          const close = c === 0x5b ? 0x5d : 0x7d;
          if (n === closes.length) {
            const grown = new Uint8Array(2 * n);
            grown.set(closes);
            closes = grown;
          }
          closes[n++] = close;
          if (close === 0x7d) this.skipKey();
          c = this.peek();
          continue;
        }
      } else this.skipScalar(c);
      // a value ended: ',' and the next one, or the close of its container
      for (;;) {
        if (n === 0) return;
        const close = closes[n - 1]!;
        if (this.next(close)) {
          if (close === 0x7d) this.skipKey();
          break;
        }
        n--;
      }
      c = this.peek();
    }
  }

  private skipScalar(c: number): void {
    if (c === 0x22) this.pos = this.stringEnd() + 1;
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number();
    else this.literal();
  }

  /** A member's key and ':' (skipped). */
  private skipKey(): void {
    if (this.peek() !== 0x22) this.fail(`expected a key (a string), got ${describeByte(this.buf[this.pos]!)}`);
    this.pos = this.stringEnd() + 1;
    this.expect(0x3a, "':'");
  }

  /** A member's key and ':' (read). */
  private memberKey(): string {
    if (this.peek() !== 0x22) this.fail(`expected a key (a string), got ${describeByte(this.buf[this.pos]!)}`);
    const k = this.string();
    this.expect(0x3a, "':'");
    return k;
  }

  /** true, false or null at pos. */
  literal(): true | false | null {
    const buf = this.buf;
    const p = this.pos;
    const c = buf[p];
    const [word, value] = c === 0x74 ? (["true", true] as const) : c === 0x66 ? (["false", false] as const) : c === 0x6e ? (["null", null] as const) : (["", null] as const);
    if (!word) this.fail(`unexpected ${describeByte(c!)}`);
    for (let i = 1; i < word.length; i++) {
      if (p + i >= this.end) this.eof(p + i);
      if (buf[p + i] !== word.charCodeAt(i)) this.fail(`unexpected ${describeByte(buf[p + i]!)} in a literal`, p + i);
    }
    this.pos = p + word.length;
    return value;
  }

  /** One value, as JSON.parse builds it; iterative, so any nesting depth is fine. */
  value(_depth = 0): unknown {
    let c = this.peek();
    if (c !== 0x5b && c !== 0x7b) return this.scalar(c);
    // open containers, innermost last, and the key each object is reading
    const frames: (unknown[] | Record<string, unknown>)[] = [];
    const keys: string[] = [];
    let containers = 0;
    for (;;) {
      let v: unknown;
      if (c === 0x5b || c === 0x7b) {
        if (++containers > MAX_CONTAINERS) {
          const at = this.absolute(this.pos);
          throw new JsonLimitError(`a JSON value has more than ${MAX_CONTAINERS} arrays and objects (at byte ${at})`, at, MAX_CONTAINERS, "containers");
        }
        const array = c === 0x5b;
        const out: unknown[] | Record<string, unknown> = array ? [] : {};
        if (this.open(c)) v = out;
        else {
          frames.push(out);
          keys.push(array ? "" : this.memberKey());
          c = this.peek();
          continue;
        }
      } else v = this.scalar(c);
      // v is complete: into its container; then ',' (the next value) or the close (the container is complete)
      for (;;) {
        const n = frames.length;
        if (n === 0) return v;
        const top = frames[n - 1]!;
        const array = Array.isArray(top);
        if (array) top.push(v);
        else {
          const k = keys[n - 1]!;
          if (k === "__proto__") Object.defineProperty(top, k, { value: v, enumerable: true, configurable: true, writable: true });
          else top[k] = v;
        }
        if (this.next(array ? 0x5d : 0x7d)) {
          if (!array) keys[n - 1] = this.memberKey();
          break;
        }
        frames.pop();
        keys.pop();
        v = top;
      }
      c = this.peek();
    }
  }

  private scalar(c: number): unknown {
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.literal();
  }
}

/** What a scanner does with each top-level key of an object root. */
export type KeyMode = "elements" | "value" | "skip";

export interface JsonElementHandler {
  /**
   * The root's kind, once: "array" or "object" before anything else; "string" (a top-level string,
   * then value("", s) follows) or "other" (a number, true, false or null; value("", v) follows).
   */
  root?(kind: "array" | "object" | "string" | "other"): void;
  /** For an object root: "elements" streams the key's array (element() per item), "value" materialises it, "skip" validates and drops it. */
  selectKey?(key: string): KeyMode;
  /**
   * Consumes exactly one value from r: element `index` of the array under `key` ("" for an array
   * root). May throw NEED_MORE (or let the reader throw it): it is then called again for the same
   * element with more bytes, so it must not keep state from an incomplete attempt.
   */
  element(key: string, index: number, r: JsonReader): void;
  /**
   * Optional batch form: consumes zero or more whole elements (and the separators between them,
   * not the one after the last) starting at element `index`, and returns how many. 0 leaves the
   * next element to element().
   */
  elements?(key: string, index: number, r: JsonReader): number;
  /**
   * A materialised value: a key in "value" mode, an "elements" key whose value is not an array, or
   * a root that is neither array nor object (a top-level string longer than ROOT_STRING_HEAD bytes
   * comes as its beginning: it is validated, never kept).
   */
  value?(key: string, v: unknown): void;
  /** The end of a streamed array and its length. */
  arrayEnd?(key: string, count: number): void;
}

/** The bytes of a top-level string that are kept (its value for value(); the rest is only validated). */
export const ROOT_STRING_HEAD = 1 << 20;

// scanner states
const S_ROOT = 0; // before the root value
const S_ARRAY_ITEM = 1; // inside a streamed array, before an element (or ']')
const S_ARRAY_NEXT = 2; // after an element: ',' or ']'
const S_OBJ_KEY = 3; // inside the root object, before a key (or '}')
const S_OBJ_NEXT = 4; // after a member: ',' or '}'
const S_DONE = 5; // root complete: only whitespace may follow
const S_ROOT_STRING = 6; // inside a top-level string

/** Kept pieces at least this long have their long whitespace runs dropped. */
const COMPACT_AT = 1 << 20;
/** Whitespace runs (outside strings) at least this long are dropped from kept pieces, but for one byte. */
const RUN_MIN = 4096;
/** Bytes after a syntax error that its message may need. */
const LOOKAHEAD = 16;

export interface ScannerOptions {
  /** Count lines and columns as bytes go by (for messages without a second pass; about 2 ms per MiB). */
  lines?: boolean;
  /** The most bytes kept for one piece (default MAX_PIECE_BYTES). */
  maxPiece?: number;
}

function isHex(h: number): boolean {
  return (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
}

/**
 * Feeds a document in chunks (push), then end(). Bytes are held only from the start of the element
 * (or top-level member) being read: a piece that straddles chunks is kept and re-read once enough
 * bytes have arrived. Syntax errors are JsonSyntaxError with `at` set (json-text.ts's problem, its
 * byte offset, and line and column when counting lines); a piece beyond the limit is JsonLimitError.
 */
export class JsonStreamScanner {
  private readonly r = new JsonReader();
  private state = S_ROOT;
  private rootKind: "array" | "object" | "other" = "other";
  private key = "";
  private index = 0;
  /** The array being streamed belongs to a skipped key: its elements are skipped, not handed out. */
  private skipping = false;
  /** Pending bytes (from the last checkpoint, in pieces) and how many a retry needs. */
  private pending: Uint8Array[] = [];
  private pendingLen = 0;
  private retryAt = 0;
  private consumed = 0; // absolute offset of the pending bytes / current buffer start
  /** Whitespace dropped from the pending piece (positions relative to its start). */
  private gaps: Gap[] = [];
  /** How much of the pending piece was looked at for whitespace runs, and the lexer state there (0 outside strings, 1 in a string, 2 after a backslash in one). */
  private compactedTo = 0;
  private lex = 0;
  private readonly counter: LineCounter | null;
  private readonly maxPiece: number;
  /** The document's first bytes (encoding detection). */
  private readonly head = new Uint8Array(4);
  private headLen = 0;
  private bomDone = false;
  /** Inside a top-level string: the escape state (0 none, 1 after '\\', 2..5 after that many of \\u's characters) and its first bytes. */
  private esc = 0;
  private rootHead: Uint8Array | null = null;
  private rootHeadLen = 0;

  constructor(
    private readonly handler: JsonElementHandler,
    options: ScannerOptions = {},
  ) {
    this.counter = options.lines ? new LineCounter() : null;
    this.maxPiece = options.maxPiece ?? MAX_PIECE_BYTES;
  }

  /** Total bytes seen. */
  get offset(): number {
    let removed = 0;
    for (const g of this.gaps) removed += g.removed;
    return this.consumed + this.pendingLen + removed;
  }

  /** The pending pieces as one buffer (emptied). */
  private takePending(): Uint8Array {
    const parts = this.pending;
    let buf: Uint8Array;
    if (parts.length === 1) buf = parts[0]!;
    else {
      buf = new Uint8Array(this.pendingLen);
      let at = 0;
      for (const p of parts) {
        buf.set(p, at);
        at += p.length;
      }
    }
    this.pending = [];
    this.pendingLen = 0;
    return buf;
  }

  /** Adds bytes (the scanner keeps no reference to `chunk` past this call unless a piece straddles it: then it copies). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    for (let i = 0; this.headLen < 4 && i < chunk.length; i++) this.head[this.headLen++] = chunk[i]!;
    const tail = this.pendingLen;
    if (tail > 0 && tail <= STITCH && chunk.length > 4 * STITCH && this.pending.length === 1 && tail >= this.retryAt / 2) {
      // a short piece straddles the chunks: finish it in a small stitched buffer, then read the chunk in place
      const head = this.pending[0]!;
      const stitched = new Uint8Array(tail + STITCH);
      stitched.set(head, 0);
      stitched.set(chunk.subarray(0, STITCH), tail);
      this.pending = [];
      this.pendingLen = 0;
      const used = this.run(stitched, false, false); // bytes of `stitched` done
      if (used >= tail) {
        this.pending = [];
        this.pendingLen = 0;
        this.retryAt = 0;
        this.run(chunk.subarray(used - tail), false, true);
        return;
      }
      // not even the straddling piece fitted: undo and concatenate
      this.pending = [this.takePending().subarray(0, tail - used)];
      this.pendingLen = tail - used;
    }
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    if (this.pendingLen < this.retryAt) {
      // a piece straddling chunks waits for enough bytes; keep our own copy of the caller's chunk
      this.pending[this.pending.length - 1] = chunk.slice();
      return;
    }
    this.run(this.takePending(), false, true);
  }

  end(): void {
    this.run(this.takePending(), true, false);
    if (this.state !== S_DONE) throw this.locate(new JsonSyntaxError("unexpected end of JSON input", this.offset), new Uint8Array(0), 0, this.esc, true);
  }

  /**
   * Reads buf from the last checkpoint; keeps the unfinished piece (`compact`: dropping its long
   * whitespace runs and holding it to the limit). Returns the bytes of buf done.
   */
  private run(buf: Uint8Array, final: boolean, compact: boolean): number {
    const r = this.r;
    r.buf = buf;
    r.pos = 0;
    r.end = buf.length;
    r.base = this.consumed;
    r.gaps = this.gaps;
    r.final = final;
    let mark = 0; // checkpoint: everything before it is done
    let escAtMark = this.esc;
    try {
      for (;;) {
        if (this.state === S_ROOT_STRING) {
          mark = r.pos;
          escAtMark = this.esc;
          if (!this.rootString()) {
            mark = r.pos; // validated and dropped as it goes
            break;
          }
          continue;
        }
        if (this.state === S_ROOT && !this.bomDone) {
          // a UTF-8 byte order mark at the very start is skipped (as parseJsonText does)
          const n = Math.min(3, r.end);
          let prefix = true;
          for (let i = 0; i < n; i++) if (buf[i] !== [0xef, 0xbb, 0xbf][i]) prefix = false;
          if (prefix && n < 3 && !final) break;
          if (prefix && n === 3) {
            r.pos = 3;
            if (this.counter) this.counter.col--; // its first byte counts as a character below
          }
          this.bomDone = true;
        }
        // whitespace between tokens: consumed here, never kept
        const b = r.buf;
        const e = r.end;
        let p = r.pos;
        while (p < e && WS[b[p]!]) p++;
        r.pos = p;
        mark = p;
        if (this.state === S_DONE) {
          if (p < e) r.fail(`unexpected ${describeByte(b[p]!)} after the JSON value`);
          break;
        }
        if (p >= e && !final) break;
        this.step();
      }
    } catch (e) {
      // a syntax error close to the end of the bytes at hand waits for more (the message names what
      // follows it: `NaN`, a whole character, the first four bytes for the encoding)
      const early = !final && e instanceof JsonSyntaxError && e.index >= 0 && buf.length - e.index < LOOKAHEAD;
      if (e !== NEED_MORE && !early) throw this.locate(e, buf, mark, escAtMark, final);
      r.pos = mark;
    }
    this.keep(buf, mark, compact);
    return mark;
  }

  /** Moves the checkpoint to buf[mark] (counting lines over the bytes done) and keeps the rest as the pending piece. */
  private keep(buf: Uint8Array, mark: number, compact: boolean): void {
    const gaps = this.gaps;
    let k = 0;
    let removed = 0;
    let from = 0;
    for (; k < gaps.length && gaps[k]!.at < mark; k++) {
      const g = gaps[k]!;
      if (this.counter) {
        this.counter.advance(buf, from, g.at + 1);
        this.counter.skip(g);
        from = g.at + 1;
      }
      removed += g.removed;
    }
    this.counter?.advance(buf, from, mark);
    this.consumed += mark + removed;
    if (mark > 0) {
      const left = gaps.slice(k);
      for (const g of left) g.at -= mark;
      this.gaps = left;
      this.compactedTo -= mark;
      if (this.compactedTo <= 0) {
        // the checkpoint is at a token, outside strings
        this.compactedTo = 0;
        this.lex = 0;
      }
    }
    const rest = buf.length - mark;
    if (rest === 0) {
      this.pending = [];
      this.pendingLen = 0;
      this.retryAt = 0;
      return;
    }
    let piece: Uint8Array = buf.slice(mark);
    // (a stitched run's piece is temporary: push() replaces it, then reads on with the limit)
    if (compact && rest >= Math.min(COMPACT_AT, this.maxPiece >> 1)) piece = this.compact(piece);
    if (compact && piece.length > this.maxPiece) {
      const at = this.consumed;
      throw new JsonLimitError(`a JSON value at byte ${at} is larger than ${this.maxPiece} bytes`, at, this.maxPiece);
    }
    this.pending = [piece];
    this.pendingLen = piece.length;
    this.retryAt = Math.min(2 * piece.length, this.maxPiece + 1);
  }

  /** The piece without its long whitespace runs outside strings (from compactedTo on), the gaps recorded. */
  private compact(piece: Uint8Array): Uint8Array {
    const n = piece.length;
    let i = this.compactedTo;
    let lex = this.lex;
    const found: Gap[] = [];
    while (i < n) {
      if (lex === 0) {
        const c = piece[i]!;
        if (c === 0x22) lex = 1;
        else if (WS[c]) {
          let j = i + 1;
          let nl = 0;
          let last = -1;
          for (; j < n; j++) {
            const d = piece[j]!;
            if (!WS[d]) break;
            if (d === 0x0a) {
              nl++;
              last = j;
            }
          }
          if (j - i >= RUN_MIN) found.push({ at: i, removed: j - i - 1, nl, tail: nl > 0 ? j - last - 1 : j - i - 1 });
          i = j;
          continue;
        }
        i++;
      } else if (lex === 1) {
        while (i < n && piece[i] !== 0x22 && piece[i] !== 0x5c) i++;
        if (i >= n) break;
        lex = piece[i] === 0x22 ? 0 : 2;
        i++;
      } else {
        lex = 1;
        i++;
      }
    }
    this.lex = lex;
    if (found.length === 0) {
      this.compactedTo = n;
      return piece;
    }
    let dropped = 0;
    for (const g of found) dropped += g.removed;
    const out = new Uint8Array(n - dropped);
    let src = 0;
    let dst = 0;
    for (const g of found) {
      out.set(piece.subarray(src, g.at + 1), dst);
      dst += g.at + 1 - src;
      src = g.at + 1 + g.removed;
      g.at = dst - 1;
    }
    out.set(piece.subarray(src), dst);
    this.gaps = this.gaps.concat(found);
    this.compactedTo = out.length;
    return out;
  }

  /** Inside a top-level string: validates the bytes at hand (keeping the first ROOT_STRING_HEAD); true when it closed. */
  private rootString(): boolean {
    const r = this.r;
    const buf = r.buf;
    const e = r.end;
    let p = r.pos;
    let esc = this.esc;
    const head = (this.rootHead ??= new Uint8Array(ROOT_STRING_HEAD));
    let hn = this.rootHeadLen;
    for (; p < e; p++) {
      const c = buf[p]!;
      if (esc === 0) {
        if (c === 0x22) {
          r.pos = p + 1;
          this.rootHeadLen = hn;
          this.esc = 0;
          this.state = S_DONE;
          this.handler.root?.("string");
          this.handler.value?.("", this.rootStringValue());
          this.rootHead = null;
          return true;
        }
        if (c === 0x5c) esc = 1;
        else if (c < 0x20) r.fail(`control character ${describeByte(c)} in a string`, p);
      } else if (esc === 1) {
        if (c === 0x75) esc = 2;
        else if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) esc = 0;
        else r.fail("invalid escape in a string", p);
      } else {
        if (!isHex(c)) r.fail("invalid \\u escape in a string", p);
        esc = esc === 5 ? 0 : esc + 1;
      }
      if (hn < ROOT_STRING_HEAD) head[hn++] = c;
    }
    r.pos = p;
    this.esc = esc;
    this.rootHeadLen = hn;
    if (r.final) r.eof(p);
    return false;
  }

  /** The top-level string (its beginning, when longer than ROOT_STRING_HEAD), decoded as JSON.parse would. */
  private rootStringValue(): string {
    const text = utf8.decode(this.rootHead!.subarray(0, this.rootHeadLen));
    // a cut escape at the end of a long string's head: drop characters until it parses
    for (let cut = 0; cut <= 12 && cut <= text.length; cut++) {
      try {
        return JSON.parse(`"${text.slice(0, text.length - cut)}"`) as string;
      } catch {
        /* shorter */
      }
    }
    return "";
  }

  /** The error at hand located as json-text.ts would locate it in the whole document (the scanner's state gives the context). */
  private locate(e: unknown, buf: Uint8Array, mark: number, escAtMark: number, final: boolean): unknown {
    if (!(e instanceof JsonSyntaxError) || e.at || e.encoding) return e;
    const enc = wideEncoding(this.head.subarray(0, this.headLen));
    if (enc) {
      e.encoding = enc;
      return e;
    }
    const r = this.r;
    const prefix = this.contextPrefix(escAtMark);
    const piece = utf8.decode(buf.subarray(mark));
    const p = findJsonProblem(prefix + piece);
    const eofError = e.message.startsWith("unexpected end of JSON input");
    if (p?.empty) e.at = { kind: "empty", problem: "", line: 0, column: 0, byte: 0 };
    else if (p?.truncated && final) e.at = { kind: "truncated", problem: "", line: 0, column: 0, byte: r.absolute(buf.length) };
    else if (p && !p.truncated && p.index >= prefix.length) {
      const k = unitsToBytes(buf, mark, buf.length, p.index - prefix.length);
      const { line, column } = this.lineAt(buf, k);
      e.at = { kind: "invalid", problem: p.problem, line, column, byte: r.absolute(k) };
    } else if (p && !p.truncated && p.index > 0 && this.state === S_ROOT_STRING) {
      // an escape begun before the checkpoint (its bytes are gone; they are ASCII, on the same line)
      const back = prefix.length - p.index;
      const { line, column } = this.lineAt(buf, mark);
      e.at = { kind: "invalid", problem: p.problem, line, column: column === 0 ? 0 : column - back, byte: r.absolute(mark) - back };
    } else if (eofError && final) {
      e.at = { kind: "truncated", problem: "", line: 0, column: 0, byte: r.absolute(buf.length) };
    } else {
      // a problem json-text.ts does not see in these bytes (a disagreement): the reader's own words
      const k = e.index >= 0 ? e.index : mark;
      const { line, column } = this.lineAt(buf, k);
      e.at = { kind: "invalid", problem: e.message.replace(/ at byte \d+$/, ""), line, column, byte: e.offset };
    }
    return e;
  }

  /** A text that puts findJsonProblem where the scanner is at its checkpoint. */
  private contextPrefix(esc: number): string {
    const inArray = this.rootKind === "array";
    switch (this.state) {
      case S_ARRAY_ITEM:
        return inArray ? "[0," : '{"":[0,';
      case S_ARRAY_NEXT:
        return inArray ? "[0 " : '{"":[0 ';
      case S_OBJ_KEY:
        return '{"":0,';
      case S_OBJ_NEXT:
        return '{"":0 ';
      case S_DONE:
        return "0 ";
      case S_ROOT_STRING:
        return `"${esc === 0 ? "" : esc === 1 ? "\\" : `\\u${"0".repeat(esc - 2)}`}`;
      default:
        return "";
    }
  }

  /** Line and column (1-based) of buf[k], or 0, 0 when not counting lines. */
  private lineAt(buf: Uint8Array, k: number): { line: number; column: number } {
    if (!this.counter) return { line: 0, column: 0 };
    const c = this.counter.clone();
    let from = 0;
    for (const g of this.gaps) {
      if (g.at >= k) break;
      c.advance(buf, from, g.at + 1);
      c.skip(g);
      from = g.at + 1;
    }
    c.advance(buf, from, k);
    return { line: c.line, column: c.column() };
  }

  private step(): void {
    const r = this.r;
    const h = this.handler;
    switch (this.state) {
      case S_ROOT: {
        const c = r.peek();
        if (c === 0x5b) {
          if (this.rootKind !== "array") {
            this.rootKind = "array";
            h.root?.("array");
          }
          this.key = "";
          this.index = 0;
          this.state = r.open(0x5b) ? this.arrayDone() : S_ARRAY_ITEM;
        } else if (c === 0x7b) {
          if (this.rootKind !== "object") {
            this.rootKind = "object";
            h.root?.("object");
          }
          this.state = r.open(0x7b) ? S_DONE : S_OBJ_KEY;
        } else if (c === 0x22) {
          r.pos++;
          this.esc = 0;
          this.rootHeadLen = 0;
          this.state = S_ROOT_STRING;
        } else {
          const v = r.value();
          h.root?.("other");
          h.value?.("", v);
          this.state = S_DONE;
        }
        return;
      }
      case S_ARRAY_ITEM: {
        r.peek();
        if (this.skipping) {
          r.skip();
          this.index++;
          this.state = S_ARRAY_NEXT;
          return;
        }
        if (h.elements) {
          const k = h.elements(this.key, this.index, r);
          if (k > 0) {
            this.index += k;
            this.state = S_ARRAY_NEXT;
            return;
          }
        }
        h.element(this.key, this.index, r);
        this.index++;
        this.state = S_ARRAY_NEXT;
        return;
      }
      case S_ARRAY_NEXT: {
        this.state = r.next(0x5d) ? S_ARRAY_ITEM : this.arrayDone();
        return;
      }
      case S_OBJ_KEY: {
        if (r.peek() !== 0x22) r.fail(`expected a key (a string), got ${describeByte(r.buf[r.pos]!)}`);
        const key = r.string();
        r.expect(0x3a, "':'");
        const mode = h.selectKey?.(key) ?? "skip";
        const c = r.peek();
        if ((mode === "elements" || mode === "skip") && c === 0x5b) {
          // streamed: handed out element by element, or skipped so (never kept whole)
          this.key = key;
          this.index = 0;
          this.skipping = mode === "skip";
          this.state = r.open(0x5b) ? this.arrayDone() : S_ARRAY_ITEM;
          return;
        }
        if (mode === "skip") r.skip(1);
        else h.value?.(key, r.value(1));
        this.state = S_OBJ_NEXT;
        return;
      }
      case S_OBJ_NEXT: {
        this.state = r.next(0x7d) ? S_OBJ_KEY : S_DONE;
        return;
      }
    }
  }

  private arrayDone(): number {
    if (this.skipping) this.skipping = false;
    else this.handler.arrayEnd?.(this.key, this.index);
    return this.rootKind === "array" ? S_DONE : S_OBJ_NEXT;
  }
}

/** Parses a whole document held in memory with the scanner (for tests and small inputs). */
export function scanJson(bytes: Uint8Array, handler: JsonElementHandler, chunkSize = bytes.length, options: ScannerOptions = {}): void {
  const s = new JsonStreamScanner(handler, options);
  for (let i = 0; i < bytes.length; i += chunkSize) s.push(bytes.subarray(i, Math.min(bytes.length, i + chunkSize)));
  s.end();
}
