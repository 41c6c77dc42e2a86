import type { GeometryEngine } from "../bindings/geometry-types.js";
export declare class Rng {
    private a;
    private b;
    private c;
    private d;
    constructor(seed: number, stream?: number);
    u32(): number;
    /** Uniform in [0, 1). */
    float(): number;
    range(lo: number, hi: number): number;
    /** Integer in [0, n). */
    int(n: number): number;
    logUniform(lo: number, hi: number): number;
    normal(): number;
    /** Gamma(shape k, scale 1), Marsaglia-Tsang. */
    gamma(k: number): number;
    poisson(mean: number): number;
}
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
    segmentation: {
        size: [number, number];
        counts: string;
    };
    score: number;
}
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
export type ResolvedOptions = Required<Omit<GenerateOptions, "preset">> & {
    preset: PresetName;
};
export declare const PRESETS: Record<PresetName, Omit<ResolvedOptions, "preset">>;
export declare function resolveOptions(options?: GenerateOptions): ResolvedOptions;
export declare const CATEGORIES: readonly CocoCategory[];
/** The category that only detections use (pycocotools reports -1 for it). */
export declare const DETECTION_ONLY_CATEGORY: number;
export interface CocoSetPlan {
    options: ResolvedOptions;
    info: Record<string, unknown>;
    images: CocoImage[];
    categories: CocoCategory[];
}
/** The image list (ids, sizes) and header of a set: cheap, no geometry. */
export declare function planCocoSet(options?: GenerateOptions): CocoSetPlan;
export interface ImageRecords {
    image: CocoImage;
    annotations: CocoAnnotation[];
    dtBbox: CocoBboxResult[];
    /** Empty unless options.segm. */
    dtSegm: CocoSegmResult[];
}
/**
 * Generates one image's labels and detections. `firstAnnotationId` is the id of its first label;
 * `index` selects the image's PRNG stream.
 */
export declare function generateImage(engine: GeometryEngine, o: ResolvedOptions, image: CocoImage, index: number, firstAnnotationId: number): ImageRecords;
/** Walks a set image by image (constant memory apart from the plan): the basis of the streaming writers. */
export declare function iterateCocoSet(engine: GeometryEngine, plan: CocoSetPlan): Generator<ImageRecords>;
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
export declare function generateCocoSet(engine: GeometryEngine, options?: GenerateOptions): CocoSet;
