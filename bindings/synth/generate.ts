// Deterministic synthetic COCO data: ground truth (star-shaped polygons, some multi-part, ~1% crowd
// regions as uncompressed RLE) and detections derived from it (localisation noise, misses, class
// confusion, duplicates, background false positives), in the COCO dataset / results formats.
//
// Same options (incl. seed) => byte-identical JSON. Every image draws from its own PRNG stream
// (seed, image index), so a run with fewer images yields a prefix of the full preset's images.
// The library part has no Node imports (the CLI bundle pulls it in through bindings/synth/demo.ts); the
// file writers live in bindings/synth/write.ts.
import type { GeometryEngine, Rle } from "../geometry/types.js";

// ------------------------------------------------------------------------------------------------
// PRNG: sfc32 seeded through a 32-bit finaliser; one independent stream per (seed, stream id).

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    const s = mix32((seed >>> 0) ^ mix32((stream >>> 0) + 0x9e3779b9));
    this.a = mix32(s ^ 0x243f6a88);
    this.b = mix32(s ^ 0x85a308d3);
    this.c = mix32(s ^ 0x13198a2e);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  logUniform(lo: number, hi: number): number {
    return lo * Math.exp(Math.log(hi / lo) * this.float());
  }

  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Gamma(shape k, scale 1), Marsaglia-Tsang. */
  gamma(k: number): number {
    if (k < 1) return this.gamma(k + 1) * Math.pow(1 - this.float(), 1 / k);
    const d = k - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.float();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }
}

// ------------------------------------------------------------------------------------------------
// COCO types (what the generator emits).

export interface CocoImage {
  id: number;
  width: number;
  height: number;
  file_name: string;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory: string;
}

/** Uncompressed RLE as COCO stores crowd regions. */
export interface CocoCountsRle {
  counts: number[];
  size: [number, number];
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: number[][] | CocoCountsRle;
  area: number;
  bbox: [number, number, number, number];
  iscrowd: 0 | 1;
}

