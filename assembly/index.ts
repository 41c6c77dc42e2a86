// The engine's exports: one wasm module, kernels over raw pointers (see bindings/engine/engine.ts).
export { alloc, reset, pin, unpin } from "./memory";
export { rleArea, rleBbox, rleMerge, rleToString, rleFromString, rleEncode, rleDecode } from "./rle";
export { rleFrPoly, rleFrPolys } from "./raster";
export { boxIouRows, maskIouRows, rlePrepare } from "./iou";
export { rotatedIouRows } from "./rotated";
export { rleBoundary, rleBoundaryScratch, rleBoundaryCap } from "./boundary";
export { cocoMatch } from "./match";
export { cocoAccumulate, cocoAccumulateInputs } from "./accumulate";
export { gatherMean } from "./summarize";
export { maskBounds, buildMasks } from "./masks";
export { cocoPlan } from "./plan";
export { scanCocoRecords, scanValues } from "./json";
