import { createEngine } from "../bindings/engine/engine.js";
import { evaluateCoco } from "../bindings/coco/evaluate.js";
import { bootstrapCoco } from "../bindings/coco/bootstrap.js";
import { loadCocoInputs } from "../bindings/ingest/stream-load.js";
const engine = await createEngine();
const t = "bbox";
const { gt, dt } = await loadCocoInputs(".cache/bench/val-v1/gt.json", `.cache/bench/val-v1/dt_${t}.json`);
const ev = evaluateCoco(engine, gt, dt, { iouType: t });
const m = ev.matches;
for (const B of [1, 200]) {
const t0 = performance.now();
bootstrapCoco(gt, dt, ev.params, m, { stats: ev.stats, perCategoryAp: ev.perCategory().map((c) => c.ap) }, { resamples: B });
console.log(B, (performance.now() - t0).toFixed(0), "ms");
}
