// Growable typed columns: the streaming parser's columns (bindings/ingest/stream-coco.ts) and the pools of
// the mask jobs (bindings/coco/mask-pool.ts). Browser-safe.

export type ColumnArray = Float64Array | Int32Array | Uint8Array | Uint32Array;

/** A growable typed array (capacity doubles): reserve / push / append, then view() of the filled part. */
export class Column<A extends ColumnArray> {
  /**
   * `a` is used as it is, its first `n` entries filled (a view without spare room is copied on growth).
   * `firstCapacity`: the capacity of the first growth (a pool made empty is allocated on first use).
   */
  constructor(
    public a: A,
    public n = 0,
    private readonly firstCapacity = 0,
  ) {}
  /** The array, with room for k more entries after n. */
  reserve(k: number): A {
    if (this.n + k > this.a.length) this.grow(this.n + k);
    return this.a;
  }
  append(src: A): void {
    this.reserve(src.length).set(src as never, this.n);
    this.n += src.length;
  }
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  grow(need: number): void {
    let cap = Math.max(1024, this.a.length * 2, this.firstCapacity);
    while (cap < need) cap *= 2;
    // (a column on a SharedArrayBuffer stays on one)
    const C = this.a.constructor as { new (length: number): A; new (buffer: ArrayBufferLike): A; BYTES_PER_ELEMENT: number };
    const b = typeof SharedArrayBuffer !== "undefined" && this.a.buffer instanceof SharedArrayBuffer ? new C(new SharedArrayBuffer(cap * C.BYTES_PER_ELEMENT)) : new C(cap);
    b.set(this.a.subarray(0, this.n) as never);
    this.a = b;
  }
  view(): A {
    return this.a.subarray(0, this.n) as A;
  }
}
