// Run-length masks in pycocotools' layout (column-major, background run first, uint32 counts):
// string codec, area, bounding box, merge, bitmask encode/decode. Ports of maskApi.c.
// All buffers are raw pointers into linear memory; inputs are validated by the host first.

// @ts-ignore: decorator
@inline function cnt(p: usize, j: u32): u32 {
  return load<u32>(p + (<usize>j << 2));
}

/** rleArea: the sum of the foreground (odd-index) runs. */
export function rleArea(cnts: usize, m: u32): u32 {
  let a: u32 = 0;
  for (let j: u32 = 1; j < m; j += 2) a += cnt(cnts, j);
  return a;
}

/**
 * pycocotools 2.0.11 rleToBbox, uint arithmetic included, written to out[0..3] as f64.
 * Returns the number of non-empty foreground runs (0: the mask is empty).
 *
 * Equivalent restatement of the C loop, branch-light: xs/xe are the min/max columns of the
 * non-empty foreground runs; if any of them spans two columns the box has full height (C sets
 * ys = 0, ye = h-1 and later runs cannot move them), else ys/ye are the min/max rows.
 * Positions are < h*w <= 2^28, so p / h is exact as (p * M) >> s (Granlund-Montgomery, N = 28).
 */
export function rleBbox(cnts: usize, m: u32, h: u32, w: u32, out: usize): u32 {
  m = (m >> 1) << 1;
  if (m == 0) {
    store<f64>(out, 0); store<f64>(out, 0, 8); store<f64>(out, 0, 16); store<f64>(out, 0, 24);
    return 0;
  }
  let xs = w, ys = h, xe: u32 = 0, ye: u32 = 0, cc: u32 = 0, runs: u32 = 0, crossed: u32 = 0;
  // h = 0 implies no non-empty run (counts sum to h*w = 0): the divisor is then unused
  const l: u32 = h > 1 ? 32 - <u32>clz(h - 1) : 0;
  const sh: u64 = 28 + <u64>l;
  const M: u64 = h > 0 ? ((<u64>1 << sh) + <u64>h - 1) / <u64>h : 0;
  for (let j: u32 = 0; j < m; j += 2) {
    const start = cc + cnt(cnts, j);
    const len = cnt(cnts, j + 1);
    cc = start + len;
    if (len == 0) continue;
    runs++;
    const last = cc - 1;
    const xStart = <u32>((<u64>start * M) >> sh);
    const xEnd = <u32>((<u64>last * M) >> sh);
    const yStart = start - xStart * h;
    const yEnd = last - xEnd * h;
    xs = min(xs, xStart);
    xe = max(xe, xEnd);
    ys = min(ys, yStart);
    ye = max(ye, yEnd);
    crossed |= <u32>(xStart < xEnd);
  }
  if (crossed) { ys = 0; ye = h - 1; }
  store<f64>(out, <f64>xs);
  store<f64>(out, <f64>ys, 8);
  store<f64>(out, <f64>(xe - xs + 1), 16);
  store<f64>(out, <f64>(ye - ys + 1), 24);
  return runs;
}

/**
 * One rleMerge step, literally as maskApi.c: A (ma counts) with B (mb counts) into out; returns
 * the count and leaves the pixels it covered in `mergeCovered`. With zero-length runs in both
 * masks at one place the C loop stops early (pycocotools returns a truncated RLE); see mergeTwo.
 */
let mergeCovered: u32 = 0;
function mergeStepC(A: usize, ma: u32, B: usize, mb: u32, out: usize, intersect: bool): u32 {
  let ca: u32 = ma > 0 ? cnt(A, 0) : 0;
  let cb: u32 = mb > 0 ? cnt(B, 0) : 0;
  let v = false, va = false, vb = false;
  let a: u32 = 1, b: u32 = 1, cc: u32 = 0, ct: u32 = 1, m: u32 = 0, covered: u32 = 0;
  while (ct > 0) {
    const c = min(ca, cb);
    cc += c;
    covered += c;
    ct = 0;
    let moved = false;
    ca -= c;
    if (!ca && a < ma) { ca = cnt(A, a++); va = !va; moved = true; }
    ct += ca;
    cb -= c;
    if (!cb && b < mb) { cb = cnt(B, b++); vb = !vb; moved = true; }
    ct += cb;
    const vp = v;
    v = intersect ? va && vb : va || vb;
    if (v != vp || ct == 0) { store<u32>(out + (<usize>m << 2), cc); m++; cc = 0; }
    if (c == 0 && !moved) break; // only reachable with counts of different sums: never hang
  }
  mergeCovered = covered;
  return m;
}