export interface CocoDataset {
  info: Record<string, unknown>;
  licenses: unknown[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

export interface CocoBboxResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/** Segmentation result: compressed RLE, and deliberately no `bbox` key (pycocotools then uses the mask). */
export interface CocoSegmResult {
  image_id: number;
  category_id: number;
  segmentation: { size: [number, number]; counts: string };
  score: number;
}

// ------------------------------------------------------------------------------------------------
// Options and presets.

export type PresetName = "demo" | "val" | "dense" | "huge";

export interface GenerateOptions {
  /** Start from a preset's settings (default "val"); the fields below override it. */
  preset?: PresetName;
  seed?: number;
  images?: number;
  /** Mean labels per image (negative-binomial, heavy tail, ~1.2% empty images). */
  meanLabels?: number;
  /** Hard cap on labels per image. */
  maxLabels?: number;
  /** Probability that a label is a crowd region (uncompressed RLE, iscrowd 1). */
  crowdRate?: number;
  /** Decimals of the scores (2 => frequent exact ties). */
  scoreDecimals?: number;
  /** Mean background false positives per image. */
  backgroundFp?: number;
  /** Emit segmentation results (compressed RLE); costs one rasterisation per detection. */
  segm?: boolean;
  /** When > 0: pad every image with low-score detections towards this count (75% of images reach it). */
  denseFill?: number;
  /** Keep at most this many detections per image (highest scores). */
  maxDetections?: number;
}

export type ResolvedOptions = Required<Omit<GenerateOptions, "preset">> & { preset: PresetName };

const BASE = {
  seed: 1,
  images: 5000,
  meanLabels: 6.88,
  maxLabels: 90,
  crowdRate: 0.01,
  scoreDecimals: 6,
  backgroundFp: 2.3,
  segm: true,
  denseFill: 0,
  maxDetections: 100,
};

export const PRESETS: Record<PresetName, Omit<ResolvedOptions, "preset">> = {
  /** What `detection-eval demo` evaluates: small, crowd regions, score ties. */
  demo: { ...BASE, images: 500, scoreDecimals: 2 },
  /** COCO val2017 scale: 5,000 images, ~34k labels, ~43k detections. */
  val: { ...BASE },
  /** Up to 100 detections per image (~460k), boxes only. */
  dense: { ...BASE, segm: false, denseFill: 100 },
  /** A box results file over 600 MB (~7M detections): must be streamed. */
  huge: { ...BASE, images: 78_000, segm: false, denseFill: 100 },
};

export function resolveOptions(options: GenerateOptions = {}): ResolvedOptions {
  const preset = options.preset ?? "val";
  const base = PRESETS[preset];
  if (!base) throw new Error(`unknown preset ${JSON.stringify(preset)} (demo, val, dense, huge)`);
  const out = { ...base, preset } as ResolvedOptions;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  if (!Number.isInteger(out.seed) || out.seed < 0 || out.seed > 0xffffffff) throw new Error(`seed must be an integer in [0, 2^32): ${out.seed}`);
  if (!Number.isInteger(out.images) || out.images < 0) throw new Error(`images must be a non-negative integer: ${out.images}`);
  return out;
}

// ------------------------------------------------------------------------------------------------
// Categories: COCO's 80 (ids with COCO's gaps). Frequencies follow Zipf in this order; the last
// category never appears in the ground truth, only in detections.

const CATEGORY_TABLE: [number, string, string][] = (() => {
  const groups: [string, number[], string[]][] = [
    ["person", [1], ["person"]],
    ["vehicle", [2, 3, 4, 5, 6, 7, 8, 9], ["bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat"]],
    ["outdoor", [10, 11, 13, 14, 15], ["traffic light", "fire hydrant", "stop sign", "parking meter", "bench"]],
    ["animal", [16, 17, 18, 19, 20, 21, 22, 23, 24, 25], ["bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"]],
    ["accessory", [27, 28, 31, 32, 33], ["backpack", "umbrella", "handbag", "tie", "suitcase"]],
    ["sports", [34, 35, 36, 37, 38, 39, 40, 41, 42, 43], ["frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket"]],
    ["kitchen", [44, 46, 47, 48, 49, 50, 51], ["bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl"]],
    ["food", [52, 53, 54, 55, 56, 57, 58, 59, 60, 61], ["banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake"]],
    ["furniture", [62, 63, 64, 65, 67, 70], ["chair", "couch", "potted plant", "bed", "dining table", "toilet"]],
    ["electronic", [72, 73, 74, 75, 76, 77], ["tv", "laptop", "mouse", "remote", "keyboard", "cell phone"]],
    ["appliance", [78, 79, 80, 81, 82], ["microwave", "oven", "toaster", "sink", "refrigerator"]],
    ["indoor", [84, 85, 86, 87, 88, 89, 90], ["book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush"]],
  ];
  const out: [number, string, string][] = [];
  for (const [sup, ids, names] of groups) ids.forEach((id, i) => out.push([id, names[i]!, sup]));
  return out;
})();

export const CATEGORIES: readonly CocoCategory[] = CATEGORY_TABLE.map(([id, name, supercategory]) => ({ id, name, supercategory }));
/** The category that only detections use (pycocotools reports -1 for it). */
export const DETECTION_ONLY_CATEGORY = CATEGORIES[CATEGORIES.length - 1]!.id;

const ZIPF_EXPONENT = 1.1;

function cumulativeZipf(n: number): Float64Array {
  const out = new Float64Array(n);
  let s = 0;
  for (let r = 0; r < n; r++) out[r] = s += 1 / Math.pow(r + 1, ZIPF_EXPONENT);
  for (let r = 0; r < n; r++) out[r]! /= s;
  return out;
}
const GT_ZIPF = cumulativeZipf(CATEGORIES.length - 1);
const DT_ZIPF = cumulativeZipf(CATEGORIES.length);

function sampleRank(rng: Rng, cdf: Float64Array): number {
  const u = rng.float();
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A plausible wrong class: a near neighbour in the list (same supercategory, mostly) or any class. */
function confuse(rng: Rng, rank: number): number {
  const n = CATEGORIES.length;
  if (rng.float() < 0.25) {
    const r = rng.int(n - 1);
    return r >= rank ? r + 1 : r;
  }
  const step = 1 + rng.int(3);
  const r = rng.float() < 0.5 ? rank - step : rank + step;
  return r < 0 ? rank + step : r >= n ? rank - step : r;
}

// ------------------------------------------------------------------------------------------------
// Images.

const COMMON_SIZES: [number, number, number][] = [
  [640, 480, 0.3],
  [640, 427, 0.2],
  [480, 640, 0.07],
  [427, 640, 0.05],
  [640, 424, 0.05],
  [640, 360, 0.04],
  [500, 375, 0.04],
  [375, 500, 0.03],
  [640, 640, 0.02],
  [612, 612, 0.02],
  [640, 512, 0.02],
  [333, 500, 0.02],
];

function sampleImageSize(rng: Rng): [number, number] {
  let u = rng.float();
  for (const [w, h, p] of COMMON_SIZES) {
    if (u < p) return [w, h];
    u -= p;
  }
  const long = rng.float() < 0.85 ? 640 : 500;
  const short = 240 + rng.int(long - 240 + 1);
  return rng.float() < 0.75 ? [long, short] : [short, long];
}

export interface CocoSetPlan {
  options: ResolvedOptions;
  info: Record<string, unknown>;
  images: CocoImage[];
  categories: CocoCategory[];
}

/** The image list (ids, sizes) and header of a set: cheap, no geometry. */
export function planCocoSet(options: GenerateOptions = {}): CocoSetPlan {
  const o = resolveOptions(options);
  const rng = new Rng(o.seed, 0);
  const images: CocoImage[] = [];
  let id = 0;
  for (let i = 0; i < o.images; i++) {
    id += i === 0 ? 139 : 1 + rng.int(200);
    const [width, height] = sampleImageSize(rng);
    images.push({ id, width, height, file_name: `${String(id).padStart(12, "0")}.jpg` });
  }
  const info = {
    description: "detection-eval synthetic COCO-style set (bench/synth.ts)",
    version: "1",
    preset: o.preset,
    seed: o.seed,
  };
  return { options: o, info, images, categories: CATEGORIES.map((c) => ({ ...c })) };
}

// ------------------------------------------------------------------------------------------------
// Shapes.

const round2 = (x: number): number => Math.round(x * 100) / 100;
const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

type Polygon = number[]; // [x0, y0, x1, y1, ...]

/** A star-shaped polygon around the origin with polygon area 1 (before the caller scales it). */
function unitStar(rng: Rng, vertices: number, aspect: number): Polygon {
  const theta0 = rng.float() * 2 * Math.PI;
  const sx = Math.sqrt(aspect);
  const sy = 1 / sx;
  const xy: number[] = [];
  for (let i = 0; i < vertices; i++) {
    const t = theta0 + ((i + 0.7 * (rng.float() - 0.5)) * 2 * Math.PI) / vertices;
    const f = rng.float();
    const r = 1 - 0.6 * f * f;
    xy.push(r * Math.cos(t) * sx, r * Math.sin(t) * sy);
  }
  const s = 1 / Math.sqrt(Math.max(1e-9, polygonArea(xy)));
  for (let i = 0; i < xy.length; i++) xy[i]! *= s;
  return xy;
}

function polygonArea(xy: Polygon): number {
  let a = 0;
  const n = xy.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) a += xy[2 * j]! * xy[2 * i + 1]! - xy[2 * i]! * xy[2 * j + 1]!;
  return Math.abs(a) / 2;
}

function extents(parts: readonly Polygon[]): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of parts)
    for (let i = 0; i < p.length; i += 2) {
      if (p[i]! < x0) x0 = p[i]!;
      if (p[i]! > x1) x1 = p[i]!;
      if (p[i + 1]! < y0) y0 = p[i + 1]!;
      if (p[i + 1]! > y1) y1 = p[i + 1]!;
    }
  return [x0, y0, x1, y1];
}

