import { describe, expect, it } from "vitest";
import { ENGINE_WASM_BASE64 } from "../../bindings/generated/engine-wasm.js";

describe("engine.wasm in the browser", () => {
  it("compiles the inlined bytes and runs the allocator", async () => {
    const bytes = Uint8Array.from(atob(ENGINE_WASM_BASE64), (c) => c.charCodeAt(0));
    const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() {} } });
    const alloc = instance.exports.alloc as (n: number) => number;
    const a = alloc(8);
    expect(alloc(8) - a).toBeGreaterThanOrEqual(8);
    expect(typeof navigator.userAgent).toBe("string");
  });
});
