// Child process of test/coco/categories.test.ts (run with `node --import tsx`): evaluates the
// many-categories set of bench/categories.ts (K categories, 100 images) and prints one JSON line:
// the stats, the number of categories with an AP, and the process's peak RSS.
import { manyCategorySet } from "../../bench/categories.js";
import { evaluateCoco } from "../../bindings/coco/evaluate.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { peakRss } from "./peak-rss.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";

const categories = Number(process.argv[2]);
const set = manyCategorySet({ categories, images: 100, labels: 8, dets: 20 });
const engine = await createEngine();
const gt = parseCocoDataset(set.gt as never);
const ev = evaluateCoco(engine, gt, parseCocoResults(set.dt as never, gt), { iouType: "bbox" });
const withAp = ev.perCategory().filter((c) => c.ap >= 0).length;
process.stdout.write(`${JSON.stringify({ stats: ev.stats, withAp, maxRss: peakRss() })}\n`);
