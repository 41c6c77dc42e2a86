// Image files as RGBA pixels, for the image metrics (brightness, contrast, sharpness) of the CLI's
// `--images DIR`: PNG (png.ts) and baseline / progressive JPEG (jpeg-js's decoder, bundled; see
// THIRD-PARTY-NOTICES.md). Node only (reads files by path).
import { FileReadError, readFileBounded } from "./node-files.js";
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
/** The largest image file read (a PNG or JPEG of 2^28 pixels is far smaller). */
export const MAX_IMAGE_BYTES = 256 * 2 ** 20;

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
      // (a file name may lead anywhere, /dev/zero too: read once and at most MAX_IMAGE_BYTES)
      bytes = readFileBounded(path, MAX_IMAGE_BYTES, "regular file");
    } catch (e) {
      const reason = e instanceof FileReadError ? e.reason : (e as Error).message;
      if (reason === "ENOENT") {
        missing++;
        continue;
      }
      throw new ImageFileInputError(`${path}: cannot read (${reason})`);
    }
    const d = decodeImage(bytes, path);
    if (d.width !== im.width || d.height !== im.height) throw new ImageFileInputError(`${path}: ${d.width}x${d.height} pixels, but image ${JSON.stringify(im.id)} is ${im.width}x${im.height}`);
    pixels.push({ imageId: im.id, rgba: d.rgba, width: d.width, height: d.height });
  }
  return { pixels, missing };
}
