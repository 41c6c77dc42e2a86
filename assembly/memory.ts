// Raw-pointer ABI: the host lays a batch out in linear memory with alloc(), calls kernels with
// pointers and lengths, copies results out, then reset()s. The stub runtime's bump allocator
// never frees, so one reset per batch is all the memory management there is.

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function reset(): void {
  heap.reset();
}
