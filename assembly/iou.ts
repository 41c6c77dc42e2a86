// Box IoU (bbIou) and mask IoU (rleIou) blocks, crowd aware, written detection-major:
// out[d*n + g] (maskApi.c writes o[g*m + d]). Rows d0..d1 per call so the host can feed large
// blocks in pieces of a few milliseconds (V8 does not swap a running wasm call to optimised code).
import { rleArea } from "./rle";

// @ts-ignore: decorator
@inline function boxIouOne(D: usize, G: usize, crowd: bool): f64 {
  const dx = load<f64>(D), dy = load<f64>(D, 8), dw = load<f64>(D, 16), dh = load<f64>(D, 24);
  const gx = load<f64>(G), gy = load<f64>(G, 8), gw = load<f64>(G, 16), gh = load<f64>(G, 24);
  const w = min(dw + dx, gw + gx) - max(dx, gx);
  if (w <= 0) return 0;
  const h = min(dh + dy, gh + gy) - max(dy, gy);
  if (h <= 0) return 0;
  const i = w * h;
  const da = dw * dh;
  const u = crowd ? da : da + gw * gh - i;
  return i / u;
}

/** bbIou for detections d0..d1-1 (f64 quads at dt) against n labels (gt); crowd: n bytes or 0. */
export function boxIouRows(dt: usize, d0: u32, d1: u32, gt: usize, n: u32, crowd: usize, out: usize): void {
  for (let d = d0; d < d1; d++) {
    const D = dt + (<usize>d << 5);
    const row = out + (<usize>d * n << 3);
    for (let g: u32 = 0; g < n; g++) {
      const isCrowd = crowd != 0 && load<u8>(crowd + g) != 0;
      store<f64>(row + (<usize>g << 3), boxIouOne(D, gt + (<usize>g << 5), isCrowd));
    }
  }
}

/**
 * rleIou for detections d0..d1-1 against n labels. Masks are described by u32 quads
 * [offset, length, h, w] in dtTab/gtTab (offsets in counts from `cnts`); dtBox/gtBox hold their
 * C-exact rleToBbox quads (rleBboxes). The box IoU prefilter decides which pairs are merged.
 */
export function maskIouRows(
  cnts: usize, dtTab: usize, dtBox: usize, d0: u32, d1: u32,
  gtTab: usize, gtBox: usize, n: u32, crowd: usize, out: usize,
): void {
  for (let d = d0; d < d1; d++) {
    const td = dtTab + (<usize>d << 4);
    const A = cnts + (<usize>load<u32>(td) << 2);
    const ka = load<u32>(td, 4), hd = load<u32>(td, 8), wd = load<u32>(td, 12);
    const D = dtBox + (<usize>d << 5);
    const row = out + (<usize>d * n << 3);
    for (let g: u32 = 0; g < n; g++) {
      const isCrowd = crowd != 0 && load<u8>(crowd + g) != 0;
      let o = boxIouOne(D, gtBox + (<usize>g << 5), isCrowd);
      if (o > 0) {
        const tg = gtTab + (<usize>g << 4);
        if (load<u32>(tg, 8) != hd || load<u32>(tg, 12) != wd) {
          o = -1;
        } else {
          const B = cnts + (<usize>load<u32>(tg) << 2);
          const kb = load<u32>(tg, 4);
          o = rleIouPair(A, ka, B, kb, isCrowd);
        }
      }
      store<f64>(row + (<usize>g << 3), o);
    }
  }
}

/** The two-pointer loop of rleIou for one pair of same-sized masks. */
export function rleIouPair(A: usize, ka: u32, B: usize, kb: u32, crowd: bool): f64 {
  let ca: u32 = ka > 0 ? load<u32>(A) : 0;
  let cb: u32 = kb > 0 ? load<u32>(B) : 0;
  let va = false, vb = false;
  let a: u32 = 1, b: u32 = 1, i: u32 = 0, u: u32 = 0, ct: u32 = 1;
  while (ct > 0) {
    const c = min(ca, cb);
    if (va || vb) {
      u += c;
      if (va && vb) i += c;
    }
    ct = 0;
    let moved = false;
    ca -= c;
    if (!ca && a < ka) { ca = load<u32>(A + (<usize>a << 2)); a++; va = !va; moved = true; }
    ct += ca;
    cb -= c;
    if (!cb && b < kb) { cb = load<u32>(B + (<usize>b << 2)); b++; vb = !vb; moved = true; }
    ct += cb;
    if (c == 0 && !moved) break; // only reachable with counts of different sums: never hang
  }
  if (i == 0) u = 1;
  else if (crowd) u = rleArea(A, ka);
  return <f64>i / <f64>u;
}
