// The JSON output of a COCO evaluation, shared by `coco` and `merge` (one shape, so that a merge of
// shards prints what the unsharded run prints).
import type { CocoSummary } from "../coco/result.js";

/** The resolved parameters in the output, so that a run says what it evaluated. */
function paramsJson(p: CocoSummary["params"]): Record<string, unknown> {
  return { images: p.imgIds.length, catIds: p.catIds, iouThrs: p.iouThrs, recThrs: p.recThrs, maxDets: p.maxDets, areaRng: p.areaRng, areaRngLbl: p.areaRngLbl, useCats: p.useCats, ...(p.iouType === "boundary" ? { dilationRatio: p.dilationRatio } : {}) };
}

/** One line of JSON: iouType, params, stats, statsLabels, perCategory, `extra` keys, warnings, timings. */
export function cocoJson(iouType: string, ev: CocoSummary, extra: Record<string, unknown>, timings?: Record<string, number>): string {
  const json = {
    iouType,
    params: paramsJson(ev.params),
    stats: ev.stats,
    statsLabels: ev.statsLabels,
    perCategory: ev.perCategory(),
    ...extra,
    warnings: ev.warnings,
    ...(timings ? { timings } : {}),
  };
  return `${JSON.stringify(json)}\n`;
}
