// A record scanner for COCO JSON: reads consecutive elements of the results array or of a dataset's
// annotations array from UTF-8 bytes straight into columns. It accepts only the common, well-formed
// shapes (the ones bindings/ingest/stream-coco.ts's fast readers accept) and stops at anything else
// (an escaped key, a string id, a number beyond the exact fast path, keypoints, a nested unknown
// value, a repeated key, too few bytes), leaving that element to the JavaScript reader, which
// materialises it and lets the parsers' checks decide. The host is bindings/ingest/stream-wasm.ts;
// the context fields are the scan block of assembly/abi/contexts.json.

import { field, setField } from "./context";
import { rleFromString } from "./rle";
import {
  J_BASE_BYTES, J_BASE_COORDS, J_BASE_COUNTS, J_BASE_PARTS, J_BOX, J_BOXSTATE,
  J_BUF, J_BYTES, J_BYTES_CAP, J_BYTES_N, J_CAP, J_CAT,
  J_COORDS, J_COORDS_CAP, J_COORDS_N, J_COUNTS, J_COUNTS_CAP, J_COUNTS_N,
  J_CROWD, J_END, J_HASSEG, J_ID, J_IMAGE, J_MODE,
  J_NUM, J_PARTS, J_PARTS_CAP, J_PARTS_N, J_POS, J_SEGB,
  J_SEGBL, J_SEGH, J_SEGKIND, J_SEGLEN, J_SEGSTART, J_SEGW,
  J_SOURCE, J_STOP, SEG_EMPTY, SEG_NONE, SEG_POLYGONS, SEG_RLE_COUNTS,
  SEG_RLE_DECODED, SEG_RLE_STRING, ST_CLOSE, ST_FULL, ST_MORE, ST_SLOW,
} from "./generated/contexts";

const decodeErr = memory.data(16, 8);




// scanner state (globals: no managed memory)
let B: usize = 0;
let E: u32 = 0;
let P: u32 = 0;
/** Set by a reader that cannot go on: 1 slow, 2 more bytes. */
let bail: u32 = 0;

// @ts-ignore: decorator
@inline function at(p: u32): u32 {
  return <u32>load<u8>(B + <usize>p);
}

/** Skips whitespace; returns the next byte, or 256 at the end (bail = more). */
// @ts-ignore: decorator
@inline function ws(): u32 {
  let p = P;
  const e = E;
  const b = B;
  if (p < e) {
    const c = <u32>load<u8>(b + <usize>p);
    if (c > 0x20) return c;
  }
  while (p < e) {
    const c = <u32>load<u8>(b + <usize>p);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) {
      P = p;
      return c;
    }
    p++;
  }
  P = p;
  bail = ST_MORE;
  return 256;
}

const POW10: StaticArray<f64> = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * A JSON number at P (after ws) as JSON.parse reads it, when Clinger's exact fast path applies
 * (mantissa below 2^53, |exponent| <= 22); else bail = slow. Invalid grammar bails slow too (the
 * JavaScript reader reports it).
 */
