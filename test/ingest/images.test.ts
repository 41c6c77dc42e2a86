// Image files for the image metrics: the PNG decoder against a PNG encoder written here (every colour
// type, bit depth, row filter, with and without Adam7 interlacing, on random images), JPEG through
// jpeg-js, the folder reader's checks, and the CLI's --images.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import jpeg from "jpeg-js";
import { afterAll, describe, expect, it } from "vitest";
import { decodeImage, readImageFolder } from "../../bindings/ingest/image-files.js";
import { decodePng } from "../../bindings/ingest/png.js";
import { Rng } from "../../bindings/synth/generate.js";
import { CLI } from "../helpers/paths.js";

const tmp = mkdtempSync(join(tmpdir(), "de-images-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function chunk(name: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = name.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Samples (one array per pixel, `channels` values of `depth` bits) as a PNG, each row with the given filter. */
function encodePng(w: number, h: number, type: number, depth: number, px: number[][], filters: number[], interlace: boolean, palette?: number[][]): Uint8Array {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[type]!;
  const passes = interlace ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] : [[0, 0, 1, 1]];
  const bpp = Math.max(1, (channels * depth) >> 3);
  const rows: number[] = [];
  let fi = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((w - x0!) / dx!);
    const ph = Math.ceil((h - y0!) / dy!);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * channels * depth) / 8);
    let prev = new Array<number>(stride).fill(0);
    for (let r = 0; r < ph; r++) {
      const line = new Array<number>(stride).fill(0);
      let bit = 0;
      for (let q = 0; q < pw; q++) {
        for (const s of px[(y0! + r * dy!) * w + x0! + q * dx!]!) {
          if (depth === 16) {
            line[bit >> 3] = s >> 8;
            line[(bit >> 3) + 1] = s & 255;
          } else line[bit >> 3]! |= s << (8 - depth - (bit & 7));
          bit += depth;
        }
      }
      const f = filters[fi++ % filters.length]!;
      const enc = line.map((x, i) => {
        const a = i >= bpp ? line[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        const p = a + b - c;
        const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
        return (x - pred) & 255;
      });
      rows.push(f, ...enc);
      prev = line;
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, w);
  v.setUint32(4, h);
  ihdr.set([depth, type, 0, 0, interlace ? 1 : 0], 8);
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk("IHDR", ihdr)];
  if (palette) parts.push(chunk("PLTE", Uint8Array.from(palette.flatMap((c) => c.slice(0, 3)))), chunk("tRNS", Uint8Array.from(palette.map((c) => c[3]!))));
  const z = deflateSync(Uint8Array.from(rows));
  parts.push(chunk("IDAT", z.subarray(0, z.length >> 1)), chunk("IDAT", z.subarray(z.length >> 1)), chunk("IEND", new Uint8Array(0)));
  return Buffer.concat(parts);
}

describe("PNG", () => {
  it("decodes every colour type, depth, filter and interlacing as written", () => {
    const rng = new Rng(7);
    const kinds: [number, number[]][] = [[0, [1, 2, 4, 8, 16]], [2, [8, 16]], [3, [1, 2, 4, 8]], [4, [8, 16]], [6, [8, 16]]];
    let cases = 0;
    for (const [type, depths] of kinds) {
      for (const depth of depths) {
        for (const interlace of [false, true]) {
          const w = 1 + rng.int(13);
          const h = 1 + rng.int(11);
          const max = (1 << depth) - 1;
          const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[type]!;
          const palette = type === 3 ? Array.from({ length: max + 1 }, () => [rng.int(256), rng.int(256), rng.int(256), rng.int(256)]) : undefined;
          const px = Array.from({ length: w * h }, () => Array.from({ length: channels }, () => rng.int(max + 1)));
          const png = encodePng(w, h, type, depth, px, [0, 1, 2, 3, 4], interlace, palette);
          const d = decodePng(png);
          expect([d.width, d.height]).toEqual([w, h]);
          const to8 = (s: number) => (depth === 16 ? s >> 8 : depth === 8 ? s : Math.round((s * 255) / max));
          const want = px.flatMap((p) =>
            type === 3 ? palette![p[0]!]! : type === 0 ? [to8(p[0]!), to8(p[0]!), to8(p[0]!), 255] : type === 4 ? [to8(p[0]!), to8(p[0]!), to8(p[0]!), to8(p[1]!)] : type === 2 ? [...p.map(to8), 255] : p.map(to8),
          );
          expect(Array.from(d.rgba), `type ${type} depth ${depth} interlace ${interlace}`).toEqual(want);
          cases++;
        }
      }
    }
    expect(cases).toBe(30);
  });

  it("bad files say what is wrong", () => {
    const ok = encodePng(2, 2, 6, 8, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], [0], false);
    expect(() => decodeImage(ok.subarray(0, 40), "x.png")).toThrow(/^x\.png: cannot decode \(/);
    expect(() => decodeImage(Uint8Array.of(1, 2, 3, 4), "y.bin")).toThrow("y.bin: not a PNG or JPEG file");
  });
});

