// The kernel calling convention has one source (assembly/abi/contexts.json): the generated sides
// are current, no hand-written field numbers remain on either side, and the typed writers put each
// field at its number.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assemblySource, bindingsSource, loadSchema } from "../../scripts/gen-contexts.mjs";
import * as contexts from "../../bindings/generated/contexts.js";
import { ROOT } from "../helpers/paths.js";

const schemaText = readFileSync(join(ROOT, "assembly/abi/contexts.json"), "utf8");
const schema = loadSchema(schemaText);
const sources = (dir: string): [string, string][] =>
  readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.startsWith("generated"))
    .map((f) => [`${dir}/${f}`, readFileSync(join(ROOT, dir, f), "utf8")]);

describe("kernel contexts", () => {
  it("the generated files are what the schema gives (the build is current)", () => {
    expect(readFileSync(join(ROOT, "assembly/generated/contexts.ts"), "utf8")).toBe(assemblySource(schema));
    expect(readFileSync(join(ROOT, "bindings/generated/contexts.ts"), "utf8")).toBe(bindingsSource(schema));
  });

  it("no field number or enum value is written by hand, in assembly/ or bindings/", () => {
    const names = [
      ...Object.values(schema.blocks).flatMap((b) => [...b.fields.map((f) => `${b.prefix}_${f.name}`), `${b.prefix}_FIELDS`]),
      ...Object.values(schema.enums).flatMap((e) => e.values.map(([v]) => `${e.prefix}_${v}`)),
    ];
    const defined = new RegExp(`\\bconst (?:${names.join("|")})\\b\\s*(?::\\s*u(?:8|32))?\\s*=`, "g");
    const found = [...sources("assembly"), ...sources("bindings")].flatMap(([file, text]) => (text.match(defined) ?? []).map((m) => `${file}: ${m}`));
    expect(names.length).toBeGreaterThan(150);
    expect(found).toEqual([]);
  });

  it("every block names kernels that engine.wasm exports", () => {
    const index = readFileSync(join(ROOT, "assembly/index.ts"), "utf8");
    for (const [name, block] of Object.entries(schema.blocks)) {
      for (const k of block.kernels) expect(index, `${name}: ${k}`).toMatch(new RegExp(`\\b${k}\\b`));
    }
  });

  it("the writers put every input at its field number and the readers read the outputs back", () => {
    const table = contexts as unknown as Record<string, unknown>;
    for (const [name, block] of Object.entries(schema.blocks)) {
      const P = name[0]!.toUpperCase() + name.slice(1);
      const numbers = table[name.toUpperCase()] as Record<string, number>;
      const write = table[`write${P}Context`] as (u32: Uint32Array, ctx: number, c: Record<string, number>) => void;
      const camel = (n: string) => n.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      const ctx = 64; // a byte offset: the block starts at u32 16
      const u32 = new Uint32Array(16 + block.fields.length + 4).fill(0xdeadbeef);
      const input: Record<string, number> = {};
      block.fields.forEach((f, i) => {
        if (f.io !== "out") input[camel(f.name)] = 1000 + i;
      });
      write(u32, ctx, input);
      expect(table[`${name.toUpperCase()}_FIELDS`], name).toBe(block.fields.length);
      block.fields.forEach((f, i) => {
        expect(numbers[f.name], `${name}.${f.name}`).toBe(i);
        expect(u32[16 + i], `${name}.${f.name}`).toBe(f.io === "out" ? 0 : 1000 + i);
      });
      expect(u32[15]).toBe(0xdeadbeef); // nothing before the block
      expect(u32[16 + block.fields.length]).toBe(0xdeadbeef); // nor after it
      const outs = block.fields.filter((f) => f.io === "out" || f.io === "inout");
      if (outs.length === 0) continue;
      block.fields.forEach((_, i) => (u32[16 + i] = 5000 + i));
      const read = table[`read${P}Outputs`] as (u32: Uint32Array, ctx: number) => Record<string, number>;
      const got = read(u32, ctx);
      expect(Object.keys(got).length, name).toBe(outs.length);
      for (const f of outs) expect(got[camel(f.name)], `${name}.${f.name}`).toBe(5000 + block.fields.indexOf(f));
    }
  });

  it("a schema mistake stops the build with a message naming the place", () => {
    const broken = (edit: (s: { blocks: Record<string, { fields: { name: string; io?: string }[] }> }) => void) => {
      const s = JSON.parse(schemaText);
      edit(s);
      return () => loadSchema(JSON.stringify(s));
    };
    const planFields = (JSON.parse(schemaText) as { blocks: { plan: { fields: unknown[] } } }).blocks.plan.fields.length;
    expect(broken((s) => s.blocks.plan!.fields.push({ name: "NA" }))).toThrow(`blocks.plan.fields[${planFields}].name must be a new upper-case name`);
    expect(broken((s) => (s.blocks.scan!.fields[1]!.io = "both"))).toThrow("blocks.scan.fields[1].io must be in, out or inout");
    expect(broken((s) => s.blocks.match!.fields.push({ name: "FIELDS" }))).toThrow("FIELDS is the generated count");
    expect(() => loadSchema("{")).toThrow();
  });
});
