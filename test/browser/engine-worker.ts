// A module worker for test/browser/engine.test.ts: instantiates the engine from the module the page posts.
import { createEngine } from "../../bindings/index.js";

self.onmessage = async (e: MessageEvent<{ module: WebAssembly.Module; box: [number, number, number, number] }>) => {
  const engine = await createEngine({ wasm: e.data.module });
  const rle = engine.rleFromBox(e.data.box, 32, 32);
  self.postMessage({ area: engine.rleArea(rle), counts: Array.from(rle.counts) });
};
