// analyze(): the one heavy pass of analysis mode. Renders every shape to a mask at image resolution,
// computes the IoU of every prediction with every label of its image, and stores the nearest-label
// encoding of model-performance.md (candidate, IoU, dup, crowd absorption) in typed arrays laid out
// so that Analysis.at() answers any question with one linear pass and no geometry.
import { GeometryInputError, type GeometryEngine, type Rle } from "../geometry/types.js";
import { checkArgument, isGeometryEngine } from "../coco/errors.js";
import { TILES } from "../engine/tiles.js";
import { AnalysisInputError, type AnalysisInput, type ObjectInput, type Shape } from "./types.js";
import { PREDICTION_METRICS, LABEL_METRICS } from "./metric-names.js";
import type { ImagePixels } from "./pixels.js";
import { Analysis } from "./analysis.js";
import { DEFAULT_LINE_WIDTH, polylineCounts } from "../geometry/polyline.js";
import { KeypointSigmaTable, keypointImage, noVisibleKeypoint, type KeypointSigmas } from "./keypoints.js";
import { addUserMetrics, type CandidateMode, newMetricTable, type Prepared, type UserMetricValues } from "./prepared.js";
import { RotatedPairs, type RotatedIouMode } from "./rotated-pairs.js";

export interface AnalyzeOptions {
  /** Where a prediction looks for its candidate (closest) label. Default "same-class". */
  candidates?: CandidateMode;
  /**
   * "mask" (default): every IoU on rendered masks. "box": exact box IoU; every shape must be an axis-aligned box.
   * "oks" (the default when the first label or prediction has keypoints): OKS of keypoints (analysis/keypoints.ts).
   */
  iou?: "mask" | "box" | "oks";
  /**
   * With iou "mask": how a rotated box is compared with a rotated or axis-aligned box. "exact"
   * (default): the polygon IoU (rotatedBoxIou); "mask": on rendered masks like every other shape.
   */
  rotatedIou?: RotatedIouMode;
  /** OKS sigmas (iou "oks"): one list for every category or lists by category id or name; default COCO's 17 person sigmas. */
  kptSigmas?: KeypointSigmas;
  /** Polylines: the width in pixels of the rendered line (CULane's 30 by default; round caps and joins). */
  lineWidth?: number;
  /** User metrics: numeric columns by object index (array) or by object id (record / Map). */
  metrics?: {
    predictions?: Record<string, UserMetricValues>;
    labels?: Record<string, UserMetricValues>;
  };
  /**
   * RGBA pixels of some images (at the image's width and height), for the image metrics brightness,
   * contrast and sharpness: the same as calling Analysis.addImagePixels for each.
   */
  pixels?: readonly (ImagePixels & { readonly imageId: number | string })[];
}

function shapeToRle(engine: GeometryEngine, shape: Shape, h: number, w: number, path: string, lineWidth = DEFAULT_LINE_WIDTH): Rle {
  try {
    return renderShape(engine, shape, h, w, path, lineWidth);
  } catch (e) {
    if (!(e instanceof GeometryInputError)) throw e;
    // the geometry layer names its function, not the object: say which object, and the way round it for boxes
    const hint = shape.kind === "box" ? ' (analysis renders boxes as masks; iou "box" / --box-iou compares them exactly without rendering)' : "";
    throw new AnalysisInputError(`${path}: ${e.message}${hint}`);
  }
}

function renderShape(engine: GeometryEngine, shape: Shape, h: number, w: number, path: string, lineWidth: number): Rle {
  switch (shape.kind) {
    case "box":
      return engine.rleFromBox(shape.box, h, w);
    case "rotated":
      return engine.rleFromRotatedBox(shape.box, h, w);
    case "polygon":
      return engine.rleFromPolygons(shape.parts, h, w);
    case "rleString":
      return engine.rleFromString(shape.counts, h, w);
    case "rle":
      if (shape.rle.h !== h || shape.rle.w !== w)
        throw new AnalysisInputError(`${path}: mask size ${shape.rle.h}x${shape.rle.w} differs from the image's ${h}x${w}`);
      return shape.rle;
    case "polyline":
      return engine.rleFromCounts(polylineCounts(shape.points, lineWidth, h, w), h, w);
    case "keypoints":
      throw new AnalysisInputError(`${path}: keypoints have no mask; analysis compares them by OKS (iou "oks", --iou-type keypoints)`);
  }
}

function shapeBox(shape: Shape, path: string): [number, number, number, number] {
  if (shape.kind !== "box") throw new AnalysisInputError(`${path}: iou "box" needs axis-aligned boxes, got a ${shape.kind}`);
  return [shape.box[0], shape.box[1], shape.box[2], shape.box[3]];
}