function num(): f64 {
  let p = P;
  const e = E;
  const b = B;
  let neg = false;
  if (p < e && load<u8>(b + <usize>p) == 0x2d) { neg = true; p++; }
  if (p >= e) { bail = ST_MORE; return 0; }
  let c = <u32>load<u8>(b + <usize>p);
  let mant: u64 = 0;
  let digits: u32 = 0;
  let exp10: i32 = 0;
  if (c == 0x30) p++;
  else if (c >= 0x31 && c <= 0x39) {
    while (p < e) {
      c = <u32>load<u8>(b + <usize>p);
      if (c - 0x30 > 9) break;
      mant = mant * 10 + <u64>(c - 0x30);
      digits++;
      p++;
    }
  } else { bail = ST_SLOW; return 0; }
  if (p >= e) { bail = ST_MORE; return 0; }
  c = <u32>load<u8>(b + <usize>p);
  if (c == 0x2e) {
    p++;
    const f0 = p;
    while (p < e) {
      c = <u32>load<u8>(b + <usize>p);
      if (c - 0x30 > 9) break;
      if (mant != 0 || c != 0x30) digits++;
      mant = mant * 10 + <u64>(c - 0x30);
      exp10--;
      p++;
    }
    if (p >= e) { bail = ST_MORE; return 0; }
    if (p == f0) { bail = ST_SLOW; return 0; }
    c = <u32>load<u8>(b + <usize>p);
  }
  if (digits > 18) { bail = ST_SLOW; return 0; }
  if (c == 0x65 || c == 0x45) {
    p++;
    let eneg = false;
    if (p < e && (load<u8>(b + <usize>p) == 0x2b || load<u8>(b + <usize>p) == 0x2d)) { eneg = load<u8>(b + <usize>p) == 0x2d; p++; }
    const d0 = p;
    let ev: i32 = 0;
    while (p < e) {
      c = <u32>load<u8>(b + <usize>p);
      if (c - 0x30 > 9) break;
      if (ev < 10000) ev = ev * 10 + <i32>(c - 0x30);
      p++;
    }
    if (p >= e) { bail = ST_MORE; return 0; }
    if (p == d0) { bail = ST_SLOW; return 0; }
    exp10 += eneg ? -ev : ev;
  }
  // Clinger: exact when the mantissa is below 2^53 and |exponent| <= 22
  if (mant >= 9007199254740992 || exp10 < -22 || exp10 > 22) { bail = ST_SLOW; return 0; }
  P = p;
  const m = <f64>mant;
  const v = exp10 >= 0 ? m * unchecked(POW10[exp10]) : m / unchecked(POW10[-exp10]);
  return neg ? -v : v;
}

/** A number at P after whitespace; bail slow when something else is there. */
function numberValue(): f64 {
  const c = ws();
  if (bail) return 0;
  if (c != 0x2d && (c < 0x30 || c > 0x39)) { bail = ST_SLOW; return 0; }
  return num();
}

/** Consumes `ch` after whitespace, else bail slow. */
function expect(ch: u32): void {
  const c = ws();
  if (bail) return;
  if (c != ch) { bail = ST_SLOW; return; }
  P++;
}

/** After a value in a container: 1 for ',' (consumed), 0 for `close` (consumed); bail otherwise. */
function sep(close: u32): u32 {
  const c = ws();
  if (bail) return 0;
  if (c == 0x2c) { P++; return 1; }
  if (c == close) { P++; return 0; }
  bail = ST_SLOW;
  return 0;
}

/**
 * Bit 7 of each byte of v that is a quote, a backslash, a control byte or non-ASCII (for strings
 * read a word at a time). Only the lowest flagged byte is exact (no borrow reaches it): enough to
 * find the first one.
 */
// @ts-ignore: decorator
@inline function specialBytes(v: u64): u64 {
  const q = v ^ 0x2222222222222222;
  const bs = v ^ 0x5c5c5c5c5c5c5c5c;
  return (((q - 0x0101010101010101) & ~q) | ((bs - 0x0101010101010101) & ~bs) | (v - 0x2020202020202020) | v) & 0x8080808080808080;
}

/** A string at P (at '"'): returns the index of its closing quote; bail slow on escapes, non-ASCII or control bytes. */
function plainString(): u32 {
  let p = P + 1;
  while (p < E) {
    const c = at(p);
    if (c == 0x22) return p;
    if (c == 0x5c || c < 0x20 || c >= 0x80) { bail = ST_SLOW; return 0; }
    p++;
  }
  bail = ST_MORE;
  return 0;
}

// keys, by length then bytes
// results:     image_id(8) category_id(11) score(5) bbox(4) segmentation(12) keypoints(9)
// annotations: id(2) image_id(8) category_id(11) area(4) iscrowd(7) bbox(4) segmentation(12) keypoints(9) num_keypoints(13)
const K_UNKNOWN: i32 = -1;
const K_ID: i32 = 0;
const K_IMAGE: i32 = 1;
const K_CAT: i32 = 2;
const K_SCORE: i32 = 3;
const K_AREA: i32 = 4;
const K_CROWD: i32 = 5;
const K_BBOX: i32 = 6;
const K_SEG: i32 = 7;
const K_KP: i32 = 8;
const K_NKP: i32 = 9;
const K_SIZE: i32 = 10;
const K_COUNTS: i32 = 11;

function eq(s: u32, lit: string): bool {
  const n = <u32>lit.length;
  for (let i: u32 = 0; i < n; i++) if (at(s + i) != <u32>lit.charCodeAt(<i32>i)) return false;
  return true;
}

