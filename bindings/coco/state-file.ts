// A COCO partial state (state.ts) as JSON: the parameters and names as plain JSON, the arrays as
// base64 of their little-endian bytes. Reading checks every field, so a damaged or foreign file is a
// one-line error naming the field, never a wrong merge.
import { base64ToBytes, bytesToBase64 } from "../columns/base64.js";
import { CocoInputError } from "./errors.js";
import { type CocoParams, type CocoParamsInput, resolveParams } from "./params.js";
import { type CocoState, CocoStateInputError, type ShardOf } from "./state.js";

const FORMAT = "detection-eval coco state";
const VERSION = 1;

/** The JSON form of a state (JSON.stringify it to write a file). */
export interface CocoStateJson {
  format: typeof FORMAT;
  version: typeof VERSION;
  shard: ShardOf | null;
  params: CocoParams;
  categoryNames: (string | null)[];
  warnings: string[];
  blocks: number;
  detections: number;
  labels: number;
  /** base64 of the little-endian bytes of each array of CocoState */
  arrays: Record<ArrayName, string>;
}

const ARRAYS = {
  blockImage: Int32Array,
  blockCategory: Int32Array,
  blockDtStart: Int32Array,
  blockGtStart: Int32Array,
  score: Float64Array,
  status: Uint8Array,
  gtIgnore: Uint8Array,
} as const;
type ArrayName = keyof typeof ARRAYS;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(a: Int32Array | Float64Array | Uint8Array): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error("COCO state files are little-endian; this host is big-endian");
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function cocoStateToJson(state: CocoState): CocoStateJson {
  const arrays = {} as Record<ArrayName, string>;
  for (const key of Object.keys(ARRAYS) as ArrayName[]) arrays[key] = bytesToBase64(bytesOf(state[key]));
  return {
    format: FORMAT,
    version: VERSION,
    shard: state.shard,
    params: state.params,
    categoryNames: state.categoryNames.map((n) => n ?? null),
    warnings: [...state.warnings],
    blocks: state.blockImage.length,
    detections: state.score.length,
    labels: state.blockGtStart[state.blockGtStart.length - 1] ?? 0,
    arrays,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a state from its JSON form; `source` (e.g. the file name) starts every error message. */
export function cocoStateFromJson(json: unknown, source: string): CocoState {
  const fail = (path: string, message: string): never => {
    throw new CocoStateInputError(`${source}: ${path}: ${message}`);
  };
  if (!isObject(json) || json.format !== FORMAT) fail("format", `not a detection-eval COCO state (expected "format": ${JSON.stringify(FORMAT)}; write one with coco --state-out)`);
  const o = json as Record<string, unknown>;
  if (o.version !== VERSION) fail("version", `expected ${VERSION}, got ${JSON.stringify(o.version)} (written by another version of detection-eval)`);

  let shard: ShardOf | null = null;
  if (o.shard !== null) {
    const s = o.shard;
    if (!isObject(s) || !Number.isInteger(s.index) || !Number.isInteger(s.count) || !((s.index as number) >= 1 && (s.index as number) <= (s.count as number))) {
      fail("shard", `expected null or {"index": i, "count": n} with 1 <= i <= n, got ${JSON.stringify(s)}`);
    }
    shard = { index: (s as { index: number }).index, count: (s as { count: number }).count };
  }

  if (!isObject(o.params)) fail("params", "expected an object");
  const given = o.params as Record<string, unknown>;
  let params: CocoParams;
  try {
    params = resolveParams(given as unknown as CocoParamsInput, [], []);
  } catch (e) {
    if (e instanceof CocoInputError) return fail(e.path || "params", e.message.slice(e.path ? e.path.length + 2 : 0));
    throw e;
  }
  for (const key of ["imgIds", "catIds", "maxDets"] as const) {
    if (JSON.stringify(params[key]) !== JSON.stringify(given[key])) fail(`params.${key}`, "expected the sorted, unique values an evaluation writes");
  }
  const K = params.useCats ? params.catIds.length : 1;
  const T = params.iouThrs.length;
  const A = params.areaRng.length;

  const names = o.categoryNames;
  if (!Array.isArray(names) || names.length !== params.catIds.length || !names.every((n) => n === null || typeof n === "string")) {
    fail("categoryNames", `expected ${params.catIds.length} names (strings or null), one per params.catIds`);
  }
  const warnings = o.warnings;
  if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === "string")) fail("warnings", "expected an array of strings");

  const count = (key: "blocks" | "detections" | "labels"): number => {
    const v = o[key];
    if (!(Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31)) fail(key, `expected a count, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const nBlocks = count("blocks");
  const nDt = count("detections");
  const nGt = count("labels");
  if (!isObject(o.arrays)) fail("arrays", "expected an object of base64 strings");
  const arrays = o.arrays as Record<string, unknown>;
  const read = <N extends ArrayName>(key: N, length: number): InstanceType<(typeof ARRAYS)[N]> => {
    const text = arrays[key];
    if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) fail(`arrays.${key}`, "expected a base64 string");
    const Ctor = ARRAYS[key];
    const bytes = base64ToBytes(text as string);
    if (bytes.byteLength !== length * Ctor.BYTES_PER_ELEMENT) fail(`arrays.${key}`, `expected ${length} values, got ${bytes.byteLength / Ctor.BYTES_PER_ELEMENT}`);
    return new Ctor(bytes.buffer, bytes.byteOffset, length) as InstanceType<(typeof ARRAYS)[N]>;
  };
  const blockImage = read("blockImage", nBlocks);
  const blockCategory = read("blockCategory", nBlocks);
  const blockDtStart = read("blockDtStart", nBlocks + 1);
  const blockGtStart = read("blockGtStart", nBlocks + 1);
  const score = read("score", nDt);
  const status = read("status", nDt * A * T);
  const gtIgnore = read("gtIgnore", nGt * A);

  const seen = new Set<number>();
  for (let b = 0; b < nBlocks; b++) {
    const img = blockImage[b]!;
    const k = blockCategory[b]!;
    if (!(img >= 0 && img < params.imgIds.length)) fail(`arrays.blockImage[${b}]`, `expected a position in params.imgIds (0..${params.imgIds.length - 1}), got ${img}`);
    if (!(k >= 0 && k < K)) fail(`arrays.blockCategory[${b}]`, `expected a category position (0..${K - 1}), got ${k}`);
    if (seen.has(k * params.imgIds.length + img)) fail(`arrays.blockImage[${b}]`, "a second block of the same image and category");
    seen.add(k * params.imgIds.length + img);
  }
  const starts = (key: "blockDtStart" | "blockGtStart", a: Int32Array, total: number) => {
    if (a[0] !== 0 || a[nBlocks] !== total) fail(`arrays.${key}`, `expected offsets from 0 to ${total}`);
    for (let b = 0; b < nBlocks; b++) if (a[b + 1]! < a[b]!) fail(`arrays.${key}[${b + 1}]`, "offsets must not decrease");
  };
  starts("blockDtStart", blockDtStart, nDt);
  starts("blockGtStart", blockGtStart, nGt);
  for (let j = 0; j < status.length; j++) if (status[j]! > 2) fail(`arrays.status[${j}]`, `expected 0 (ignored), 1 (true positive) or 2 (false positive), got ${status[j]}`);
  for (let j = 0; j < gtIgnore.length; j++) if (gtIgnore[j]! > 1) fail(`arrays.gtIgnore[${j}]`, `expected 0 or 1, got ${gtIgnore[j]}`);

  return {
    kind: "coco-state",
    params,
    categoryNames: (names as (string | null)[]).map((n) => n ?? undefined),
    shard,
    warnings: warnings as string[],
    blockImage,
    blockCategory,
    blockDtStart,
    blockGtStart,
    score,
    status,
    gtIgnore,
  };
}
