// Image files as RGBA pixels, for the image metrics (brightness, contrast, sharpness) of the CLI's
// `--images DIR`: PNG (png.ts) and baseline / progressive JPEG (jpeg-js's decoder, bundled; see
// THIRD-PARTY-NOTICES.md). Node only (reads files by path).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import decodeJpeg from "jpeg-js/lib/decoder.js";
import { type DecodedImage, decodePng, isPng } from "./png.js";

/** A bad or unreadable image file; the message names the file. */
export class ImageFileInputError extends Error {
  override name = "ImageFileInputError";
}

const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Decodes PNG or JPEG bytes to RGBA. */
export function decodeImage(bytes: Uint8Array, what: string): DecodedImage {
  try {
    if (isPng(bytes)) return decodePng(bytes);
    if (isJpeg(bytes)) {
      const d = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 250 });
      return { width: d.width, height: d.height, rgba: d.data };
    }
  } catch (e) {
    throw new ImageFileInputError(`${what}: cannot decode (${(e as Error).message})`);
  }
  throw new ImageFileInputError(`${what}: not a PNG or JPEG file`);
}

export interface ImageFileResult {
  /** Pixels per image id, for analyze()'s `pixels` option. */
  pixels: { imageId: number | string; rgba: Uint8Array; width: number; height: number }[];
  /** Images whose file was not in the folder. */
  missing: number;
}

/**
 * The files of `images` (by name) in `dir`. An image without a name or without a file counts as
 * missing; a file whose size is not the image's is an error (its metrics would be of another image).
 */
export function readImageFolder(dir: string, images: readonly { id: number | string; name?: string; width: number; height: number }[]): ImageFileResult {
  const pixels: ImageFileResult["pixels"] = [];
  let missing = 0;
  for (const im of images) {
    if (im.name === undefined) {
      missing++;
      continue;
    }
    const path = join(dir, im.name);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        missing++;
        continue;
      }
      throw new ImageFileInputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const d = decodeImage(bytes, path);
    if (d.width !== im.width || d.height !== im.height) throw new ImageFileInputError(`${path}: ${d.width}x${d.height} pixels, but image ${JSON.stringify(im.id)} is ${im.width}x${im.height}`);
    pixels.push({ imageId: im.id, rgba: d.rgba, width: d.width, height: d.height });
  }
  return { pixels, missing };
}
