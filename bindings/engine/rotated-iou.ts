// Exact rotated-box IoU matrices (assembly/rotated.ts): rotatedBoxIou(), the public synchronous entry,
// and rotatedIouMatrix() for the layers that hold an engine (analysis, coco). The wasm kernel is the
// default; the TypeScript twin (geometry/rotated.ts) serves engines without kernels (ReferenceGeometry)
// and hosts that refuse to compile wasm synchronously. Angles: detectron2's convention, degrees
// counter-clockwise on screen (geometry/rotated.ts explains both conventions).
import { base64ToBytes } from "../columns/base64.js";
import { ENGINE_WASM_BASE64 } from "../generated/engine-wasm.js";
import type { CrowdFlags, GeometryEngine } from "../geometry/types.js";
import { crowdFlags, newIouMatrix } from "../geometry/validate.js";
import { packRotatedBoxes, ROTATED_STRIDE, rotatedIouMatrixTs } from "../geometry/rotated.js";
import { Arena, engineKernels, instantiateKernelsSync, type Kernels } from "./host.js";
import { TILES } from "./tiles.js";

/** Box pairs per kernel call: about a millisecond of work. */
const ROTATED_IOU_BUDGET = 1 << 16;

let syncKernels: Kernels | null | undefined;

/**
 * One engine instance compiled synchronously from the inlined bytes, made on first use; null when the
 * host refuses synchronous compilation (e.g. a browser's main thread with a size limit, or a CSP
 * without 'wasm-unsafe-eval'): the TypeScript twin is then used (same values within 1e-12).
 */
function sharedKernels(): Kernels | null {
  if (syncKernels === undefined) {
    try {
      syncKernels = instantiateKernelsSync(new WebAssembly.Module(base64ToBytes(ENGINE_WASM_BASE64)));
    } catch {
      syncKernels = null;
    }
  }
  return syncKernels;
}

/** The m x n matrix of packed, checked boxes (5 numbers each) through `k`, out[d*n + g]. */
function kernelMatrix(k: Kernels, fn: string, dt: Float64Array, gt: Float64Array, crowd: Uint8Array | null): Float64Array {
  const m = dt.length / ROTATED_STRIDE;
  const n = gt.length / ROTATED_STRIDE;
  const result = newIouMatrix(fn, m, n);
  if (m === 0 || n === 0) return result;
  const arena = new Arena(k, fn);
  const dp = arena.take(8 * dt.length);
  const gp = arena.take(8 * gt.length);
  const cp = crowd ? arena.take(n) : 0;
  // TILES.iou values (or one row) in the engine at a time, copied out tile by tile
  const tileRows = Math.min(m, Math.max(1, Math.floor(TILES.iou / n)));
  const out = arena.take(8 * tileRows * n);
  const f64 = new Float64Array(k.memory.buffer);
  f64.set(dt, dp >>> 3);
  f64.set(gt, gp >>> 3);
  if (crowd) new Uint8Array(k.memory.buffer).set(crowd, cp);
  const rows = Math.max(1, Math.floor(ROTATED_IOU_BUDGET / n));
  for (let t0 = 0; t0 < m; t0 += tileRows) {
    const t1 = Math.min(m, t0 + tileRows);
    for (let d = t0; d < t1; d += rows) k.rotatedIouRows(dp, d, Math.min(t1, d + rows), gp, n, cp, out + 8 * (d - t0) * n);
    result.set(f64.subarray(out >>> 3, (out >>> 3) + (t1 - t0) * n), t0 * n);
  }
  return result;
}

/**
 * Rotated IoU of packed boxes (5 numbers each, checked by packRotatedBoxes), detection-major
 * out[d*n + g], crowd labels as pycocotools (intersection / detection area). Through `engine`'s
 * kernels when it is a wasm engine, else (ReferenceGeometry) the TypeScript twin; `engine` null: the
 * shared synchronous instance.
 */
export function rotatedIouMatrix(engine: GeometryEngine | null, fn: string, dt: Float64Array, gt: Float64Array, crowd: Uint8Array | null): Float64Array {
  const k = engine === null ? sharedKernels() : engineKernels(engine);
  if (k === null) {
    newIouMatrix(fn, dt.length / ROTATED_STRIDE, gt.length / ROTATED_STRIDE); // the size check and message
    return rotatedIouMatrixTs(dt, gt, crowd);
  }
  return kernelMatrix(k, fn, dt, gt, crowd);
}

export interface RotatedBoxIouOptions {
  /** Crowd flags of boxes2 (one per box): those pairs are intersection / area of the boxes1 box (pycocotools' iscrowd, mmcv's "iof"). */
  crowd?: CrowdFlags;
  /** Compute with this engine's kernels (createEngine()) instead of the shared synchronous instance. */
  engine?: GeometryEngine;
}

/**
 * Exact IoU of every pair of rotated boxes (polygon intersection, not rasterised), as detectron2's
 * `pairwise_iou_rotated` / mmcv's `box_iou_rotated`: boxes `[cx, cy, w, h, angle]`, angle in degrees,
 * positive = counter-clockwise on screen (image y axis down). Returns n x m values row-major:
 * `out[i * m + j]` = IoU(boxes1[i], boxes2[j]). A box with w or h = 0 has IoU 0; a non-finite number
 * or a negative size is a GeometryInputError naming it (e.g. `rotatedBoxIou: boxes1[2][4] is NaN, ...`).
 * Synchronous: the first call compiles the inlined engine once. Encord's RotatedBox (clockwise
 * angles): convert with `clockwiseToCcw`.
 */
export function rotatedBoxIou(
  boxes1: readonly (readonly number[])[] | Float64Array,
  boxes2: readonly (readonly number[])[] | Float64Array,
  options: RotatedBoxIouOptions = {},
): Float64Array {
  const fn = "rotatedBoxIou";
  const a = packRotatedBoxes(fn, boxes1, "boxes1");
  const b = packRotatedBoxes(fn, boxes2, "boxes2");
  const crowd = crowdFlags(fn, options.crowd ?? null, b.length / ROTATED_STRIDE);
  return rotatedIouMatrix(options.engine ?? null, fn, a, b, crowd);
}
