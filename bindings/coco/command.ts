// `detection-eval coco`: pycocotools-compatible evaluation from the command line (Node only).
import type { Command } from "../cli/command.js";
import { createEngine } from "../engine.js";
import { loadCocoDataset, loadCocoResults } from "../io/node.js";
import { evaluateCoco } from "./evaluate.js";
import type { IouType } from "./params.js";

export const COCO_COMMAND: Command = {
  summary: "pycocotools-compatible COCO evaluation (stats, per-category AP)",
  usage: "detection-eval coco --gt GT.json --dt RESULTS.json --iou-type bbox|segm|keypoints [--format text|json]",
  options: {
    gt: { kind: "value", required: true, help: "COCO dataset (.json or .json.gz)" },
    dt: { kind: "value", required: true, help: "COCO results (.json or .json.gz)" },
    "iou-type": { kind: "value", required: true, values: ["bbox", "segm", "keypoints"] },
    format: { kind: "value", values: ["text", "json"], default: "text" },
  },
  async run({ opts, progress, warn }) {
    const engine = await createEngine();
    const iouType = opts["iou-type"] as IouType;
    progress?.(`loading ${opts.gt}`);
    const gt = loadCocoDataset(opts.gt!);
    progress?.(`loading ${opts.dt}`);
    const dt = loadCocoResults(opts.dt!, gt);
    progress?.(`evaluating (${iouType})`);
    const ev = evaluateCoco(engine, gt, dt, { iouType });
    for (const w of ev.warnings) warn(w);
    if (opts.format !== "json") return `${ev.summary()}\n`;
    const json = { iouType, stats: ev.stats, statsLabels: ev.statsLabels, perCategory: ev.perCategory(), warnings: ev.warnings };
    return `${JSON.stringify(json)}\n`;
  },
};
