// detection-eval/node: the Node-only part of the API — COCO files by path (.json or .json.gz, any
// size: streamed into columns, never held as one string) and evaluation on worker threads.
export {
  loadCocoInputs,
  streamCocoDataset as readCocoDataset,
  streamCocoResults as readCocoResults,
  type LoadedInputs,
  type StreamLoadOptions,
} from "./ingest/stream-load.js";
export { evaluateCocoParallel, NodeWorkerPool, type ParallelOptions } from "./workers/node-threads.js";
export { writeFileAtomic, checkOutputNotInput, OutputInputError } from "./ingest/output-file.js";
