// `detection-eval convert`: Encord-style input (the project's format, or Encord label rows) to a COCO
// dataset and COCO results, for `detection-eval coco` or pycocotools. Node only; files are written
// atomically (bindings/ingest/output-file.ts writeFileAtomic).
import { type Command, UsageError } from "../command.js";
import { createEngine } from "../../engine/engine.js";
import { checkOutputNotInput, writeFileAtomic } from "../../ingest/output-file.js";
import { toCoco } from "../../analysis/to-coco.js";
import { type AnalysisGroundTruth, groundTruthOf, readAnalysisGroundTruth, sniffFile } from "../analysis-input.js";
import { streamJsonFile } from "../../ingest/stream-document.js";
import { stringRootProblem } from "../../ingest/coco-dataset.js";
import { CocoInputError } from "../../coco/errors.js";
import { isEncordJson } from "../../analysis/encord-format.js";
import { isLabelRows } from "../../analysis/label-rows.js";

export const CONVERT_COMMAND: Command = {
  summary: "convert Encord label rows or the Encord-style format to COCO files",
  usage: "detection-eval convert --gt LABELS.json [--dt PREDICTIONS.json] --out-gt GT.json [--out-dt RESULTS.json]",
  options: {
    gt: { kind: "value", required: true, help: "Encord label rows (JSON export) or Encord-style labels" },
    dt: { kind: "value", help: "predictions: label rows whose objects carry confidence, or Encord-style predictions" },
    "out-gt": { kind: "value", required: true, help: "the COCO dataset to write" },
    "out-dt": { kind: "value", help: "the COCO results to write (needs predictions)" },
  },
  async run({ opts, progress, warn }) {
    const inputs = [
      { option: "--gt", path: opts.gt },
      { option: "--dt", path: opts.dt },
    ];
    checkOutputNotInput({ option: "--out-gt", path: opts["out-gt"]! }, inputs);
    if (opts["out-dt"] !== undefined) checkOutputNotInput({ option: "--out-dt", path: opts["out-dt"] }, [...inputs, { option: "--out-gt", path: opts["out-gt"] }]);
    const engine = await createEngine();
    progress?.(`loading ${opts.gt}`);
    const sniffed = await sniffFile(opts.gt!);
    const notEncord = () => new UsageError("--gt: neither Encord label rows nor the Encord-style format (a COCO dataset is COCO already)");
    let gt: AnalysisGroundTruth;
    if (sniffed.guess.format !== "coco") gt = await readAnalysisGroundTruth(opts.gt!, opts.dt, sniffed);
    else if (sniffed.guess.decided && sniffed.guess.root !== "string") throw notEncord();
    else {
      // read to say why: invalid JSON (the reader's message), JSON encoded twice, or a pipe whose guess was cut short
      const head = await streamJsonFile(opts.gt!, sniffed.chunks);
      if (typeof head === "string") throw new CocoInputError(opts.gt!, stringRootProblem(head, "a JSON object or array", "file"));
      if (!isLabelRows(head) && !isEncordJson(head)) throw notEncord();
      gt = await groundTruthOf(head, opts.gt!, opts.dt);
    }
    if (gt.format !== "encord") throw notEncord();
    const { input } = gt;
    for (const w of input.warnings ?? []) warn(w);
    if (opts["out-dt"] !== undefined && input.predictions.length === 0 && opts.dt === undefined) throw new UsageError("--out-dt: no predictions to write (give --dt, or labels holding predictions)");
    progress?.("converting");
    const coco = toCoco(engine, input);
    writeFileAtomic(opts["out-gt"]!, `${JSON.stringify(coco.dataset)}\n`);
    if (opts["out-dt"] !== undefined) writeFileAtomic(opts["out-dt"], `${JSON.stringify(coco.results)}\n`);
    return `wrote ${opts["out-gt"]} (${coco.dataset.images.length} images, ${coco.dataset.categories.length} categories, ${coco.dataset.annotations.length} annotations)${opts["out-dt"] !== undefined ? ` and ${opts["out-dt"]} (${coco.results.length} results)` : ""}\n`;
  },
};
