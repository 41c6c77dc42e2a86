// The engine's exports: one wasm module, kernels over raw pointers.
export { alloc, reset } from "./memory";