/** The first n (<= 8) bytes at s as a little-endian u64 (bytes past n masked off). */
// @ts-ignore: decorator
@inline function word(s: u32, n: u32): u64 {
  const v = load<u64>(B + <usize>s);
  return n >= 8 ? v : v & ((<u64>1 << (<u64>n << 3)) - 1);
}

/** The key at P (at '"'), classified; consumes it and the ':'. Reads up to 16 bytes past the key's start (inside linear memory). */
function key(): i32 {
  const s = P + 1;
  // the closing quote among the first 16 bytes, found a word at a time (else the byte loop)
  let q: u32 = 0;
  if (s + 16 <= E) {
    let m = specialBytes(load<u64>(B + <usize>s));
    let i: u32 = 0;
    if (m == 0) {
      m = specialBytes(load<u64>(B + <usize>s, 8));
      i = 8;
    }
    if (m != 0) {
      i += <u32>ctz(m) >> 3;
      if (at(s + i) == 0x22) q = s + i;
    }
  }
  if (q == 0) {
    q = plainString();
    if (bail) return K_UNKNOWN;
  }
  const n = q - s;
  let k = K_UNKNOWN;
  if (n <= 8) {
    const w = word(s, n);
    if (n == 8) { if (w == 0x64695f6567616d69) k = K_IMAGE; }
    else if (n == 4) { if (w == 0x786f6262) k = K_BBOX; else if (w == 0x61657261) k = K_AREA; else if (w == 0x657a6973) k = K_SIZE; }
    else if (n == 5) { if (w == 0x65726f6373) k = K_SCORE; }
    else if (n == 2) { if (w == 0x6469) k = K_ID; }
    else if (n == 6) { if (w == 0x73746e756f63) k = K_COUNTS; }
    else if (n == 7) { if (w == 0x64776f72637369) k = K_CROWD; }
  } else {
    const w = word(s, 8);
    const w2 = word(s + 8, n - 8);
    if (n == 11) { if (w == 0x79726f6765746163 && w2 == 0x64695f) k = K_CAT; }
    else if (n == 12) { if (w == 0x61746e656d676573 && w2 == 0x6e6f6974) k = K_SEG; }
    else if (n == 9) { if (w == 0x746e696f7079656b && w2 == 0x73) k = K_KP; }
    else if (n == 13) { if (w == 0x7079656b5f6d756e && w2 == 0x73746e696f) k = K_NKP; }
  }
  P = q + 1;
  // ':' usually follows at once
  if (P < E && at(P) == 0x3a) P++;
  else expect(0x3a);
  return k;
}

/** Skips a scalar value (number, plain string, literal); bail slow on containers and anything else. */
function skipScalar(): void {
  const c = ws();
  if (bail) return;
  if (c == 0x22) {
    const q = plainString();
    if (bail) return;
    P = q + 1;
    return;
  }
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) { num(); return; }
  literal();
}

/** true (1), false (0) or null (2) at P; bail slow otherwise. */
function literal(): u32 {
  const c = at(P);
  let word = "";
  let v: u32 = 0;
  if (c == 0x74) { word = "true"; v = 1; }
  else if (c == 0x66) { word = "false"; v = 0; }
  else if (c == 0x6e) { word = "null"; v = 2; }
  else { bail = ST_SLOW; return 0; }
  const n = <u32>word.length;
  if (P + n > E) { bail = ST_MORE; return 0; }
  if (!eq(P, word)) { bail = ST_SLOW; return 0; }
  P += n;
  return v;
}

/** [x, y, w, h] of numbers into out. */
function box4(out: usize): void {
  expect(0x5b);
  if (bail) return;
  for (let i = 0; i < 4; i++) {
    store<f64>(out + (<usize>i << 3), numberValue());
    if (bail) return;
    const s = sep(0x5d);
    if (bail) return;
    if ((s == 0) != (i == 3)) { bail = ST_SLOW; return; }
  }
}

