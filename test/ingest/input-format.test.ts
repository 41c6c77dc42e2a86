// The format sniffer (bindings/ingest/input-format.ts) against the rule of the parsed document
// (isLabelRows / isEncordJson on JSON.parse's value, else COCO), on random documents cut into
// random chunks: decided formats always agree; a document cut short says so.
import { describe, expect, it } from "vitest";
import { sniffFormat, FormatSniffer } from "../../bindings/ingest/input-format.js";
import { isEncordJson } from "../../bindings/analysis/encord-format.js";
import { isLabelRows } from "../../bindings/analysis/label-rows.js";
import { mulberry32 as rng } from "../helpers/random.js";

const enc = new TextEncoder();

function rule(text: string): "coco" | "encord" | "label-rows" {
  const doc = JSON.parse(text) as unknown;
  return isLabelRows(doc) ? "label-rows" : isEncordJson(doc) ? "encord" : "coco";
}

const KEYS = ["images", "labels", "predictions", "annotations", "categories", "info", "coordinates", "data_units", "__proto__"];

function randomValue(r: () => number, depth: number): string {
  const k = Math.floor(r() * (depth > 2 ? 4 : 7));
  switch (k) {
    case 0:
      return String(Math.floor(r() * 100) - 50);
    case 1:
      return JSON.stringify(`s${Math.floor(r() * 10)}`);
    case 2:
      return ["true", "false", "null"][Math.floor(r() * 3)]!;
    case 3:
      return '"[1, 2]"';
    case 4:
    case 5: {
      const n = Math.floor(r() * 4);
      return `[${Array.from({ length: n }, () => randomValue(r, depth + 1)).join(", ")}]`;
    }
    default:
      return randomObject(r, depth + 1);
  }
}

function randomObject(r: () => number, depth: number): string {
  const n = Math.floor(r() * 5);
  const members: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = KEYS[Math.floor(r() * KEYS.length)]!;
    // data_units is most often an object, as in label rows
    const v = key === "data_units" && r() < 0.7 ? "{}" : randomValue(r, depth);
    members.push(`${JSON.stringify(key)}${r() < 0.3 ? " \n " : ""}: ${v}`);
  }
  return `{${members.join(",\n")}}`;
}

function randomDocument(r: () => number): string {
  const k = r();
  if (k < 0.15) return `[${Array.from({ length: Math.floor(r() * 3) }, () => (r() < 0.6 ? randomObject(r, 1) : randomValue(r, 1))).join(", ")}]`;
  if (k < 0.2) return randomValue(r, 3);
  return randomObject(r, 0);
}

describe("sniffFormat", () => {
  it("agrees with the rule of the parsed document on random documents and chunkings", () => {
    const r = rng(20261207);
    const seen = new Set<string>();
    for (let t = 0; t < 3000; t++) {
      const text = (r() < 0.2 ? "\ufeff" : "") + randomDocument(r);
      const bytes = enc.encode(text);
      const chunk = 1 + Math.floor(r() * (bytes.length + 2));
      const g = sniffFormat(bytes, chunk);
      const want = rule(text.replace(/^\ufeff/, ""));
      expect(g.decided, text).toBe(true);
      expect(g.format, text).toBe(want);
      seen.add(want);
    }
    expect([...seen].sort()).toEqual(["coco", "encord", "label-rows"]);
  });

  it("decides early: at `annotations`, at an array's first element", () => {
    const s = new FormatSniffer();
    expect(s.push(enc.encode('{"images": [{"id": 1}], "annotations": '))).toBe(true);
    expect(s.guess()).toEqual({ format: "coco", root: "object", decided: true });
    const rows = new FormatSniffer();
    expect(rows.push(enc.encode('[{"data_units": {"h": {}}}, {"broken'))).toBe(true);
    expect(rows.guess()).toEqual({ format: "label-rows", root: "array", decided: true });
    // an Encord-style object is known at its end only (an `annotations` key could still come)
    const e = new FormatSniffer();
    expect(e.push(enc.encode('{"images": [], "labels": []'))).toBe(false);
    expect(e.guess()).toEqual({ format: "encord", root: "object", decided: false });
    e.push(enc.encode("}"));
    e.end();
    expect(e.guess()).toEqual({ format: "encord", root: "object", decided: true });
  });

  it("the last of repeated keys counts, as in JSON.parse", () => {
    expect(sniffFormat(enc.encode('{"images": [], "labels": [], "labels": 3}')).format).toBe("coco");
    expect(sniffFormat(enc.encode('{"images": 1, "labels": [], "images": []}')).format).toBe("encord");
  });

  it("invalid JSON, UTF-16 and empty input stop the guess (decided false): the reader reports them", () => {
    for (const bytes of [enc.encode('{"images": [1,, 2], "labels": []}'), enc.encode(""), Uint8Array.from([0xff, 0xfe, 0x7b, 0x00])]) {
      const g = sniffFormat(bytes);
      expect(g.decided).toBe(false);
      expect(g.format).toBe("coco");
    }
    expect(sniffFormat(enc.encode('{"images": [], "labels": [], "x": nul')).format).toBe("encord"); // the rule on what was seen
  });
});
