// The one owner of engine.wasm's raw exports: their signatures, the instantiation (with the abort
// import), the lookup of an engine's kernels for the layers that feed them directly (coco/, ingest/,
// workers/), and the bump-allocation arena they lay their inputs out in. The context blocks those
// kernels read are generated from assembly/abi/contexts.json (bindings/generated/contexts.ts).
import type { GeometryEngine } from "../geometry/types.js";

/** Every export of assembly/index.ts; pointers and lengths are plain numbers. */
export interface Kernels {
  readonly memory: WebAssembly.Memory;
  // memory (assembly/memory.ts)
  alloc(bytes: number): number;
  reset(): void;
  pin(): void;
  unpin(): void;
  // geometry (assembly/rle.ts, raster.ts, iou.ts)
  rleArea(cnts: number, m: number): number;
  rleBbox(cnts: number, m: number, h: number, w: number, out: number): number;
  rleMerge(ptrs: number, lens: number, n: number, intersect: number, out: number, tmp: number, total: number): number;
  rleToString(cnts: number, m: number, out: number): number;
  rleFromString(s: number, n: number, hw: number, out: number, err: number): number;
  rleEncode(mask: number, h: number, w: number, stride: number, offset: number, rowMajor: number, out: number, scratch: number): number;
  rleDecode(cnts: number, m: number, h: number, w: number, rowMajor: number, out: number): void;
  rleFrPoly(xy: number, k: number, h: number, w: number, a: number, tmp: number, cap: number): number;
  rleFrPolys(xys: number, ks: number, caps: number, n: number, h: number, w: number, bufs: number, tmp: number, out: number, out2: number): number;
  boxIouRows(dt: number, d0: number, d1: number, gt: number, n: number, crowd: number, out: number): void;
  rlePrepare(cnts: number, table: number, n: number, boxes: number): number;
  rleBoundary(cnts: number, m: number, h: number, w: number, k: number, x0: number, bw: number, bh: number, scratch: number, out: number): number;
  rleBoundaryScratch(m: number, bw: number, bh: number): number;
  rleBoundaryCap(m: number, bw: number): number;
  maskIouRows(cnts: number, table: number, boxes: number, d0: number, d1: number, m: number, n: number, crowd: number, out: number): void;
  // exact rotated-box IoU (assembly/rotated.ts): 5 f64 per box, angle in degrees counter-clockwise
  rotatedIouRows(dt: number, d0: number, d1: number, gt: number, n: number, crowd: number, out: number): void;
  // COCO evaluation over context blocks (assembly/plan.ts, match.ts, accumulate.ts, masks.ts)
  cocoPlan(ctx: number): number;
  cocoMatch(ctx: number, b0: number, b1: number): number;
  cocoAccumulate(ctx: number, k0: number, k1: number): void;
  cocoAccumulateInputs(ctx: number, i0: number, i1: number): void;
  // summarize()'s means (assembly/summarize.ts)
  gatherMean(src: number, tOff: number, nt: number, n: number, stride: number, pairOff: number, np: number, out: number): number;
  maskBounds(ctx: number, j0: number, j1: number): number;
  buildMasks(ctx: number, j0: number, j1: number): number;
  // the COCO record scanner (assembly/json.ts)
  scanCocoRecords(ctx: number): number;
  scanValues(ctx: number): number;
}

const REQUIRED: readonly (keyof Kernels)[] = [
  "alloc", "reset", "pin", "unpin", "rleArea", "rleBbox", "rleMerge", "rleToString", "rleFromString", "rleEncode",
  "rleDecode", "rleFrPoly", "rleFrPolys", "boxIouRows", "rlePrepare", "maskIouRows", "rleBoundary", "rleBoundaryScratch", "rleBoundaryCap", "rotatedIouRows", "cocoPlan", "cocoMatch",
  "cocoAccumulate", "cocoAccumulateInputs", "gatherMean", "maskBounds", "buildMasks", "scanCocoRecords", "scanValues",
];

const IMPORTS = {
  env: {
    // Only the checked debug build calls abort (a failed bounds check or assertion).
    abort(_msg: number, _file: number, line: number, column: number): never {
      throw new Error(`engine.wasm aborted at ${line}:${column}`);
    },
  },
};

function checkedKernels(instance: WebAssembly.Instance): Kernels {
  const ex = instance.exports as Record<string, unknown>;
  if (!(ex.memory instanceof WebAssembly.Memory)) throw new Error("engine.wasm exports no memory: rebuild it (node scripts/build.mjs)");
  for (const name of REQUIRED) {
    if (typeof ex[name] !== "function") throw new Error(`engine.wasm does not export ${name}: rebuild it (node scripts/build.mjs)`);
  }
  return ex as unknown as Kernels;
}

/** A new instance of `module` (its own memory), checked to export every kernel. */
export async function instantiateKernels(module: WebAssembly.Module): Promise<Kernels> {
  return checkedKernels(await WebAssembly.instantiate(module, IMPORTS));
}

/** instantiateKernels without awaiting (for the synchronous rotatedBoxIou: bindings/engine/rotated-iou.ts). */
export function instantiateKernelsSync(module: WebAssembly.Module): Kernels {
  return checkedKernels(new WebAssembly.Instance(module, IMPORTS));
}

const KERNELS = Symbol("detection-eval kernels");

/** Marks `engine` as backed by `kernels` (createEngine() does it for its engines). */
export function attachKernels<E extends object>(engine: E, kernels: Kernels): E {
  Object.defineProperty(engine, KERNELS, { value: kernels });
  return engine;
}

/** The kernels behind a wasm engine (createEngine()), or null for other GeometryEngines (the TypeScript reference). */
export function engineKernels(engine: GeometryEngine): Kernels | null {
  return (engine as { [KERNELS]?: Kernels })[KERNELS] ?? null;
}

/** The largest block alloc() can return (assembly/memory.ts: the heap ends below 0xfffe0000). */
export const MAX_ALLOCATION = 0xfffe0000;

/**
 * `bytes` can be asked of alloc(): a whole number below MAX_ALLOCATION. Anything larger would wrap to
 * a small uint32 on its way into the engine (and its kernel write past the block): a RangeError
 * naming the size instead. `what`: the work it is for ("" when the caller has no name for it).
 */
export function checkAllocation(bytes: number, what: string): void {
  if (Number.isInteger(bytes) && bytes >= 0 && bytes <= MAX_ALLOCATION) return;
  const gib = (bytes / 2 ** 30).toFixed(1);
  throw new RangeError(`engine.wasm: cannot allocate ${bytes} bytes (${gib} GiB)${what ? ` for ${what}` : ""}: a wasm32 engine addresses at most 4 GiB`);
}

/**
 * Bump allocations in the engine's memory for one kernel run (reset on creation). Take every view
 * after the last allocation: memory.grow detaches the old ones.
 */
export class Arena {
  constructor(
    private readonly k: Pick<Kernels, "alloc" | "reset">,
    private readonly what: string,
  ) {
    k.reset();
  }
  /** `bytes` (at least 8, 16-byte aligned) of fresh memory; throws a RangeError naming the work when memory is exhausted. */
  take(bytes: number): number {
    checkAllocation(bytes, this.what);
    const p = this.k.alloc(Math.max(bytes, 8));
    if (p === 0) throw new RangeError(`engine.wasm: out of memory allocating ${bytes} bytes for ${this.what}`);
    return p;
  }
}