// pools
let coords: usize = 0, coordsN: u32 = 0, coordsCap: u32 = 0;
let parts: usize = 0, partsN: u32 = 0, partsCap: u32 = 0;
let bytes: usize = 0, bytesN: u32 = 0, bytesCap: u32 = 0;
let counts: usize = 0, countsN: u32 = 0, countsCap: u32 = 0;
// the segmentation just read
let segStart: u32 = 0, segLen: u32 = 0, segH: u32 = 0, segW: u32 = 0, segB: u32 = 0, segBL: u32 = 0;
let baseCoords: u32 = 0, baseParts: u32 = 0, baseBytes: u32 = 0, baseCounts: u32 = 0;

const INT32_LIMIT: f64 = 2147483648;

/**
 * checkPolygon's boundary length on rleFrPoly's 5x grid within 2^26 (bindings/geometry/validate.ts),
 * in integers: the coordinates passed the int32 range check, so <i32> truncates as Math.trunc.
 */
function boundaryOk(off: u32, n: u32): bool {
  const k = n / 2;
  const a = coords + (<usize>off << 3);
  const xf = <i64><i32>(5 * load<f64>(a) + 0.5);
  const yf = <i64><i32>(5 * load<f64>(a, 8) + 0.5);
  let x0 = xf, y0 = yf;
  let points = <i64>k; // 1 per edge, plus its longer side
  for (let j: u32 = 1; j <= k; j++) {
    let x1 = xf, y1 = yf; // the closing edge last
    if (j < k) {
      x1 = <i64><i32>(5 * load<f64>(a + (<usize>j << 4)) + 0.5);
      y1 = <i64><i32>(5 * load<f64>(a + (<usize>j << 4), 8) + 0.5);
    }
    const dx = x1 - x0, dy = y1 - y0;
    const ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
    points += ax > ay ? ax : ay;
    x0 = x1;
    y0 = y1;
  }
  return points <= 67108864; // 2^26
}

/** The numbers of a polygon at P (after its '[', not empty) into the coordinate pool, through its ']'. */
function polygonCoords(): void {
  // position and count in locals (the globals are memory), written back when done
  const b = B, e = E, pool = coords, cap = coordsCap;
  let p = P;
  let n = coordsN;
  for (;;) {
    while (p < e && load<u8>(b + <usize>p) == 0x20) p++;
    // fast path: -?digits(.digits)? with at most 15 digits, not followed by an exponent
    let v: f64 = 0;
    let fast = false;
    if (p + 24 < e) {
      let q = p;
      let c = <u32>load<u8>(b + <usize>q);
      const neg = c == 0x2d;
      if (neg) { q++; c = <u32>load<u8>(b + <usize>q); }
      if (c - 0x31 <= 8 || (c == 0x30 && <u32>load<u8>(b + <usize>(q + 1)) - 0x30 > 9)) {
        let mant: u64 = 0;
        let digits: i32 = 0;
        while ((c = <u32>load<u8>(b + <usize>q)) - 0x30 <= 9) { mant = mant * 10 + <u64>(c - 0x30); digits++; q++; }
        let frac: i32 = 0;
        if (c == 0x2e) {
          q++;
          while ((c = <u32>load<u8>(b + <usize>q)) - 0x30 <= 9) { mant = mant * 10 + <u64>(c - 0x30); digits++; frac++; q++; }
        }
        if (digits <= 15 && c != 0x65 && c != 0x45 && (frac > 0 || load<u8>(b + <usize>(q - 1)) != 0x2e)) {
          const m = <f64>mant;
          v = frac == 0 ? m : m / unchecked(POW10[frac]);
          if (neg) v = -v;
          fast = true;
          p = q;
        }
      }
    }
    if (!fast) {
      P = p;
      v = numberValue();
      if (bail) return;
      p = P;
    }
    const g = 5 * v + 0.5;
    if (!(g > -INT32_LIMIT && g < INT32_LIMIT)) { bail = ST_SLOW; return; }
    if (n >= cap) { bail = ST_FULL; return; }
    store<f64>(pool + (<usize>n << 3), v);
    n++;
    if (p < e) {
      const c = <u32>load<u8>(b + <usize>p);
      if (c == 0x2c) { p++; continue; }
      if (c == 0x5d) { p++; break; }
    }
    P = p;
    const s = sep(0x5d);
    if (bail) return;
    p = P;
    if (s == 0) break;
  }
  P = p;
  coordsN = n;
}

/**
 * The string at P (at '"') into the byte pool with "\\" unescaped (RLE characters are '0'..'o':
 * the only escape they need): returns its length, P after it. Bails slow on other escapes, control
 * bytes and non-ASCII.
 */
