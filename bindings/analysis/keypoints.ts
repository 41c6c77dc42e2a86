// Keypoints in analysis mode: OKS (pycocotools' computeOks, through coco/oks.ts) as the similarity
// of a prediction and a label, in place of the IoU. The OKS sigmas of a category: the user's
// (`kptSigmas`: one list for every category, or a record by category id or name), else COCO's 17
// person sigmas when the category has 17 keypoints. A label without a visible keypoint is an ignore
// region (pycocotools: num_keypoints 0 -> ignore), scored by computeOks' rule for it (distance to
// the label's box extended by its size on each side).
import type { Box } from "../geometry/types.js";
import { COCO_KEYPOINT_SIGMAS } from "../coco/params.js";
import { oksLabel, oksPair, oksVars, type OksLabel } from "../coco/oks.js";
import { AnalysisInputError, type CategoryInfo, type ObjectInput, type Shape } from "./types.js";

/** OKS sigmas: one list for every category, or lists by category id or name. */
export type KeypointSigmas = readonly number[] | Readonly<Record<string, readonly number[]>>;

type KeypointShape = Extract<Shape, { kind: "keypoints" }>;

function checkSigmaList(v: unknown, path: string): readonly number[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "number" && Number.isFinite(x) && x > 0))
    throw new AnalysisInputError(`${path}: expected a non-empty list of positive numbers (one OKS sigma per keypoint)`);
  return v as number[];
}

/** The keypoints of a shape, checked: 3 * K finite numbers. */
export function keypointsOf(shape: Shape, path: string): KeypointShape {
  if (shape.kind !== "keypoints") throw new AnalysisInputError(`${path}.shape: iou "oks" compares keypoints, got a ${shape.kind} (every label and prediction must have keypoints)`);
  const kp = shape.keypoints;
  if (!Array.isArray(kp) || kp.length === 0 || kp.length % 3 !== 0)
    throw new AnalysisInputError(`${path}.keypoints: expected 3*K numbers [x1, y1, v1, ...], got ${Array.isArray(kp) ? kp.length : typeof kp}`);
  for (let i = 0; i < kp.length; i++)
    if (typeof kp[i] !== "number" || !Number.isFinite(kp[i])) throw new AnalysisInputError(`${path}.keypoints[${i}]: expected a number, got ${JSON.stringify(kp[i])}`);
  return shape;
}

/** True for a keypoints label with no visible keypoint (v > 0): an ignore region in OKS mode. */
export function noVisibleKeypoint(shape: Shape): boolean {
  if (shape.kind !== "keypoints") return false;
  for (let q = 2; q < shape.keypoints.length; q += 3) if (shape.keypoints[q]! > 0) return false;
  return true;
}

/** The extent [x, y, w, h] of keypoints (all of them, or the visible ones); null when none counts. */
function extent(kp: readonly number[], visibleOnly: boolean): Box | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let q = 0; q < kp.length; q += 3) {
    if (visibleOnly && !(kp[q + 2]! > 0)) continue;
    x0 = Math.min(x0, kp[q]!);
    x1 = Math.max(x1, kp[q]!);
    y0 = Math.min(y0, kp[q + 1]!);
    y1 = Math.max(y1, kp[q + 1]!);
  }
  return x0 <= x1 ? [x0, y0, x1 - x0, y1 - y0] : null;
}

/**
 * The box and area of a keypoints object. Labels: the given box (else the visible keypoints' extent)
 * and area (else the box's w * h): COCO's bbox and area, which OKS reads. Predictions: loadRes' rule,
 * the extent of every keypoint and its w * h.
 */
export function keypointBoxArea(shape: KeypointShape, label: boolean, path: string): { box: Box; area: number } {
  if (!label) {
    const b = extent(shape.keypoints, false)!;
    return { box: b, area: b[2] * b[3] };
  }
  const box = shape.box ?? extent(shape.keypoints, true);
  if (box === null) throw new AnalysisInputError(`${path}.shape: a label without a visible keypoint needs a box (OKS measures the distance to it)`);
  if (!box.every((v) => Number.isFinite(v)) || !(box[2] >= 0 && box[3] >= 0)) throw new AnalysisInputError(`${path}.shape.box: expected [x, y, width >= 0, height >= 0]`);
  const area = shape.area ?? box[2] * box[3];
  if (!(Number.isFinite(area) && area >= 0)) throw new AnalysisInputError(`${path}.shape.area: expected a number >= 0, got ${area}`);
  return { box, area };
}

/** The OKS `vars` of each category, resolved on first use from the user's sigmas or COCO's. */
export class KeypointSigmaTable {
  private readonly byCategory: (Float64Array | undefined)[];
  private readonly given: (readonly number[] | undefined)[];

