// Reading inputs: COCO ground truth and results (JSON text, bytes or parsed values) into the columnar
// shapes of bindings/coco/inputs.ts. Browser-safe; the streaming file readers are Node-only (stream-load.ts).
export { parseCocoDataset } from "./coco-dataset.js";
export { parseCocoResults } from "./coco-results.js";
