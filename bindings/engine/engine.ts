// createEngine(): compiles the inlined engine.wasm (or a module/bytes the host supplies) and wraps
// its geometry kernels in the GeometryEngine API (the raw exports and their signatures: host.ts).
import { ENGINE_WASM_BASE64 } from "../generated/engine-wasm.js";
import { attachKernels, checkAllocation, instantiateKernels, type Kernels } from "./host.js";
import { TILES } from "./tiles.js";
import {
  rotatedBoxToPolygon,
  type Box,
  type CrowdFlags,
  type GeometryEngine,
  type PixelOrder,
  type Rle,
  type RotatedBox,
} from "../geometry/types.js";
import {
  boxToPolygon,
  checkBitmask,
  checkBox,
  checkBoxArray,
  checkCounts,
  checkDilation,
  checkIouSize,
  crowdFlags,
  checkOrder,
  checkPolygon,
  checkPolygonList,
  checkRle,
  checkRleHeaders,
  checkRleList,
  checkRleString,
  checkRotatedBox,
  checkSameSize,
  checkSize,
  newIouMatrix,
  rleStringError,
  STR_BAD_CHAR,
  STR_DANGLING,
  STR_SUM,
} from "../geometry/validate.js";

export type WasmSource = BufferSource | WebAssembly.Module | Response | Promise<Response>;

export interface EngineOptions {
  /** The engine bytes or compiled module; default: the release build inlined in this package. */
  wasm?: WasmSource;
}

/** The raw exports of engine.wasm (see bindings/engine/host.ts). */
export type EngineExports = Kernels;

export interface Engine extends GeometryEngine {
  /** The underlying instance's raw exports (pointers and sizes as numbers; advanced use). */
  readonly exports: EngineExports;
  /** The compiled module: post it to workers, which instantiate their own engine from it. */
  readonly module: WebAssembly.Module;
}

let inlineModule: Promise<WebAssembly.Module> | undefined;

/** @internal Used by init() (bindings/engine/init.ts): the module createEngine() uses when given no `wasm` (undefined: the inlined bytes). */
export function setDefaultModule(module: Promise<WebAssembly.Module> | undefined): void {
  inlineModule = module;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
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
  const kernels = await instantiateKernels(module);
  return attachKernels(new WasmGeometry(kernels, module), kernels);
}

// The kernels' wrappers: each call validates, resets the bump allocator, allocates every buffer,
// then takes the memory views (memory.grow detaches them), copies in once, runs, copies out once.

/** Run-merge steps (or box pairs) per kernel call: about a millisecond of optimised code. */
const MASK_IOU_BUDGET = 1 << 20;
const BOX_IOU_BUDGET = 1 << 18;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

class WasmGeometry implements Engine {
  private readonly k: Kernels;
  private buffer: ArrayBuffer | SharedArrayBuffer | undefined;
  private u8v = new Uint8Array(0);
  private u32v = new Uint32Array(0);
  private f64v = new Float64Array(0);

  constructor(
    readonly exports: Kernels,
    readonly module: WebAssembly.Module,
  ) {
    this.k = exports;
  }

  // ---- memory ----------------------------------------------------------------------------------
  private alloc(bytes: number): number {
    checkAllocation(bytes, "");
    const p = this.k.alloc(bytes);
    if (p === 0 && bytes > 0) throw new RangeError(`engine.wasm: out of memory allocating ${bytes} bytes`);
    return p;
  }
  /** Views over the current memory; call after the last alloc of a batch. */
  private views(): void {
    const b = this.k.memory.buffer;
    if (b !== this.buffer || this.u8v.byteLength === 0) {
      this.buffer = b;
      this.u8v = new Uint8Array(b);
      this.u32v = new Uint32Array(b);
      this.f64v = new Float64Array(b);
    }
  }
  private counts(ptr: number, m: number): Uint32Array {
    const out = new Uint32Array(m);
    const src = this.u32v;
    const p = ptr >>> 2;
    if (m <= 64) for (let i = 0; i < m; i++) out[i] = src[p + i]!;
    else out.set(src.subarray(p, p + m));
    return out;
  }

