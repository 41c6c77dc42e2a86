// Raw-pointer ABI: the host lays a batch out in linear memory with alloc(), calls kernels with
// pointers and lengths, copies results out, then reset()s. A plain bump allocator over the heap:
// the kernels make no managed allocations, so nothing else uses the heap. Unlike the stub
// runtime's __alloc it has no 1 GiB cap per block (an RGBA canvas of 2^28 pixels is 1 GiB).

// @ts-ignore: decorator
@lazy const heapStart: usize = (__heap_base + 15) & ~(<usize>15);
let top: usize = 0;
let floor: usize = 0; // reset() goes back to here: 0 = the heap's start

/** A 16-byte aligned block of `bytes` bytes, or 0 when memory cannot grow that far. */
export function alloc(bytes: usize): usize {
  if (top == 0) top = heapStart;
  const ptr = top;
  if (bytes > <usize>0xfffe0000 - ptr) return 0;
  const end = (ptr + bytes + 15) & ~(<usize>15);
  const pages = memory.size();
  const have = <usize>pages << 16;
  if (end > have) {
    const needed = <i32>((end - have + 0xffff) >>> 16);
    const wanted = max(pages, needed); // double the memory when that is enough
    if (memory.grow(wanted) < 0 && memory.grow(needed) < 0) return 0;
  }
  top = end;
  return ptr;
}

/** Frees every block at once (but those pinned). */
export function reset(): void {
  top = floor != 0 ? floor : heapStart;
}

/** Keeps the blocks allocated so far across reset(), until unpin(): a pool the next batch reads in place. */
export function pin(): void {
  floor = top;
}

export function unpin(): void {
  floor = 0;
}
