// createEngine(): compiles the inlined engine.wasm (or a module/bytes the host supplies) and wraps
// its raw-pointer kernels in the GeometryEngine API. Pointers never leave this file.
import { ENGINE_WASM_BASE64 } from "./generated/engine-wasm.js";
import type { GeometryEngine } from "./geometry-types.js";

export type WasmSource = BufferSource | WebAssembly.Module | Response | Promise<Response>;

export interface EngineOptions {
  /** The engine bytes or compiled module; default: the release build inlined in this package. */
  wasm?: WasmSource;
}

/** The kernel exports of engine.wasm (see assembly/index.ts). */
export interface EngineExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  reset(): void;
  [kernel: string]: unknown;
}

export interface Engine extends GeometryEngine {
  /** The underlying instance's exports, for the layers that feed kernels directly. */
  readonly exports: EngineExports;
  /** The compiled module: post it to workers, which instantiate their own engine from it. */
  readonly module: WebAssembly.Module;
}

let inlineModule: Promise<WebAssembly.Module> | undefined;

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function compile(source: WasmSource | undefined): Promise<WebAssembly.Module> {
  if (source === undefined) {
    inlineModule ??= WebAssembly.compile(decodeBase64(ENGINE_WASM_BASE64));
    return inlineModule;
  }
  if (source instanceof WebAssembly.Module) return source;
  if (typeof Response !== "undefined" && (source instanceof Response || source instanceof Promise)) {
    const response = await source;
    return WebAssembly.compile(await response.arrayBuffer());
  }
  return WebAssembly.compile(source as BufferSource);
}

/** Instantiates the engine. Works in Node, browsers and workers; no top-level await anywhere. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const module = await compile(options.wasm);
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      // Only the checked debug build calls abort (a failed bounds check or assertion).
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`engine.wasm aborted at ${line}:${column}`);
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as EngineExports;
  memory = exports.memory;
  void memory;
  return bindKernels(exports, module);
}

// The kernels' wrappers: each call resets the bump allocator, lays its inputs out, runs, copies out.
function bindKernels(exports: EngineExports, module: WebAssembly.Module): Engine {
  throw new Error("kernels not bound yet: see issue 2");
  void exports;
  void module;
}