  // ---- RLE ---------------------------------------------------------------------------------------
  rleFromString(counts: string, h: number, w: number): Rle {
    const fn = "rleFromString";
    checkRleString(fn, counts);
    checkSize(fn, h, w);
    const n = counts.length;
    this.k.reset();
    const sp = this.alloc(n);
    const out = this.alloc(4 * n);
    const err = this.alloc(16);
    this.views();
    const { read } = textEncoder.encodeInto(counts, this.u8v.subarray(sp, sp + n));
    // A non-ASCII character is never valid. Decode the ASCII prefix before it: a problem found there
    // comes first; running out of characters (dangling count, short sum) means the bad character is it.
    const bad = read === n ? -1 : firstNonAscii(counts);
    const m = this.k.rleFromString(sp, bad < 0 ? n : bad, h * w, out, err);
    if (bad >= 0 && (m >= 0 || -m === STR_DANGLING || -m === STR_SUM)) throw rleStringError(fn, counts, STR_BAD_CHAR, bad, 0, h, w);
    if (m < 0) throw rleStringError(fn, counts, -m, this.f64v[err >>> 3]!, this.f64v[(err >>> 3) + 1]!, h, w);
    return { h, w, counts: this.counts(out, m) };
  }

  rleToString(rle: Rle): string {
    checkRle("rleToString", rle);
    const m = rle.counts.length;
    this.k.reset();
    const cp = this.alloc(4 * m);
    const out = this.alloc(7 * m);
    this.views();
    this.u32v.set(rle.counts, cp >>> 2);
    const len = this.k.rleToString(cp, m, out);
    return textDecoder.decode(this.u8v.subarray(out, out + len));
  }

  rleFromCounts(counts: ArrayLike<number>, h: number, w: number): Rle {
    checkSize("rleFromCounts", h, w);
    checkCounts("rleFromCounts", counts, h, w);
    return { h, w, counts: Uint32Array.from(counts) };
  }

  /** Copies one mask's counts in; returns the pointer. */
  private putRle(rle: Rle): number {
    const cp = this.alloc(4 * rle.counts.length);
    this.views();
    this.u32v.set(rle.counts, cp >>> 2);
    return cp;
  }

  rleArea(rle: Rle): number {
    checkRle("rleArea", rle);
    this.k.reset();
    return this.k.rleArea(this.putRle(rle), rle.counts.length) >>> 0;
  }

  rleToBbox(rle: Rle): [number, number, number, number] {
    checkRle("rleToBbox", rle);
    this.k.reset();
    const out = this.alloc(32);
    const cp = this.putRle(rle);
    if (this.k.rleBbox(cp, rle.counts.length, rle.h, rle.w, out) === 0) return [0, 0, 0, 0];
    const o = out >>> 3;
    return [this.f64v[o]!, this.f64v[o + 1]!, this.f64v[o + 2]!, this.f64v[o + 3]!];
  }

