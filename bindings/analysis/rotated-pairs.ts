// Exact IoU for the rotated-box pairs of one image in analysis mode: where both shapes are boxes
// (rotated or axis-aligned) and at least one is rotated, the rendered-mask IoU is replaced by the
// exact polygon IoU (engine/rotated-iou.ts), crowd labels as intersection / prediction area. The
// other pairs keep their mask IoU. Rotated shapes use Encord's angles (clockwise on screen): converted here.
import { rotatedIouMatrix } from "../engine/rotated-iou.js";
import { clockwiseToCcw, ROTATED_STRIDE } from "../geometry/rotated.js";
import type { GeometryEngine } from "../geometry/types.js";
import type { Shape } from "./types.js";

/** How analysis mode compares two rotated boxes (or a rotated and an axis-aligned one). */
export type RotatedIouMode = "exact" | "mask";

/** A box or rotated shape in detectron2's convention (degrees counter-clockwise), or null for other shapes. */
function asRotated(shape: Shape): readonly number[] | null {
  if (shape.kind === "rotated") return clockwiseToCcw(shape.box);
  if (shape.kind === "box") return [shape.box[0] + shape.box[2] / 2, shape.box[1] + shape.box[3] / 2, shape.box[2], shape.box[3], 0];
  return null;
}

interface Side {
  /** Packed boxes of the box-like shapes, in order. */
  readonly boxes: Float64Array;
  /** Per shape: its position in `boxes`, or -1 (not a box). */
  readonly at: Int32Array;
  readonly rotated: Uint8Array;
}

function side(shapes: readonly Shape[]): Side {
  const at = new Int32Array(shapes.length).fill(-1);
  const rotated = new Uint8Array(shapes.length);
  const list: number[] = [];
  shapes.forEach((s, i) => {
    const b = asRotated(s);
    if (b === null) return;
    at[i] = list.length / ROTATED_STRIDE;
    rotated[i] = s.kind === "rotated" ? 1 : 0;
    list.push(...b);
  });
  return { boxes: Float64Array.from(list), at, rotated };
}

/** The exact-IoU overwrite of one image's matrices of rows x cols, or null when no pair of it is rotated. */
export class RotatedPairs {
  private constructor(
    private readonly engine: GeometryEngine,
    private readonly rows: Side,
    private readonly cols: Side,
  ) {}

  static of(engine: GeometryEngine, rows: readonly Shape[], cols: readonly Shape[]): RotatedPairs | null {
    const anyRotated = (xs: readonly Shape[]) => xs.some((s) => s.kind === "rotated");
    if (!anyRotated(rows) && !anyRotated(cols)) return null;
    return new RotatedPairs(engine, side(rows), side(cols));
  }

  /** Overwrites rows r0..r1-1 of `out` (row-major, one value per col) where the pair is rotated and box-like; returns `out`. */
  overwrite(out: Float64Array, r0: number, r1: number, crowd: Uint8Array | null): Float64Array {
    const n = this.cols.at.length;
    const colIdx: number[] = [];
    for (let g = 0; g < n; g++) if (this.cols.at[g]! >= 0) colIdx.push(g);
    const rowIdx: number[] = [];
    for (let r = r0; r < r1; r++) if (this.rows.at[r]! >= 0) rowIdx.push(r);
    if (colIdx.length === 0 || rowIdx.length === 0) return out;
    const pick = (s: Side, idx: readonly number[]) => {
      const p = new Float64Array(ROTATED_STRIDE * idx.length);
      idx.forEach((i, k) => p.set(s.boxes.subarray(ROTATED_STRIDE * s.at[i]!, ROTATED_STRIDE * (s.at[i]! + 1)), ROTATED_STRIDE * k));
      return p;
    };
    const c = crowd === null ? null : Uint8Array.from(colIdx, (g) => crowd[g]!);
    const exact = rotatedIouMatrix(this.engine, "analyze", pick(this.rows, rowIdx), pick(this.cols, colIdx), c);
    rowIdx.forEach((r, a) => {
      colIdx.forEach((g, b) => {
        if (this.rows.rotated[r] || this.cols.rotated[g]) out[(r - r0) * n + g] = exact[a * colIdx.length + b]!;
      });
    });
    return out;
  }
}
