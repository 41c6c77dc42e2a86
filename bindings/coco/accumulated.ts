// accumulate()'s arrays in pycocotools' shapes from the stored slices (types.ts Accumulated: only the
// K indices with data are stored; every other K index is -1 throughout).
import type { Accumulated } from "./types.js";

/** values[outer][kIndex.length][inner] as [outer][K][inner], -1 at the K indices not stored. */
export function expandK(values: Float64Array, outer: number, kIndex: Int32Array, K: number, inner: number): Float64Array {
  const Kc = kIndex.length;
  if (Kc === K) return values; // every index stored (kIndex is then 0..K-1)
  const out = new Float64Array(outer * K * inner).fill(-1);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < Kc; c++) {
      const from = (o * Kc + c) * inner;
      out.set(values.subarray(from, from + inner), (o * K + kIndex[c]!) * inner);
    }
  }
  return out;
}

/** precision[T, R, K, A, M] (C order), -1 where a category has no data. */
export function densePrecision(acc: Accumulated): Float64Array {
  const [T, R, K, A, M] = acc.precisionShape;
  return expandK(acc.precision, T * R, acc.kIndex, K, A * M);
}

/** recall[T, K, A, M]. */
export function denseRecall(acc: Accumulated): Float64Array {
  const [T, K, A, M] = acc.recallShape;
  return expandK(acc.recall, T, acc.kIndex, K, A * M);
}

/** scores[T, R, K, A, M]. */
export function denseScores(acc: Accumulated): Float64Array {
  const [T, R, K, A, M] = acc.precisionShape;
  return expandK(acc.scores, T * R, acc.kIndex, K, A * M);
}

/** The stored position of each K index (-1: not stored). */
export function storedIndex(acc: Accumulated): Int32Array {
  const slot = new Int32Array(acc.precisionShape[2]).fill(-1);
  acc.kIndex.forEach((k, c) => {
    slot[k] = c;
  });
  return slot;
}