  rleMerge(rles: readonly Rle[], intersect: boolean): Rle {
    const fn = "rleMerge";
    checkRleList(fn, rles, "rles");
    checkSameSize(fn, rles);
    const { h, w } = rles[0]!;
    const n = rles.length;
    if (n === 1) return { h, w, counts: Uint32Array.from(rles[0]!.counts) };
    this.k.reset();
    let total = 0;
    const ptrs = new Uint32Array(n);
    const lens = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      lens[i] = rles[i]!.counts.length;
      ptrs[i] = this.alloc(4 * lens[i]!);
      total += lens[i]!;
    }
    const pp = this.alloc(4 * n);
    const lp = this.alloc(4 * n);
    const out = this.alloc(4 * (total + 1));
    const tmp = this.alloc(4 * (total + 1));
    this.views();
    for (let i = 0; i < n; i++) this.u32v.set(rles[i]!.counts, ptrs[i]! >>> 2);
    this.u32v.set(ptrs, pp >>> 2);
    this.u32v.set(lens, lp >>> 2);
    const m = this.k.rleMerge(pp, lp, n, intersect ? 1 : 0, out, tmp, h * w);
    return { h, w, counts: this.counts(out, m) };
  }

  rleFromBitmask(mask: ArrayLike<number>, h: number, w: number, order: PixelOrder, stride = 1, offset = 0): Rle {
    const fn = "rleFromBitmask";
    checkBitmask(fn, mask, h, w, order, stride, offset);
    const a = h * w;
    this.k.reset();
    const bytes = mask instanceof Uint8Array || mask instanceof Uint8ClampedArray || mask instanceof Int8Array;
    const mp = this.alloc(bytes ? mask.length : a);
    const out = this.alloc(4 * (a + 1));
    const scratch = order === "row-major" ? this.alloc(a) : 0;
    this.views();
    if (bytes) {
      this.u8v.set(mask, mp);
    } else {
      // Other element types: binarise here (a byte copy would wrap 256 to 0).
      const dst = this.u8v;
      for (let i = 0; i < a; i++) dst[mp + i] = mask[i * stride + offset] !== 0 ? 1 : 0;
      stride = 1;
      offset = 0;
    }
    const m = this.k.rleEncode(mp, h, w, stride, offset, order === "row-major" ? 1 : 0, out, scratch);
    return { h, w, counts: this.counts(out, m) };
  }

  rleToBitmask(rle: Rle, order: PixelOrder): Uint8Array {
    checkRle("rleToBitmask", rle);
    checkOrder("rleToBitmask", order);
    const a = rle.h * rle.w;
    this.k.reset();
    const out = this.alloc(a);
    const cp = this.putRle(rle);
    this.k.rleDecode(cp, rle.counts.length, rle.h, rle.w, order === "row-major" ? 1 : 0, out);
    this.views();
    return this.u8v.slice(out, out + a);
  }

  // ---- polygons and boxes ----------------------------------------------------------------------
  /** One validated polygon (cap from checkPolygon) through rleFrPoly. */
  private raster(xy: ArrayLike<number>, h: number, w: number, cap: number): Rle {
    this.k.reset();
    const xp = this.alloc(8 * xy.length);
    const ap = this.alloc(4 * cap);
    const tp = this.alloc(4 * (2 * cap + w + 4));
    this.views();
    this.f64v.set(xy, xp >>> 3);
    const m = this.k.rleFrPoly(xp, xy.length / 2, h, w, ap, tp, cap);
    if (m < 0) throw new Error("engine.wasm: rleFrPoly overflowed its buffer (a bug: please report)");
    return { h, w, counts: this.counts(ap, m) };
  }

  rleFromPolygon(xy: ArrayLike<number>, h: number, w: number): Rle {
    checkSize("rleFromPolygon", h, w);
    const cap = checkPolygon("rleFromPolygon", xy, h, w);
    return this.raster(xy, h, w, cap);
  }

  rleFromPolygons(parts: readonly ArrayLike<number>[], h: number, w: number): Rle {
    const fn = "rleFromPolygons";
    checkSize(fn, h, w);
    const caps = checkPolygonList(fn, parts, h, w);
    const n = parts.length;
    if (n === 1) return this.raster(parts[0]!, h, w, caps[0]!);
    this.k.reset();
    let coords = 0;
    let capSum = 0;
    let capMax = 0;
    for (let i = 0; i < n; i++) {
      coords += parts[i]!.length;
      capSum += caps[i]!;
      capMax = Math.max(capMax, caps[i]!);
    }
    const xys = this.alloc(8 * coords);
    const ks = this.alloc(4 * n);
    const cp = this.alloc(4 * n);
    const bp = this.alloc(4 * n);
    const bufs = new Uint32Array(n);
    for (let i = 0; i < n; i++) bufs[i] = this.alloc(4 * caps[i]!);
    const tmp = this.alloc(4 * (2 * capMax + w + 4));
    const out = this.alloc(4 * capSum);
    const out2 = this.alloc(4 * capSum);
    this.views();
    let at = xys >>> 3;
    for (let i = 0; i < n; i++) {
      this.f64v.set(parts[i]!, at);
      at += parts[i]!.length;
      this.u32v[(ks >>> 2) + i] = parts[i]!.length / 2;
    }
    this.u32v.set(caps, cp >>> 2);
    this.u32v.set(bufs, bp >>> 2);
    const m = this.k.rleFrPolys(xys, ks, cp, n, h, w, bp, tmp, out, out2);
    if (m < 0) throw new Error("engine.wasm: rleFrPoly overflowed its buffer (a bug: please report)");
    return { h, w, counts: this.counts(out, m) };
  }

  rleFromBox(box: Box, h: number, w: number): Rle {
    checkSize("rleFromBox", h, w);
    const cap = checkBox("rleFromBox", box, h, w);
    return this.raster(boxToPolygon(box), h, w, cap);
  }

  rleFromRotatedBox(box: RotatedBox, h: number, w: number): Rle {
    const fn = "rleFromRotatedBox";
    checkSize(fn, h, w);
    checkRotatedBox(fn, box);
    const xy = rotatedBoxToPolygon(box);
    const cap = checkPolygon(fn, xy, h, w, "rotated box");
    return this.raster(xy, h, w, cap);
  }

  // ---- IoU ---------------------------------------------------------------------------------------
  boxIou(dt: Float64Array, gt: Float64Array, crowdIn: CrowdFlags): Float64Array {
    const fn = "boxIou";
    const m = checkBoxArray(fn, dt, "dt");
    const n = checkBoxArray(fn, gt, "gt");
    const crowd = crowdFlags(fn, crowdIn, n);
    if (m === 0 || n === 0) return new Float64Array(0);
    const result = newIouMatrix(fn, m, n);
    this.k.reset();
    const dp = this.alloc(8 * dt.length);
    const gp = this.alloc(8 * gt.length);
    const cp = crowd ? this.alloc(n) : 0;
    // the engine holds TILES.iou values (or one row) at a time; the result is copied out tile by tile
    const tileRows = Math.min(m, Math.max(1, Math.floor(TILES.iou / n)));
    const out = this.alloc(8 * tileRows * n);
    this.views();
    this.f64v.set(dt, dp >>> 3);
    this.f64v.set(gt, gp >>> 3);
    if (crowd) this.u8v.set(crowd, cp);
    const rows = Math.max(1, Math.floor(BOX_IOU_BUDGET / n));
    for (let t0 = 0; t0 < m; t0 += tileRows) {
      const t1 = Math.min(m, t0 + tileRows);
      for (let d = t0; d < t1; d += rows) this.k.boxIouRows(dp, d, Math.min(t1, d + rows), gp, n, cp, out + 8 * (d - t0) * n);
      result.set(this.f64v.subarray(out >>> 3, (out >>> 3) + (t1 - t0) * n), t0 * n);
    }
    return result;
  }

  rleBoundary(rle: Rle, dilation: number): Rle {
    const fn = "rleBoundary";
    checkRle(fn, rle);
    checkDilation(fn, dilation);
    const { h, w } = rle;
    const m = rle.counts.length;
    this.k.reset();
    const box = this.alloc(32);
    const cp = this.putRle(rle);
    const empty = this.k.rleBbox(cp, m, h, w, box) === 0;
    this.views();
    const o = box >>> 3;
    // the mask's region (rleBbox: full height when a run crosses columns); none when empty
    const [x0, bw, bh] = empty ? [0, 0, 0] : [this.f64v[o]!, this.f64v[o + 2]!, this.f64v[o + 3]!];
    const scratch = this.alloc(this.k.rleBoundaryScratch(m, bw, bh));
    const out = this.alloc(4 * this.k.rleBoundaryCap(m, bw));
    // a dilation past the mask's larger side erodes everything already (and keeps the kernel in u32)
    const k = Math.min(dilation, Math.max(h, w));
    const n = this.k.rleBoundary(cp, m, h, w, k, x0, bw, bh, scratch, out);
    this.views();
    return { h, w, counts: this.counts(out, n) };
  }

  maskIou(dt: readonly Rle[], gt: readonly Rle[], crowdIn: CrowdFlags): Float64Array {
    const fn = "maskIou";
    // Sizes and count types here; the counts' sums are checked by rlePrepare before any IoU loop.
    checkRleHeaders(fn, dt, "dt");
    checkRleHeaders(fn, gt, "gt");
    const crowd = crowdFlags(fn, crowdIn, gt.length);
    const m = dt.length;
    const n = gt.length;
    if (m === 0 || n === 0) {
      checkRleList(fn, dt, "dt");
      checkRleList(fn, gt, "gt");
      return new Float64Array(0);
    }
    checkIouSize(fn, m, n);
    let total = 0;
    let gtTotal = 0;
    for (let i = 0; i < m; i++) total += dt[i]!.counts.length;
    for (let i = 0; i < n; i++) gtTotal += gt[i]!.counts.length;
    total += gtTotal;
    // One block: table (8 u32 per mask), boxes (4 f64 per mask), IoU rows (TILES.iou values or one
    // row at a time), counts, crowd flags.
    const tileRows = Math.min(m, Math.max(1, Math.floor(TILES.iou / n)));
    const tabBytes = 32 * (m + n);
    const outBytes = 8 * tileRows * n;
    const cntBytes = 4 * total;
    this.k.reset();
    const base = this.alloc(2 * tabBytes + outBytes + cntBytes + n);
    const tab = base;
    const box = tab + tabBytes;
    const out = box + tabBytes;
    const cnts = out + outBytes;
    const cp = crowd ? cnts + cntBytes : 0;
    this.views();
    const u32 = this.u32v;
    let at = 0;
    let t = tab >>> 2;
    for (const list of [dt, gt]) {
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!;
        const len = r.counts.length;
        u32.set(r.counts, (cnts >>> 2) + at);
        u32[t] = at;
        u32[t + 1] = len;
        u32[t + 2] = r.h;
        u32[t + 3] = r.w;
        t += 8;
        at += len;
      }
    }
    if (crowd) this.u8v.set(crowd, cp);
    const bad = this.k.rlePrepare(cnts, tab, m + n, box);
    if (bad >= 0) {
      if (bad < m) checkRle(fn, dt[bad]!, `dt[${bad}]`);
      else checkRle(fn, gt[bad - m]!, `gt[${bad - m}]`);
      throw new Error(`engine.wasm: rlePrepare rejected mask ${bad} that the validator accepts (a bug: please report)`);
    }
    const result = newIouMatrix(fn, m, n);
    // Rows in pieces of about MASK_IOU_BUDGET merge steps (an upper bound: the box prefilter skips
    // most), within tiles of tileRows rows, each copied out when done.
    let d0 = 0;
    let t0 = 0;
    let work = 0;
    for (let d = 0; d < m; d++) {
      work += n * dt[d]!.counts.length + gtTotal;
      const tileDone = d + 1 - t0 === tileRows || d === m - 1;
      if (work >= MASK_IOU_BUDGET || tileDone) {
        this.k.maskIouRows(cnts, tab, box, d0, d + 1, m, n, cp, out + 8 * (d0 - t0) * n);
        d0 = d + 1;
        work = 0;
      }
      if (tileDone) {
        result.set(this.f64v.subarray(out >>> 3, (out >>> 3) + (d + 1 - t0) * n), t0 * n);
        t0 = d + 1;
      }
    }
    return result;
  }
}

function firstNonAscii(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return i;
  return -1;
}
