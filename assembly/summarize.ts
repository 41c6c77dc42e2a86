// pycocotools' summarize() means (np.mean of the entries > -1 of a slice of precision or recall),
// with numpy's pairwise summation, over the arrays the host copied in. The TypeScript twin is
// bindings/coco/summarize.ts (gatherMean).

/** numpy's pairwise_sum_DOUBLE over a[0..n): blocks of 8 accumulators, split in halves above 128. */
function pairwiseSum(a: usize, n: u32): f64 {
  if (n < 8) {
    let res: f64 = -0.0;
    for (let i: u32 = 0; i < n; i++) res += load<f64>(a + (<usize>i << 3));
    return res;
  }
  if (n <= 128) {
    let r0 = load<f64>(a), r1 = load<f64>(a, 8), r2 = load<f64>(a, 16), r3 = load<f64>(a, 24);
    let r4 = load<f64>(a, 32), r5 = load<f64>(a, 40), r6 = load<f64>(a, 48), r7 = load<f64>(a, 56);
    const end = n - (n % 8);
    let i: u32 = 8;
    for (; i < end; i += 8) {
      const p = a + (<usize>i << 3);
      r0 += load<f64>(p);
      r1 += load<f64>(p, 8);
      r2 += load<f64>(p, 16);
      r3 += load<f64>(p, 24);
      r4 += load<f64>(p, 32);
      r5 += load<f64>(p, 40);
      r6 += load<f64>(p, 48);
      r7 += load<f64>(p, 56);
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += load<f64>(a + (<usize>i << 3));
    return res;
  }
  let n2 = n / 2;
  n2 -= n2 % 8;
  return pairwiseSum(a, n2) + pairwiseSum(a + (<usize>n2 << 3), n - n2);
}

/**
 * The mean of the entries > -1 of src (f64) at tOff[t] + i * stride + pairOff[q], in the order t
 * (nt of them), i (0..n), q (np), or -1 when there are none. out: room for nt * n * np f64.
 */
export function gatherMean(src: usize, tOff: usize, nt: u32, n: u32, stride: u32, pairOff: usize, np: u32, out: usize): f64 {
  let m: u32 = 0;
  for (let t: u32 = 0; t < nt; t++) {
    const base = <u32>load<i32>(tOff + (<usize>t << 2));
    for (let i: u32 = 0; i < n; i++) {
      const at = base + i * stride;
      for (let q: u32 = 0; q < np; q++) {
        const v = load<f64>(src + (<usize>(at + <u32>load<i32>(pairOff + (<usize>q << 2))) << 3));
        if (v > -1) {
          store<f64>(out + (<usize>m << 3), v);
          m++;
        }
      }
    }
  }
  return m == 0 ? -1 : (0 + pairwiseSum(out, m)) / <f64>m;
}
