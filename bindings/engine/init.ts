// init(source): load engine.wasm from a source the host chooses (its own URL, bytes, a Response or a
// compiled module) instead of the bytes inlined in the package, and make it the default of every later
// createEngine() call. For hosts with a strict content-security policy (serve the file from your own
// origin: `script-src 'self' 'wasm-unsafe-eval'` and `connect-src 'self'` are then enough), for pages
// that want the browser's streaming compilation and HTTP cache, and for workers that receive the module
// from the page. Browser-safe: no node: imports. No top-level await.
import { setDefaultModule, type WasmSource } from "./engine.js";

/** What init() accepts: a URL (or URL string) to fetch, a fetch() Response (or its promise), bytes, or a compiled module. */
export type InitSource = WasmSource | URL | string;

let current: Promise<WebAssembly.Module> | undefined;

async function fromResponse(response: Response): Promise<WebAssembly.Module> {
  if (!response.ok) throw new Error(`detection-eval init: cannot load engine.wasm (HTTP ${response.status} ${response.statusText} for ${response.url})`);
  // compileStreaming needs the application/wasm MIME type; other servers get the buffered path.
  const type = response.headers.get("content-type") ?? "";
  if (typeof WebAssembly.compileStreaming === "function" && type.split(";")[0]!.trim() === "application/wasm") {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

async function load(source: InitSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === "string" || source instanceof URL) {
    const url = new URL(source, typeof location !== "undefined" ? location.href : undefined);
    if (url.protocol === "file:") {
      throw new Error(
        `detection-eval init: cannot fetch ${url.href} (file: URLs): in Node pass the bytes, e.g. init(readFileSync(fileURLToPath(import.meta.resolve("detection-eval/engine.wasm"))))`,
      );
    }
    return fromResponse(await fetch(url));
  }
  if (typeof Response !== "undefined" && (source instanceof Response || source instanceof Promise)) return fromResponse(await source);
  return WebAssembly.compile(source as BufferSource);
}

/**
 * Compiles engine.wasm from `source` once and makes it the default of `createEngine()` (the inlined copy
 * is then never decoded). Returns the compiled module, which can be posted to workers:
 * `createEngine({ wasm: module })` there. Calling init() again replaces the default.
 *
 * ```ts
 * import { init, createEngine } from "detection-eval";
 * await init(new URL("detection-eval/engine.wasm", import.meta.url)); // or "/static/engine.wasm"
 * const engine = await createEngine();
 * ```
 */
export function init(source: InitSource): Promise<WebAssembly.Module> {
  const module = load(source);
  // A failed load must not poison later createEngine() calls with a rejected default.
  module.catch(() => {
    if (current === module) {
      current = undefined;
      setDefaultModule(undefined);
    }
  });
  current = module;
  setDefaultModule(module);
  return module;
}
