// Correlation helpers for the metric-correlation page.

/** Pearson correlation; NaN with fewer than 2 samples or a constant variable. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n with ties given their average rank. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => x[a]! - x[b]! || a - b);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]!] = avg;
    i = j + 1;
  }
  return r;
}

/** Spearman correlation: Pearson on average ranks. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length < 2) return NaN;
  return pearson(averageRanks(x), averageRanks(y));
}

// ---- the fast path of the metric pages -------------------------------------------------------------------
// Per metric column, the indices of its finite values sorted once (argsortFinite, cached by the Analysis);
// per question, one pass over that order keeps the objects of the filtered subset (collectSorted) and the
// correlations of a metric with a 0/1 outcome follow from the sorted samples in one more pass
// (binaryCorrelation): no per-call sorting, no per-row objects.

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Indices of the finite values of `col`, sorted by value ascending, ties by index ascending (-0 equals 0).
 * A stable LSD radix sort on the order-preserving 64-bit image of the doubles: linear in the column size.
 */
export function argsortFinite(col: ArrayLike<number>): Int32Array {
  const n = col.length;
  let m = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(col[i])) m++;
  let idx = new Int32Array(m);
  let hi = new Uint32Array(m);
  let lo = new Uint32Array(m);
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  const H = LITTLE_ENDIAN ? 1 : 0;
  const L = 1 - H;
  for (let i = 0, j = 0; i < n; i++) {
    const x = col[i]!;
    if (!Number.isFinite(x)) continue;
    f[0] = x === 0 ? 0 : x;
    let h = u[H]!;
    let l = u[L]!;
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    idx[j] = i;
    hi[j] = h;
    lo[j] = l;
    j++;
  }
  if (m < 2) return idx;
  let idx2 = new Int32Array(m);
  let hi2 = new Uint32Array(m);
  let lo2 = new Uint32Array(m);
  const count = new Int32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    count.fill(0);
    for (let j = 0; j < m; j++) count[(key[j]! >>> shift) & 0xffff]!++;
    if (count[(key[0]! >>> shift) & 0xffff] === m) continue; // every key has this digit
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let j = 0; j < m; j++) {
      const d = count[(key[j]! >>> shift) & 0xffff]!++;
      idx2[d] = idx[j]!;
      hi2[d] = hi[j]!;
      lo2[d] = lo[j]!;
    }
    [idx, idx2] = [idx2, idx];
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
  }
  return idx;
}

/**
 * Walks `order` (argsortFinite of `col`, or SortedColumn.order: bit 31 is ignored) and keeps the objects whose outcome code is 0 or 1 (negative =
 * not in the subset): their values, sorted, go to xs[0..n) and their outcomes to ys. Returns n.
 */
export function collectSorted(col: ArrayLike<number>, order: Int32Array, outcome: Int8Array, xs: Float64Array, ys: Uint8Array): number {
  let n = 0;
  for (let i = 0, m = order.length; i < m; i++) {
    const q = order[i]! & 0x7fffffff;
    const o = outcome[q]!;
    if (o < 0) continue;
    xs[n] = col[q]!;
    ys[n] = o;
    n++;
  }
  return n;
}

function clamp1(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** A metric column prepared once for the metric pages. */
export interface SortedColumn {
  /**
   * argsortFinite(col), with bit 31 set on the first entry of each run of equal values: the object index
   * is `order[i] & 0x7fffffff`, and `order[i] < 0` when col[that] differs from the previous entry's value.
   */
  readonly order: Int32Array;
}

export function sortColumn(col: ArrayLike<number>): SortedColumn {
  const order = argsortFinite(col);
  let prev = NaN;
  for (let i = 0, m = order.length; i < m; i++) {
    const x = col[order[i]!]!;
    if (x !== prev) order[i]! |= 0x80000000;
    prev = x;
  }
  return { order };
}

/**
 * Pearson and Spearman correlation of a metric with a 0/1 outcome over a subset: `codes[i]` is the outcome
 * (0 or 1) of object i, or -1 when it is not in the subset; objects whose value is not finite are left out.
 * NaN with fewer than 2 samples, a constant metric or a constant outcome.
 * - Spearman (the Pearson correlation of the average ranks, ties sharing their mean rank, with the outcome's
 *   ranks) in one pass over the column's sorted order: the tie groups of the subset give the rank sum of the
 *   positives and sum (r - mean r)^2 = ((n-1) n (n+1) - sum over groups (g-1) g (g+1)) / 12 (integers:
 *   exact below n = 208,000, where n^3 reaches 2^53).
 * - Pearson: two sequential passes in input order, the same arithmetic as pearson() on the subset's samples.
 */
export function subsetCorrelation(col: ArrayLike<number>, sc: SortedColumn, codes: Int8Array): { n: number; pearson: number; spearman: number } {
  const order = sc.order;
  let n = 0;
  let n1 = 0;
  let rank1 = 0;
  let ties = 0;
  let distinct = 0;
  let start = 0;
  let g1 = 0;
  for (let i = 0, m = order.length; i < m; i++) {
    const e = order[i]!;
    const o = codes[e & 0x7fffffff]!;
    if (e < 0) {
      const g = n - start;
      if (g > 0) {
        rank1 += g1 * (start + (g + 1) / 2);
        ties += (g - 1) * g * (g + 1);
        distinct++;
      }
      start = n;
      g1 = 0;
    }
    const y = (o + 1) >> 1; // 1 for outcome 1 only
    n += (o + 2) >> 1; // 1 for outcomes 0 and 1, 0 for -1
    n1 += y;
    g1 += y;
  }
  {
    const g = n - start;
    if (g > 0) {
      rank1 += g1 * (start + (g + 1) / 2);
      ties += (g - 1) * g * (g + 1);
      distinct++;
    }
  }
  const n0 = n - n1;
  if (n < 2 || distinct < 2 || n1 === 0 || n0 === 0) return { n, pearson: NaN, spearman: NaN };
  const rxx = ((n - 1) * n * (n + 1) - ties) / 12;
  const rxy = rank1 - (n1 * (n + 1)) / 2;
  const spearmanR = clamp1(rxy / Math.sqrt((rxx * n1 * n0) / n));
  // Pearson in input order
  const N = col.length;
  let sx = 0;
  for (let q = 0; q < N; q++) {
    const x = col[q]!;
    if (codes[q]! >= 0 && x - x === 0) sx += x;
  }
  const mx = sx / n;
  const my = n1 / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let q = 0; q < N; q++) {
    const x = col[q]!;
    const o = codes[q]!;
    if (o < 0 || x - x !== 0) continue;
    const dx = x - mx;
    const dy = o - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const pearsonR = sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
  return { n, pearson: pearsonR, spearman: spearmanR };
}
