import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("engine.wasm", () => {
  it("exports the bump allocator", async () => {
    const module = await WebAssembly.compile(readFileSync(new URL("../../build/engine.debug.wasm", import.meta.url)));
    const { exports } = await WebAssembly.instantiate(module, { env: { abort() {} } });
    const alloc = exports.alloc as (n: number) => number;
    const a = alloc(16);
    const b = alloc(16);
    expect(b - a).toBeGreaterThanOrEqual(16);
    (exports.reset as () => void)();
    expect(alloc(16)).toBe(a);
  });
});
