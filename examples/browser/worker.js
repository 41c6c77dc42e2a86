// The example's worker: instantiates the engine from the module the page compiled, parses the two files,
// runs the COCO evaluation (COCO input) and the analysis, and sends back plain data: the COCO numbers and
// the encoded analysis (typed arrays), which the page decodes and re-scores.
import {
  analyze,
  createEngine,
  encodeAnalysis,
  evaluateCoco,
  fromCoco,
  isEncordJson,
  parseCocoDataset,
  parseCocoResults,
  parseEncordJson,
} from "../../dist/index.js";

self.onmessage = async ({ data }) => {
  try {
    const engine = await createEngine({ wasm: data.module });
    const docs = data.texts.map((t, i) => {
      try {
        return JSON.parse(t);
      } catch (e) {
        throw new Error(`${data.names[i]}: invalid JSON (${e.message})`);
      }
    });
    // the ground truth is the object with images (COCO) or labels (Encord-style); the other file holds the predictions
    const g = docs.findIndex((d) => d && !Array.isArray(d) && (Array.isArray(d.annotations) || isEncordJson(d)));
    if (g < 0) throw new Error("none of the files is a ground truth (a COCO dataset or an Encord-style labels file)");
    const gt = docs[g];
    const dt = docs.length === 2 ? docs[1 - g] : undefined;
    const sources = { gt: data.names[g], ...(dt !== undefined ? { dt: data.names[1 - g] } : {}) };
    if (isEncordJson(gt)) {
      const analysis = analyze(engine, parseEncordJson(gt, dt));
      self.postMessage({ format: "encord", sources, analysis: await encodeAnalysis(analysis) });
      return;
    }
    if (dt === undefined) throw new Error("COCO input needs the results file too");
    const ds = parseCocoDataset(gt);
    const res = parseCocoResults(dt, ds);
    const iouType = data.iouType === "auto" ? (res.source === "segm" ? "segm" : "bbox") : data.iouType;
    const ev = evaluateCoco(engine, ds, res, { iouType });
    const analysis = analyze(engine, fromCoco(engine, ds, res, { iouType }));
    self.postMessage({
      format: "coco",
      iouType,
      sources,
      coco: { stats: ev.stats, summary: ev.summary() },
      analysis: await encodeAnalysis(analysis),
    });
  } catch (e) {
    self.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