function rleChars(): u32 {
  const b = B, e = E, dst = bytes, cap = bytesCap;
  let p = P + 1;
  let o = bytesN;
  for (;;) {
    let ch: u32;
    if (p + 8 <= e && o + 8 <= cap) {
      // 8 bytes at a time, stored whole and kept up to the first special byte
      const v = load<u64>(b + <usize>p);
      const special = specialBytes(v);
      store<u64>(dst + <usize>o, v);
      if (special == 0) {
        p += 8;
        o += 8;
        continue;
      }
      const i = <u32>ctz(special) >> 3;
      p += i;
      o += i;
      ch = <u32>load<u8>(b + <usize>p);
    } else {
      if (p >= e) { bail = ST_MORE; return 0; }
      ch = <u32>load<u8>(b + <usize>p);
      if (ch >= 0x20 && ch < 0x80 && ch != 0x22 && ch != 0x5c) {
        if (o >= cap) { bail = ST_FULL; return 0; }
        store<u8>(dst + <usize>o, <u8>ch);
        o++;
        p++;
        continue;
      }
    }
    if (ch == 0x22) break;
    if (ch != 0x5c) { bail = ST_SLOW; return 0; }
    if (p + 1 >= e) { bail = ST_MORE; return 0; }
    if (load<u8>(b + <usize>(p + 1)) != 0x5c) { bail = ST_SLOW; return 0; }
    if (o >= cap) { bail = ST_FULL; return 0; }
    store<u8>(dst + <usize>o, 0x5c);
    o++;
    p += 2;
  }
  const n = o - bytesN;
  bytesN = o;
  P = p + 1;
  return n;
}

