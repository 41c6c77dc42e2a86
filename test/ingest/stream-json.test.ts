// The streaming JSON reader (bindings/ingest/stream-json.ts) against JSON.parse: the same values (numbers
// bit for bit, strings, objects with repeated keys), the same documents rejected, at any chunking.
import { describe, expect, it } from "vitest";
import { Rng } from "../../bindings/synth/generate.js";
import { type JsonElementHandler, JsonLimitError, JsonSyntaxError, MAX_CONTAINERS, type ScannerOptions, scanJson } from "../../bindings/ingest/stream-json.js";
import { jsonProblemMessage, parseJsonText, wideEncoding } from "../../bindings/ingest/json-text.js";

const enc = new TextEncoder();

/** Materialises a whole document through the scanner (elements of the root array / of every root key). */
function parseStreamed(text: string | Uint8Array, chunk: number): unknown {
  const bytes = typeof text === "string" ? enc.encode(text) : text;
  let root: unknown;
  const arrays = new Map<string, unknown[]>();
  const handler: JsonElementHandler = {
    root(kind) {
      if (kind === "array") root = [];
      else if (kind === "object") root = {};
    },
    selectKey: () => "elements",
    element(key, index, r) {
      const v = r.value();
      if (key === "") (root as unknown[])[index] = v;
      else {
        let a = arrays.get(key);
        if (!a || index === 0) arrays.set(key, (a = []));
        a[index] = v;
      }
    },
    value(key, v) {
      if (key === "" && !Array.isArray(root) && (root === undefined || typeof root !== "object")) root = v;
      else Object.defineProperty(root, key, { value: v, enumerable: true, configurable: true, writable: true });
    },
    arrayEnd(key, count) {
      if (key === "") return;
      const a = arrays.get(key) ?? [];
      a.length = count;
      Object.defineProperty(root, key, { value: count === 0 ? [] : a, enumerable: true, configurable: true, writable: true });
      arrays.delete(key);
    },
  };
  scanJson(bytes, handler, chunk);
  return root;
}

function randomNumberText(rng: Rng): string {
  const forms = [
    () => String(rng.int(1000)),
    () => String(rng.float()),
    () => (rng.float() * 1e6).toFixed(rng.int(8)),
    () => `${rng.int(10)}.${String(rng.int(1e9)).padStart(9, "0")}e${rng.int(60) - 30}`,
    () => `-${rng.int(100)}.${rng.int(100)}E+${rng.int(5)}`,
    () => "12345678901234567890123",
    () => "9007199254740993",
    () => "0.1000000000000000055511151231257827",
    () => `${rng.int(2) ? "-" : ""}0`,
    () => "-0.0",
    () => "1e-400",
    () => "2.2250738585072011e-308",
    () => "1.7976931348623157e308",
    () => "1e309",
    () => String(Math.fround(rng.float() * 1000)),
    () => (rng.float() * 640).toFixed(2),
  ];
  return forms[rng.int(forms.length)]!();
}

function randomString(rng: Rng): string {
  const pieces = ["a", "bbox", "\\\\", "\\n", "\\u00e9", "é", "😀", "\\ud83d\\ude00", "\\\"", "0O1", "/", "\\/", " ", "\\t", "Ω"];
  let s = "";
  const n = rng.int(6);
  for (let i = 0; i < n; i++) s += pieces[rng.int(pieces.length)]!;
  return `"${s}"`;
}

