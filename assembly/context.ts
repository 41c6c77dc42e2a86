// Reading a kernel's context block (u32 fields, numbered in assembly/generated/contexts.ts) and the
// typed arrays it points to.

// @ts-ignore: decorator
@inline export function field(ctx: usize, i: u32): usize {
  return <usize>load<u32>(ctx + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline export function setField(ctx: usize, i: u32, v: u32): void {
  store<u32>(ctx + (<usize>i << 2), v);
}

// @ts-ignore: decorator
@inline export function i32At(p: usize, i: u32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline export function f64At(p: usize, i: u32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