/** Groups object indices by image: CSR start (nImage+1) and members (input order within an image). */
function byImage(objs: readonly ObjectInput[], nImage: number): { start: Int32Array; idx: Int32Array } {
  const start = new Int32Array(nImage + 1);
  for (const o of objs) start[o.image + 1]!++;
  for (let i = 0; i < nImage; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, nImage);
  const idx = new Int32Array(objs.length);
  for (let i = 0; i < objs.length; i++) idx[fill[objs[i]!.image]!++] = i;
  return { start, idx };
}

function validate(input: AnalysisInput): void {
  const nI = input.images.length;
  const nK = input.categories.length;
  const check = (objs: readonly ObjectInput[], what: string, pred: boolean) => {
    for (let i = 0; i < objs.length; i++) {
      const o = objs[i]!;
      if (!Number.isInteger(o.image) || o.image < 0 || o.image >= nI) throw new AnalysisInputError(`${what}[${i}].image: no image with index ${o.image}`);
      if (!Number.isInteger(o.category) || o.category < 0 || o.category >= nK)
        throw new AnalysisInputError(`${what}[${i}].category: no category with index ${o.category}`);
      if (pred && (typeof o.confidence !== "number" || Number.isNaN(o.confidence)))
        throw new AnalysisInputError(`${what}[${i}].confidence: expected a number, got ${JSON.stringify(o.confidence)}`);
      const sh = o.shape;
      if (sh?.kind === "box" || sh?.kind === "rotated") {
        // a negative size would render as the mirrored box (and match its twin perfectly)
        const w = sh.box[2];
        const h = sh.box[3];
        if (!(w >= 0 && h >= 0))
          throw new AnalysisInputError(`${what}[${i}].shape: a ${sh.kind === "box" ? "box" : "rotated box"} needs a width and height >= 0, got ${w} x ${h}`);
      }
    }
  };
  check(input.labels, "labels", false);
  check(input.predictions, "predictions", true);
  for (let i = 0; i < nI; i++) {
    const im = input.images[i]!;
    if (!(im.width > 0 && im.height > 0 && Number.isInteger(im.width) && Number.isInteger(im.height)))
      throw new AnalysisInputError(`images[${i}]: width and height must be positive integers, got ${im.width}x${im.height}`);
  }
}

/** analyze()'s settings of the per-image pass (checked; posted to worker threads as they are). */
export interface ImagePassConfig {
  readonly mode: CandidateMode;
  readonly iouKind: "mask" | "box" | "oks";
  readonly rotatedIou: RotatedIouMode;
  readonly lineWidth: number;
  readonly kptSigmas?: KeypointSigmas;
}

/** The metric columns the per-image pass computes from the geometry, in this order in ImagePassResult's pGeom / lGeom (one column each). */
const GEOM_METRICS = ["area", "relativeArea", "width", "height", "aspectRatio", "borderDistance", "objectsPerImage"] as const;

/**
 * What the per-image pass (masks, IoU, candidates) gives for a share of the images. Per prediction
 * and per label of the share, in its order: candidate, IoUs, boxes, geometry metrics. Candidates
 * and the overlap pairs (in image order) name objects by their index in the whole input.
 */
export interface ImagePassResult {
  pCand: Int32Array;
  pIou: Float64Array;
  pCrowd: Float64Array;
  pAny: Int32Array;
  pAnyIou: Float64Array;
  pOther: Float64Array;
  pBox: Float64Array;
  pGeom: Float64Array[];
  lOther: Float64Array;
  lBox: Float64Array;
  lGeom: Float64Array[];
  ovLabel: Int32Array;
  ovPred: Int32Array;
  ovIou: Float64Array;
  seLabel: Int32Array;
  sePred: Int32Array;
  seIou: Float64Array;
  rasterMs: number;
  iouMs: number;
}

/** Runs the per-image pass of a share elsewhere (a worker thread); `pIndex` / `lIndex`: the share's objects' indices in the whole input. */
export type ImagePassRunner = (share: AnalysisInput, config: ImagePassConfig, pIndex: Int32Array, lIndex: Int32Array) => Promise<ImagePassResult>;

