// The segmentation of one COCO element, as the ingest layer hands it to the evaluation: one kind
// enum for the validator, the streaming reader and the wasm record scanner (assembly/json.ts writes
// the kinds 0-6), and the read-only shape of the parser's segmentation pools. A leaf: the parsed
// dataset / results carry these columns as an explicit field (`segments`).
import type { Column } from "./column.js";

// The kinds (SEG_NONE ... SEG_RLE_LIST) are the segmentationKind enum of assembly/abi/contexts.json.
export {
  SEG_BOXES,
  SEG_EMPTY,
  SEG_NONE,
  SEG_POLYGONS,
  SEG_RLE_COUNTS,
  SEG_RLE_DECODED,
  SEG_RLE_LIST,
  SEG_RLE_STRING,
  type SegmentationKind,
} from "../generated/contexts.js";

/**
 * The segmentations of the fast elements, in pools: polygons as float64 coordinates (parts),
 * compressed RLE strings as bytes, uncompressed counts as uint32. Element i's data is described by
 * kind[i], and for polygons parts start[i] .. + length[i] of partOffset / partLength, for RLE an
 * offset / length into the byte or count pool with its size h, w.
 */
export interface SegmentationPools {
  readonly kind: Column<Uint8Array>;
  readonly start: Column<Int32Array>;
  readonly length: Column<Int32Array>;
  readonly h: Column<Int32Array>;
  readonly w: Column<Int32Array>;
  readonly bstart: Column<Int32Array>;
  readonly blength: Column<Int32Array>;
  readonly coords: Column<Float64Array>;
  readonly partOffset: Column<Int32Array>;
  readonly partLength: Column<Int32Array>;
  readonly bytes: Column<Uint8Array>;
  readonly counts: Column<Uint32Array>;
}

/** Fast record rec's polygons (kind SEG_POLYGONS) as pycocotools' lists of coordinates. */
export function polygonsAt(seg: SegmentationPools, rec: number): number[][] {
  const parts: number[][] = [];
  const p0 = seg.start.a[rec]!;
  for (let p = p0; p < p0 + seg.length.a[rec]!; p++) {
    const off = seg.partOffset.a[p]!;
    parts.push(Array.from(seg.coords.a.subarray(off, off + seg.partLength.a[p]!)));
  }
  return parts;
}

/** Segmentations of a parsed dataset / results object, by element index. */
export interface ColumnarSegmentations {
  readonly seg: SegmentationPools;
  /** Element index -> its fast record index, or -1 for a fallback element (use raw). */
  readonly fastIndex: Int32Array | null;
}
