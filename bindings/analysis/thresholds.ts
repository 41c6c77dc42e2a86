// COCO's recall and IoU threshold grids, exactly as numpy builds them (a leaf of the analysis layer).

/** COCO's recall thresholds: numpy linspace(0, 1, 101) = i * 0.01, the last exactly 1. */
export const RECALL_THRESHOLDS: Float64Array = (() => {
  const r = new Float64Array(101);
  for (let i = 0; i < 101; i++) r[i] = i * 0.01;
  r[100] = 1;
  return r;
})();

/** COCO's IoU thresholds .50:.05:.95: numpy linspace(.5, .95, 10). */
export const COCO_IOU_THRESHOLDS: Float64Array = (() => {
  const r = new Float64Array(10);
  const step = (0.95 - 0.5) / 9;
  for (let i = 0; i < 10; i++) r[i] = 0.5 + i * step;
  r[9] = 0.95;
  return r;
})();