/** Checks analyze()'s arguments and input; its per-image settings. */
function analyzeConfig(engine: GeometryEngine, input: AnalysisInput, options: AnalyzeOptions): ImagePassConfig {
  checkArgument(isGeometryEngine(engine), "analyze", "the first argument", "an engine (createEngine() or ReferenceGeometry)", engine);
  checkArgument(
    typeof input === "object" && input !== null && Array.isArray(input.images) && Array.isArray(input.labels) && Array.isArray(input.predictions) && Array.isArray(input.categories),
    "analyze",
    "the second argument",
    "an analysis input { images, categories, labels, predictions } (fromCoco / parseEncordJson make one)",
    input,
  );
  const mode: CandidateMode = options.candidates ?? "same-class";
  if (mode !== "same-class" && mode !== "any-class") throw new AnalysisInputError(`candidates: expected "same-class" or "any-class", got ${JSON.stringify(mode)}`);
  const first = input.labels[0] ?? input.predictions[0];
  const iouKind = options.iou ?? (first?.shape?.kind === "keypoints" ? "oks" : "mask");
  if (iouKind !== "mask" && iouKind !== "box" && iouKind !== "oks") throw new AnalysisInputError(`iou: expected "mask", "box" or "oks", got ${JSON.stringify(iouKind)}`);
  const rotatedIou = options.rotatedIou ?? "exact";
  if (rotatedIou !== "exact" && rotatedIou !== "mask") throw new AnalysisInputError(`rotatedIou: expected "exact" or "mask", got ${JSON.stringify(rotatedIou)}`);
  validate(input);
  const lineWidth = options.lineWidth ?? DEFAULT_LINE_WIDTH;
  if (!(typeof lineWidth === "number" && lineWidth > 0 && lineWidth <= 1e4)) throw new AnalysisInputError(`lineWidth: expected a width in pixels in (0, 10000], got ${JSON.stringify(lineWidth)}`);
  if (iouKind === "oks") new KeypointSigmaTable(input.categories, options.kptSigmas); // its checks, before any work
  return { mode, iouKind, rotatedIou, lineWidth, ...(options.kptSigmas !== undefined ? { kptSigmas: options.kptSigmas } : {}) };
}

/**
 * The heavy pass. `engine` is any GeometryEngine (the wasm engine from createEngine() or ReferenceGeometry).
 * Returns an Analysis whose at() answers questions from typed arrays only.
 */
export function analyze(engine: GeometryEngine, input: AnalysisInput, options: AnalyzeOptions = {}): Analysis {
  const config = analyzeConfig(engine, input, options);
  return finishAnalysis(input, options, config, [{ pass: imagePass(engine, input, config), pIndex: null, lIndex: null }]);
}

/**
 * analyze() with the per-image pass split by image: contiguous shares of the images, one per runner
 * and one more on this thread, merged in image order, so the Analysis is the same as analyze()'s
 * (bit for bit) for any number of runners, and so is the first problem (that of the first share
 * with one). Keypoint input (OKS) runs on this thread.
 */
export async function analyzeShared(engine: GeometryEngine, input: AnalysisInput, options: AnalyzeOptions, runners: readonly ImagePassRunner[]): Promise<Analysis> {
  const config = analyzeConfig(engine, input, options);
  if (runners.length === 0 || config.iouKind === "oks") return finishAnalysis(input, options, config, [{ pass: imagePass(engine, input, config), pIndex: null, lIndex: null }]);
  const shares = splitByImage(input, runners.length + 1);
  // the runners' shares are posted first, then this thread does the last one
  const runs = shares.slice(0, -1).map((sh, i) => runners[i]!(sh.input, config, sh.pIndex, sh.lIndex));
  const last = shares[shares.length - 1]!;
  try {
    runs.push(Promise.resolve(imagePass(engine, last.input, config, last.pIndex, last.lIndex)));
  } catch (e) {
    runs.push(Promise.reject(e));
  }
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return finishAnalysis(
    input,
    options,
    config,
    settled.map((r, i) => ({ pass: (r as PromiseFulfilledResult<ImagePassResult>).value, pIndex: shares[i]!.pIndex, lIndex: shares[i]!.lIndex })),
  );
}

/** Contiguous runs of images with about the same number of objects each (at most `n`, none empty), as inputs of their own. */
function splitByImage(input: AnalysisInput, n: number): { input: AnalysisInput; pIndex: Int32Array; lIndex: Int32Array }[] {
  const nI = input.images.length;
  const pBy = byImage(input.predictions, nI);
  const lBy = byImage(input.labels, nI);
  const total = input.predictions.length + input.labels.length;
  const out: { input: AnalysisInput; pIndex: Int32Array; lIndex: Int32Array }[] = [];
  let im0 = 0;
  for (let k = 0; k < n && im0 < nI; k++) {
    // the share ends at the first image where the objects so far reach its part of the total
    const goal = k === n - 1 ? Number.POSITIVE_INFINITY : ((k + 1) * total) / n;
    let im1 = im0 + 1;
    while (im1 < nI && pBy.start[im1]! + lBy.start[im1]! < goal) im1++;
    const pIndex = pBy.idx.slice(pBy.start[im0]!, pBy.start[im1]!);
    const lIndex = lBy.idx.slice(lBy.start[im0]!, lBy.start[im1]!);
    const local = (o: ObjectInput): ObjectInput => ({ ...o, image: o.image - im0 });
    out.push({
      input: {
        images: input.images.slice(im0, im1),
        categories: input.categories,
        predictions: Array.from(pIndex, (p) => local(input.predictions[p]!)),
        labels: Array.from(lIndex, (l) => local(input.labels[l]!)),
      },
      pIndex,
      lIndex,
    });
    im0 = im1;
  }
  return out;
}

