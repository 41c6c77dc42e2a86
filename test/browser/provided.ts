// What test/browser/global-setup.ts computes in Node and hands to the browser tests (vitest provide/inject).
import type { AnalysisSummary } from "../../bindings/analysis/analysis.js";

export interface CocoCase {
  name: string;
  iouType: "bbox" | "segm";
  /** paths relative to the project root (readable with commands.readFile) */
  gt: string;
  dt: string;
  /** Node's results with the wasm engine */
  stats: number[];
  perCategory: unknown[];
  /** FNV-1a over the bytes of the precision array (bitwise parity) */
  precisionHash: string;
  precisionLength: number;
  /** pycocotools' stats from expected_<tag>.json */
  expectedStats: number[];
  /** analysis mode (COCO adapter, same-class candidates) at IoU 0.5 and 0.75, JSON round-tripped */
  analysis50: AnalysisSummary;
  analysis75: AnalysisSummary;
}

export interface ReportCase {
  /** the HTML written by `detection-eval report`, relative to the project root and absolute */
  path: string;
  absPath: string;
  /** the input it was made from */
  source: string;
  /** Node's mAP for these questions (same input, same options) */
  mAP: Record<string, number>;
  /** a class id for the class-filter check */
  oneClass: number | string;
  mAPOneClass50: number;
  mAPConf50: number;
  /** confusion-matrix counts at IoU 0.5 and 0.75 (confidence 0), with the class ids of its rows */
  confusion: Record<string, { categories: (number | string)[]; counts: number[][] }>;
  /** the bootstrap interval of mAP at IoU 0.5 (1,000 resamples, seed 0: the page's defaults) */
  mAPInterval50: { lo: number; hi: number };
  ece50: number;
  /** tide() in Node: the overall dAPs, and the oneClass' own (main clamped at 0, the page's rule for a selection) */
  tide: { all: Record<string, number>; oneClass: Record<string, number> };
  /** the explorer at IoU 0.5, confidence 0, from view.explorer()'s row objects in Node */
  explorer: {
    total: number;
    fp: number;
    fn: number;
    /** displayed ids (id, else #index) of the 5 most confident FPs and the 5 largest FNs */
    worstFp: string[];
    largestFn: string[];
    /** a search text and how many rows match it (image, class, id, outcome or reason contains it) */
    search: string;
    searchRows: number;
    /** rows at IoU 0.75 with only the oneClass ticked */
    oneClass75: number;
    /** the page's image filter (file name contains) and its rows and mAP; the metric range "label area >= areaMin" and its rows and mAP */
    imageText: string;
    imageRows: number;
    imageMAP: number;
    areaMin: number;
    areaRows: number;
    areaMAP: number;
  };
}

/** The synthetic COCO set the global setup generates (bindings/synth/generate.ts), with Node's numbers for it. */
export interface GeneratedCase {
  gt: string;
  dt: string;
  /** COCO bbox stats */
  stats: number[];
  /** analysis mAP at confidence 0 */
  mAP50: number;
  mAP75: number;
}

declare module "vitest" {
  export interface ProvidedContext {
    fixturesAvailable: boolean;
    cocoCases: CocoCase[];
    reportCase: ReportCase;
    generatedCase: GeneratedCase;
    /** a report of many classes (relative path), for the chart caps */
    manyClassesReport: { path: string; classes: number };
    /** a report of two models (`--dt` twice, names with HTML characters), with compare()'s numbers at IoU 0.5 */
    twoModelsReport: { path: string; names: string[]; mAP: number[]; gained: number; lost: number };
  }
}

/** FNV-1a (32-bit) over the bytes of a typed array, as hex. */
export function fnv1a(a: ArrayBufferView): string {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The values the report test moves the sliders to (IoU) and the confidence it checks. */
export const REPORT_IOUS = [0.5, 0.75, 0.3] as const;
export const REPORT_CONFIDENCE = 0.5;
