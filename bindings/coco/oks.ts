// The object keypoint similarity of one label and one detection: pycocotools' COCOeval.computeOks
// for one (gt, dt) pair, with numpy's arithmetic order (npSum). The one OKS of the project: the COCO
// evaluation (overlaps.ts) and analysis mode (analysis/keypoints.ts) both call it.
import { npSum, EPS } from "./numeric.js";

/** (2 * sigma)^2 per keypoint: computeOks' `vars`. */
export function oksVars(sigmas: readonly number[]): Float64Array {
  const vars = new Float64Array(sigmas.length);
  for (let j = 0; j < sigmas.length; j++) {
    const s2 = sigmas[j]! * 2;
    vars[j] = s2 * s2;
  }
  return vars;
}

/** The label's side of computeOks: its keypoints, how many are visible (k1), the box doubled each way, area + eps. */
export interface OksLabel {
  readonly g: ArrayLike<number>;
  readonly k1: number;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  readonly areaEps: number;
}

/** computeOks' per-label values from the keypoints [x, y, v, ...], the bbox [x, y, w, h] and the area. */
export function oksLabel(g: ArrayLike<number>, bx: number, by: number, bw: number, bh: number, area: number): OksLabel {
  let k1 = 0;
  for (let q = 2; q < g.length; q += 3) if (g[q]! > 0) k1++;
  return { g, k1, x0: bx - bw, x1: bx + bw * 2, y0: by - bh, y1: by + bh * 2, areaEps: area + EPS };
}

/**
 * OKS of detection keypoints `d` ([x, y, v, ...], v unread) with the label: the mean of exp(-e) over
 * the label's visible keypoints, or, when it has none, over every keypoint with the distance to the
 * label's box extended by its size on each side. `tmp` holds at least vars.length numbers.
 */
export function oksPair(L: OksLabel, d: ArrayLike<number>, vars: Float64Array, tmp: Float64Array): number {
  const k = vars.length;
  const g = L.g;
  let n = 0;
  for (let q = 0; q < k; q++) {
    let dx: number;
    let dy: number;
    if (L.k1 > 0) {
      if (!(g[3 * q + 2]! > 0)) continue;
      dx = d[3 * q]! - g[3 * q]!;
      dy = d[3 * q + 1]! - g[3 * q + 1]!;
    } else {
      const xd = d[3 * q]!;
      const yd = d[3 * q + 1]!;
      dx = Math.max(0, L.x0 - xd) + Math.max(0, xd - L.x1);
      dy = Math.max(0, L.y0 - yd) + Math.max(0, yd - L.y1);
    }
    const e = (dx * dx + dy * dy) / vars[q]! / L.areaEps / 2;
    tmp[n++] = Math.exp(-e);
  }
  return npSum(tmp, 0, n) / n;
}
