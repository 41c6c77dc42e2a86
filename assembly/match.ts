// COCO evaluate() kernel (pycocotools' greedy matching), over raw pointers. The host
// (bindings/coco/kernel-host.ts) lays out one batch in linear memory, writes a match context (fields in
// assembly/abi/contexts.json) and calls the kernel on ranges of blocks, so that each call takes a few
// milliseconds (V8 never swaps a running wasm call to its optimised code).
//
// Matching writes, per (area range a, detection), bit t of tp / ign words: detection matched to a
// regular label at IoU threshold t (true positive), or ignored (matched to an ignored label, or
// unmatched and outside the area range); neither = false positive. Bits go to the detection entry's
// index (out[(a * nOut + j) * W + w], W = ceil(T / 32)); accumulate reads them in its order through ACC.

import { boxIouOne, maskIouRows } from "./iou";
import { field, i32At, f64At } from "./context";
import {
  M_A, M_AREA, M_BLOCK_DT, M_BLOCK_GT, M_BLOCK_IOU, M_BLOCK_ORDER, M_CNTS,
  M_DT_AREA, M_DT_BOX, M_DT_LIST, M_DT_MASK, M_GT_AREA,
  M_GT_BASE_IGNORE, M_GT_BOX, M_GT_CROWD, M_GT_ID_ZERO, M_GT_LIST, M_GT_MASK,
  M_IOU, M_MBOX, M_MODE, M_MTAB, M_NOUT, M_OUT_IGN,
  M_OUT_TP, M_S_ANY, M_S_BOX, M_S_CROWD, M_S_DTOUT, M_S_GTIG,
  M_S_GTM, M_S_IOU, M_S_MATCH, M_S_ORDER, M_S_REP, M_S_ROWMAX,
  M_S_TAB, M_T, M_THR, M_TILE, M_W,
} from "./generated/contexts";


/**
 * pycocotools' evaluateImg for blocks BLOCK_ORDER[b0 .. b1) (blocks are independent: the host orders
 * them by image, so that a call reads one stretch of the results and labels), every area range and
 * IoU threshold. Returns how many
 * (area, threshold, detection) matches went to a label with id 0 (pycocotools counts them as false
 * positives; the host warns).
 */
