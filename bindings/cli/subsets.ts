// Command-line values that select or parametrise: id lists (`--img-ids 1,2` or `--images-from FILE`),
// number lists (`--iou-thrs .5,.75`) and area ranges (`--area-rng all=0:1e10,small=0:1024`). Each
// problem is a UsageError naming the option. Node only (reads the id file by path).
import { FileReadError, MAX_TEXT_BYTES, readFileBounded } from "../ingest/node-files.js";
import { UsageError } from "./command.js";

type Opts = Record<string, string | undefined>;

/** The comma-separated entries of `--key` (trimmed, none empty), or undefined when the option is absent. */
export function listOption(opts: Opts, key: string): string[] | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  const items = v.split(",").map((x) => x.trim());
  if (items.length === 0 || items.some((x) => x === "")) throw new UsageError(`--${key}: expected a comma-separated list, got ${JSON.stringify(v)}`);
  return items;
}

/** `--key` as numbers (each finite), or undefined when absent. */
export function numberListOption(opts: Opts, key: string): number[] | undefined {
  const items = listOption(opts, key);
  return items?.map((x) => {
    const n = Number(x);
    if (!Number.isFinite(n)) throw new UsageError(`--${key}: expected numbers, got ${JSON.stringify(x)}`);
    return n;
  });
}

/**
 * Image ids from `--img-ids a,b` or `--images-from FILE` (a JSON array of ids, or one id per line;
 * `#` starts a comment line), as given (strings and, from JSON, numbers); undefined when neither is given.
 */
export function imageIdsOption(opts: Opts): (string | number)[] | undefined {
  const inline = listOption(opts, "img-ids");
  const file = opts["images-from"];
  if (inline && file !== undefined) throw new UsageError("--img-ids and --images-from: give one of them");
  if (file === undefined) return inline;
  let text: string;
  try {
    text = readFileBounded(file, MAX_TEXT_BYTES, "text").toString("utf8");
  } catch (e) {
    throw new UsageError(`--images-from: cannot read ${file}: ${e instanceof FileReadError ? e.reason : (e as Error).message}`);
  }
  if (text.trimStart().startsWith("[")) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--images-from: ${file} is not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(v) || !v.every((x) => typeof x === "number" || typeof x === "string")) throw new UsageError(`--images-from: ${file} must be an array of image ids`);
    if (v.length === 0) throw new UsageError(`--images-from: ${file} lists no image`);
    return v as (string | number)[];
  }
  const ids = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (ids.length === 0) throw new UsageError(`--images-from: ${file} lists no image`);
  return ids;
}

/**
 * Ids given on the command line resolved to the dataset's own ids: "3" finds the id 3 (or the
 * string "3"). An unknown id is an error naming the option.
 */
export function resolveIds<T extends string | number>(given: readonly (string | number)[], indexOf: (id: unknown) => number, ids: readonly T[], option: string, what: string): T[] {
  return given.map((g) => {
    let i = indexOf(g);
    if (i < 0 && typeof g === "string" && g.trim() !== "" && Number.isFinite(Number(g))) i = indexOf(Number(g));
    if (i < 0 && typeof g === "number") i = indexOf(String(g));
    if (i < 0) throw new UsageError(`--${option}: no ${what} with id ${JSON.stringify(g)}`);
    return ids[i]!;
  });
}

/** `--area-rng [label=]min:max,...` (labels default to area0, area1, ...): pycocotools' areaRng and areaRngLbl. */
export function areaRangesOption(opts: Opts): { areaRng: [number, number][]; areaRngLbl: string[] } | undefined {
  const items = listOption(opts, "area-rng");
  if (!items) return undefined;
  const areaRng: [number, number][] = [];
  const areaRngLbl: string[] = [];
  items.forEach((item, i) => {
    const m = /^(?:([^=:]+)=)?([^:]+):([^:]+)$/.exec(item);
    const lo = m ? Number(m[2]) : NaN;
    const hi = m ? Number(m[3]) : NaN;
    if (!m || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) throw new UsageError(`--area-rng: expected [label=]min:max with min <= max, got ${JSON.stringify(item)}`);
    areaRng.push([lo, hi]);
    areaRngLbl.push(m[1]?.trim() || `area${i}`);
  });
  return { areaRng, areaRngLbl };
}
