// COCO evaluation of rotated boxes (iouType "rotated"): every evaluated annotation and result carries
// `rbox: [cx, cy, w, h, angle]` (pixels; angle in degrees, counter-clockwise on screen with the image
// y axis down, as detectron2's RotatedBoxes), compared by the exact polygon IoU
// (engine/rotated-iou.ts) and matched by pycocotools' evaluateImg over those IoUs. A result's area
// (the small / medium / large ranges) is w * h of its rbox, as detectron2's RotatedCOCOeval gets
// from loadRes; a label's is its `area`, as pycocotools.
import { ROTATED_STRIDE } from "../geometry/rotated.js";
import { CocoInputError, describeValue } from "./errors.js";
import type { CocoResults } from "./inputs.js";

const EXPECTED = "expected [cx, cy, w, h, angle]: 5 finite numbers, w and h >= 0";

/** The problem with one rbox value, or "" when it is usable. */
function rboxProblem(v: unknown): string {
  if (v === undefined) return "missing (needed for rotated evaluation)";
  if (!Array.isArray(v) || v.length !== ROTATED_STRIDE || !v.every((x) => typeof x === "number" && Number.isFinite(x)) || !(v[2] >= 0 && v[3] >= 0)) {
    return `${EXPECTED}, got ${describeValue(v)}`;
  }
  return "";
}

/** Throws a CocoInputError naming `${what}[i].rbox` for the first listed object whose rbox is not usable. */
export function checkRotatedBoxes(raw: readonly Record<string, unknown>[], list: Int32Array, what: "annotations" | "results"): void {
  for (let j = 0; j < list.length; j++) {
    const i = list[j]!;
    const problem = rboxProblem(raw[i]!.rbox);
    if (problem) throw new CocoInputError(`${what}[${i}].rbox`, problem);
  }
}

/** The rboxes of list[from..to) packed (5 numbers each), already checked. */
export function gatherRotatedBoxes(raw: readonly Record<string, unknown>[], list: Int32Array, from: number, to: number): Float64Array {
  const out = new Float64Array(ROTATED_STRIDE * (to - from));
  for (let j = from; j < to; j++) out.set(raw[list[j]!]!.rbox as number[], ROTATED_STRIDE * (j - from));
  return out;
}

/** `dt` with each result's area = w * h of its rbox (results without a usable rbox keep theirs: the checks name them when evaluated). */
export function withRotatedAreas(dt: CocoResults): CocoResults {
  const area = Float64Array.from(dt.area);
  for (let i = 0; i < dt.count; i++) {
    const v = dt.raw[i]!.rbox;
    if (rboxProblem(v) === "") area[i] = (v as number[])[2]! * (v as number[])[3]!;
  }
  return { ...dt, area };
}