/** Places a unit shape (scaled by `scale`) at (cx, cy), clipping vertices to the image, 2 decimals. */
function place(unit: Polygon, scale: number, cx: number, cy: number, w: number, h: number, clip = true): Polygon {
  const out: number[] = new Array(unit.length);
  for (let i = 0; i < unit.length; i += 2) {
    const x = cx + unit[i]! * scale;
    const y = cy + unit[i + 1]! * scale;
    out[i] = round2(clip ? clamp(x, 0, w) : x);
    out[i + 1] = round2(clip ? clamp(y, 0, h) : y);
  }
  return out;
}

/** Object size as sqrt(area) in pixels: COCO-like mix, ~41% small, ~34% medium, ~25% large. */
function sampleSide(rng: Rng, w: number, h: number): number {
  const u = rng.float();
  if (u < 0.41) return rng.logUniform(5, 32);
  if (u < 0.75) return rng.logUniform(32, 96);
  return rng.logUniform(96, Math.max(97, 0.85 * Math.sqrt(w * h)));
}

interface Shape {
  parts: Polygon[];
  side: number;
}

/** A random object: star polygon (sometimes with a second, detached part), fitted into the image. */
function randomShape(rng: Rng, w: number, h: number, side: number, multiPart: boolean): Shape {
  const vertices = 4 + rng.int(Math.min(28, 2 + side / 5));
  const aspect = clamp(Math.exp(0.45 * rng.normal()), 0.3, 3.3);
  const unit = unitStar(rng, vertices, aspect);
  let scale = side;
  const [ux0, uy0, ux1, uy1] = extents([unit]);
  const fit = Math.min(1, (0.98 * w) / ((ux1 - ux0) * scale), (0.98 * h) / ((uy1 - uy0) * scale));
  scale *= fit;
  let cx: number;
  let cy: number;
  if (rng.float() < 0.12) {
    // truncated by the image border
    cx = rng.range(0, w);
    cy = rng.range(0, h);
  } else {
    cx = rng.range(-ux0 * scale, w - ux1 * scale);
    cy = rng.range(-uy0 * scale, h - uy1 * scale);
  }
  const parts = [place(unit, scale, cx, cy, w, h)];
  if (multiPart) {
    const frac = rng.range(0.15, 0.5);
    const sub = unitStar(rng, 4 + rng.int(10), clamp(Math.exp(0.4 * rng.normal()), 0.4, 2.5));
    const subScale = scale * Math.sqrt(frac);
    const t = rng.float() * 2 * Math.PI;
    const dist = 0.75 * scale * Math.max(ux1 - ux0, uy1 - uy0) * 0.5 + 0.6 * subScale;
    parts.push(place(sub, subScale, cx + dist * Math.cos(t), cy + dist * Math.sin(t), w, h));
  }
  return { parts, side: side * fit };
}

