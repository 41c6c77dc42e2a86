// Downscaled JPEG thumbnails of decoded images, for the report's `--embed-images` (area-average
// downscaling, jpeg-js's encoder, bundled; see THIRD-PARTY-NOTICES.md). Browser-safe (bytes in, bytes out).
import encodeJpeg from "jpeg-js/lib/encoder.js";

/** The size of a thumbnail whose long side is at most `size` (never enlarged). */
export function thumbnailSize(width: number, height: number, size: number): { width: number; height: number } {
  const s = Math.min(1, size / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/** RGBA pixels shrunk to (tw, th): each pixel the mean of the source pixels its area covers. */
export function downscale(rgba: ArrayLike<number>, width: number, height: number, tw: number, th: number): Uint8Array {
  const out = new Uint8Array(tw * th * 4);
  for (let y = 0; y < th; y++) {
    const y0 = Math.floor((y * height) / th);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * height) / th));
    for (let x = 0; x < tw; x++) {
      const x0 = Math.floor((x * width) / tw);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * width) / tw));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const k = (yy * width + xx) * 4;
          r += rgba[k]!;
          g += rgba[k + 1]!;
          b += rgba[k + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * tw + x) * 4;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
      out[o + 3] = 255;
    }
  }
  return out;
}

/** A JPEG thumbnail (long side at most `size`) of RGBA pixels, as bytes. */
export function jpegThumbnail(rgba: ArrayLike<number>, width: number, height: number, size: number, quality = 80): Uint8Array {
  const t = thumbnailSize(width, height, size);
  const small = t.width === width && t.height === height && rgba instanceof Uint8Array ? rgba : downscale(rgba, width, height, t.width, t.height);
  return encodeJpeg({ data: small, width: t.width, height: t.height }, quality).data;
}
