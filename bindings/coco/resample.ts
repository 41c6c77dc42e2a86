// Seeded resampling for the bootstrap intervals (COCO stats here, analysis views in analysis/bootstrap.ts):
// the generator, the image draws and numpy-style percentile intervals.

export interface Interval {
  /** the value on the data as given */
  readonly estimate: number;
  /** percentile interval at `level` (numpy's linear quantiles of the resampled values) */
  readonly lo: number;
  readonly hi: number;
  /** standard deviation of the resampled values */
  readonly se: number;
}

/** xoshiro128** (Blackman and Vigna) from a state of four 32-bit words: the next 32-bit output per call. */
export function xoshiro128ss(s0: number, s1: number, s2: number, s3: number): () => number {
  let a = s0 >>> 0,
    b = s1 >>> 0,
    c = s2 >>> 0,
    d = s3 >>> 0;
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c = (c ^ a) >>> 0;
    d = (d ^ b) >>> 0;
    b = (b ^ c) >>> 0;
    a = (a ^ d) >>> 0;
    c = (c ^ t) >>> 0;
    d = rotl(d, 11);
    return r;
  };
}

/** Uniform numbers in [0, 1): xoshiro128** seeded through splitmix32, the same in every JavaScript engine. */
export function rng(seed: number): () => number {
  let x = seed >>> 0;
  const split = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const next = xoshiro128ss(split(), split(), split(), split());
  return () => next() / 4294967296;
}

function rotl(v: number, k: number): number {
  return ((v << k) | (v >>> (32 - k))) >>> 0;
}

/** numpy.quantile's default (linear) on sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function interval(estimate: number, values: Float64Array, level: number): Interval {
  const finite = values.filter((v) => !Number.isNaN(v)).sort();
  let mean = 0;
  for (const v of finite) mean += v;
  mean /= finite.length;
  let ss = 0;
  for (const v of finite) ss += (v - mean) * (v - mean);
  const a = (1 - level) / 2;
  return {
    estimate,
    lo: quantile(finite, a),
    hi: quantile(finite, 1 - a),
    se: finite.length > 1 ? Math.sqrt(ss / (finite.length - 1)) : NaN,
  };
}

/** One resample: `pool.length` draws with replacement from `pool`, counted per image into `w` (zeroed first). */
export function drawWeights(next: () => number, pool: Int32Array, w: Float64Array): void {
  w.fill(0);
  const n = pool.length;
  for (let i = 0; i < n; i++) w[pool[Math.floor(next() * n)]!]!++;
}
