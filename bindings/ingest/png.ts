// A PNG decoder to 8-bit RGBA (for the image metrics of `--images DIR`): every colour type
// (grey, RGB, palette, grey + alpha, RGBA), bit depths 1-16 (16 bits keep the high byte), the five
// row filters, Adam7 interlacing; CRCs are not checked (zlib checks the data). Node only (node:zlib).
import { inflateSync } from "node:zlib";

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, rows top to bottom. */
  readonly rgba: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
// Adam7 passes: x0, y0, dx, dy
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && SIGNATURE.every((v, i) => b[i] === v);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes a PNG; throws an Error whose message says what is wrong with the file. */
export function decodePng(b: Uint8Array): DecodedImage {
  if (!isPng(b)) throw new Error("not a PNG file");
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let type = -1;
  let interlace = 0;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= b.length) {
    const len = view.getUint32(pos);
    const name = String.fromCharCode(b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!);
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (data.length !== len) throw new Error(`PNG chunk ${name} is truncated`);
    if (name === "IHDR") {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      depth = b[pos + 16]!;
      type = b[pos + 17]!;
      interlace = b[pos + 20]!;
    } else if (name === "PLTE") palette = data;
    else if (name === "tRNS") trns = data;
    else if (name === "IDAT") idat.push(data);
    else if (name === "IEND") break;
    pos += 12 + len;
  }
  const channels = CHANNELS[type];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth) || width === 0 || height === 0) throw new Error("PNG header (IHDR) missing or not supported");
  if (type === 3 && !palette) throw new Error("palette PNG without a palette (PLTE)");
  if (width * height > 1 << 28) throw new Error(`PNG of ${width}x${height} pixels is too large`);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw new Error(`PNG image data does not inflate (${(e as Error).message})`);
  }
  const bpp = Math.max(1, (channels * depth) >> 3); // bytes per pixel for the filters
  const rgba = new Uint8Array(width * height * 4);
  let at = 0;
  const passes = interlace === 1 ? ADAM7 : ([[0, 0, 1, 1]] as const);
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * channels * depth) / 8);
    let prev = new Uint8Array(stride);
    for (let r = 0; r < ph; r++) {
      if (at + 1 + stride > raw.length) throw new Error("PNG image data is truncated");
      const filter = raw[at]!;
      const line = raw.slice(at + 1, at + 1 + stride);
      at += 1 + stride;
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? line[i - bpp]! : 0;
        const up = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        if (filter === 1) line[i] = (line[i]! + a) & 255;
        else if (filter === 2) line[i] = (line[i]! + up) & 255;
        else if (filter === 3) line[i] = (line[i]! + ((a + up) >> 1)) & 255;
        else if (filter === 4) line[i] = (line[i]! + paeth(a, up, c)) & 255;
        else if (filter !== 0) throw new Error(`PNG row filter ${filter} is not defined`);
      }
      prev = line;
      const sample = (k: number): number => {
        // sample k of the line, scaled to 8 bits
        if (depth === 8) return line[k]!;
        if (depth === 16) return line[2 * k]!;
        const bit = k * depth;
        const v = (line[bit >> 3]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        return type === 3 ? v : Math.round((v * 255) / ((1 << depth) - 1));
      };
      const y = y0 + r * dy;
      for (let q = 0; q < pw; q++) {
        const o = 4 * (y * width + x0 + q * dx);
        const s = q * channels;
        if (type === 3) {
          const idx = sample(s);
          rgba[o] = palette![3 * idx] ?? 0;
          rgba[o + 1] = palette![3 * idx + 1] ?? 0;
          rgba[o + 2] = palette![3 * idx + 2] ?? 0;
          rgba[o + 3] = trns?.[idx] ?? 255;
        } else if (channels <= 2) {
          const g = sample(s);
          rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
          rgba[o + 3] = channels === 2 ? sample(s + 1) : 255;
        } else {
          rgba[o] = sample(s);
          rgba[o + 1] = sample(s + 1);
          rgba[o + 2] = sample(s + 2);
          rgba[o + 3] = channels === 4 ? sample(s + 3) : 255;
        }
      }
    }
  }
  return { width, height, rgba };
}
