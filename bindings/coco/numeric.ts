// Bit-exact reproductions of the numpy / Python numerics that pycocotools' results depend on.

/** numpy.linspace(start, stop, num): start + i*step, with the last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): number[] {
  const out: number[] = [];
  if (num <= 0) return out;
  const div = num - 1;
  const delta = stop - start;
  const step = div > 0 ? delta / div : NaN;
  for (let i = 0; i < num; i++) {
    // numpy: y = arange * step (or arange / div * delta when step == 0), then y += start
    const y = div === 0 ? 0 : step === 0 ? (i / div) * delta : i * step;
    out.push(y + start);
  }
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** numpy's pairwise summation of a contiguous float64 run (pairwise_sum_DOUBLE, blocks of 8, split above 128). */
export function pairwiseSum(a: ArrayLike<number>, offset = 0, n = a.length - offset): number {
  if (n < 8) {
    let res = -0.0;
    for (let i = 0; i < n; i++) res += a[offset + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[offset]!, r1 = a[offset + 1]!, r2 = a[offset + 2]!, r3 = a[offset + 3]!;
    let r4 = a[offset + 4]!, r5 = a[offset + 5]!, r6 = a[offset + 6]!, r7 = a[offset + 7]!;
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      const p = offset + i;
      r0 += a[p]!;
      r1 += a[p + 1]!;
      r2 += a[p + 2]!;
      r3 += a[p + 3]!;
      r4 += a[p + 4]!;
      r5 += a[p + 5]!;
      r6 += a[p + 6]!;
      r7 += a[p + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[offset + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, offset, n2) + pairwiseSum(a, offset + n2, n - n2);
}

/**
 * np.add.reduce / np.sum of a 1-d contiguous float64 array as numpy 2.x computes it: the identity 0
 * plus one pairwise sum over the whole array (older numpy summed 8192-element buffer chunks in turn,
 * which differs in the last bit on long arrays; test/fixtures/numpy_sums.json holds numpy 2.4.6's values).
 */
export function npSum(a: ArrayLike<number>, offset = 0, n = a.length - offset): number {
  return 0 + pairwiseSum(a, offset, n); // numpy starts at the identity 0 (so an empty sum is +0)
}

/** np.mean of a 1-d float64 array (NaN when empty, like numpy). */
export function npMean(a: ArrayLike<number>): number {
  return npSum(a) / a.length;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Python's `format(x, '.{digits}f')`: the exact binary value rounded half-to-even
 * (JavaScript's toFixed rounds exact ties away from zero, e.g. 0.0625 -> "0.063" where Python prints "0.062").
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const negative = x < 0 || Object.is(x, -0);
  F64[0] = Math.abs(x);
  const hi = U32[LITTLE ? 1 : 0]!;
  const lo = U32[LITTLE ? 0 : 1]!;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  // value = mant * 2^exp; scaled = value * 10^digits, rounded half to even
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (exp >= 0) q = (mant << BigInt(exp)) * scale;
  else {
    const num = mant * scale;
    const den = 1n << BigInt(-exp);
    q = num / den;
    const r2 = (num % den) * 2n;
    if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  }
  let s = q.toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, "0");
    s = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  }
  return negative ? `-${s}` : s;
}

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

/**
 * Stable argsort of float64 keys, descending, NaN last, -0 equal to 0: numpy's
 * argsort(-keys, kind='mergesort'), as an LSD radix sort over the keys' bits (no comparator).
 */
export function argsortDescendingStable(keys: Float64Array): Int32Array {
  const n = keys.length;
  // descending order key as two u32 halves: ascending bits of -key, NaN largest
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  const H = LITTLE ? 1 : 0;
  const L = LITTLE ? 0 : 1;
  for (let i = 0; i < n; i++) {
    const s = keys[i]!;
    if (s !== s) {
      hi[i] = 0xffffffff;
      lo[i] = 0xffffffff;
      continue;
    }
    f[0] = s === 0 ? 0 : s;
    let h = u[H]!;
    let l = u[L]!;
    // ascending key: flip all bits of negatives, the sign bit of the rest; descending: complement that
    if (h & 0x80000000) {
      hi[i] = h;
      lo[i] = l;
    } else {
      h = ~(h | 0x80000000) >>> 0;
      l = ~l >>> 0;
      hi[i] = h;
      lo[i] = l;
    }
  }
  let perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let tmp = new Int32Array(n);
  const count = new Int32Array(RADIX);
  // digits: lo[0..10], lo[11..21], lo[22..31], hi[0..10], hi[11..21], hi[22..31]
  for (let pass = 0; pass < 6; pass++) {
    const src = pass < 3 ? lo : hi;
    const shift = (pass % 3) * RADIX_BITS;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & RADIX_MASK]!++;
    let skip = false;
    let sum = 0;
    for (let b = 0; b < RADIX; b++) {
      const c = count[b]!;
      if (c === n) skip = true;
      count[b] = sum;
      sum += c;
    }
    if (skip) continue;
    for (let i = 0; i < n; i++) {
      const j = perm[i]!;
      tmp[count[(src[j]! >>> shift) & RADIX_MASK]!++] = j;
    }
    const t = perm;
    perm = tmp;
    tmp = t;
  }
  return perm;
}

/** Stable counting sort: the entries of `order` (indices) arranged by key[entry] in [0, nKeys). */
export function countingSortBy(order: Int32Array, key: Int32Array, nKeys: number): Int32Array {
  const n = order.length;
  const count = new Int32Array(nKeys + 1);
  for (let i = 0; i < n; i++) count[key[order[i]!]! + 1]!++;
  for (let k = 0; k < nKeys; k++) count[k + 1]! += count[k]!;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const e = order[i]!;
    out[count[key[e]!]!++] = e;
  }
  return out;
}

/** np.spacing(1): numpy's epsilon, added where pycocotools adds it. */
export const EPS = 2.220446049250313e-16;
