// The engine's exports: one wasm module, kernels over raw pointers (see bindings/engine.ts).
export { alloc, reset } from "./memory";
export { rleArea, rleBbox, rleBboxes, rleMerge, rleToString, rleFromString, rleEncode, rleDecode } from "./rle";
export { rleFrPoly, rleFrPolys } from "./raster";
export { boxIouRows, maskIouRows } from "./iou";
