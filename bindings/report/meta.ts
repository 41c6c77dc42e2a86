// What the report HTML embeds next to the data blob (shared by the generator and the page script).
import type { EncodedAnalysis } from "./data.js";

export interface ReportMeta {
  title: string;
  /** detection-eval's version */
  version: string;
  /** ISO date of generation */
  created: string;
  sources: { gt: string; dt?: string };
  inputFormat: "coco" | "encord";
  iouType: "bbox" | "segm" | null;
  iouKind: "mask" | "box";
  /** the sliders' initial values, and the classes ticked at first (category ids as strings; absent: all) */
  defaults: { iou: number; confidence: number; classes?: string[] };
  /** the encoded analysis without its blob (which lives in its own element) */
  data: Omit<EncodedAnalysis, "blob">;
}
