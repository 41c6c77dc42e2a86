// COCO evaluation with pycocotools parity: evaluate / accumulate / summarize over parsed inputs (bindings/ingest/ parses them).
export { CocoInputError } from "./errors.js";
export type { CocoId } from "./ids.js";
export { type CocoDataset, type CocoImages, type CocoCategories, type CocoAnnotations, type JsonInput, BOX_OK, BOX_MISSING, BOX_MALFORMED } from "./inputs.js";
export type { CocoResults, ResultSource } from "./inputs.js";
export { resolveParams, COCO_KEYPOINT_SIGMAS, type CocoParams, type CocoParamsInput, type IouType } from "./params.js";
export { evaluateCoco, evaluateCocoState, type CocoEvaluation, type CocoCategoryResult, type CocoSummary } from "./evaluate.js";
export { mergeCocoStates, restrictState, shardImages, CocoStateInputError, type CocoState, type ShardOf, type MergeOptions } from "./state.js";
export { cocoStateToJson, cocoStateFromJson, type CocoStateJson } from "./state-file.js";
export { evaluateLvis, LVIS_MAX_DETS, LVIS_RESULT_NAMES, type LvisEvaluation, type LvisParamsInput, type LvisResultName } from "./lvis.js";
export type { CocoMatches, Accumulated } from "./types.js";
export { accumulate } from "./accumulate.js";
export { summarize, summaryLines, statsLabels, perCategory, type CategoryResult } from "./summarize.js";
export { segmentationToRle } from "./object-rle.js";
export { linspace, pairwiseSum, npSum, npMean, formatFixed } from "./numeric.js";
export { bootstrapCoco, type CocoBootstrap, type CocoBootstrapOptions } from "./bootstrap.js";
export { rng, xoshiro128ss, type Interval } from "./resample.js";