/** A segmentation at P (after the key): its SEG_* kind, data in the pools / seg* globals. */
function segmentation(): u8 {
  const c = ws();
  if (bail) return 0;
  segStart = 0; segLen = 0; segH = 0; segW = 0; segB = 0; segBL = 0;
  if (c == 0x6e) { literal(); return SEG_NONE; }
  if (c == 0x5b) {
    P++;
    let d = ws();
    if (bail) return 0;
    if (d == 0x5d) { P++; return SEG_EMPTY; }
    const first = partsN;
    let nParts: u32 = 0;
    for (;;) {
      d = ws();
      if (bail) return 0;
      if (d != 0x5b) { bail = ST_SLOW; return 0; }
      P++;
      const off = coordsN;
      d = ws();
      if (bail) return 0;
      if (d == 0x5d) P++;
      else {
        polygonCoords();
        if (bail) return 0;
      }
      const len = coordsN - off;
      if (len < 6 || (len & 1) != 0) { bail = ST_SLOW; return 0; }
      if (!boundaryOk(off, len)) { bail = ST_SLOW; return 0; }
      if (partsN >= partsCap) { bail = ST_FULL; return 0; }
      store<u32>(parts + (<usize>partsN << 3), off + baseCoords);
      store<u32>(parts + (<usize>partsN << 3) + 4, len);
      partsN++;
      nParts++;
      const s = sep(0x5d);
      if (bail) return 0;
      if (s == 0) break;
    }
    segStart = first;
    segLen = nParts;
    return SEG_POLYGONS;
  }
  if (c == 0x7b) {
    P++;
    let h: f64 = -1, w: f64 = -1;
    let kind: u8 = 0;
    let seen: u32 = 0;
    let d = ws();
    if (bail) return 0;
    if (d == 0x7d) { bail = ST_SLOW; return 0; }
    for (;;) {
      d = ws();
      if (bail) return 0;
      if (d != 0x22) { bail = ST_SLOW; return 0; }
      const k = key();
      if (bail) return 0;
      if (k == K_SIZE || k == K_COUNTS) {
        const bit: u32 = 1 << <u32>(k - K_SIZE);
        if (seen & bit) { bail = ST_SLOW; return 0; }
        seen |= bit;
      }
      if (k == K_SIZE) {
        expect(0x5b);
        if (bail) return 0;
        h = numberValue();
        if (bail) return 0;
        if (sep(0x5d) != 1 || bail) { if (!bail) bail = ST_SLOW; return 0; }
        w = numberValue();
        if (bail) return 0;
        if (sep(0x5d) != 0 || bail) { if (!bail) bail = ST_SLOW; return 0; }
        if (!(h >= 0 && w >= 0 && Math.floor(h) == h && Math.floor(w) == w)) { bail = ST_SLOW; return 0; }
      } else if (k == K_COUNTS) {
        d = ws();
        if (bail) return 0;
        if (d == 0x22) {
          segStart = bytesN;
          segLen = rleChars();
          if (bail) return 0;
          kind = SEG_RLE_STRING;
        } else if (d == 0x5b) {
          P++;
          segStart = countsN;
          d = ws();
          if (bail) return 0;
          if (d == 0x5d) P++;
          else {
            for (;;) {
              d = ws();
              if (bail) return 0;
              if (d < 0x30 || d > 0x39) { bail = ST_SLOW; return 0; }
              const v = num();
              if (bail) return 0;
              if (!(Math.floor(v) == v && v <= 4294967295)) { bail = ST_SLOW; return 0; }
              if (countsN >= countsCap) { bail = ST_FULL; return 0; }
              store<u32>(counts + (<usize>countsN << 2), <u32>v);
              countsN++;
              const s = sep(0x5d);
              if (bail) return 0;
              if (s == 0) break;
            }
          }
          segLen = countsN - segStart;
          kind = SEG_RLE_COUNTS;
        } else { bail = ST_SLOW; return 0; }
      } else {
        skipScalar();
        if (bail) return 0;
      }
      const s = sep(0x7d);
      if (bail) return 0;
      if (s == 0) break;
    }
    if (h < 0 || kind == 0) { bail = ST_SLOW; return 0; }
    const hw = h * w;
    if (kind == SEG_RLE_STRING) {
      // decoded here (the validation rleStringProblem makes, and the counts the masks need)
      if (countsN + segLen > countsCap) { bail = ST_FULL; return 0; }
      const m = rleFromString(bytes + <usize>segStart, segLen, hw, counts + (<usize>countsN << 2), decodeErr);
      if (m < 0) { bail = ST_SLOW; return 0; }
      segB = segStart;
      segBL = segLen;
      segStart = countsN;
      segLen = <u32>m;
      countsN += <u32>m;
      kind = SEG_RLE_DECODED;
    } else {
      let sum: f64 = 0;
      for (let i = segStart; i < segStart + segLen; i++) sum += <f64>load<u32>(counts + (<usize>i << 2));
      if (sum != hw) { bail = ST_SLOW; return 0; }
    }
    segH = <u32>h;
    segW = <u32>w;
    return kind;
  }
  bail = ST_SLOW;
  return 0;
}

/**
 * Finds the whole JSON values from ctx's POS (an array position: value, ',' value ...): one is
 * whole when its ',' or ']' is at hand (at depth 0, outside strings; exact for valid JSON, which is
 * all the host gives JSON.parse). Returns how many; POS ends at the last one's ',' or ']'.
 */
export function scanValues(ctx: usize): u32 {
  const b = field(ctx, J_BUF);
  const e = <u32>field(ctx, J_END);
  let p = <u32>field(ctx, J_POS);
  let end = p;
  let n: u32 = 0;
  let depth: i32 = 0;
  for (; p < e; p++) {
    const c = <u32>load<u8>(b + <usize>p);
    if (c == 0x22) {
      for (p++; p < e; p++) {
        const d = <u32>load<u8>(b + <usize>p);
        if (d == 0x22) break;
        if (d == 0x5c) p++;
      }
    } else if (c == 0x7b || c == 0x5b) depth++;
    else if (c == 0x7d || c == 0x5d) {
      if (depth == 0) {
        end = p;
        n++;
        break;
      }
      depth--;
    } else if (c == 0x2c && depth == 0) {
      end = p;
      n++;
    }
  }
  setField(ctx, J_POS, end);
  return n;
}

/**
 * Reads consecutive elements from ctx's POS into the columns, until one needs the JavaScript reader,
 * the bytes end, the columns fill up or the array closes. Returns how many were read; POS ends just
 * after the last one (before its ',' or ']'), STOP says why it stopped.
 */