/** Drops zero-length runs after the first, in place (as rleFrPoly's last loop); returns the count. */
export function dropZeroRuns(a: usize, k: u32): u32 {
  if (k == 0) return 0;
  let j: u32 = 1, n: u32 = 1;
  while (j < k) {
    const c = cnt(a, j);
    if (c > 0) {
      store<u32>(a + (<usize>n << 2), c);
      n++; j++;
    } else {
      j++;
      if (j < k) {
        const q = a + (<usize>(n - 1) << 2);
        store<u32>(q, load<u32>(q) + cnt(a, j));
        j++;
      }
    }
  }
  return n;
}

/**
 * A merge step of masks of `total` pixels: maskApi.c's result, unless it is truncated; then the
 * step is redone on A and B without zero-length runs (normalised in place: A and B are scratch).
 */
export function mergeTwo(A: usize, ma: u32, B: usize, mb: u32, out: usize, intersect: bool, total: u32): u32 {
  const m = mergeStepC(A, ma, B, mb, out, intersect);
  if (mergeCovered == total) return m;
  return mergeStepC(A, dropZeroRuns(A, ma), B, dropZeroRuns(B, mb), out, intersect);
}

/**
 * rleMerge of n >= 1 same-sized masks of `total` pixels: ptrs/lens are u32 arrays of count
 * pointers and lengths (the counts are scratch). `out` and `tmp` each hold sum(lens) + 1 counts;
 * the result is written to out, its length returned.
 */
export function rleMerge(ptrs: usize, lens: usize, n: u32, intersect: bool, out: usize, tmp: usize, total: u32): u32 {
  let m = load<u32>(lens);
  if (n == 1) {
    memory.copy(out, <usize>load<u32>(ptrs), <usize>m << 2);
    return m;
  }
  let src = <usize>load<u32>(ptrs);
  for (let i: u32 = 1; i < n; i++) {
    const dst = ((n - 1 - i) & 1) == 0 ? out : tmp;
    m = mergeTwo(src, m, <usize>load<u32>(ptrs + (<usize>i << 2)), load<u32>(lens + (<usize>i << 2)), dst, intersect, total);
    src = dst;
  }
  return m;
}

/** rleToString into out (at most 7 chars per count); returns the string's length. */
export function rleToString(cnts: usize, m: u32, out: usize): u32 {
  let p: usize = out;
  for (let i: u32 = 0; i < m; i++) {
    let x = <i64>cnt(cnts, i);
    if (i > 2) x -= <i64>cnt(cnts, i - 2);
    let more = true;
    while (more) {
      let c = <i32>(x & 0x1f);
      x >>= 5;
      more = (c & 0x10) != 0 ? x != -1 : x != 0;
      if (more) c |= 0x20;
      store<u8>(p++, <u8>(c + 48));
    }
  }
  return <u32>(p - out);
}

// Error codes, as in bindings/geometry/validate.ts.
const STR_BAD_CHAR = 1;
const STR_DANGLING = 2;
const STR_TOO_LONG = 3;
const STR_NEGATIVE = 4;
const STR_TOO_BIG = 5;
const STR_SUM = 6;
const STR_MAX_CHARS = 10;

// @ts-ignore: decorator
@inline function strError(err: usize, code: i32, a: f64, b: f64): i32 {
  store<f64>(err, a);
  store<f64>(err, b, 8);
  return -code;
}

/**
 * rleFrString with exact arithmetic and validation: decodes n chars at s into out (room for n
 * counts). Returns the number of counts, or -code with [a, b] at err (see rleStringError).
 */
export function rleFromString(s: usize, n: u32, hw: f64, out: usize, err: usize): i32 {
  const m = decodeWords(s, n, hw, out);
  return m >= 0 ? m : decodeChecked(s, n, hw, out, err);
}

/**
 * The counts of a valid string, read 8 characters at a time; -1 for anything else (decodeChecked
 * then finds the problem), and for a count of more than 8 characters (valid only with redundant
 * groups). A count ends at a character without the continuation bit 0x20: each word's eight 5-bit
 * groups are packed into 40 bits, each count ending in the word is cut out of them (sign-extended
 * by two shifts), and the next word starts after the last one.
 */
