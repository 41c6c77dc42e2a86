// Host side of assembly/json.ts: a private instance of engine.wasm (its own memory, so geometry calls
// never disturb it) that reads runs of COCO records from the scanner's current bytes into columns.
// bindings/ingest/stream-coco.ts calls read() for each array position and copies the columns out, and
// values() to find runs of images / categories that it gives JSON.parse whole.

/** Context fields of scanCocoRecords (assembly/json.ts J_*). */
export const J_BUF = 0, J_POS = 1, J_END = 2, J_MODE = 3, J_CAP = 4, J_STOP = 5, J_ID = 6, J_IMAGE = 7, J_CAT = 8;
export const J_NUM = 9, J_CROWD = 10, J_BOX = 11, J_BOXSTATE = 12, J_SEGKIND = 13, J_SEGSTART = 14, J_SEGLEN = 15;
export const J_SEGH = 16, J_SEGW = 17, J_HASSEG = 18, J_COORDS = 19, J_COORDS_N = 20, J_COORDS_CAP = 21, J_PARTS = 22;
export const J_PARTS_N = 23, J_PARTS_CAP = 24, J_BYTES = 25, J_BYTES_N = 26, J_BYTES_CAP = 27, J_COUNTS = 28;
export const J_COUNTS_N = 29, J_COUNTS_CAP = 30, J_SOURCE = 31, J_BASE_COORDS = 32, J_BASE_PARTS = 33, J_BASE_BYTES = 34;
export const J_BASE_COUNTS = 35, J_SEGB = 36, J_SEGBL = 37;
const J_FIELDS = 38;

export const ST_SLOW = 1, ST_MORE = 2, ST_FULL = 3, ST_CLOSE = 4;

interface ScanExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  reset(): void;
  scanCocoRecords(ctx: number): number;
  scanValues(ctx: number): number;
}

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
  private ex: ScanExports;
  private inCap = 0;
  private inPtr = 0;
  private ctx = 0;
  private lastBuf: Uint8Array | null = null;
  private lastLen = 0;
  private cols: Record<string, number> = {};

  private constructor(ex: ScanExports) {
    this.ex = ex;
  }

  /** A scanner on its own instance of `module` (the engine's compiled module), or null when the module lacks the kernel. */
  static async create(module: WebAssembly.Module): Promise<WasmRecordScanner | null> {
    const imports = { env: { abort: () => { throw new Error("engine.wasm aborted"); } } };
    const instance = await WebAssembly.instantiate(module, imports);
    const ex = instance.exports as unknown as ScanExports;
    if (typeof ex.scanCocoRecords !== "function" || typeof ex.scanValues !== "function") return null;
    return new WasmRecordScanner(ex);
  }

  /** Lays memory out for an input of `bytes` (everything else is per call). */
  private layout(bytes: number): void {
    const ex = this.ex;
    ex.reset();
    const take = (n: number): number => {
      const p = ex.alloc(Math.max(n, 8));
      if (p === 0) throw new RangeError("engine.wasm: out of memory for the JSON scanner");
      return p;
    };
    this.inCap = Math.max(bytes, 2 << 20);
    this.ctx = take(4 * J_FIELDS);
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
    const c = this.ctx >>> 2;
    const cols = this.cols;
    u32[c + J_MODE] = mode;
    u32[c + J_CAP] = CAP;
    u32[c + J_SOURCE] = source;
    u32[c + J_ID] = cols.id!;
    u32[c + J_IMAGE] = cols.image!;
    u32[c + J_CAT] = cols.cat!;
    u32[c + J_NUM] = cols.num!;
    u32[c + J_CROWD] = cols.crowd!;
    u32[c + J_BOX] = cols.box!;
    u32[c + J_BOXSTATE] = cols.boxState!;
    u32[c + J_SEGKIND] = cols.segKind!;
    u32[c + J_SEGSTART] = cols.segStart!;
    u32[c + J_SEGLEN] = cols.segLen!;
    u32[c + J_SEGH] = cols.segH!;
    u32[c + J_SEGW] = cols.segW!;
    u32[c + J_HASSEG] = cols.hasSeg!;
    u32[c + J_SEGB] = cols.segB!;
    u32[c + J_SEGBL] = cols.segBL!;
    u32[c + J_COORDS] = cols.coords!;
    u32[c + J_COORDS_N] = 0;
    u32[c + J_COORDS_CAP] = COORDS_CAP;
    u32[c + J_PARTS] = cols.parts!;
    u32[c + J_PARTS_N] = 0;
    u32[c + J_PARTS_CAP] = PARTS_CAP;
    u32[c + J_BYTES] = cols.bytes!;
    u32[c + J_BYTES_N] = 0;
    u32[c + J_BYTES_CAP] = BYTES_CAP;
    u32[c + J_COUNTS] = cols.counts!;
    u32[c + J_COUNTS_N] = 0;
    u32[c + J_COUNTS_CAP] = COUNTS_CAP;
    u32[c + J_BASE_COORDS] = bases[0];
    u32[c + J_BASE_PARTS] = bases[1];
    u32[c + J_BASE_BYTES] = bases[2];
    u32[c + J_BASE_COUNTS] = bases[3];
    const n = ex.scanCocoRecords(this.ctx);
    const mem = ex.memory.buffer;
    const f64 = (p: number, len: number) => new Float64Array(mem, p, len);
    const i32 = (p: number, len: number) => new Int32Array(mem, p, len);
    const u32v = new Uint32Array(mem);
    this.pos = u32v[c + J_POS]!;
    return {
      n,
      stop: u32v[c + J_STOP]!,
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
      coords: f64(cols.coords!, u32v[c + J_COORDS_N]!),
      parts: i32(cols.parts!, 2 * u32v[c + J_PARTS_N]!),
      bytes: new Uint8Array(mem, cols.bytes!, u32v[c + J_BYTES_N]!),
      counts: new Uint32Array(mem, cols.counts!, u32v[c + J_COUNTS_N]!),
    };
  }

  /** Counts the whole JSON values at buf[pos..end) (an array position), for one JSON.parse: pos is then the end of the last. */
  values(buf: Uint8Array, pos: number, end: number): number {
    this.input(buf, pos, end);
    const n = this.ex.scanValues(this.ctx);
    this.pos = new Uint32Array(this.ex.memory.buffer)[(this.ctx >>> 2) + J_POS]!;
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
    const c = this.ctx >>> 2;
    u32[c + J_BUF] = this.inPtr;
    u32[c + J_POS] = pos;
    u32[c + J_END] = end;
    return u32;
  }

  /** The position after the last record of the last read() (the last value of values()). */
  pos = 0;
}
