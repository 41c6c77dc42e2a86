// COCO ids (image, category, annotation) are JSON numbers or strings; Python keeps 1 and "1" apart, so do we.
import { CocoInputError } from "./errors.js";

export type CocoId = number | string;

export function isId(value: unknown): value is CocoId {
  return (typeof value === "number" && Number.isFinite(value)) || typeof value === "string";
}

/** Python's str ordering (by code point), which differs from JavaScript's UTF-16 order only around surrogates. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy && (x >= 0xe000 || y >= 0xe000)) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Sorts unique ids as Python's sorted() / np.unique would; a mix of numbers and strings cannot be sorted. */
export function sortIds(ids: readonly CocoId[], path: string): CocoId[] {
  let numbers = 0;
  for (const id of ids) if (typeof id === "number") numbers++;
  if (numbers !== 0 && numbers !== ids.length) {
    const num = ids.find((v) => typeof v === "number");
    const str = ids.find((v) => typeof v === "string");
    throw new CocoInputError(
      path,
      `ids mix numbers and strings (e.g. ${num} and ${JSON.stringify(str)}); pycocotools cannot sort them, use one type`,
    );
  }
  const out = [...ids];
  if (numbers) (out as number[]).sort((a, b) => a - b);
  else (out as string[]).sort(compareStrings);
  return out;
}