function decodeWords(s: usize, n: u32, hw: f64, out: usize): i32 {
  const e = s + <usize>n;
  let q = s;
  let m: u32 = 0;
  let sum: u64 = 0;
  let range: i64 = 0; // the counts or'ed: bits 32.. set when one is negative or past 2^32-1
  let prev2: i64 = 0, prev1: i64 = 0;
  while (q < e) {
    let w: u64;
    if (q + 8 <= e) w = load<u64>(q);
    else {
      // the last 1..7 characters (loaded from e - 8: s is past the first 8 bytes of memory), padded
      // with 'P' (a 0 group with the continuation bit): no count ends there
      const len = <u64>(e - q);
      w = (load<u64>(e - 8) >> ((8 - len) << 3)) | (0x5050505050505050 << (len << 3));
    }
    // '0'..'o' (0x30..0x6f) are the bytes below 0x80 with (b & 0x7f) + 0x50 in 0x80..0xbf
    const lo7 = (w & 0x7f7f7f7f7f7f7f7f) + 0x5050505050505050;
    if (((w | ~lo7 | (lo7 << 1)) & 0x8080808080808080) != 0) return -1;
    const d = w - 0x3030303030303030; // no borrows between valid bytes
    let ends = ~d & 0x2020202020202020; // bit 8i+5: character i ends a count
    if (ends == 0) return -1; // dangling, or a count of 9 or more characters
    q += (<usize>(63 - clz(ends)) >> 3) + 1;
    let g = d & 0x1f1f1f1f1f1f1f1f;
    g = (g & 0x001f001f001f001f) | ((g & 0x1f001f001f001f00) >> 3);
    g = (g & 0x000003ff000003ff) | ((g & 0x03ff000003ff0000) >> 6);
    g = (g & 0xfffff) | ((g & 0x000fffff00000000) >> 12); // group i at bits 5i..5i+4
    let lo: u64 = 0; // where the next count starts in g
    do {
      const hi = <u64>(((<u32>ctz(ends) + 3) * 5) >> 3); // 5 (i + 1) for character i
      ends &= ends - 1;
      let c = (<i64>(g << (64 - hi))) >> (64 - hi + lo);
      if (m > 2) c += prev2;
      store<u32>(out + (<usize>m << 2), <u32>c);
      m++;
      range |= c;
      sum += <u64>c;
      prev2 = prev1;
      prev1 = c;
      lo = hi;
    } while (ends != 0);
  }
  if ((range >> 32) != 0 || <f64>sum != hw) return -1;
  return <i32>m;
}

