// Thumbnails for --embed-images: the size rule (long side, never enlarged) and the area-average downscale,
// checked on pixels whose means are known.
import { describe, expect, it } from "vitest";
import decodeJpeg from "jpeg-js/lib/decoder.js";
import { downscale, jpegThumbnail, thumbnailSize } from "../../bindings/ingest/thumbnail.js";

describe("thumbnails", () => {
  it("long side at most the size, aspect kept, never enlarged", () => {
    expect(thumbnailSize(1000, 500, 512)).toEqual({ width: 512, height: 256 });
    expect(thumbnailSize(300, 900, 512)).toEqual({ width: 171, height: 512 });
    expect(thumbnailSize(100, 50, 512)).toEqual({ width: 100, height: 50 });
    expect(thumbnailSize(5000, 1, 16)).toEqual({ width: 16, height: 1 });
  });

  it("each pixel the mean of the pixels it covers", () => {
    // 4x2 RGBA: left half red values 0, 100 / 20, 40; right half 200, 220 / 240, 255
    const px = [0, 100, 200, 220, 20, 40, 240, 255];
    const rgba = new Uint8Array(px.flatMap((v) => [v, 255 - v, 7, 255]));
    const out = downscale(rgba, 4, 2, 2, 1);
    expect(Array.from(out)).toEqual([40, 215, 7, 255, 229, 26, 7, 255]);
  });

  it("encodes a JPEG of the thumbnail's size", () => {
    const rgba = new Uint8Array(64 * 32 * 4).fill(200);
    const d = decodeJpeg(jpegThumbnail(rgba, 64, 32, 16), { useTArray: true, formatAsRGBA: true });
    expect([d.width, d.height]).toEqual([16, 8]);
    expect(Math.abs(d.data[0]! - 200)).toBeLessThanOrEqual(2);
  });
});
