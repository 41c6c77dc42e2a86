// Host side of assembly/json.ts: a private instance of engine.wasm (its own memory, so geometry calls
// never disturb it) that reads runs of COCO records from the scanner's current bytes into columns.
// bindings/ingest/stream-coco.ts calls read() for each array position and copies the columns out, and
// values() to find runs of images / categories that it gives JSON.parse whole.

import { Arena, instantiateKernels, type Kernels } from "../engine/host.js";
import { readScanOutputs, SCAN, SCAN_FIELDS, writeScanContext } from "../generated/contexts.js";

const CAP = 8192; // records per call
const COORDS_CAP = 1 << 20;
const PARTS_CAP = 1 << 16;
const BYTES_CAP = 4 << 20;
const COUNTS_CAP = 1 << 20;

/** Views of one call's output (valid until the next call). */
export interface ScanOutput {
  n: number;
  stop: number;
  id: Float64Array;
  image: Float64Array;
  cat: Float64Array;
  num: Float64Array;
  crowd: Uint8Array;
  box: Float64Array;
  boxState: Uint8Array;
  segKind: Uint8Array;
  segStart: Int32Array;
  segLen: Int32Array;
  segH: Int32Array;
  segW: Int32Array;
  hasSeg: Uint8Array;
  segB: Int32Array;
  segBL: Int32Array;
  coords: Float64Array;
  parts: Int32Array; // (offset, length) pairs
  bytes: Uint8Array;
  counts: Uint32Array;
}

export class WasmRecordScanner {
  private ex: Kernels;
  private inCap = 0;
  private inPtr = 0;
  private ctx = 0;
  private lastBuf: Uint8Array | null = null;
  private lastLen = 0;
  private cols: Record<string, number> = {};

  private constructor(ex: Kernels) {
    this.ex = ex;
  }

  /** A scanner on its own instance of `module` (the engine's compiled module). */
  static async create(module: WebAssembly.Module): Promise<WasmRecordScanner> {
    return new WasmRecordScanner(await instantiateKernels(module));
  }

  /** Lays memory out for an input of `bytes` (everything else is per call). */
  private layout(bytes: number): void {
    const arena = new Arena(this.ex, "the JSON scanner");
    const take = (n: number): number => arena.take(n);
    this.inCap = Math.max(bytes, 2 << 20);
    this.ctx = take(4 * SCAN_FIELDS);
    this.inPtr = take(this.inCap);
    this.cols = {
      id: take(8 * CAP),
      image: take(8 * CAP),
      cat: take(8 * CAP),
      num: take(8 * CAP),
      crowd: take(CAP),
      box: take(32 * CAP),
      boxState: take(CAP),
      segKind: take(CAP),
      segStart: take(4 * CAP),
      segLen: take(4 * CAP),
      segH: take(4 * CAP),
      segW: take(4 * CAP),
      hasSeg: take(CAP),
      segB: take(4 * CAP),
      segBL: take(4 * CAP),
      coords: take(8 * COORDS_CAP),
      parts: take(8 * PARTS_CAP),
      bytes: take(BYTES_CAP),
      counts: take(4 * COUNTS_CAP),
    };
    this.lastBuf = null;
  }

  /**
   * Reads records from buf[pos..end) (an array position: the first record there, then ',' record ...).
   * mode 0: results (source 1 bbox, 2 segm); mode 1: annotations.
   */
  read(buf: Uint8Array, pos: number, end: number, mode: number, source: number, bases: readonly [number, number, number, number] = [0, 0, 0, 0]): ScanOutput {
    const ex = this.ex;
    const u32 = this.input(buf, pos, end);
    const cols = this.cols;
    writeScanContext(u32, this.ctx, {
      buf: this.inPtr,
      pos,
      end,
      mode,
      cap: CAP,
      id: cols.id!,
      image: cols.image!,
      cat: cols.cat!,
      num: cols.num!,
      crowd: cols.crowd!,
      box: cols.box!,
      boxstate: cols.boxState!,
      segkind: cols.segKind!,
      segstart: cols.segStart!,
      seglen: cols.segLen!,
      segh: cols.segH!,
      segw: cols.segW!,
      hasseg: cols.hasSeg!,
      coords: cols.coords!,
      coordsN: 0,
      coordsCap: COORDS_CAP,
      parts: cols.parts!,
      partsN: 0,
      partsCap: PARTS_CAP,
      bytes: cols.bytes!,
      bytesN: 0,
      bytesCap: BYTES_CAP,
      counts: cols.counts!,
      countsN: 0,
      countsCap: COUNTS_CAP,
      source,
      baseCoords: bases[0],
      baseParts: bases[1],
      baseBytes: bases[2],
      baseCounts: bases[3],
      segb: cols.segB!,
      segbl: cols.segBL!,
    });
    const n = ex.scanCocoRecords(this.ctx);
    const mem = ex.memory.buffer;
    const f64 = (p: number, len: number) => new Float64Array(mem, p, len);
    const i32 = (p: number, len: number) => new Int32Array(mem, p, len);
    const out = readScanOutputs(new Uint32Array(mem), this.ctx);
    this.pos = out.pos;
    return {
      n,
      stop: out.stop,
      id: f64(cols.id!, n),
      image: f64(cols.image!, n),
      cat: f64(cols.cat!, n),
      num: f64(cols.num!, n),
      crowd: new Uint8Array(mem, cols.crowd!, n),
      box: f64(cols.box!, 4 * n),
      boxState: new Uint8Array(mem, cols.boxState!, n),
      segKind: new Uint8Array(mem, cols.segKind!, n),
      segStart: i32(cols.segStart!, n),
      segLen: i32(cols.segLen!, n),
      segH: i32(cols.segH!, n),
      segW: i32(cols.segW!, n),
      hasSeg: new Uint8Array(mem, cols.hasSeg!, n),
      segB: i32(cols.segB!, n),
      segBL: i32(cols.segBL!, n),
      coords: f64(cols.coords!, out.coordsN),
      parts: i32(cols.parts!, 2 * out.partsN),
      bytes: new Uint8Array(mem, cols.bytes!, out.bytesN),
      counts: new Uint32Array(mem, cols.counts!, out.countsN),
    };
  }

  /** Counts the whole JSON values at buf[pos..end) (an array position), for one JSON.parse: pos is then the end of the last. */
  values(buf: Uint8Array, pos: number, end: number): number {
    this.input(buf, pos, end);
    const n = this.ex.scanValues(this.ctx);
    this.pos = new Uint32Array(this.ex.memory.buffer)[(this.ctx >>> 2) + SCAN.POS]!;
    return n;
  }

  /** buf[0..end) in memory (copied when it is not there yet), the context's BUF / POS / END set: a view of memory as u32. */
  private input(buf: Uint8Array, pos: number, end: number): Uint32Array {
    const ex = this.ex;
    if (this.inCap === 0 || end > this.inCap) this.layout(end);
    if (buf !== this.lastBuf || end !== this.lastLen) {
      new Uint8Array(ex.memory.buffer).set(buf.subarray(0, end), this.inPtr);
      this.lastBuf = buf;
      this.lastLen = end;
    }
    const u32 = new Uint32Array(ex.memory.buffer);
    // values() reads only these three; read() writes the whole context
    const c = this.ctx >>> 2;
    u32[c + SCAN.BUF] = this.inPtr;
    u32[c + SCAN.POS] = pos;
    u32[c + SCAN.END] = end;
    return u32;
  }

  /** The position after the last record of the last read() (the last value of values()). */
  pos = 0;
}
