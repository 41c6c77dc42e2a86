// The report's data: an Analysis' prepared typed arrays, serialised compactly so that the page rebuilds the
// very same Analysis and answers every slider move with the library's own at() code.
//
// Layout: a JSON "tree" (the Prepared object with every typed array replaced by {"$ta": i}) and one binary
// blob holding the arrays back to back (8-byte aligned, little-endian), gzip-compressed and base64-encoded.
// Browser-safe (CompressionStream / DecompressionStream, atob / btoa or Buffer when present).
import { Analysis } from "../analysis/analysis.js";
import type { Prepared } from "../analysis/prepared.js";
import { base64ToBytes, bytesToBase64 } from "../columns/base64.js";

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

/** The serialised form: `tree` is plain JSON; `blob` is base64 (of gzip when `compression` is "gzip"). */
export interface EncodedAnalysis {
  v: 1;
  compression: "gzip" | "none";
  /** [type name, byte offset, element count] per array, in blob order */
  arrays: [TypedName, number, number][];
  /** size of the uncompressed blob in bytes */
  bytes: number;
  tree: unknown;
  blob: string;
}

function typedName(v: ArrayBufferView): TypedName | undefined {
  for (const name of Object.keys(TYPED) as TypedName[]) if (v instanceof TYPED[name]) return name;
  return undefined;
}

/** JSON-safe tree: typed arrays -> {$ta: i}, undefined in arrays -> {$u: 1}, non-finite numbers -> {$n: "NaN"}. */
function toTree(value: unknown, arrays: Typed[], path: string): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : { $n: String(value) };
  if (value === undefined) return { $u: 1 };
  if (ArrayBuffer.isView(value)) {
    if (!typedName(value)) throw new TypeError(`report data: unsupported array type at ${path}`);
    arrays.push(value as Typed);
    return { $ta: arrays.length - 1 };
  }
  if (Array.isArray(value)) return value.map((v, i) => toTree(v, arrays, `${path}[${i}]`));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue; // absent optional fields stay absent
      out[k] = toTree(v, arrays, `${path}.${k}`);
    }
    return out;
  }
  throw new TypeError(`report data: cannot serialise a ${typeof value} at ${path}`);
}

function fromTree(node: unknown, arrays: Typed[]): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map((v) => fromTree(v, arrays));
  const o = node as Record<string, unknown>;
  if (typeof o.$ta === "number") return arrays[o.$ta];
  if (o.$u === 1) return undefined;
  if (typeof o.$n === "string") return Number(o.$n);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = fromTree(v, arrays);
  return out;
}

// ---- gzip ---------------------------------------------------------------------------------------------

async function pipe(bytes: Uint8Array<ArrayBuffer>, stream: CompressionStream | DecompressionStream): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

// ---- public ---------------------------------------------------------------------------------------------

/** Serialises any tree of plain values and typed arrays (the analysis, the shapes) in the layout above. */
export async function encodeData(value: unknown, options: { compress?: boolean } = {}, what = "data"): Promise<EncodedAnalysis> {
  const arrays: Typed[] = [];
  const tree = toTree(value, arrays, what);
  const table: [TypedName, number, number][] = [];
  let size = 0;
  for (const a of arrays) {
    size = Math.ceil(size / 8) * 8;
    table.push([typedName(a)!, size, a.length]);
    size += a.byteLength;
  }
  const blob = new Uint8Array(size);
  arrays.forEach((a, i) => blob.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), table[i]![1]));
  const compress = (options.compress ?? true) && typeof CompressionStream !== "undefined";
  const payload = compress ? await pipe(blob, new CompressionStream("gzip")) : blob;
  return { v: 1, compression: compress ? "gzip" : "none", arrays: table, bytes: size, tree, blob: bytesToBase64(payload) };
}

/** The tree serialised by encodeData, its typed arrays views of one decoded buffer. */
export async function decodeData(encoded: EncodedAnalysis): Promise<unknown> {
  if (encoded.v !== 1) throw new Error(`report data: unknown version ${String(encoded.v)}`);
  let bytes = base64ToBytes(encoded.blob);
  if (encoded.compression === "gzip") {
    if (typeof DecompressionStream === "undefined") throw new Error("this browser cannot decompress the report data (DecompressionStream is missing)");
    bytes = await pipe(bytes, new DecompressionStream("gzip"));
  }
  if (bytes.byteLength !== encoded.bytes) throw new Error(`report data: expected ${encoded.bytes} bytes, got ${bytes.byteLength}`);
  const arrays = encoded.arrays.map(([name, offset, length]) => new TYPED[name](bytes.buffer, bytes.byteOffset + offset, length) as Typed);
  return fromTree(encoded.tree, arrays);
}

/** Serialises an Analysis (its prepared arrays, categories, images and ids). */
export async function encodeAnalysis(analysis: Analysis, options: { compress?: boolean } = {}): Promise<EncodedAnalysis> {
  // the boxes serve the object table (analysis/object-table.ts), not the page: left out
  const { pBox: _pBox, lBox: _lBox, ...prepared } = analysis.p;
  return encodeData(prepared, options, "analysis");
}

/** Rebuilds the Analysis serialised by encodeAnalysis (in the report page, or anywhere else). */
export async function decodeAnalysis(encoded: EncodedAnalysis): Promise<Analysis> {
  return new Analysis((await decodeData(encoded)) as Prepared);
}