describe("image folders", () => {
  it("JPEG through jpeg-js; sizes are checked; files are found by name", () => {
    const dir = join(tmp, "imgs");
    mkdirSync(dir, { recursive: true });
    const w = 16;
    const h = 8;
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256));
    writeFileSync(join(dir, "a.jpg"), jpeg.encode({ data: rgba, width: w, height: h }, 90).data);
    const px = Array.from({ length: w * h }, (_, i) => [i % 256, (3 * i) % 256, 255 - (i % 256), 255]);
    writeFileSync(join(dir, "b.png"), encodePng(w, h, 6, 8, px, [4], false));
    const got = readImageFolder(dir, [
      { id: 1, name: "a.jpg", width: w, height: h },
      { id: 2, name: "b.png", width: w, height: h },
      { id: 3, name: "missing.png", width: w, height: h },
      { id: 4, width: w, height: h },
    ]);
    expect(got.missing).toBe(2);
    expect(got.pixels.map((p) => p.imageId)).toEqual([1, 2]);
    expect(Array.from(got.pixels[1]!.rgba)).toEqual(px.flat());
    const jp = got.pixels[0]!.rgba;
    let err = 0;
    for (let i = 0; i < jp.length; i++) err = Math.max(err, Math.abs(jp[i]! - rgba[i]!));
    expect(err).toBeLessThan(60); // lossy, but these are the same pixels
    expect(() => readImageFolder(dir, [{ id: 9, name: "b.png", width: 4, height: 4 }])).toThrow(/b\.png: 16x8 pixels, but image 9 is 4x4$/);
  });

  it.skipIf(!existsSync(CLI))("analyze --images DIR: image metrics in the pages; a folder without any file is an error", () => {
    const dir = join(tmp, "cli");
    mkdirSync(dir, { recursive: true });
    const gt = { images: [{ id: 1, width: 8, height: 8, file_name: "one.png" }, { id: 2, width: 8, height: 8, file_name: "two.png" }], categories: [{ id: 1, name: "a" }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 4, 4], area: 16, iscrowd: 0 }, { id: 2, image_id: 2, category_id: 1, bbox: [2, 2, 4, 4], area: 16, iscrowd: 0 }] };
    const dt = [{ image_id: 1, category_id: 1, bbox: [1, 1, 4, 4], score: 0.9 }, { image_id: 2, category_id: 1, bbox: [0, 0, 2, 2], score: 0.5 }];
    writeFileSync(join(dir, "gt.json"), JSON.stringify(gt));
    writeFileSync(join(dir, "dt.json"), JSON.stringify(dt));
    writeFileSync(join(dir, "one.png"), encodePng(8, 8, 0, 8, Array.from({ length: 64 }, (_, i) => [i * 4]), [1], false));
    const out = join(dir, "pages");
    const r = spawnSync(process.execPath, [CLI, "analyze", "--gt", join(dir, "gt.json"), "--dt", join(dir, "dt.json"), "--images", dir, "--export", out], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--images: 1 of 2 images have no file in /);
    const perf = spawnSync("grep", ["-c", "^predictions,brightness,", join(out, "metric-performance.csv")], { encoding: "utf8" });
    expect(Number(perf.stdout.trim())).toBeGreaterThan(0);
    const none = spawnSync(process.execPath, [CLI, "analyze", "--gt", join(dir, "gt.json"), "--dt", join(dir, "dt.json"), "--images", join(dir, "pages")], { encoding: "utf8" });
    expect(none.status).toBe(1);
    expect(none.stderr.trim().split("\n").pop()).toMatch(/^detection-eval analyze: --images: none of the 2 images has a file in /);
  });
});
