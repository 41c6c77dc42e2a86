// A byte-level, incremental JSON reader for documents of any size (V8 strings stop near 512 MB, so
// large files cannot go through JSON.parse). It reads UTF-8 bytes in chunks and hands out the
// elements of the top-level array (results files), or of the arrays under chosen keys of the
// top-level object (datasets: images, annotations, categories), one at a time, to a handler that
// consumes each element from a JsonReader: as a JavaScript value (value()), or straight into
// columns (bindings/ingest/stream-coco.ts reads numbers and strings without building objects).
//
// Semantics are JSON.parse's: the same grammar (anything it rejects is rejected, with the byte
// offset), numbers rounded as JSON.parse rounds them (Clinger's exact fast path, else Number() on
// the digits), strings decoded as UTF-8 with replacement characters, and the last of repeated keys
// winning inside materialised objects. Memory: the current chunk plus the element being read.
//
// Browser-safe (no Node imports): bindings/ingest/stream-load.ts feeds it from files in Node; a browser
// can feed it from a ReadableStream.

/** Thrown inside a handler when the element is not complete in the bytes at hand (caught by the scanner). */
export const NEED_MORE: { readonly needMore: true } = Object.freeze({ needMore: true as const });

/** Invalid JSON; `offset` is the byte offset in the whole document. */
export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT = 2 ** 53;

const utf8 = new TextDecoder("utf-8");
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
  /** Nesting depth limit of values (a guard against stack overflow on hostile input). */
  maxDepth = 1000;

  fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(`${message} at byte ${this.base + at}`, this.base + at);
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

  /** Skips one value (validating its syntax). */
  skip(depth = 0): void {
    const c = this.peek();
    if (c === 0x22) {
      this.pos = this.stringEnd() + 1;
    } else if (c === 0x7b) {
      if (depth >= this.maxDepth) this.fail("nesting too deep");
      if (this.open(0x7b)) return;
      do {
        if (this.peek() !== 0x22) this.fail(`expected a key (a string), got ${describeByte(this.buf[this.pos]!)}`);
        this.pos = this.stringEnd() + 1;
        this.expect(0x3a, "':'");
        this.skip(depth + 1);
      } while (this.next(0x7d));
    } else if (c === 0x5b) {
      if (depth >= this.maxDepth) this.fail("nesting too deep");
      if (this.open(0x5b)) return;
      do this.skip(depth + 1);
      while (this.next(0x5d));
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.number();
    } else this.literal();
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

  /** One value, as JSON.parse builds it. */
  value(depth = 0): unknown {
    const c = this.peek();
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (c === 0x5b) {
      if (depth >= this.maxDepth) this.fail("nesting too deep");
      const out: unknown[] = [];
      if (this.open(0x5b)) return out;
      do out.push(this.value(depth + 1));
      while (this.next(0x5d));
      return out;
    }
    if (c === 0x7b) {
      if (depth >= this.maxDepth) this.fail("nesting too deep");
      const out: Record<string, unknown> = {};
      if (this.open(0x7b)) return out;
      do {
        if (this.peek() !== 0x22) this.fail(`expected a key (a string), got ${describeByte(this.buf[this.pos]!)}`);
        const k = this.string();
        this.expect(0x3a, "':'");
        const v = this.value(depth + 1);
        if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
        else out[k] = v;
      } while (this.next(0x7d));
      return out;
    }
    return this.literal();
  }
}

/** What a scanner does with each top-level key of an object root. */
export type KeyMode = "elements" | "value" | "skip";

export interface JsonElementHandler {
  /** The root's kind, once, before anything else: "array", "object", or "other" (then value("", v) follows). */
  root?(kind: "array" | "object" | "other"): void;
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
  /** A materialised value: a key in "value" mode, an "elements" key whose value is not an array, or a root that is neither array nor object. */
  value?(key: string, v: unknown): void;
  /** The end of a streamed array and its length. */
  arrayEnd?(key: string, count: number): void;
}

