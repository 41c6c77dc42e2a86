// detection-eval: the public API. Browser-safe: nothing here (or below it) imports node: modules;
// file loading by path lives in bindings/ingest/node-files.ts, used by the CLI.
export { createEngine, type Engine, type EngineOptions, type EngineExports, type WasmSource } from "./engine/engine.js";
export { init, type InitSource } from "./engine/init.js";
// Exact rotated-box IoU (detectron2's angle convention: degrees counter-clockwise); synchronous.
export { rotatedBoxIou, type RotatedBoxIouOptions } from "./engine/rotated-iou.js";
export { clockwiseToCcw } from "./geometry/rotated.js";
// Analyses as plain data (typed arrays): post them between threads, embed them in pages (the HTML report).
export { encodeAnalysis, decodeAnalysis, type EncodedAnalysis } from "./report/data.js";
export {
  GeometryInputError,
  rotatedBoxToPolygon,
  type GeometryEngine,
  type CrowdFlags,
  type Rle,
  type Box,
  type RotatedBox,
  type PixelOrder,
} from "./geometry/types.js";
export {
  CocoInputError,
  evaluateCoco,
  evaluateLvis,
  type LvisEvaluation,
  type LvisParamsInput,
  type LvisResultName,
  resolveParams,
  segmentationToRle,
  COCO_KEYPOINT_SIGMAS,
  type CocoId,
  type CocoDataset,
  type CocoResults,
  type JsonInput,
  type CocoParams,
  type CocoParamsInput,
  type IouType,
  type CocoEvaluation,
  type CocoMatches,
  type CocoCategoryResult,
  bootstrapCoco,
  type CocoBootstrap,
  type CocoBootstrapOptions,
  evaluateCocoState,
  mergeCocoStates,
  restrictState,
  shardImages,
  cocoStateToJson,
  cocoStateFromJson,
  CocoStateInputError,
  type CocoState,
  type CocoStateJson,
  type CocoSummary,
  type ShardOf,
  type MergeOptions,
} from "./coco/index.js";
export { createEvaluator, type Evaluator, type EvaluatorOptions, type BatchCounts } from "./evaluator/evaluator.js";
export * from "./errors/index.js";
export { parseCocoDataset, parseCocoResults } from "./ingest/index.js";
export { evaluateCocoInWorkers, serveMatchTasks, WebWorkerPool, type WebWorkerOptions } from "./workers/web-workers.js";
export * from "./analysis/index.js";
