// The shapes that pass between the stages of a COCO evaluation (plan -> match -> accumulate ->
// summarize). A leaf: it imports only parameter types, so every stage can depend on it.
import type { CocoParams } from "./params.js";

/** What the plan kernel reads: dataset / results indices, evaluation positions of images and categories. */
export interface PlanInput {
  /** Evaluation position of each dataset image / category, or -1. */
  readonly imgPos: Int32Array;
  readonly catPos: Int32Array;
  readonly annImage: Int32Array;
  readonly annCategory: Int32Array;
  readonly canonical: Int32Array | null;
  readonly resImage: Int32Array;
  readonly resCategory: Int32Array;
  readonly score: Float64Array;
  /** Evaluated images / categories. */
  readonly I: number;
  readonly Kc: number;
  readonly useCats: boolean;
  /** maxDets[-1] (0 when maxDets is empty). */
  readonly maxDet: number;
}

/** The blocks and orders of an evaluation (CocoPlan, below, adds the parameters). */
export interface PlanOutput {
  readonly nBlocks: number;
  /** Evaluation position of each block's image (index into p.imgIds). */
  readonly blockImagePos: Int32Array;
  /** K-axis index of each block (0 when useCats is false). */
  readonly blockK: Int32Array;
  readonly blockGtStart: Int32Array;
  readonly blockDtStart: Int32Array;
  /** Annotation index per label entry. */
  readonly gtList: Int32Array;
  /** Result index per detection entry. */
  readonly dtList: Int32Array;
  /** Rank of each detection entry within its block (0 = highest score). */
  readonly dtRank: Int32Array;
  /** Detection entries in accumulate order: per K index, by score (stable: block order, then rank). */
  readonly accOrder: Int32Array;
  /** accOrder positions of K index k: kStart[k] .. kStart[k+1]. */
  readonly kStart: Int32Array;
  /** 1 when K index k has blocks (evalImgs): else its precision / recall stay -1. */
  readonly kEval: Uint8Array;
  readonly maxG: number;
  readonly maxD: number;
}

/**
 * Everything both implementations share: blocks in evalImgs order, labels and detections per block
 * (detections sorted by score and cut to maxDets[-1]), and accumulate's order of the detections.
 */
export interface CocoPlan extends PlanOutput {
  readonly p: CocoParams;
  readonly T: number;
  readonly A: number;
  /** Size of the K axis (1 when useCats is false). */
  readonly K: number;
}

/**
 * Per-image matching, for analysis layers. A block is one (image, category) pair with ground truth or
 * detections (one image when useCats is false), in pycocotools' evalImgs order: category-major, images
 * in sorted id order. Arrays indexed [a][t][...] are flattened: index (a * T + t) * n + position.
 */
export interface CocoMatches {
  /** IoU thresholds (T) and area ranges (A) of the match arrays. */
  readonly T: number;
  readonly A: number;
  readonly blockCount: number;
  /** Index into dataset.images. */
  readonly blockImage: Int32Array;
  /** Index into params.catIds (the K axis), or -1 when useCats is false. */
  readonly blockCategory: Int32Array;
  /** Block b's detections are dt[blockDtStart[b] .. blockDtStart[b+1]) (length blockCount + 1). */
  readonly blockDtStart: Int32Array;
  /** Block b's ground truth is gt[blockGtStart[b] .. blockGtStart[b+1]). */
  readonly blockGtStart: Int32Array;
  /** Block b's IoU matrix is iou[blockIouStart[b] ..), detection-major (d * G + g); empty when D or G is 0. */
  readonly blockIouStart: Int32Array;
  /** Result indices: per block sorted by score (stable) and cut to maxDets[-1]. Result i has id i + 1. */
  readonly dt: Int32Array;
  /** Annotation indices, per block in file order (pycocotools' repeated-id substitution applied). */
  readonly gt: Int32Array;
  /** IoU (bbox / segm) or OKS (keypoints). Mask IoU is -1 between masks of different sizes. */
  readonly iou: Float64Array;
  /** [A][T][dt]: the matched annotation index, or -1. */
  readonly dtMatch: Int32Array;
  /**
   * [A][T][dt]: pycocotools' dtIgnore (matched to an ignored label, or unmatched and outside the area
   * range; a match to an annotation with id 0 counts as unmatched there, as in pycocotools).
   */
  readonly dtIgnore: Uint8Array;
  /** [A][T][gt]: the index of the result matched to it (the last one, for a crowd), or -1. */
  readonly gtMatch: Int32Array;
  /** [A][gt]: ignored (crowd, keypoints without visible points, or area outside the range). */
  readonly gtIgnore: Uint8Array;
}

/**
 * What accumulate() reads of the matching, backend-independent: per detection entry (the plan's
 * order: blocks, then rank within the block) and per label entry.
 */
export interface MatchOutcomes {
  /** [entry][a][t]: 0 ignored, 1 true positive, 2 false positive (a match to an id-0 label is one). */
  readonly status: Uint8Array;
  /** [label entry][a]: 1 when ignored (crowd, no visible keypoints, or area outside range a). */
  readonly gtIgnore: Uint8Array;
}

/**
 * accumulate()'s precision, recall and scores, stored for the K indices that have data only: a
 * category without any label or detection (no evalImgs) has -1 everywhere, so its slices are not
 * stored (accumulated.ts expands them to pycocotools' shapes, on demand). A taxonomy of 20,000
 * categories then costs what the categories present cost.
 */
export interface Accumulated {
  /** pycocotools' shapes: [T, R, K, A, M] and [T, K, A, M]. */
  readonly precisionShape: readonly [number, number, number, number, number];
  readonly recallShape: readonly [number, number, number, number];
  /** The stored K indices, ascending; every other K index's precision, recall and scores are -1. */
  readonly kIndex: Int32Array;
  /** precision[T, R, kIndex.length, A, M], C order: the stored K indices' slices. */
  readonly precision: Float64Array;
  /** recall[T, kIndex.length, A, M]. */
  readonly recall: Float64Array;
  /** scores[T, R, kIndex.length, A, M] (empty where a caller needs no scores, e.g. the bootstrap). */
  readonly scores: Float64Array;
}

/**
 * How the match kernel gets each block's IoU (assembly/match.ts, field M_MODE): box IoU computed in
 * the kernel (bbox), given by the host (keypoint OKS, or masks without the mask kernels), none
 * (keypoints without categories: nothing matches), mask IoU computed in the kernel (segm).
 */
export { MATCH_BOX_IOU, MATCH_GIVEN_IOU, MATCH_MASK_IOU, MATCH_NO_IOU, type MatchMode } from "../generated/contexts.js";