  constructor(
    private readonly categories: readonly CategoryInfo[],
    sigmas: KeypointSigmas | undefined,
  ) {
    this.byCategory = new Array(categories.length);
    this.given = new Array(categories.length);
    if (sigmas === undefined) return;
    if (Array.isArray(sigmas)) {
      const list = checkSigmaList(sigmas, "kptSigmas");
      this.given.fill(list);
      return;
    }
    if (typeof sigmas !== "object" || sigmas === null) throw new AnalysisInputError("kptSigmas: expected a list of sigmas or a record of lists by category id or name");
    const rec = sigmas as Readonly<Record<string, readonly number[]>>;
    for (const key of Object.keys(rec)) {
      const k = categories.findIndex((c) => String(c.id) === key || c.name === key);
      if (k < 0) throw new AnalysisInputError(`kptSigmas.${key}: no category with this id or name`);
      this.given[k] = checkSigmaList(rec[key], `kptSigmas.${key}`);
    }
  }

  /** The vars of category k for an object with `n` keypoint numbers (a one-line error naming `path` when they disagree). */
  vars(k: number, n: number, path: string): Float64Array {
    const cached = this.byCategory[k];
    const cat = this.categories[k]!;
    const given = this.given[k];
    const K = given?.length ?? COCO_KEYPOINT_SIGMAS.length;
    if (n !== 3 * K) {
      const why = given ? `the ${K} OKS sigmas of category ${JSON.stringify(cat.name)}` : `COCO's ${K} person sigmas, used when no kptSigmas / --kpt-sigmas are given for category ${JSON.stringify(cat.name)}`;
      throw new AnalysisInputError(`${path}.keypoints: expected 3*${K} = ${3 * K} numbers (${why}), got ${n}`);
    }
    if (cached) return cached;
    const v = oksVars(given ?? COCO_KEYPOINT_SIGMAS);
    this.byCategory[k] = v;
    return v;
  }
}

/**
 * The OKS rows of one image (the same contract as the IoU rows of analyze()): predictions x labels
 * and labels x labels, row-major, the column's label the reference. Two objects of different
 * categories compare with the label's sigmas when they have as many keypoints, else OKS 0.
 */
export function keypointImage(
  predictions: readonly ObjectInput[],
  ps: Int32Array,
  labels: readonly ObjectInput[],
  ls: Int32Array,
  table: KeypointSigmaTable,
): {
  predGeom: { box: Box; area: number }[];
  labelGeom: { box: Box; area: number }[];
  predRows: (j0: number, j1: number) => Float64Array;
  labelRows: (a0: number, a1: number) => Float64Array;
} {
  const n = ls.length;
  const ref: OksLabel[] = new Array(n);
  const refVars: Float64Array[] = new Array(n);
  const labelGeom: { box: Box; area: number }[] = new Array(n);
  let maxK = 1;
  for (let g = 0; g < n; g++) {
    const o = labels[ls[g]!]!;
    const path = `labels[${ls[g]}]`;
    const s = keypointsOf(o.shape, path);
    refVars[g] = table.vars(o.category, s.keypoints.length, path);
    const geo = keypointBoxArea(s, true, path);
    labelGeom[g] = geo;
    ref[g] = oksLabel(s.keypoints, geo.box[0], geo.box[1], geo.box[2], geo.box[3], geo.area);
    maxK = Math.max(maxK, refVars[g]!.length);
  }
  const pk: readonly number[][] = Array.from(ps, (p) => {
    const o = predictions[p]!;
    const s = keypointsOf(o.shape, `predictions[${p}]`);
    table.vars(o.category, s.keypoints.length, `predictions[${p}]`);
    return s.keypoints as number[];
  });
  const predGeom = Array.from(ps, (p, j) => keypointBoxArea({ kind: "keypoints", keypoints: pk[j]! }, false, `predictions[${p}]`));
  const tmp = new Float64Array(maxK);
  const rows = (kps: readonly (readonly number[])[], r0: number, r1: number): Float64Array => {
    const out = new Float64Array((r1 - r0) * n);
    for (let r = r0; r < r1; r++) {
      const d = kps[r]!;
      for (let g = 0; g < n; g++) if (d.length === ref[g]!.g.length) out[(r - r0) * n + g] = oksPair(ref[g]!, d, refVars[g]!, tmp);
    }
    return out;
  };
  const lk = ref.map((L) => L.g as readonly number[]);
  return { predGeom, labelGeom, predRows: (j0, j1) => rows(pk, j0, j1), labelRows: (a0, a1) => rows(lk, a0, a1) };
}