/**
 * The per-image part of analyze() over every image of `input` (a whole input, or a share of one
 * made by splitByImage): masks, IoU rows, candidates. `pName` / `lName`: the objects' indices in
 * the whole input (messages and overlap pairs name them so); null: the same.
 */
export function imagePass(engine: GeometryEngine, input: AnalysisInput, config: ImagePassConfig, pName: Int32Array | null = null, lName: Int32Array | null = null): ImagePassResult {
  const { mode, iouKind, rotatedIou, lineWidth } = config;
  const sigmaTable = iouKind === "oks" ? new KeypointSigmaTable(input.categories, config.kptSigmas) : null;
  const { images, labels, predictions } = input;
  const nI = images.length;
  const nP = predictions.length;
  const nL = labels.length;
  const pN = (p: number) => (pName ? pName[p]! : p);
  const lN = (l: number) => (lName ? lName[l]! : l);
  const pClass = Int32Array.from(predictions, (o) => o.category);
  const lClass = Int32Array.from(labels, (o) => o.category);
  // OKS: a label without a visible keypoint is an ignore region (pycocotools: num_keypoints 0 -> ignore)
  const lCrowd = Uint8Array.from(labels, (o) => (o.crowd || (sigmaTable && noVisibleKeypoint(o.shape)) ? 1 : 0));
  const pCand = new Int32Array(nP).fill(-1);
  const pIou = new Float64Array(nP);
  const pCrowd = new Float64Array(nP).fill(-1);
  const pAny = new Int32Array(nP).fill(-1);
  const pAnyIou = new Float64Array(nP);
  const pOther = new Float64Array(nP).fill(NaN);
  const lOther = new Float64Array(nL).fill(NaN);
  const pBox = new Float64Array(nP * 4).fill(NaN);
  const lBox = new Float64Array(nL * 4).fill(NaN);
  const pGeom = GEOM_METRICS.map(() => new Float64Array(nP).fill(NaN));
  const lGeom = GEOM_METRICS.map(() => new Float64Array(nL).fill(NaN));
  const pImgBy = byImage(predictions, nI);
  const lImgBy = byImage(labels, nI);
  // other-class overlaps, collected as pairs then turned into CSR
  const ovLabel: number[] = [];
  const ovPred: number[] = [];
  const ovIou: number[] = [];
  // same-class overlaps with labels other than the prediction's candidate (a missed label's "assigned elsewhere")
  const seLabel: number[] = [];
  const sePred: number[] = [];
  const seIou: number[] = [];
  let rasterMs = 0;
  let iouMs = 0;

  for (let im = 0; im < nI; im++) {
    const W = images[im]!.width;
    const H = images[im]!.height;
    const ps = pImgBy.idx.subarray(pImgBy.start[im], pImgBy.start[im + 1]);
    const ls = lImgBy.idx.subarray(lImgBy.start[im], lImgBy.start[im + 1]);
    if (ps.length === 0 && ls.length === 0) continue;
    const t0 = performance.now();
    const crowdFlags = new Uint8Array(ls.length);
    for (let j = 0; j < ls.length; j++) crowdFlags[j] = lCrowd[ls[j]!]!;
    // (the order of GEOM_METRICS)
    const setGeom = (geom: Float64Array[], boxes: Float64Array, idx: number, area: number, bx: number, by: number, bw: number, bh: number, count: number) => {
      geom[0]![idx] = area;
      if (iouKind !== "mask" || area > 0) boxes.set([bx, by, bw, bh], idx * 4);
      geom[1]![idx] = area / (W * H);
      geom[2]![idx] = bw;
      geom[3]![idx] = bh;
      geom[4]![idx] = bh > 0 ? bw / bh : NaN;
      geom[5]![idx] = Math.max(0, Math.min(bx, by, W - (bx + bw), H - (by + bh)));
      geom[6]![idx] = count;
    };
    // IoU rows j0..j1-1 of predictions x labels (crowd-aware) and of labels x labels (plain), row-major
    let predRows: (j0: number, j1: number) => Float64Array;
    let labelRows: (a0: number, a1: number) => Float64Array;
    if (sigmaTable) {
      const k = keypointImage(predictions, ps, labels, ls, sigmaTable);
      k.predGeom.forEach(({ box: b, area }, j) => setGeom(pGeom, pBox, ps[j]!, area, b[0], b[1], b[2], b[3], ps.length));
      k.labelGeom.forEach(({ box: b, area }, j) => setGeom(lGeom, lBox, ls[j]!, area, b[0], b[1], b[2], b[3], ls.length));
      predRows = k.predRows;
      labelRows = k.labelRows;
    } else if (iouKind === "box") {
      const pq = new Float64Array(ps.length * 4);
      const lq = new Float64Array(ls.length * 4);
      for (let j = 0; j < ps.length; j++) {
        const b = shapeBox(predictions[ps[j]!]!.shape, `predictions[${pN(ps[j]!)}]`);
        pq.set(b, j * 4);
        setGeom(pGeom, pBox, ps[j]!, b[2] * b[3], b[0], b[1], b[2], b[3], ps.length);
      }
      for (let j = 0; j < ls.length; j++) {
        const b = shapeBox(labels[ls[j]!]!.shape, `labels[${lN(ls[j]!)}]`);
        lq.set(b, j * 4);
        setGeom(lGeom, lBox, ls[j]!, b[2] * b[3], b[0], b[1], b[2], b[3], ls.length);
      }
      predRows = (j0, j1) => engine.boxIou(pq.subarray(4 * j0, 4 * j1), lq, crowdFlags);
      labelRows = (a0, a1) => engine.boxIou(lq.subarray(4 * a0, 4 * a1), lq, null);
    } else {
      const pr: Rle[] = new Array(ps.length);
      const lr: Rle[] = new Array(ls.length);
      for (let j = 0; j < ps.length; j++) {
        const r = shapeToRle(engine, predictions[ps[j]!]!.shape, H, W, `predictions[${pN(ps[j]!)}]`, lineWidth);
        pr[j] = r;
        const b = engine.rleToBbox(r);
        setGeom(pGeom, pBox, ps[j]!, engine.rleArea(r), b[0], b[1], b[2], b[3], ps.length);
      }
      for (let j = 0; j < ls.length; j++) {
        const r = shapeToRle(engine, labels[ls[j]!]!.shape, H, W, `labels[${lN(ls[j]!)}]`, lineWidth);
        lr[j] = r;
        const b = engine.rleToBbox(r);
        setGeom(lGeom, lBox, ls[j]!, engine.rleArea(r), b[0], b[1], b[2], b[3], ls.length);
      }
      predRows = (j0, j1) => (ls.length ? engine.maskIou(pr.slice(j0, j1), lr, crowdFlags) : new Float64Array(0));
      labelRows = (a0, a1) => (ls.length > 1 ? engine.maskIou(lr.slice(a0, a1), lr, null) : new Float64Array((a1 - a0) * ls.length));
      // rotated-box pairs: the exact polygon IoU over the mask one (rotated-pairs.ts)
      const lShapes = Array.from(ls, (l) => labels[l]!.shape);
      const pRot = rotatedIou === "exact" ? RotatedPairs.of(engine, Array.from(ps, (p) => predictions[p]!.shape), lShapes) : null;
      const lRot = rotatedIou === "exact" ? RotatedPairs.of(engine, lShapes, lShapes) : null;
      if (pRot) {
        const rows = predRows;
        predRows = (j0, j1) => pRot.overwrite(rows(j0, j1), j0, j1, crowdFlags);
      }
      if (lRot) {
        const rows = labelRows;
        labelRows = (a0, a1) => lRot.overwrite(rows(a0, a1), a0, a1, null);
      }
    }
    rasterMs += performance.now() - t0;
    const n = ls.length;
    // all pairs of the image, a tile of rows at a time (memory stays bounded whatever the counts)
    const rowsPerTile = Math.max(1, Math.floor(TILES.analysis / Math.max(1, n)));
    // label metric: largest IoU with another label of the image
    for (let a0 = 0; a0 < n; a0 += rowsPerTile) {
      const a1 = Math.min(n, a0 + rowsPerTile);
      const t1 = performance.now();
      const ll = labelRows(a0, a1);
      iouMs += performance.now() - t1;
      for (let a = a0; a < a1; a++) {
        const row = (a - a0) * n;
        let m = 0;
        for (let b = 0; b < n; b++) if (b !== a && ll[row + b]! > m) m = ll[row + b]!;
        lOther[ls[a]!] = m;
      }
    }
    // candidates
    for (let j0 = 0; j0 < ps.length; j0 += rowsPerTile) {
      const j1 = Math.min(ps.length, j0 + rowsPerTile);
      const t1 = performance.now();
      const pl = predRows(j0, j1);
      iouMs += performance.now() - t1;
      for (let j = j0; j < j1; j++) {
        const p = ps[j]!;
        const k = pClass[p];
        let best = 0;
        let cand = -1;
        let crowd = -1;
        let anyBest = 0;
        let any = -1;
        const row = (j - j0) * n;
        const same0 = seLabel.length;
        for (let g = 0; g < n; g++) {
          const v = pl[row + g]!;
          const l = ls[g]!;
          const same = lClass[l] === k;
          if (lCrowd[l]) {
            if (same && v > crowd) crowd = v;
            continue;
          }
          if (!same && v > 0) {
            ovLabel.push(l);
            ovPred.push(p);
            ovIou.push(v);
          } else if (same && v > 0) {
            seLabel.push(l);
            sePred.push(p);
            seIou.push(v);
          }
          if (v > anyBest) {
            anyBest = v;
            any = l;
          }
          if (mode === "same-class" && !same) continue;
          if (v > best) {
            best = v;
            cand = l;
          }
        }
        pCand[p] = cand;
        pIou[p] = cand >= 0 ? best : 0;
        pAny[p] = any;
        pAnyIou[p] = anyBest;
        // keep the same-class overlaps with labels other than the candidate
        let keep = same0;
        for (let q = same0; q < seLabel.length; q++) {
          if (seLabel[q] === cand) continue;
          seLabel[keep] = seLabel[q]!;
          sePred[keep] = sePred[q]!;
          seIou[keep] = seIou[q]!;
          keep++;
        }
        seLabel.length = sePred.length = seIou.length = keep;
        pCrowd[p] = crowd;
        // prediction metric: largest IoU with a (non-crowd) label other than its candidate
        let other = 0;
        for (let g = 0; g < n; g++) {
          const l = ls[g]!;
          if (!lCrowd[l] && l !== cand && pl[row + g]! > other) other = pl[row + g]!;
        }
        pOther[p] = other;
      }
    }
  }
  // candidates name labels by their index in the whole input too
  const named = (ls: Int32Array) => (lName ? ls.map((l) => (l >= 0 ? lName[l]! : l)) : ls);
  return {
    pCand: named(pCand),
    pIou,
    pCrowd,
    pAny: named(pAny),
    pAnyIou,
    pOther,
    pBox,
    pGeom,
    lOther,
    lBox,
    lGeom,
    ovLabel: Int32Array.from(ovLabel, lN),
    ovPred: Int32Array.from(ovPred, pN),
    ovIou: Float64Array.from(ovIou),
    seLabel: Int32Array.from(seLabel, lN),
    sePred: Int32Array.from(sePred, pN),
    seIou: Float64Array.from(seIou),
    rasterMs,
    iouMs,
  };
}

