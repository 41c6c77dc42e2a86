// Image metrics from pixels (model-performance.md, "Image metrics when pixels are given (RGBA)"):
// brightness, contrast and sharpness of one image, defined in docs/analysis-format.md.
import { AnalysisInputError } from "./types.js";

export interface ImagePixelMetrics {
  /** mean luma / 255, in [0, 1] */
  brightness: number;
  /** population standard deviation of luma / 255, in [0, 0.5] */
  contrast: number;
  /** population variance of the 4-neighbour Laplacian of luma (luma in 0..255), reflect-101 borders */
  sharpness: number;
}

/** Pixels of one image: RGBA, row-major, 4 values per pixel (alpha is ignored). */
export interface ImagePixels {
  readonly rgba: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

/**
 * Luma of 8-bit RGB as OpenCV's RGB->gray conversion computes it: (4899 R + 9617 G + 1868 B + 8192) >> 14,
 * an integer in 0..255 (the Rec. 601 weights .299, .587, .114 in 14-bit fixed point, rounded).
 * Channel values are clamped to 0..255 and rounded (as a Uint8ClampedArray would store them).
 */
export function lumaOf(rgba: ArrayLike<number>, width: number, height: number): Uint8Array {
  const n = width * height;
  const y = new Uint8Array(n);
  const c8 = (v: number) => (v >= 255 ? 255 : v > 0 ? Math.round(v) : 0);
  if (rgba instanceof Uint8ClampedArray || rgba instanceof Uint8Array) {
    for (let i = 0, j = 0; i < n; i++, j += 4) y[i] = (4899 * rgba[j]! + 9617 * rgba[j + 1]! + 1868 * rgba[j + 2]! + 8192) >> 14;
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 4) y[i] = (4899 * c8(rgba[j]!) + 9617 * c8(rgba[j + 1]!) + 1868 * c8(rgba[j + 2]!) + 8192) >> 14;
  }
  return y;
}

/** Mean and population variance from a histogram of integer values lo..lo+h.length-1. */
function histStats(h: Float64Array, lo: number, n: number): { mean: number; variance: number } {
  let s = 0;
  for (let v = 0; v < h.length; v++) if (h[v]) s += h[v]! * (v + lo);
  const mean = s / n;
  let ss = 0;
  for (let v = 0; v < h.length; v++) {
    if (!h[v]) continue;
    const d = v + lo - mean;
    ss += h[v]! * d * d;
  }
  return { mean, variance: ss / n };
}

/** Brightness, contrast and sharpness of one RGBA image (see docs/analysis-format.md). */
export function imagePixelMetrics(rgba: ArrayLike<number>, width: number, height: number, path = "pixels"): ImagePixelMetrics {
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0))
    throw new AnalysisInputError(`${path}: width and height must be positive integers, got ${width}x${height}`);
  if (!rgba || typeof rgba.length !== "number") throw new AnalysisInputError(`${path}.rgba: expected an array of RGBA values`);
  if (rgba.length !== width * height * 4)
    throw new AnalysisInputError(`${path}.rgba: expected ${width * height * 4} values (4 x ${width} x ${height}), got ${rgba.length}`);
  const W = width;
  const H = height;
  const n = W * H;
  const Y = lumaOf(rgba, W, H);
  // luma histogram: exact integer counts, so the statistics do not depend on the pixel order
  const hy = new Float64Array(256);
  for (let i = 0; i < n; i++) hy[Y[i]!]!++;
  const ly = histStats(hy, 0, n);
  // Laplacian L = Y(x-1,y) + Y(x+1,y) + Y(x,y-1) + Y(x,y+1) - 4 Y(x,y), an integer in -1020..1020;
  // outside the image, reflect-101 (..., Y1, Y0, Y1, ...); a side of length 1 reflects onto itself
  const hl = new Float64Array(2041);
  const left = new Int32Array(W);
  const right = new Int32Array(W);
  for (let x = 0; x < W; x++) {
    left[x] = x > 0 ? x - 1 : W > 1 ? 1 : 0;
    right[x] = x < W - 1 ? x + 1 : W > 1 ? W - 2 : 0;
  }
  for (let y = 0; y < H; y++) {
    const row = y * W;
    const up = (y > 0 ? y - 1 : H > 1 ? 1 : 0) * W;
    const down = (y < H - 1 ? y + 1 : H > 1 ? H - 2 : 0) * W;
    for (let x = 0; x < W; x++) {
      const l = Y[row + left[x]!]! + Y[row + right[x]!]! + Y[up + x]! + Y[down + x]! - 4 * Y[row + x]!;
      hl[l + 1020]!++;
    }
  }
  const ll = histStats(hl, -1020, n);
  return { brightness: ly.mean / 255, contrast: Math.sqrt(ly.variance) / 255, sharpness: ll.variance };
}
