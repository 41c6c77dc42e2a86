// A stable descending sort of f64 scores (numpy's argsort(-s, kind='mergesort')): a 6-pass LSD radix
// sort over order-preserving u64 keys, and insertion for short runs. Used by the plan (assembly/plan.ts)
// for each block's and each category's detections.

const RADIX_BITS: u32 = 11;
const RADIX: u32 = 1 << RADIX_BITS;
const PASSES: u32 = 6; // 66 bits >= 64
const hist = memory.data(<i32>(PASSES * RADIX * 4), 16);

/** The order-preserving key of a score: ascending keys are descending scores, NaN last, -0 equal to 0. */
// @ts-ignore: decorator
@inline function scoreKey(s: f64): u64 {
  if (s != s) return u64.MAX_VALUE;
  const b = s == 0 ? <u64>0 : reinterpret<u64>(s);
  const asc = (b >> 63) != 0 ? ~b : b | (<u64>1 << 63);
  return ~asc;
}

/** Below this many scores sortScores sorts by insertion (the radix passes cost their histograms). */
const INSERTION_MAX: u32 = 48;

/**
 * sortDescending for any n, fast for the short runs of a plan's blocks: by insertion up to
 * INSERTION_MAX scores, else the radix sort. Same arguments and the same order.
 */
export function sortScores(scores: usize, n: u32, perm: usize, keys: usize, keys2: usize, perm2: usize): void {
  if (n > INSERTION_MAX) {
    sortDescending(scores, n, perm, keys, keys2, perm2);
    return;
  }
  for (let i: u32 = 0; i < n; i++) {
    const k = scoreKey(load<f64>(scores + (<usize>i << 3)));
    let j = i;
    // stable: move past the strictly larger keys only
    while (j > 0 && load<u64>(keys + (<usize>(j - 1) << 3)) > k) {
      store<u64>(keys + (<usize>j << 3), load<u64>(keys + (<usize>(j - 1) << 3)));
      store<i32>(perm + (<usize>j << 2), load<i32>(perm + (<usize>(j - 1) << 2)));
      j--;
    }
    store<u64>(keys + (<usize>j << 3), k);
    store<i32>(perm + (<usize>j << 2), <i32>i);
  }
}

/**
 * Stable sort of n f64 scores, descending, NaN last, -0 equal to 0 (numpy's argsort(-s, 'mergesort')).
 * Writes the permutation to perm (n i32: perm[j] = index of the j-th largest). keys/keys2: room for
 * n u64 each; perm2: room for n i32.
 */
export function sortDescending(scores: usize, n: u32, perm: usize, keys: usize, keys2: usize, perm2: usize): void {
  memory.fill(hist, 0, PASSES * RADIX * 4);
  for (let i: u32 = 0; i < n; i++) {
    const k = scoreKey(load<f64>(scores + (<usize>i << 3)));
    store<u64>(keys + (<usize>i << 3), k);
    store<i32>(perm + (<usize>i << 2), <i32>i);
    for (let p: u32 = 0; p < PASSES; p++) {
      const q = hist + ((<usize>(p * RADIX) + <usize>((k >> (<u64>(p * RADIX_BITS))) & <u64>(RADIX - 1))) << 2);
      store<u32>(q, load<u32>(q) + 1);
    }
  }
  let ks = keys, kd = keys2, ps = perm, pd = perm2;
  for (let p: u32 = 0; p < PASSES; p++) {
    const h = hist + (<usize>(p * RADIX) << 2);
    // a pass where every key has the same digit changes nothing
    let skip = false;
    let sum: u32 = 0;
    for (let b: u32 = 0; b < RADIX; b++) {
      const q = h + (<usize>b << 2);
      const c = load<u32>(q);
      if (c == n) skip = true;
      store<u32>(q, sum);
      sum += c;
    }
    if (skip) continue;
    const shift = <u64>(p * RADIX_BITS);
    for (let i: u32 = 0; i < n; i++) {
      const k = load<u64>(ks + (<usize>i << 3));
      const q = h + (<usize>((k >> shift) & <u64>(RADIX - 1)) << 2);
      const at = load<u32>(q);
      store<u32>(q, at + 1);
      store<u64>(kd + (<usize>at << 3), k);
      store<i32>(pd + (<usize>at << 2), load<i32>(ps + (<usize>i << 2)));
    }
    let t = ks; ks = kd; kd = t;
    t = ps; ps = pd; pd = t;
  }
  if (ps != perm) memory.copy(perm, ps, <usize>n << 2);
}