// scanner states
const S_ROOT = 0; // before the root value
const S_ARRAY_ITEM = 1; // inside a streamed array, before an element (or ']')
const S_ARRAY_NEXT = 2; // after an element: ',' or ']'
const S_OBJ_KEY = 3; // inside the root object, before a key (or '}')
const S_OBJ_NEXT = 4; // after a member: ',' or '}'
const S_DONE = 5; // root complete: only whitespace may follow

/**
 * Feeds a document in chunks (push), then end(). Bytes are held only from the start of the element
 * (or top-level member) being read: a piece that straddles chunks is kept and re-read once enough
 * bytes have arrived.
 */
export class JsonStreamScanner {
  private readonly r = new JsonReader();
  private state = S_ROOT;
  private rootKind: "array" | "object" | "other" = "other";
  private key = "";
  private index = 0;
  /** Pending bytes (from the last checkpoint, in pieces) and how many a retry needs. */
  private pending: Uint8Array[] = [];
  private pendingLen = 0;
  private retryAt = 0;
  private consumed = 0; // absolute offset of the pending bytes / current buffer start

  constructor(private readonly handler: JsonElementHandler) {}

  /** Total bytes seen. */
  get offset(): number {
    return this.consumed + this.pendingLen;
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
    const tail = this.pendingLen;
    if (tail > 0 && tail <= STITCH && chunk.length > 4 * STITCH && this.pending.length === 1 && tail >= this.retryAt / 2) {
      // a short piece straddles the chunks: finish it in a small stitched buffer, then read the chunk in place
      const head = this.pending[0]!;
      const stitched = new Uint8Array(tail + STITCH);
      stitched.set(head, 0);
      stitched.set(chunk.subarray(0, STITCH), tail);
      this.pending = [];
      this.pendingLen = 0;
      const consumedBefore = this.consumed;
      this.run(stitched, false);
      const used = this.consumed - consumedBefore; // bytes of `stitched` done
      if (used >= tail) {
        this.pending = [];
        this.pendingLen = 0;
        this.retryAt = 0;
        this.run(chunk.subarray(used - tail), false);
        return;
      }
      // not even the straddling piece fitted: undo and concatenate
      this.consumed = consumedBefore + used;
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
    this.run(this.takePending(), false);
  }

  end(): void {
    this.run(this.takePending(), true);
    if (this.state !== S_DONE) this.r.fail("unexpected end of JSON input", this.r.pos);
  }

  private run(buf: Uint8Array, final: boolean): void {
    const r = this.r;
    r.buf = buf;
    r.pos = 0;
    r.end = buf.length;
    r.base = this.consumed;
    r.final = final;
    let mark = 0; // checkpoint: everything before it is done
    try {
      for (;;) {
        mark = r.pos;
        if (this.state === S_DONE) {
          const b = r.buf;
          let p = r.pos;
          while (p < r.end && WS[b[p]!]) p++;
          r.pos = p;
          if (p < r.end) r.fail(`unexpected ${describeByte(b[p]!)} after the JSON value`);
          mark = p;
          break;
        }
        this.step();
      }
    } catch (e) {
      if (e !== NEED_MORE) throw e;
      r.pos = mark;
    }
    // keep the unfinished piece
    const rest = buf.length - mark;
    this.consumed += mark;
    if (rest > 0) {
      this.pending = [buf.slice(mark)];
      this.pendingLen = rest;
      this.retryAt = 2 * rest;
    } else this.retryAt = 0;
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
        if (mode === "elements" && c === 0x5b) {
          this.key = key;
          this.index = 0;
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
    this.handler.arrayEnd?.(this.key, this.index);
    return this.rootKind === "array" ? S_DONE : S_OBJ_NEXT;
  }
}

/** Parses a whole document held in memory with the scanner (for tests and small inputs). */
export function scanJson(bytes: Uint8Array, handler: JsonElementHandler, chunkSize = bytes.length): void {
  const s = new JsonStreamScanner(handler);
  for (let i = 0; i < bytes.length; i += chunkSize) s.push(bytes.subarray(i, Math.min(bytes.length, i + chunkSize)));
  s.end();
}
