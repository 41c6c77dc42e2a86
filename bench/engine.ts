// Picks a GeometryEngine for the bench scripts: the wasm engine when its kernels are bound, else
// the plain TypeScript reference (same answers by contract, slower).
import type { GeometryEngine } from "../bindings/geometry/types.js";

export type EngineKind = "auto" | "wasm" | "reference";

export async function loadEngine(kind: EngineKind = "auto"): Promise<{ engine: GeometryEngine; kind: "wasm" | "reference" }> {
  if (kind !== "reference") {
    try {
      const { createEngine } = await import("../bindings/engine/engine.js");
      return { engine: await createEngine(), kind: "wasm" };
    } catch (e) {
      if (kind === "wasm") throw e;
    }
  }
  const { ReferenceGeometry } = await import("../bindings/geometry/reference.js");
  return { engine: new ReferenceGeometry(), kind: "reference" };
}
