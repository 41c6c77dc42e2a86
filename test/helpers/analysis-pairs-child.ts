// Child process of test/analysis/limits.test.ts (run with `node --import tsx`): analyze() of one image
// with n x n unit boxes (the first 100 predictions on labels, every other pair disjoint), then one
// JSON line: the view at IoU 0.5, the candidates and the process's peak RSS.
import { analyze } from "../../bindings/analysis/analyze.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { peakRss } from "./peak-rss.js";
import { disjointInput } from "./analysis-pairs.js";

const n = Number(process.argv[2]);
const engine = await createEngine();
const a = analyze(engine, disjointInput(n, 100, 0), { iou: "box" });
const v = a.at({ iou: 0.5 });
process.stdout.write(
  `${JSON.stringify({ view: [v.tp, v.fp, v.fn, v.mAP, v.precision, v.recall, v.avgIou], cand: Array.from(a.p.pCand), maxRss: peakRss() })}\n`,
);