/** rleFromString one character at a time, with the error codes. */
function decodeChecked(s: usize, n: u32, hw: f64, out: usize, err: usize): i32 {
  // i64 arithmetic: at most STR_MAX_CHARS (10) characters of 5 bits per count, so no overflow
  let p: u32 = 0, m: u32 = 0;
  let sum: u64 = 0;
  let prev2: i64 = 0, prev1: i64 = 0;
  while (p < n) {
    let x: i64 = 0;
    let k: i64 = 0;
    let more = true;
    while (more) {
      if (p >= n) return strError(err, STR_DANGLING, <f64>m, 0);
      const ch = <i32>load<u8>(s + p);
      if (ch < 48 || ch > 111) return strError(err, STR_BAD_CHAR, <f64>p, 0);
      if (k >= STR_MAX_CHARS) return strError(err, STR_TOO_LONG, <f64>m, 0);
      const c = ch - 48;
      x |= <i64>(c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      p++;
      k++;
      if (!more && (c & 0x10) != 0) x |= <i64>-1 << (5 * k);
    }
    if (m > 2) x += prev2;
    if (x < 0) return strError(err, STR_NEGATIVE, <f64>m, <f64>x);
    if (x > 4294967295) return strError(err, STR_TOO_BIG, <f64>m, <f64>x);
    store<u32>(out + (<usize>m << 2), <u32>x);
    prev2 = prev1;
    prev1 = x;
    m++;
    sum += <u64>x;
  }
  if (<f64>sum != hw) return strError(err, STR_SUM, <f64>m, <f64>sum);
  return <i32>m;
}

/**
 * rleEncode of a bitmask (non-zero = set) of h*w pixels, each `stride` bytes apart from `offset`,
 * in column-major (rowMajor = false) or row-major order. Writes at most h*w+1 counts to out.
 * `scratch` (h*w bytes) is used for row-major input: transposed there in cache-sized tiles first.
 */
export function rleEncode(mask: usize, h: u32, w: u32, stride: u32, offset: u32, rowMajor: bool, out: usize, scratch: usize): u32 {
  const a = h * w;
  if (rowMajor) {
    transposeBinary(mask + offset, h, w, stride, scratch);
    return encodeBinary(scratch, a, out);
  }
  if (stride == 1) return encodeBytes(mask + offset, a, out);
  let k: u32 = 0, c: u32 = 0;
  let p = false;
  let src = mask + offset;
  for (let j: u32 = 0; j < a; j++) {
    const v = load<u8>(src) != 0;
    src += stride;
    if (v != p) { store<u32>(out + (<usize>k << 2), c); k++; c = 0; p = v; }
    c++;
  }
  store<u32>(out + (<usize>k << 2), c);
  return k + 1;
}

/** Column-major 0/1 bytes of a row-major mask (value at src + (y*w + x)*stride), by 32x32 tiles. */
function transposeBinary(src: usize, h: u32, w: u32, stride: u32, dst: usize): void {
  const T: u32 = 32;
  const rowStep = <usize>w * stride;
  for (let y0: u32 = 0; y0 < h; y0 += T) {
    const y1 = min(h, y0 + T);
    for (let x0: u32 = 0; x0 < w; x0 += T) {
      const x1 = min(w, x0 + T);
      for (let y = y0; y < y1; y++) {
        let s = src + <usize>y * rowStep + <usize>x0 * stride;
        let d = dst + <usize>x0 * h + y;
        for (let x = x0; x < x1; x++) {
          store<u8>(d, load<u8>(s) != 0 ? 1 : 0);
          s += stride;
          d += h;
        }
      }
    }
  }
}

/** rleEncode of n bytes holding only 0 and 1, skipping 8 equal bytes at a time. */
function encodeBinary(src: usize, n: u32, out: usize): u32 {
  let k: u32 = 0, c: u32 = 0, j: u32 = 0;
  let p: u8 = 0;
  while (j < n) {
    if ((j & 7) == 0 && j + 8 <= n) {
      const word = load<u64>(src + j);
      if (word == (p ? 0x0101010101010101 : 0)) { c += 8; j += 8; continue; }
    }
    const v = load<u8>(src + j);
    if (v != p) { store<u32>(out + (<usize>k << 2), c); k++; c = 0; p = v; }
    c++;
    j++;
  }
  store<u32>(out + (<usize>k << 2), c);
  return k + 1;
}

/** rleEncode of n arbitrary bytes (non-zero = set), skipping 8 zero bytes at a time in background. */
function encodeBytes(src: usize, n: u32, out: usize): u32 {
  let k: u32 = 0, c: u32 = 0, j: u32 = 0;
  let p = false;
  while (j < n) {
    if (!p && ((src + j) & 7) == 0 && j + 8 <= n && load<u64>(src + j) == 0) { c += 8; j += 8; continue; }
    const v = load<u8>(src + j) != 0;
    if (v != p) { store<u32>(out + (<usize>k << 2), c); k++; c = 0; p = v; }
    c++;
    j++;
  }
  store<u32>(out + (<usize>k << 2), c);
  return k + 1;
}

/** rleDecode to h*w bytes (0/1) at out, column-major or row-major. Counts must sum to h*w. */
export function rleDecode(cnts: usize, m: u32, h: u32, w: u32, rowMajor: bool, out: usize): void {
  if (!rowMajor) {
    let p = out;
    for (let j: u32 = 0; j < m; j++) {
      const c = cnt(cnts, j);
      memory.fill(p, <u8>(j & 1), c);
      p += c;
    }
    return;
  }
  memory.fill(out, 0, <usize>h * w);
  let pos: u32 = 0;
  for (let j: u32 = 0; j < m; j++) {
    const c = cnt(cnts, j);
    if ((j & 1) != 0 && c > 0) {
      let y = pos % h, x = pos / h;
      let dst = out + <usize>y * w + x;
      for (let i: u32 = 0; i < c; i++) {
        store<u8>(dst, 1);
        if (++y == h) { y = 0; x++; dst = out + x; } else dst += w;
      }
    }
    pos += c;
  }
}