export function cocoMatch(ctx: usize, b0: u32, b1: u32): u32 {
  const mode = field(ctx, M_MODE);
  const T = <u32>field(ctx, M_T), A = <u32>field(ctx, M_A), W = <u32>field(ctx, M_W);
  const thr = field(ctx, M_THR), area = field(ctx, M_AREA);
  const blockGt = field(ctx, M_BLOCK_GT), blockDt = field(ctx, M_BLOCK_DT), blockIou = field(ctx, M_BLOCK_IOU);
  const iouAll = field(ctx, M_IOU);
  const gtList = field(ctx, M_GT_LIST), dtList = field(ctx, M_DT_LIST);
  const gtBox = field(ctx, M_GT_BOX), gtArea = field(ctx, M_GT_AREA), gtCrowd = field(ctx, M_GT_CROWD);
  const gtBase = field(ctx, M_GT_BASE_IGNORE), gtZero = field(ctx, M_GT_ID_ZERO);
  const dtBox = field(ctx, M_DT_BOX), dtArea = field(ctx, M_DT_AREA);
  const outTp = field(ctx, M_OUT_TP), outIgn = field(ctx, M_OUT_IGN), nOut = <u32>field(ctx, M_NOUT);
  const sIou = field(ctx, M_S_IOU), rowMax = field(ctx, M_S_ROWMAX), gtIg = field(ctx, M_S_GTIG);
  const order = field(ctx, M_S_ORDER), gtm = field(ctx, M_S_GTM), match = field(ctx, M_S_MATCH);
  const rep = field(ctx, M_S_REP), dtOut = field(ctx, M_S_DTOUT), anyMatch = field(ctx, M_S_ANY);
  const tile = <u32>field(ctx, M_TILE);
  const lastMask: u32 = (T & 31) == 0 ? 0xffffffff : (<u32>1 << (T & 31)) - 1;
  let zeroMatches: u32 = 0;

  const blockOrder = field(ctx, M_BLOCK_ORDER);
  for (let ob = b0; ob < b1; ob++) {
    const b = <u32>i32At(blockOrder, ob);
    const g0 = <u32>i32At(blockGt, b), G = <u32>i32At(blockGt, b + 1) - g0;
    const d0 = <u32>i32At(blockDt, b), D = <u32>i32At(blockDt, b + 1) - d0;
    if (D == 0) continue;
    const haveIou = G > 0 && mode != 2;
    // per area range: label ignore flags, detections outside the range, the representative range,
    // and (representatives) the label order with ignored labels last and the matching state
    for (let a: u32 = 0; a < A; a++) {
      const lo = f64At(area, 2 * a), hi = f64At(area, 2 * a + 1);
      const ig = gtIg + <usize>(a * G);
      for (let j: u32 = 0; j < G; j++) {
        const ann = <u32>i32At(gtList, g0 + j);
        const ar = f64At(gtArea, ann);
        store<u8>(ig + j, load<u8>(gtBase + ann) != 0 || ar < lo || ar > hi ? 1 : 0);
      }
      for (let d: u32 = 0; d < D; d++) {
        const ar = f64At(dtArea, <u32>i32At(dtList, d0 + d));
        store<u8>(dtOut + <usize>(a * D + d), ar < lo || ar > hi ? 1 : 0);
      }
      // an area range whose ignore flags equal an earlier range's matches the same way
      let r: u32 = a;
      for (let a2: u32 = 0; a2 < a; a2++) {
        if (<u32>i32At(rep, a2) != a2) continue;
        if (memory.compare(gtIg + <usize>(a2 * G), ig, G) == 0) { r = a2; break; }
      }
      store<i32>(rep + (<usize>a << 2), <i32>r);
      if (r == a && haveIou) {
        // ignored labels last (stable)
        const ord = order + (<usize>(a * G) << 2);
        let nReg: u32 = 0;
        for (let j: u32 = 0; j < G; j++) if (load<u8>(ig + j) == 0) nReg++;
        let r0: u32 = 0, r1 = nReg;
        for (let j: u32 = 0; j < G; j++) {
          if (load<u8>(ig + j) != 0) { store<i32>(ord + (<usize>r1 << 2), <i32>j); r1++; }
          else { store<i32>(ord + (<usize>r0 << 2), <i32>j); r0++; }
        }
        memory.fill(anyMatch + <usize>(a * D), 0, D);
        memory.fill(gtm + (<usize>(a * T * G) << 2), 0xff, <usize>(T * G) << 2); // -1: unmatched
      }
    }
    if (haveIou) {
      if (mode == 3) {
        // this block's masks side by side (detections, then labels), for rleIou rows
        const mtab = field(ctx, M_MTAB), mbox = field(ctx, M_MBOX);
        const dtMask = field(ctx, M_DT_MASK), gtMask = field(ctx, M_GT_MASK);
        const sTab = field(ctx, M_S_TAB), sBox = field(ctx, M_S_BOX), sCrowd = field(ctx, M_S_CROWD);
        for (let d: u32 = 0; d < D; d++) {
          const mk = <usize>i32At(dtMask, d0 + d);
          memory.copy(sTab + (<usize>d << 5), mtab + (mk << 5), 32);
          memory.copy(sBox + (<usize>d << 5), mbox + (mk << 5), 32);
        }
        for (let g: u32 = 0; g < G; g++) {
          const mk = <usize>i32At(gtMask, g0 + g);
          memory.copy(sTab + (<usize>(D + g) << 5), mtab + (mk << 5), 32);
          memory.copy(sBox + (<usize>(D + g) << 5), mbox + (mk << 5), 32);
          store<u8>(sCrowd + g, load<u8>(gtCrowd + <u32>i32At(gtList, g0 + g)));
        }
      }
      // rows q0..q1-1 at a time (as many as the scratch holds): the matching of each (area range,
      // threshold) walks the detections in order, its state (gtm) carried from one piece to the next
      const rows = max<u32>(1, tile / G);
      for (let q0: u32 = 0; q0 < D; q0 += rows) {
        const q1 = min(D, q0 + rows);
        let iou: usize = sIou; // row d at iou + (d - q0) * G
        if (mode == 3) {
          const cnts = field(ctx, M_CNTS);
          maskIouRows(cnts, field(ctx, M_S_TAB), field(ctx, M_S_BOX), q0, q1, D, G, field(ctx, M_S_CROWD), sIou);
        } else if (mode == 0) {
          for (let d = q0; d < q1; d++) {
            const Dp = dtBox + (<usize>i32At(dtList, d0 + d) << 5);
            const row = sIou + (<usize>((d - q0) * G) << 3);
            for (let g: u32 = 0; g < G; g++) {
              const a = <u32>i32At(gtList, g0 + g);
              store<f64>(row + (<usize>g << 3), boxIouOne(Dp, gtBox + (<usize>a << 5), load<u8>(gtCrowd + a) != 0));
            }
          }
        } else {
          iou = iouAll + ((<usize>i32At(blockIou, b) + <usize>(q0 * G)) << 3);
        }
        // the largest IoU of each detection (NaN reads as +inf: it can match, as in pycocotools)
        for (let d = q0; d < q1; d++) {
          const row = iou + (<usize>((d - q0) * G) << 3);
          let mx: f64 = -Infinity;
          for (let g: u32 = 0; g < G; g++) {
            const v = load<f64>(row + (<usize>g << 3));
            if (v != v) { mx = Infinity; break; }
            if (v > mx) mx = v;
          }
          store<f64>(rowMax + (<usize>d << 3), mx);
        }
        for (let a: u32 = 0; a < A; a++) {
          if (<u32>i32At(rep, a) != a) continue;
          const ig = gtIg + <usize>(a * G);
          const ord = order + (<usize>(a * G) << 2);
          for (let t: u32 = 0; t < T; t++) {
            const th = f64At(thr, t);
            const mrow = match + (<usize>((a * T + t) * D) << 2);
            const gm = gtm + (<usize>((a * T + t) * G) << 2);
            for (let d = q0; d < q1; d++) {
              let m: i32 = -1;
              if (!(f64At(rowMax, d) < th)) {
                let best = th;
                const row = iou + (<usize>((d - q0) * G) << 3);
                for (let q: u32 = 0; q < G; q++) {
                  const g = <u32>load<i32>(ord + (<usize>q << 2));
                  if (load<i32>(gm + (<usize>g << 2)) >= 0 && load<u8>(gtCrowd + <u32>i32At(gtList, g0 + g)) == 0) continue;
                  if (m > -1 && load<u8>(ig + <u32>m) == 0 && load<u8>(ig + g) != 0) break;
                  const v = load<f64>(row + (<usize>g << 3));
                  if (v < best) continue;
                  best = v;
                  m = <i32>g;
                }
                if (m >= 0) {
                  store<i32>(gm + (<usize>m << 2), <i32>d);
                  store<u8>(anyMatch + <usize>(a * D + d), 1);
                }
              }
              store<i32>(mrow + (<usize>d << 2), m);
            }
          }
        }
      }
    }
    // bits per (a, detection)
    for (let a: u32 = 0; a < A; a++) {
      const r = <u32>i32At(rep, a);
      const ig = gtIg + <usize>(a * G);
      for (let d: u32 = 0; d < D; d++) {
        const out = <usize>((a * nOut + d0 + d) * W) << 2;
        const outside = load<u8>(dtOut + <usize>(a * D + d)) != 0;
        if (!haveIou || load<u8>(anyMatch + <usize>(r * D + d)) == 0) {
          // unmatched at every threshold: ignored where outside the area range, else a false positive
          for (let w: u32 = 0; w < W; w++) {
            const o = out + (<usize>w << 2);
            store<u32>(outTp + o, 0);
            store<u32>(outIgn + o, outside ? (w == W - 1 ? lastMask : 0xffffffff) : 0);
          }
          continue;
        }
        let tpw: u32 = 0, igw: u32 = 0;
        for (let t: u32 = 0; t < T; t++) {
          const m = haveIou ? i32At(match, (r * T + t) * D + d) : -1;
          let ign = false, tp = false;
          if (m >= 0) {
            const zero = load<u8>(gtZero + <u32>i32At(gtList, g0 + <u32>m)) != 0;
            if (zero) zeroMatches++;
            ign = load<u8>(ig + <u32>m) != 0 || (zero && outside);
            tp = !ign && !zero;
          } else ign = outside;
          const bit: u32 = 1 << (t & 31);
          if (tp) tpw |= bit;
          if (ign) igw |= bit;
          if ((t & 31) == 31 || t == T - 1) {
            const o = out + (<usize>(t >> 5) << 2);
            store<u32>(outTp + o, tpw);
            store<u32>(outIgn + o, igw);
            tpw = 0;
            igw = 0;
          }
        }
      }
    }
  }
  return zeroMatches;
}
