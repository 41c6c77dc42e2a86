// Mask boundaries for Boundary IoU (Cheng et al., CVPR 2021), as boundary-iou-api's mask_to_boundary:
// the dilation (in pixels) from the image diagonal, and the plain TypeScript twin of
// assembly/boundary.ts that the kernel property test compares with (a summed-area table over the
// whole decoded mask: a different algorithm from the kernel's run filters).
import type { Rle } from "./types.js";

/** The mask as column-major bytes (0 / 1). */
function decode(R: Rle): Uint8Array {
  const M = new Uint8Array(R.h * R.w);
  let p = 0;
  for (let j = 0; j < R.counts.length; j++) {
    if (j % 2 === 1) M.fill(1, p, p + R.counts[j]!);
    p += R.counts[j]!;
  }
  return M;
}

/** Column-major bytes -> counts, as maskApi.c's rleEncode (background run first). */
function encode(T: Uint8Array, h: number, w: number): Rle {
  const cnts: number[] = [];
  let v = 0;
  let c = 0;
  for (let j = 0; j < h * w; j++) {
    if (T[j] !== v) {
      cnts.push(c);
      c = 0;
      v = T[j]!;
    }
    c++;
  }
  cnts.push(c);
  return { h, w, counts: Uint32Array.from(cnts) };
}

/** Python's round() of a float: half to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * mask_to_boundary's dilation of an h x w mask: max(1, int(round(ratio * sqrt(h^2 + w^2)))), the
 * float64 steps of numpy and Python's round (half to even).
 */
export function boundaryDilation(h: number, w: number, ratio: number): number {
  const d = roundHalfEven(ratio * Math.sqrt(h * h + w * w));
  return d < 1 ? 1 : d;
}

/**
 * The boundary of a mask at dilation k (whole pixels): the mask pixels whose (2k+1) x (2k+1) window
 * reaches the background or leaves the image (cv2.erode of the mask padded by one 0 pixel, k times
 * with a 3x3 kernel, subtracted from the mask). pycocotools' counts form (mask_utils.encode).
 */
export function rleBoundaryReference(R: Rle, k: number): Rle {
  const { h, w } = R;
  const M = decode(R);
  // S[(x) * (h+1) + y]: the mask pixels in columns < x, rows < y
  const H = h + 1;
  const S = new Float64Array((w + 1) * H);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) S[(x + 1) * H + y + 1] = M[x * h + y]! + S[x * H + y + 1]! + S[(x + 1) * H + y]! - S[x * H + y]!;
  }
  const side = 2 * k + 1;
  const B = new Uint8Array(h * w);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      if (!M[x * h + y]) continue;
      const inside = x - k >= 0 && y - k >= 0 && x + k < w && y + k < h;
      const full = inside && S[(x + k + 1) * H + y + k + 1]! - S[(x - k) * H + y + k + 1]! - S[(x + k + 1) * H + y - k]! + S[(x - k) * H + y - k]! === side * side;
      B[x * h + y] = full ? 0 : 1;
    }
  }
  return encode(B, h, w);
}
