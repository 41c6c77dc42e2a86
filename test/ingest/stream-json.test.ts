// The streaming JSON reader (bindings/ingest/stream-json.ts) against JSON.parse: the same values (numbers
// bit for bit, strings, objects with repeated keys), the same documents rejected, at any chunking.
import { describe, expect, it } from "vitest";
import { Rng } from "../../bindings/synth/generate.js";
import { type JsonElementHandler, JsonSyntaxError, scanJson } from "../../bindings/ingest/stream-json.js";

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