/** The rest of analyze(): the shares' results in place, then the class-sorted layout (encode). */
function finishAnalysis(input: AnalysisInput, options: AnalyzeOptions, config: ImagePassConfig, parts: readonly { pass: ImagePassResult; pIndex: Int32Array | null; lIndex: Int32Array | null }[]): Analysis {
  const { mode, iouKind, lineWidth } = config;
  const { images, labels, predictions } = input;
  const nI = images.length;
  const nK = input.categories.length;
  const nP = predictions.length;
  const nL = labels.length;
  const oks = iouKind === "oks";
  const pImage = new Int32Array(nP);
  const pClass = new Int32Array(nP);
  const pConf = new Float64Array(nP);
  let pCand: Int32Array = new Int32Array(nP).fill(-1);
  let pIou: Float64Array = new Float64Array(nP);
  let pCrowd: Float64Array = new Float64Array(nP).fill(-1);
  let pAny: Int32Array = new Int32Array(nP).fill(-1);
  let pAnyIou: Float64Array = new Float64Array(nP);
  const lImage = new Int32Array(nL);
  const lClass = new Int32Array(nL);
  const lCrowd = new Uint8Array(nL);
  for (let i = 0; i < nP; i++) {
    const o = predictions[i]!;
    pImage[i] = o.image;
    pClass[i] = o.category;
    pConf[i] = o.confidence as number;
  }
  for (let i = 0; i < nL; i++) {
    const o = labels[i]!;
    lImage[i] = o.image;
    lClass[i] = o.category;
    lCrowd[i] = o.crowd || (oks && noVisibleKeypoint(o.shape)) ? 1 : 0;
  }
  // metric columns computed from the geometry
  const pm = newMetricTable(PREDICTION_METRICS, nP);
  const lm = newMetricTable(LABEL_METRICS, nL);
  let pBox: Float64Array;
  let lBox: Float64Array;
  let rasterMs = 0;
  let iouMs = 0;
  for (const { pass } of parts) {
    rasterMs += pass.rasterMs;
    iouMs += pass.iouMs;
  }
  const only = parts.length === 1 && parts[0]!.pIndex === null && parts[0]!.lIndex === null ? parts[0]!.pass : null;
  if (only) {
    // one pass over the whole input: its arrays are the columns
    pCand = only.pCand;
    pIou = only.pIou;
    pCrowd = only.pCrowd;
    pAny = only.pAny;
    pAnyIou = only.pAnyIou;
    pBox = only.pBox;
    lBox = only.lBox;
    pm.maxIouWithOtherLabel = only.pOther;
    lm.maxIouWithOtherLabel = only.lOther;
    GEOM_METRICS.forEach((m, k) => {
      pm[m] = only.pGeom[k]!;
      lm[m] = only.lGeom[k]!;
    });
  } else {
    pBox = new Float64Array(nP * 4).fill(NaN);
    lBox = new Float64Array(nL * 4).fill(NaN);
    const pGeomCols = GEOM_METRICS.map((m) => pm[m]!);
    const lGeomCols = GEOM_METRICS.map((m) => lm[m]!);
    const pOther = pm.maxIouWithOtherLabel!;
    const lOther = lm.maxIouWithOtherLabel!;
    for (const { pass, pIndex, lIndex } of parts) {
      for (let j = 0; j < pass.pCand.length; j++) {
        const p = pIndex ? pIndex[j]! : j;
        pCand[p] = pass.pCand[j]!;
        pIou[p] = pass.pIou[j]!;
        pCrowd[p] = pass.pCrowd[j]!;
        pAny[p] = pass.pAny[j]!;
        pAnyIou[p] = pass.pAnyIou[j]!;
        pOther[p] = pass.pOther[j]!;
        for (let c = 0; c < 4; c++) pBox[4 * p + c] = pass.pBox[4 * j + c]!;
      }
      for (let j = 0; j < pass.lOther.length; j++) {
        const l = lIndex ? lIndex[j]! : j;
        lOther[l] = pass.lOther[j]!;
        for (let c = 0; c < 4; c++) lBox[4 * l + c] = pass.lBox[4 * j + c]!;
      }
      for (let k = 0; k < GEOM_METRICS.length; k++) {
        const pc = pGeomCols[k]!;
        const pg = pass.pGeom[k]!;
        for (let j = 0; j < pg.length; j++) pc[pIndex ? pIndex[j]! : j] = pg[j]!;
        const lc = lGeomCols[k]!;
        const lg = pass.lGeom[k]!;
        for (let j = 0; j < lg.length; j++) lc[lIndex ? lIndex[j]! : j] = lg[j]!;
      }
    }
  }
  // the overlap pairs in image order (the shares are contiguous runs of images, in order)
  const cat = <T extends Int32Array | Float64Array>(arrays: T[], make: (n: number) => T): T => {
    if (arrays.length === 1) return arrays[0]!;
    const out = make(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  const ovLabel = cat(parts.map((x) => x.pass.ovLabel), (n) => new Int32Array(n));
  const ovPred = cat(parts.map((x) => x.pass.ovPred), (n) => new Int32Array(n));
  const ovIou = cat(parts.map((x) => x.pass.ovIou), (n) => new Float64Array(n));
  const seLabel = cat(parts.map((x) => x.pass.seLabel), (n) => new Int32Array(n));
  const sePred = cat(parts.map((x) => x.pass.sePred), (n) => new Int32Array(n));
  const seIou = cat(parts.map((x) => x.pass.seIou), (n) => new Float64Array(n));
  for (let p = 0; p < nP; p++) pm.confidence![p] = pConf[p]!;

  const t2 = performance.now();
  // class-sorted layout
  const classStart = new Int32Array(nK + 1);
  for (let p = 0; p < nP; p++) classStart[pClass[p]! + 1]!++;
  for (let k = 0; k < nK; k++) classStart[k + 1]! += classStart[k]!;
  const sPred = new Int32Array(nP);
  for (let p = 0; p < nP; p++) sPred[p] = p;
  const rankCmp = (a: number, b: number) => pConf[b]! - pConf[a]! || pIou[b]! - pIou[a]! || a - b;
  sPred.sort((a, b) => pClass[a]! - pClass[b]! || rankCmp(a, b));
  const pPos = new Int32Array(nP);
  const sConf = new Float64Array(nP);
  const sImage = new Int32Array(nP);
  const sCand = new Int32Array(nP);
  const sIou = new Float64Array(nP);
  const sMatch = new Float64Array(nP);
  const sDup = new Float64Array(nP);
  const sCrowd = new Float64Array(nP);
  const sAny = new Int32Array(nP);
  const sAnyIou = new Float64Array(nP);
  const pDup = new Float64Array(nP).fill(-1);
  const lBest = new Float64Array(nL).fill(-1);
  const groupStart = new Int32Array(nL + 1);
  for (let i = 0; i < nP; i++) {
    const p = sPred[i]!;
    pPos[p] = i;
    sConf[i] = pConf[p]!;
    sImage[i] = pImage[p]!;
    const c = pCand[p]!;
    sCand[i] = c;
    sIou[i] = pIou[p]!;
    sCrowd[i] = pCrowd[p]!;
    sAny[i] = pAny[p]!;
    sAnyIou[i] = pAnyIou[p]!;
    const ok = c >= 0 && lClass[c] === pClass[p];
    sMatch[i] = ok ? pIou[p]! : -1;
    if (ok) {
      // rank order within a class = rank order within each label's group
      sDup[i] = lBest[c]!;
      pDup[p] = lBest[c]!;
      if (pIou[p]! > lBest[c]!) lBest[c] = pIou[p]!;
      groupStart[c + 1]!++;
    } else sDup[i] = -1;
  }
  for (let l = 0; l < nL; l++) groupStart[l + 1]! += groupStart[l]!;
  const groupPos = new Int32Array(groupStart[nL]!);
  {
    const fill = groupStart.slice(0, nL);
    for (let i = 0; i < nP; i++) if (sMatch[i]! >= 0) groupPos[fill[sCand[i]!]!++] = i;
  }
  const globalOrder = new Int32Array(nP);
  const globalConf = new Float64Array(nP);
  {
    const tmp = sPred.slice().sort(rankCmp);
    for (let i = 0; i < nP; i++) {
      globalOrder[i] = pPos[tmp[i]!]!;
      globalConf[i] = pConf[tmp[i]!]!;
    }
  }
  let maxClass = 0;
  for (let k = 0; k < nK; k++) maxClass = Math.max(maxClass, classStart[k + 1]! - classStart[k]!);
  // other-class overlaps per label, by confidence desc (then rank)
  const lOtherStart = new Int32Array(nL + 1);
  for (const l of ovLabel) lOtherStart[l + 1]!++;
  for (let l = 0; l < nL; l++) lOtherStart[l + 1]! += lOtherStart[l]!;
  const ovOrder = Array.from(ovLabel.keys()).sort((a, b) => ovLabel[a]! - ovLabel[b]! || rankCmp(ovPred[a]!, ovPred[b]!));
  const lOtherPos = new Int32Array(ovOrder.length);
  const lOtherIou = new Float64Array(ovOrder.length);
  for (let i = 0; i < ovOrder.length; i++) {
    lOtherPos[i] = pPos[ovPred[ovOrder[i]!]!]!;
    lOtherIou[i] = ovIou[ovOrder[i]!]!;
  }
  // same-class predictions assigned to another label, per label, by confidence desc (then rank)
  const lSameStart = new Int32Array(nL + 1);
  for (const l of seLabel) lSameStart[l + 1]!++;
  for (let l = 0; l < nL; l++) lSameStart[l + 1]! += lSameStart[l]!;
  const seOrder = Array.from(seLabel.keys()).sort((a, b) => seLabel[a]! - seLabel[b]! || rankCmp(sePred[a]!, sePred[b]!));
  const lSamePos = Int32Array.from(seOrder, (q) => pPos[sePred[q]!]!);
  const lSameIou = Float64Array.from(seOrder, (q) => seIou[q]!);
  const classLabels = new Int32Array(nK);
  for (let l = 0; l < nL; l++) if (!lCrowd[l]) classLabels[lClass[l]!]!++;

  const predIds = predictions.map((o) => o.id);
  const labelIds = labels.map((o) => o.id);
  addUserMetrics(pm, options.metrics?.predictions, predIds, "metrics.predictions");
  addUserMetrics(lm, options.metrics?.labels, labelIds, "metrics.labels");

  // the Analysis keeps no reference to the input objects (a large JS heap makes every GC slow)
  const prepared: Prepared = {
    images: input.images.map((m) => ({ ...m })),
    categories: input.categories.map((c) => ({ ...c })),
    predIds,
    labelIds,
    mode,
    iouKind,
    ...(iouKind === "mask" && (labels.some((o) => o.shape.kind === "polyline") || predictions.some((o) => o.shape.kind === "polyline")) ? { lineWidth } : {}),
    nPred: nP,
    nLabel: nL,
    nClass: nK,
    nImage: nI,
    pImage,
    pClass,
    pConf,
    pCand,
    pIou,
    pDup,
    pCrowd,
    pPos,
    lImage,
    lClass,
    lCrowd,
    lBest,
    lOtherStart,
    lOtherPos,
    lOtherIou,
    lSameStart,
    lSamePos,
    lSameIou,
    classLabels,
    classStart,
    sPred,
    sConf,
    sImage,
    sCand,
    sIou,
    sMatch,
    sDup,
    sCrowd,
    sAny,
    sAnyIou,
    globalOrder,
    globalConf,
    maxClass,
    groupStart,
    groupPos,
    pBox,
    lBox,
    predMetrics: pm,
    labelMetrics: lm,
    timings: { rasterMs, iouMs, encodeMs: performance.now() - t2 },
  };
  const analysis = new Analysis(prepared);
  if (options.pixels !== undefined) {
    if (!Array.isArray(options.pixels)) throw new AnalysisInputError("pixels: expected an array of { imageId, rgba, width, height }");
    options.pixels.forEach((px, i) => analysis.addImagePixels(px.imageId, px.rgba, px.width, px.height, `pixels[${i}]`));
  }
  return analysis;
}