function randomJson(rng: Rng, depth: number): string {
  const ws = () => [" ", "", "\n", "\t", "\r\n  "][rng.int(5)]!;
  const k = depth > 3 ? rng.int(4) : rng.int(7);
  switch (k) {
    case 0:
      return randomNumberText(rng);
    case 1:
      return randomString(rng);
    case 2:
      return ["true", "false", "null"][rng.int(3)]!;
    case 3:
      return randomNumberText(rng);
    case 4:
    case 5: {
      const n = rng.int(5);
      return `[${ws()}${Array.from({ length: n }, () => randomJson(rng, depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
    }
    default: {
      const n = rng.int(5);
      const keys = ["id", "bbox", "a", "__proto__", "x", "id"];
      return `{${ws()}${Array.from({ length: n }, () => `${ws()}"${keys[rng.int(keys.length)]}"${ws()}:${ws()}${randomJson(rng, depth + 1)}`).join(",")}${ws()}}`;
    }
  }
}

describe("streaming JSON reader = JSON.parse", () => {
  it("values, bit for bit, at every chunk size", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 400; trial++) {
      const text = trial % 2 ? `[${Array.from({ length: rng.int(6) }, () => randomJson(rng, 0)).join(",")}]` : randomJson(rng, 0);
      const want = JSON.parse(text);
      for (const chunk of [1, 2, 3, 7, 64, 1 << 20]) {
        const got = parseStreamed(text, chunk);
        expect(Object.is(got, want) || JSON.stringify(got) === JSON.stringify(want), `${text} @${chunk}`).toBe(true);
        if (typeof want === "number") expect(Object.is(got, want), text).toBe(true);
      }
    }
  });

  it("numbers: every rounding case as JSON.parse", () => {
    const rng = new Rng(5);
    for (let i = 0; i < 20000; i++) {
      const t = randomNumberText(rng);
      const got = parseStreamed(`[${t}]`, 1 + rng.int(8)) as number[];
      expect(Object.is(got[0], JSON.parse(t)), t).toBe(true);
    }
    for (let i = 0; i < 5000; i++) {
      const x = (rng.float() - 0.5) * 10 ** (rng.int(40) - 20);
      const t = String(x);
      expect(Object.is((parseStreamed(`[${t}]`, 3) as number[])[0], x), t).toBe(true);
    }
  });

  it("rejects what JSON.parse rejects, with a byte offset", () => {
    const bad = ["", "[", "[1,]", "[01]", "[1.]", "[.5]", "[-]", '{"a" 1}', '{"a":1,}', "[1 2]", "nul", "[tru]", '["\\x"]', '["a\nb"]', "[1] x", "{}}", '[1e]', "[+1]", '{"a":}', "[\"\u0001\"]"];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow();
      for (const chunk of [1, 4, 100]) {
        let err: unknown;
        try {
          parseStreamed(text, chunk);
        } catch (e) {
          err = e;
        }
        expect(err, `${JSON.stringify(text)} @${chunk}`).toBeInstanceOf(JsonSyntaxError);
      }
    }
  });

  it("repeated keys keep the last value; __proto__ is an own key", () => {
    const got = parseStreamed('[{"a":1,"a":2,"__proto__":{"x":1}}]', 2) as Record<string, unknown>[];
    expect(got).toEqual(JSON.parse('[{"a":1,"a":2,"__proto__":{"x":1}}]'));
    expect(Object.getPrototypeOf(got[0])).toBe(Object.prototype);
    expect(Object.keys(got[0]!)).toEqual(["a", "__proto__"]);
  });

  it("invalid UTF-8 decodes to replacement characters, as Buffer.toString + JSON.parse", () => {
    const bytes = new Uint8Array([0x5b, 0x22, 0x61, 0xff, 0xc3, 0x22, 0x5d]);
    expect(parseStreamed(bytes, 2)).toEqual(JSON.parse(new TextDecoder().decode(bytes)));
  });
});

// ---- hostile input: located errors, whitespace, limits, depth, encodings ----------------------------

/** Scans text (or bytes) through a syntax-only handler; returns the JsonSyntaxError / JsonLimitError thrown, or undefined. */
function scanError(text: string | Uint8Array, chunk: number, options: ScannerOptions = { lines: true }): unknown {
  const bytes = typeof text === "string" ? enc.encode(text) : text;
  const h: JsonElementHandler = { selectKey: () => "skip", element: (_k, _i, r) => r.skip() };
  try {
    scanJson(bytes, h, chunk, options);
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The in-memory message of json-text.ts for text. */
function inMemory(text: string): string {
  try {
    parseJsonText(text, "f", "file");
  } catch (e) {
    return (e as Error).message.replace(/^f: /, "");
  }
  return "valid";
}

/** The streamed message, in json-text.ts's words (`at` of the error). */
function streamed(text: string, chunk: number, options?: ScannerOptions): string {
  const e = scanError(text, chunk, options);
  if (e === undefined) return "valid";
  expect(e, `${JSON.stringify(text.slice(0, 80))} @${chunk}`).toBeInstanceOf(JsonSyntaxError);
  const at = (e as JsonSyntaxError).at;
  expect(at, "located").toBeDefined();
  return jsonProblemMessage(at!, "file");
}

describe("streaming JSON reader: hostile input", () => {
  const bad = [
    '{"images": [',
    '{\n  "images": [],\n  "annotations": [}\n',
    '[{"score": NaN}]',
    '[{"score": -Infinity}]',
    "{'images': []}",
    '{"a": 1,}',
    '{"a" 1}',
    "[1 2]",
    "[01]",
    '["a\u0001"]',
    '["\\x"]',
    "[] []",
    "",
    " \n ",
    '{"é": [',
    "\u0000\u0000\u0000\u0000",
    "y\ny\ny\n",
    '{"images": [{"id": 1}], "annotations": [{"a": [1, 2, {"b": tru}]}]}',
    '{"images": [{"id": 1, "n": "é😀"}, {"id": 2, "x": 1.}]}',
    '[{"image_id": 1, "bbox": [1, 2, 3, 4]},\n {"image_id": 2, "bbox": [1, 2, 3, 4]]\n]',
    '"a string with a bad escape \\q"',
    '"a string with a bad \\u12G4 escape"',
    '"control \u0002 character"',
    '"unterminated',
    '\ufeff{"a": [1, 2,, 3]}',
    '{"a": 1} x',
    '{"a": {"b": [1, 2]}, "c": ]}',
    "[[[[[[[[[[1]]]]]]]]]]]",
  ];
  it("syntax errors: json-text.ts's message (line, column, problem) at every chunk size", () => {
    for (const text of bad) {
      const want = inMemory(text);
      expect(want, text).not.toBe("valid");
      for (const chunk of [1, 2, 3, 5, 64, 1 << 20]) expect(streamed(text, chunk), `${JSON.stringify(text)} @${chunk}`).toBe(want);
    }
  });

  it("random damage of a document: the same message as in memory", () => {
    const rng = new Rng(23);
    const base = JSON.stringify({ images: [{ id: 1, file_name: "a é 😀.jpg" }], annotations: [{ id: 1, bbox: [1, 2.5, 3, 4], segmentation: { size: [4, 4], counts: "04" } }], categories: [{ id: 1, name: "x" }] }, null, rng.int(2) ? 2 : undefined);
    for (let trial = 0; trial < 600; trial++) {
      // (cut between characters: a file holds bytes, never half a surrogate pair)
      const chars = Array.from(base);
      const cut = rng.int(chars.length);
      const junk = ["", "]", "}", ",", ":", '"', "\\", "x", "\n", "\u0000", "1e", "-", "é", "[", "{", "0"][rng.int(16)]!;
      const text = chars.slice(0, cut).join("") + (rng.int(4) === 0 ? "" : junk + chars.slice(cut + rng.int(3)).join(""));
      const want = inMemory(text);
      expect(streamed(text, 1 + rng.int(40)), `${JSON.stringify(text)}`).toBe(want);
    }
  });

  it("whitespace between tokens is never kept: megabytes of it fit a 64 KiB piece limit, and offsets, lines and columns stay exact", () => {
    const ws = (n: number) => " \n\t\r".repeat(n / 4);
    const big = ws(4 << 20);
    const docs = [`${big}[]${big}`, `[1,${big}2]`, `{"a":${big}[1, 2${big}]}`, `[{"image_id":${big}1, "bbox": [${big}1, 2, 3, 4]}]`, `{"info":${big}{"x":${big}1}, "b": []}`];
    for (const d of docs) {
      for (const chunk of [1 << 16, 1 << 20]) expect(scanError(d, chunk, { maxPiece: 1 << 16 }), d.slice(0, 40)).toBeUndefined();
    }
    // an error after dropped whitespace: the same message as in memory (bytes, lines, columns)
    const text = `[{"image_id":${ws(3 << 20)}1, "x": é${ws(5 << 20)}]`;
    expect(streamed(text, 1 << 20, { lines: true, maxPiece: 1 << 16 })).toBe(inMemory(text));
    const e = scanError(text, 1 << 20, { maxPiece: 1 << 16 }) as JsonSyntaxError;
    expect(e.offset).toBe(enc.encode(text.slice(0, text.indexOf("é"))).length);
  });

  it("a piece beyond the limit stops with JsonLimitError, a value with too many containers too", () => {
    const e = scanError(`[{"a": "${"x".repeat(3 << 20)}"}]`, 1 << 20, { maxPiece: 1 << 20 });
    expect(e).toBeInstanceOf(JsonLimitError);
    expect((e as JsonLimitError).offset).toBe(1);
    // never kept whole: a long top-level string, the elements of a skipped array
    expect(scanError(`"${"x".repeat(3 << 20)}"`, 1 << 20, { maxPiece: 1 << 20 })).toBeUndefined();
    expect(scanError(`{"skipped": [${Array.from({ length: 200_000 }, (_, i) => `{"i": ${i}}`).join(",")}], "a": 1}`, 1 << 16, { maxPiece: 1 << 16 })).toBeUndefined();
    const wide = `[[${"[],".repeat(MAX_CONTAINERS + 10)}1]]`;
    let err: unknown;
    try {
      parseStreamed(wide, 1 << 20);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(JsonLimitError);
  });

  it("any nesting depth (skipped or materialised), as JSON.parse", () => {
    const deep = `${"[".repeat(200_000)}1${"]".repeat(200_000)}`;
    expect(scanError(`{"x": ${deep}}`, 1 << 16)).toBeUndefined();
    let v = parseStreamed(deep, 1 << 16);
    let depth = 0;
    while (Array.isArray(v)) {
      v = v[0];
      depth++;
    }
    expect([depth, v]).toEqual([200_000, 1]);
    expect(streamed(`${deep.slice(0, -1)}}`, 4096)).toBe(inMemory(`${deep.slice(0, -1)}}`));
  });

  it("a long top-level string streams by: root('string'), its beginning as the value", () => {
    const s = `{\\"images\\": ${"x".repeat(3 << 20)}`;
    const got: unknown[] = [];
    scanJson(enc.encode(`  "${s}"  `), { root: (k) => got.push(k), element() {}, value: (_k, v) => got.push((v as string).slice(0, 12)) }, 1000);
    expect(got).toEqual(["string", '{"images": x']);
  });

  it("UTF-16 and UTF-32 (a byte order mark, or NUL bytes around the first characters) are named", () => {
    const text = '{"images": []}';
    const le = new Uint8Array(Buffer.from(text, "utf16le"));
    const be = new Uint8Array(Buffer.from(text, "utf16le").swap16());
    const cases: [Uint8Array, string][] = [
      [Uint8Array.from([0xff, 0xfe, ...le]), "UTF-16"],
      [Uint8Array.from([0xfe, 0xff, ...be]), "UTF-16"],
      [le, "UTF-16"],
      [be, "UTF-16"],
      [Uint8Array.from([0xff, 0xfe, 0, 0, 0x7b, 0, 0, 0]), "UTF-32"],
      [Uint8Array.from([0, 0, 0, 0x7b, 0, 0, 0, 0x7d]), "UTF-32"],
    ];
    for (const [bytes, want] of cases) {
      for (const chunk of [1, 3, 1 << 20]) expect((scanError(bytes, chunk) as JsonSyntaxError).encoding, `${want} @${chunk}`).toBe(want);
      expect(wideEncoding(bytes.subarray(0, 4))).toBe(want);
    }
    // NUL bytes alone are not an encoding: the usual message
    expect(streamed("\u0000\u0000", 1)).toBe('invalid JSON at line 1 column 1: unexpected character "\\u0000" (expected a JSON value)');
  });

  // found by test/ingest/fuzz-readers.test.ts: bytes that are not UTF-8, a number cut at the end, a second byte order mark
  it("invalid UTF-8 before a problem: the columns and bytes of the decoded text (one U+FFFD per maximal invalid subsequence)", () => {
    const docs = [
      [0x5b, 0x22, 0x61, 0xff, 0x62, 0x22, 0x2c, 0x20, 0x78, 0x5d], // ["a\xffb", x]
      [0x7b, 0x22, 0xe2, 0x82, 0x22, 0x3a, 0x31, 0x20, 0x32, 0x7d], // a cut 3-byte sequence
      [0x5b, 0x22, 0xf0, 0x9f, 0x98, 0x80, 0x80, 0xc3, 0x22, 0x0a, 0x20, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x20, 0x3a, 0x5d], // a 4-byte one, stray continuations, a surrogate
      [0x5b, 0x22, 0x63, 0x61, 0x74, 0xe7, 0x6f, 0x0a, 0x22, 0x5d], // a raw line break in a string after a bad lead byte
    ];
    for (const d of docs) {
      const bytes = Uint8Array.from(d);
      const text = Buffer.from(bytes).toString("utf8");
      for (const chunk of [1, 2, 3, 100]) {
        const e = scanError(bytes, chunk) as JsonSyntaxError;
        expect(jsonProblemMessage(e.at!, "file"), `${JSON.stringify(text)} @${chunk}`).toBe(inMemory(text));
      }
    }
  });

  it("a document that ends inside a number is truncated (not a bad number), as in memory", () => {
    for (const text of ["[1.", '{"a": 1e', "[-", '{"a": [2.5E+', "[0"]) {
      for (const chunk of [1, 100]) expect(streamed(text, chunk), text).toBe(inMemory(text));
      expect(inMemory(text)).toMatch(/^file is truncated/);
    }
  });

  it("only one byte order mark is skipped: a second one is a character, in both readers", () => {
    const text = "\ufeff\ufeff[1]";
    expect(inMemory(text)).toBe('invalid JSON at line 1 column 1: unexpected character "\ufeff" (expected a JSON value)');
    for (const chunk of [1, 4, 100]) expect(streamed(text, chunk)).toBe(inMemory(text));
  });

  it("a UTF-8 byte order mark is skipped, as parseJsonText skips it (columns count from after it)", () => {
    expect(parseStreamed("\ufeff[1, 2]", 1)).toEqual([1, 2]);
    expect(streamed("\ufeff[1, x]", 1)).toBe(inMemory("\ufeff[1, x]"));
    expect(streamed("\ufeff", 1)).toBe("file is empty");
  });
});