/** Detection geometry: the label's polygons under one random similarity-ish transform plus vertex noise. */
function jitter(rng: Rng, parts: readonly Polygon[], sigma: number, w: number, h: number, clip: boolean): Polygon[] {
  const [x0, y0, x1, y1] = extents(parts);
  const bw = Math.max(1, x1 - x0);
  const bh = Math.max(1, y1 - y0);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const dx = rng.normal() * sigma * bw;
  const dy = rng.normal() * sigma * bh;
  const sx = Math.exp(rng.normal() * sigma);
  const sy = Math.exp(rng.normal() * sigma);
  const out: Polygon[] = [];
  for (const p of parts) {
    const q: number[] = new Array(p.length);
    for (let i = 0; i < p.length; i += 2) {
      const x = cx + dx + (p[i]! - cx) * sx + rng.normal() * sigma * 0.3 * bw;
      const y = cy + dy + (p[i + 1]! - cy) * sy + rng.normal() * sigma * 0.3 * bh;
      q[i] = round2(clip ? clamp(x, 0, w) : x);
      q[i + 1] = round2(clip ? clamp(y, 0, h) : y);
    }
    out.push(q);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Per-image generation.

export interface ImageRecords {
  image: CocoImage;
  annotations: CocoAnnotation[];
  dtBbox: CocoBboxResult[];
  /** Empty unless options.segm. */
  dtSegm: CocoSegmResult[];
}

interface Det {
  rank: number;
  parts: Polygon[];
  score: number;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

function labelCount(rng: Rng, o: ResolvedOptions): number {
  const empty = 0.012;
  if (rng.float() < empty) return 0;
  const k = 1.8;
  const mean = o.meanLabels / (1 - empty) - 1;
  return Math.min(o.maxLabels, 1 + rng.poisson((rng.gamma(k) * mean) / k));
}

/**
 * Generates one image's labels and detections. `firstAnnotationId` is the id of its first label;
 * `index` selects the image's PRNG stream.
 */
export function generateImage(
  engine: GeometryEngine,
  o: ResolvedOptions,
  image: CocoImage,
  index: number,
  firstAnnotationId: number,
): ImageRecords {
  const rng = new Rng(o.seed, index + 1);
  const { width: w, height: h } = image;
  const annotations: CocoAnnotation[] = [];
  const dets: Det[] = [];
  const labels: Shape[] = [];
  const labelRanks: number[] = [];
  const scoreScale = Math.pow(10, o.scoreDecimals);
  const score = (logit: number): number => {
    const s = Math.round(logistic(logit) * scoreScale) / scoreScale;
    return clamp(s, 1 / scoreScale, 1 - 1 / scoreScale);
  };

  const n = labelCount(rng, o);
  for (let i = 0; i < n; i++) {
    const crowd = rng.float() < o.crowdRate;
    const rank = crowd && rng.float() < 0.7 ? 0 : sampleRank(rng, GT_ZIPF);
    if (crowd) {
      // A crowd region: the union of several overlapping blobs, stored as uncompressed RLE.
      const side = rng.logUniform(60, Math.max(61, 0.8 * Math.min(w, h)));
      const cx = rng.range(0, w);
      const cy = rng.range(0, h);
      const blobs = 3 + rng.int(6);
      const parts: Polygon[] = [];
      for (let b = 0; b < blobs; b++) {
        const unit = unitStar(rng, 6 + rng.int(10), clamp(Math.exp(0.3 * rng.normal() - 0.4), 0.3, 2));
        parts.push(place(unit, side * rng.range(0.3, 0.55), cx + rng.range(-0.6, 0.6) * side, cy + rng.range(-0.3, 0.3) * side, w, h));
      }
      const rle = engine.rleFromPolygons(parts, h, w);
      const area = engine.rleArea(rle);
      if (area === 0) continue;
      annotations.push({
        id: firstAnnotationId + annotations.length,
        image_id: image.id,
        category_id: CATEGORIES[rank]!.id,
        segmentation: { counts: Array.from(rle.counts), size: [h, w] },
        area,
        bbox: engine.rleToBbox(rle),
        iscrowd: 1,
      });
      // Detections inside the crowd: matched to it, they are ignored rather than false positives.
      const inside = rng.poisson(1.2);
      const [bx, by, bw, bh] = engine.rleToBbox(rle);
      for (let d = 0; d < inside; d++) {
        const s = Math.min(bw, bh) * rng.range(0.2, 0.45);
        const unit = unitStar(rng, 5 + rng.int(8), clamp(Math.exp(0.3 * rng.normal() - 0.5), 0.3, 2));
        dets.push({ rank, parts: [place(unit, s, bx + rng.range(0, bw), by + rng.range(0, bh), w, h)], score: score(0.3 + rng.normal()) });
      }
      continue;
    }
    let side = sampleSide(rng, w, h);
    const multi = rng.float() < (side < 32 ? 0.02 : 0.08);
    let shape = randomShape(rng, w, h, side, multi);
    let rle = engine.rleFromPolygons(shape.parts, h, w);
    for (let tries = 0; engine.rleArea(rle) === 0 && tries < 8; tries++) {
      side *= 1.5; // too thin or tiny to cover a pixel centre: grow it
      shape = randomShape(rng, w, h, side, multi);
      rle = engine.rleFromPolygons(shape.parts, h, w);
    }
    const area = engine.rleArea(rle);
    if (area === 0) continue;
    annotations.push({
      id: firstAnnotationId + annotations.length,
      image_id: image.id,
      category_id: CATEGORIES[rank]!.id,
      segmentation: shape.parts,
      area,
      bbox: engine.rleToBbox(rle),
      iscrowd: 0,
    });
    labels.push(shape);
    labelRanks.push(rank);

    // The detector's view of this label.
    const s = shape.side;
    const small = s < 32;
    if (rng.float() < (small ? 0.3 : s < 96 ? 0.1 : 0.04)) continue; // missed
    const f = rng.float();
    const sigma = (0.012 + 0.22 * f * f * f) * (small ? 1.5 : 1);
    const clip = rng.float() >= 0.05;
    const confused = rng.float() < 0.07;
    const detRank = confused ? confuse(rng, rank) : rank;
    const logit = confused ? -0.4 + rng.normal() : 2.3 - 10 * sigma - (small ? 0.7 : 0) + 0.9 * rng.normal();
    const first: Det = { rank: detRank, parts: jitter(rng, shape.parts, sigma, w, h, clip), score: score(logit) };
    dets.push(first);
    if (rng.float() < 0.11) {
      // duplicate: looser box, lower score
      const s2 = sigma + rng.range(0.05, 0.25);
      dets.push({ rank: detRank, parts: jitter(rng, shape.parts, s2, w, h, clip), score: score(logit - rng.range(0.5, 2.5)) });
    }
  }

  // Background false positives (any class, including the detection-only one).
  const bg = rng.poisson(o.backgroundFp);
  for (let i = 0; i < bg; i++) {
    const shape = randomShape(rng, w, h, sampleSide(rng, w, h) * 0.8, false);
    dets.push({ rank: sampleRank(rng, DT_ZIPF), parts: shape.parts, score: score(-1.6 + 1.1 * rng.normal()) });
  }

  // Dense mode: pad with low-score boxes, like a detector run at a 0.05 threshold with top-k output.
  if (o.denseFill > 0) {
    const target = rng.float() < 0.75 ? o.denseFill : Math.ceil(o.denseFill * rng.range(0.4, 1));
    while (dets.length < target) {
      if (labels.length > 0 && rng.float() < 0.55) {
        const j = rng.int(labels.length);
        const rank = rng.float() < 0.5 ? labelRanks[j]! : confuse(rng, labelRanks[j]!);
        dets.push({ rank, parts: jitter(rng, labels[j]!.parts, rng.range(0.15, 0.7), w, h, true), score: score(-2.4 + rng.normal()) });
      } else {
        const shape = randomShape(rng, w, h, sampleSide(rng, w, h), false);
        dets.push({ rank: sampleRank(rng, DT_ZIPF), parts: shape.parts, score: score(-3 + rng.normal()) });
      }
    }
  }

  // Highest score first within the image (stable: ties keep generation order), top-k.
  const order = dets.map((_, i) => i).sort((a, b) => dets[b]!.score - dets[a]!.score);
  if (order.length > o.maxDetections) order.length = o.maxDetections;

  const dtBbox: CocoBboxResult[] = [];
  const dtSegm: CocoSegmResult[] = [];
  for (const i of order) {
    const d = dets[i]!;
    const category_id = CATEGORIES[d.rank]!.id;
    const [x0, y0, x1, y1] = extents(d.parts);
    const bx = round2(x0);
    const by = round2(y0);
    dtBbox.push({
      image_id: image.id,
      category_id,
      bbox: [bx, by, Math.max(0.01, round2(x1 - bx)), Math.max(0.01, round2(y1 - by))],
      score: d.score,
    });
    if (o.segm) {
      const rle: Rle = engine.rleFromPolygons(d.parts, h, w);
      dtSegm.push({ image_id: image.id, category_id, segmentation: { size: [h, w], counts: engine.rleToString(rle) }, score: d.score });
    }
  }
  return { image, annotations, dtBbox, dtSegm };
}

/** Walks a set image by image (constant memory apart from the plan): the basis of the streaming writers. */
export function* iterateCocoSet(engine: GeometryEngine, plan: CocoSetPlan): Generator<ImageRecords> {
  let nextId = 1;
  for (let i = 0; i < plan.images.length; i++) {
    const rec = generateImage(engine, plan.options, plan.images[i]!, i, nextId);
    nextId += rec.annotations.length;
    yield rec;
  }
}

export interface CocoSetCounts {
  images: number;
  labels: number;
  crowd: number;
  detections: number;
}

export interface CocoSet {
  gt: CocoDataset;
  dtBbox: CocoBboxResult[];
  /** Empty when options.segm is false. */
  dtSegm: CocoSegmResult[];
  counts: CocoSetCounts;
}

/** The whole set in memory (fine up to the dense preset; use writeCocoSet for huge). */
export function generateCocoSet(engine: GeometryEngine, options: GenerateOptions = {}): CocoSet {
  const plan = planCocoSet(options);
  const annotations: CocoAnnotation[] = [];
  const dtBbox: CocoBboxResult[] = [];
  const dtSegm: CocoSegmResult[] = [];
  for (const rec of iterateCocoSet(engine, plan)) {
    for (const a of rec.annotations) annotations.push(a);
    for (const d of rec.dtBbox) dtBbox.push(d);
    for (const d of rec.dtSegm) dtSegm.push(d);
  }
  const gt: CocoDataset = { info: plan.info, licenses: [], images: plan.images, annotations, categories: plan.categories };
  const counts = {
    images: plan.images.length,
    labels: annotations.length,
    crowd: annotations.reduce((s, a) => s + a.iscrowd, 0),
    detections: dtBbox.length,
  };
  return { gt, dtBbox, dtSegm, counts };
}