export function scanCocoRecords(ctx: usize): u32 {
  B = field(ctx, J_BUF);
  P = <u32>field(ctx, J_POS);
  E = <u32>field(ctx, J_END);
  const mode = <u32>field(ctx, J_MODE);
  const cap = <u32>field(ctx, J_CAP);
  const source = <u32>field(ctx, J_SOURCE);
  const colId = field(ctx, J_ID), colImg = field(ctx, J_IMAGE), colCat = field(ctx, J_CAT), colNum = field(ctx, J_NUM);
  const colCrowd = field(ctx, J_CROWD), colBox = field(ctx, J_BOX), colBoxState = field(ctx, J_BOXSTATE);
  const colSegKind = field(ctx, J_SEGKIND), colSegStart = field(ctx, J_SEGSTART), colSegLen = field(ctx, J_SEGLEN);
  const colSegH = field(ctx, J_SEGH), colSegW = field(ctx, J_SEGW), colHasSeg = field(ctx, J_HASSEG);
  const colSegB = field(ctx, J_SEGB), colSegBL = field(ctx, J_SEGBL);
  coords = field(ctx, J_COORDS); coordsN = <u32>field(ctx, J_COORDS_N); coordsCap = <u32>field(ctx, J_COORDS_CAP);
  parts = field(ctx, J_PARTS); partsN = <u32>field(ctx, J_PARTS_N); partsCap = <u32>field(ctx, J_PARTS_CAP);
  bytes = field(ctx, J_BYTES); bytesN = <u32>field(ctx, J_BYTES_N); bytesCap = <u32>field(ctx, J_BYTES_CAP);
  counts = field(ctx, J_COUNTS); countsN = <u32>field(ctx, J_COUNTS_N); countsCap = <u32>field(ctx, J_COUNTS_CAP);
  baseCoords = <u32>field(ctx, J_BASE_COORDS); baseParts = <u32>field(ctx, J_BASE_PARTS);
  baseBytes = <u32>field(ctx, J_BASE_BYTES); baseCounts = <u32>field(ctx, J_BASE_COUNTS);
  let n: u32 = 0;
  let stop: u32 = 0;
  let end = P; // after the last record read
  for (;;) {
    if (n >= cap) { stop = ST_FULL; break; }
    if (n > 0) {
      // the separator before the next record
      const c = ws();
      if (bail) { stop = bail; bail = 0; break; }
      if (c == 0x5d) { stop = ST_CLOSE; break; }
      if (c != 0x2c) { stop = ST_SLOW; break; }
      P++;
    }
    // one record; pools roll back when it is not read whole
    const c0 = coordsN, p0 = partsN, b0 = bytesN, n0 = countsN;
    bail = 0;
    let seen: u32 = 0;
    let id: f64 = 0, img: f64 = 0, cat: f64 = 0, num1: f64 = 0;
    let crowd: u8 = 2, boxState: u8 = 1, segKind: u8 = SEG_NONE, hasSeg: u8 = 0;
    const boxOut = colBox + (<usize>(4 * n) << 3);
    let c = ws();
    if (!bail && c != 0x7b) bail = ST_SLOW;
    if (!bail) {
      P++;
      c = ws();
      if (!bail && c == 0x7d) bail = ST_SLOW;
    }
    while (!bail) {
      c = ws();
      if (bail) break;
      if (c != 0x22) { bail = ST_SLOW; break; }
      const k = key();
      if (bail) break;
      if (k >= 0) {
        const bit: u32 = 1 << <u32>k;
        if (seen & bit) { bail = ST_SLOW; break; }
        seen |= bit;
      }
      if (k == K_IMAGE) img = numberValue();
      else if (k == K_CAT) cat = numberValue();
      else if (k == K_ID && mode == 1) id = numberValue();
      else if (k == K_SCORE && mode == 0) num1 = numberValue();
      else if (k == K_AREA && mode == 1) num1 = numberValue();
      else if (k == K_CROWD && mode == 1) {
        c = ws();
        if (bail) break;
        if (c == 0x74 || c == 0x66 || c == 0x6e) crowd = <u8>literal();
        else {
          const v = numberValue();
          if (v != 0 && v != 1) { bail = ST_SLOW; break; } // the host's checkAnnotation has pycocotools' rule for other values
          crowd = <u8>v;
        }
      } else if (k == K_BBOX) {
        c = ws();
        if (bail) break;
        if (c == 0x6e) {
          if (mode == 1) { bail = ST_SLOW; break; } // annotations: raw keeps the null
          literal();
          boxState = 1;
        }
        else {
          if (mode == 0 && source == 2 && c == 0x5b) {
            // segm branch: [] reads as no box
            let p = P + 1;
            while (p < E && (at(p) == 0x20 || at(p) == 0x0a || at(p) == 0x0d || at(p) == 0x09)) p++;
            if (p >= E) { bail = ST_MORE; break; }
            if (at(p) == 0x5d) { P = p + 1; boxState = 2; } // no box, but given as [] (raw keeps it)
            else { box4(boxOut); boxState = 0; }
          } else { box4(boxOut); boxState = 0; }
        }
      } else if (k == K_SEG) {
        segKind = segmentation();
        if (bail) break;
        if (segKind == SEG_NONE && mode == 1) { bail = ST_SLOW; break; }
        hasSeg = segKind == SEG_NONE ? 2 : 1;
      } else if (k == K_KP || k == K_NKP) {
        bail = ST_SLOW; // keypoints take the checked path
        break;
      } else if (k >= 0 && k != K_ID && k != K_AREA && k != K_CROWD) {
        bail = ST_SLOW; // size / counts at the top level, or a results key in annotations
      } else skipScalar();
      if (bail) break;
      const s = sep(0x7d);
      if (bail) break;
      if (s == 0) break;
    }
    if (!bail) {
      if (mode == 0) {
        const need: u32 = (1 << <u32>K_IMAGE) | (1 << <u32>K_CAT) | (1 << <u32>K_SCORE);
        if ((seen & need) != need) bail = ST_SLOW;
        else if (source == 1 && boxState != 0) bail = ST_SLOW;
        else if (source == 2 && (segKind == SEG_NONE || segKind == SEG_EMPTY)) bail = ST_SLOW;
        else if (source != 1 && source != 2) bail = ST_SLOW;
      } else {
        const need: u32 = (1 << <u32>K_ID) | (1 << <u32>K_IMAGE) | (1 << <u32>K_CAT) | (1 << <u32>K_AREA);
        if ((seen & need) != need) bail = ST_SLOW;
      }
    }
    if (bail) {
      stop = bail;
      bail = 0;
      coordsN = c0; partsN = p0; bytesN = b0; countsN = n0;
      break;
    }
    store<f64>(colId + (<usize>n << 3), id);
    store<f64>(colImg + (<usize>n << 3), img);
    store<f64>(colCat + (<usize>n << 3), cat);
    store<f64>(colNum + (<usize>n << 3), num1);
    store<u8>(colCrowd + <usize>n, crowd);
    store<u8>(colBoxState + <usize>n, boxState);
    if (boxState != 0) {
      store<f64>(boxOut, NaN); store<f64>(boxOut, NaN, 8); store<f64>(boxOut, NaN, 16); store<f64>(boxOut, NaN, 24);
    }
    store<u8>(colSegKind + <usize>n, segKind);
    store<i32>(colSegStart + (<usize>n << 2), <i32>(segKind == SEG_POLYGONS ? segStart + baseParts : segKind == SEG_RLE_STRING ? segStart + baseBytes : segKind == SEG_RLE_COUNTS || segKind == SEG_RLE_DECODED ? segStart + baseCounts : segStart));
    store<i32>(colSegB + (<usize>n << 2), <i32>(segKind == SEG_RLE_DECODED ? segB + baseBytes : 0));
    store<i32>(colSegBL + (<usize>n << 2), <i32>(segKind == SEG_RLE_DECODED ? segBL : 0));
    store<i32>(colSegLen + (<usize>n << 2), <i32>segLen);
    store<i32>(colSegH + (<usize>n << 2), <i32>segH);
    store<i32>(colSegW + (<usize>n << 2), <i32>segW);
    store<u8>(colHasSeg + <usize>n, hasSeg);
    segStart = 0; segLen = 0; segH = 0; segW = 0; segB = 0; segBL = 0;
    n++;
    end = P;
  }
  setField(ctx, J_POS, end);
  setField(ctx, J_STOP, stop);
  setField(ctx, J_COORDS_N, coordsN);
  setField(ctx, J_PARTS_N, partsN);
  setField(ctx, J_BYTES_N, bytesN);
  setField(ctx, J_COUNTS_N, countsN);
  return n;
}
