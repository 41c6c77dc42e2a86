// What the report HTML embeds next to the data blob (shared by the generator and the page script).
import type { EncodedAnalysis } from "./data.js";
import type { TideMainError, TideSpecialError } from "../errors/tide.js";

export interface ReportMeta {
  title: string;
  /** detection-eval's version */
  version: string;
  /** ISO date of generation */
  created: string;
  sources: { gt: string; dt?: string };
  inputFormat: "coco" | "encord";
  iouType: "bbox" | "segm" | "keypoints" | null;
  iouKind: "mask" | "box" | "oks";
  /** polylines: the width in pixels they were rendered with */
  lineWidth?: number;
  /** how rotated boxes were compared, when the input has them (e.g. "rotated boxes against boxes: exact polygon IoU") */
  rotatedNote?: string;
  /** the sliders' initial values, and the classes ticked at first (category ids as strings; absent: all) */
  defaults: { iou: number; confidence: number | null; classes?: string[] };
  /** bootstrap resamples for the intervals on the summary cards (0: none) */
  bootstrap?: number;
  /** the TIDE error decomposition of the COCO input, when the report was made from one */
  tide?: TideMeta;
  /** the encoded analysis without its blob (which lives in its own element) */
  data: Omit<EncodedAnalysis, "blob">;
  /** pycocotools' evaluation of COCO input (one per model): fixed at the default Params, not following the sliders */
  coco?: CocoMeta[];
  /** with two or more models: every model's name (the first is `data`'s), and the others' data (blobs in report-blob-1, ...) */
  models?: { names: string[]; others: ModelMeta[] };
  /** the labels' and predictions' shapes (report/shapes.ts ReportShapes; blob in report-shapes); absent: left out (--no-shapes) */
  shapes?: Omit<EncodedAnalysis, "blob">;
  /** where the images come from (their URLs, one per image, in the report-images element); absent: none */
  images?: { source: "files" | "url" | "embedded" };
}

/** One model's COCO evaluation: the 12 stats, their labels, pycocotools' print-out, AP per category. */
export interface CocoMeta {
  iouType: "bbox" | "segm" | "keypoints";
  stats: number[];
  statsLabels: string[];
  summary: string;
  perCategory: { categoryId: string; name: string; ap: number; ap50: number; ap75: number; ar100: number }[];
}

/** One more model of the same labels: where its predictions came from, its data, its TIDE decomposition. */
export interface ModelMeta {
  dt?: string;
  data: Omit<EncodedAnalysis, "blob">;
  tide?: TideMeta;
}

export type { TideMainError, TideSpecialError };

/** TIDE's dAP (AP points, tidecv's units) overall and per class, at fixed foreground / background IoU. */
export interface TideMeta {
  posThreshold: number;
  backgroundThreshold: number;
  ap: number;
  main: Record<TideMainError, number>;
  special: Record<TideSpecialError, number>;
  classes: { categoryId: string; ap: number; main: Record<TideMainError, number>; special: Record<TideSpecialError, number> }[];
}
