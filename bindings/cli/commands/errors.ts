// `detection-eval errors --gt GT --dt RESULTS`: why a model fails. TIDE's error decomposition
// (tidecv's numbers), LRP (the LRP-Error fork's numbers), the class confusion matrix and calibration
// (analysis mode at --iou / --confidence). COCO input only (TIDE and LRP are COCO protocols).
import { type Command, numberOption, UsageError } from "../command.js";
import { createEngine } from "../../engine/engine.js";
import { loadCocoInputs } from "../../ingest/stream-load.js";
import { evaluateCoco } from "../../coco/evaluate.js";
import { tide, TIDE_MAIN_ERRORS, TIDE_SPECIAL_ERRORS, type TideResult } from "../../errors/tide.js";
import { lrp, type LrpResult } from "../../errors/lrp.js";
import { fromCoco } from "../../analysis/coco-adapter.js";
import { analyze } from "../../analysis/analyze.js";
import type { ConfusionMatrix } from "../../analysis/confusion.js";
import type { Calibration } from "../../analysis/calibration.js";
import { listOption } from "../subsets.js";

/** JSON numbers: NaN and infinities as null. */
const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function tideJson(t: TideResult): Record<string, unknown> {
  const flat = (o: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, num(v)]));
  return {
    ...flat(t.main),
    ...flat(t.special),
    ap: num(t.ap),
    posThreshold: t.posThreshold,
    backgroundThreshold: t.backgroundThreshold,
    maxDets: t.maxDets,
    counts: t.counts,
    classes: t.classes.map((c) => ({ categoryId: c.categoryId, ap: num(c.ap), numGt: c.numGt, numPredictions: c.numPredictions, ...flat(c.main), ...flat(c.special) })),
  };
}

export function lrpJson(l: LrpResult): Record<string, unknown> {
  return {
    olrp: num(l.olrp),
    olrp_loc: num(l.olrpLoc),
    olrp_fp: num(l.olrpFp),
    olrp_fn: num(l.olrpFn),
    tau: l.tau,
    areaRng: l.areaRng,
    maxDets: l.maxDets,
    classes: l.classes.map((c) => ({ categoryId: c.categoryId, olrp: num(c.olrp), olrp_loc: num(c.olrpLoc), olrp_fp: num(c.olrpFp), olrp_fn: num(c.olrpFn), threshold: num(c.threshold) })),
  };
}

function confusionJson(m: ConfusionMatrix): Record<string, unknown> {
  return { iou: m.iou, confidence: num(m.confidence), categories: m.categories, counts: m.counts, rates: m.rates };
}

function calibrationJson(c: Calibration): Record<string, unknown> {
  return { ...c, ece: num(c.ece), mce: num(c.mce), bins: c.bins.map((b) => ({ ...b, confidence: num(b.confidence), precision: num(b.precision) })) };
}

const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "-");

/** A table like tidecv's summary: a title, a header row and value rows between rules. */
function box(title: string, head: string[], rows: string[][]): string {
  const w = Math.max(8, ...head.map((h) => h.length + 2), ...rows.flat().map((c) => c.length + 2));
  const line = (cells: string[]) => cells.map((c) => c.padStart(w)).join(" ");
  const width = line(head).length;
  const pad = Math.max(0, Math.floor((width - title.length) / 2));
  return [" ".repeat(pad) + title, "=".repeat(width), line(head), "-".repeat(width), ...rows.map(line), "=".repeat(width)].join("\n");
}

function renderText(t: TideResult, l: LrpResult, m: ConfusionMatrix, c: Calibration): string {
  const out: string[] = [];
  out.push(`-- ${t.iouType} AP @ ${Math.round(t.posThreshold * 100)}: ${f(t.ap)} (TIDE, background IoU ${t.backgroundThreshold}) --`, "");
  out.push(box("Main Errors", ["Type", ...TIDE_MAIN_ERRORS], [["dAP", ...TIDE_MAIN_ERRORS.map((k) => f(t.main[k]))], ["count", ...TIDE_MAIN_ERRORS.map((k) => String(t.counts[k]))]]), "");
  out.push(box("Special Error", ["Type", ...TIDE_SPECIAL_ERRORS], [["dAP", ...TIDE_SPECIAL_ERRORS.map((k) => f(t.special[k]))]]), "");
  out.push(box(`LRP (tau ${l.tau}, area ${l.areaRng}, maxDets ${l.maxDets})`, ["", "oLRP", "loc", "FP", "FN"], [["moLRP", f(l.olrp, 3), f(l.olrpLoc, 3), f(l.olrpFp, 3), f(l.olrpFn, 3)]]), "");
  // the largest confusions between two classes
  const n = m.categories.length;
  const pairs: [number, number, number][] = [];
  for (let r = 0; r < n; r++) for (let col = 0; col < n; col++) if (r !== col && m.counts[r]![col]! > 0) pairs.push([m.counts[r]![col]!, r, col]);
  pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  const name = (i: number) => m.categories[i]!.name;
  const fpBg = m.counts.slice(0, n).reduce((s, row) => s + row[n]!, 0);
  const fnBg = m.counts[n]!.slice(0, n).reduce((s, v) => s + v, 0);
  out.push(`confusion at IoU ${m.iou}: ${pairs.reduce((s, p) => s + p[0], 0)} predictions of another class's label, ${fpBg} on background, ${fnBg} labels missed`);
  for (const [count, r, col] of pairs.slice(0, 10)) out.push(`  ${String(count).padStart(6)}  predicted ${name(r)}, true ${name(col)}`);
  out.push(`calibration at IoU ${c.iou} (${c.bins.length} bins, ${c.count} predictions): ECE ${f(c.ece, 3)}  MCE ${f(c.mce, 3)}`);
  return `${out.join("\n")}\n`;
}

export const ERRORS_COMMAND: Command = {
  summary: "why a model fails: TIDE errors, LRP, class confusion matrix and calibration (COCO input)",
  usage:
    "detection-eval errors --gt GT.json --dt RESULTS.json [--iou-type bbox|segm] [--pos-threshold 0.5] [--background-threshold 0.1] [--tau 0.5] [--iou 0.5] [--confidence C] [--classes ID|NAME,...] [--bins 10] [--format text|json]",
  options: {
    gt: { kind: "value", required: true, help: "COCO dataset (.json or .json.gz)" },
    dt: { kind: "value", required: true, help: "COCO results (.json or .json.gz)" },
    "iou-type": { kind: "value", values: ["bbox", "segm"], help: "boxes or masks (default: segm for segmentation results)" },
    "pos-threshold": { kind: "value", default: "0.5", help: "TIDE: IoU at or above which a prediction matches (tidecv pos_threshold)" },
    "background-threshold": { kind: "value", default: "0.1", help: "TIDE: IoU at or below which a prediction is background (tidecv background_threshold)" },
    tau: { kind: "value", default: "0.5", help: "LRP: the IoU a true positive needs (one of COCO's thresholds .50:.05:.95)" },
    iou: { kind: "value", default: "0.5", help: "confusion matrix and calibration: IoU threshold in (0, 1]" },
    confidence: { kind: "value", help: "confusion matrix and calibration: predictions below this confidence are left out (default: none)" },
    classes: { kind: "value", help: "confusion matrix and calibration: only these classes (ids or names)" },
    bins: { kind: "value", default: "10", help: "calibration: confidence bins" },
    format: { kind: "value", values: ["text", "json"], default: "text" },
  },
  async run({ opts, progress, warn }) {
    const posThreshold = numberOption(opts, "pos-threshold", 0.5);
    const backgroundThreshold = numberOption(opts, "background-threshold", 0.1);
    const tau = numberOption(opts, "tau", 0.5);
    const iou = numberOption(opts, "iou", 0.5);
    const confidence = numberOption(opts, "confidence", -Infinity);
    const bins = numberOption(opts, "bins", 10);
    if (!(posThreshold > 0 && posThreshold <= 1)) throw new UsageError(`--pos-threshold: expected a number in (0, 1], got ${opts["pos-threshold"]}`);
    if (!(backgroundThreshold >= 0 && backgroundThreshold <= posThreshold))
      throw new UsageError(`--background-threshold: expected a number in [0, --pos-threshold], got ${opts["background-threshold"]}`);
    if (!(iou > 0 && iou <= 1)) throw new UsageError(`--iou: expected a number in (0, 1], got ${opts.iou}`);
    if (!(Number.isInteger(bins) && bins >= 1 && bins <= 1000)) throw new UsageError(`--bins: expected a whole number in 1..1000, got ${opts.bins}`);
    const engine = await createEngine();
    progress?.(`loading ${opts.gt} and ${opts.dt}`);
    const { gt, dt } = await loadCocoInputs(opts.gt!, opts.dt!, { module: engine.module });
    const iouType = (opts["iou-type"] as "bbox" | "segm" | undefined) ?? (dt.source === "segm" ? "segm" : "bbox");
    if (dt.source === "keypoints") throw new UsageError("errors: keypoint results have no box or mask to analyse");
    progress?.("TIDE");
    const t = tide(gt, dt, engine, { iouType, posThreshold, backgroundThreshold });
    for (const w of t.warnings) warn(w);
    progress?.("LRP");
    const ev = evaluateCoco(engine, gt, dt, { iouType });
    // the exact threshold of the evaluation's grid (linspace makes 0.8999999999999999, not 0.9)
    const grid = ev.params.iouThrs;
    const tauExact = grid.find((x) => Math.abs(x - tau) < 1e-12);
    if (tauExact === undefined) throw new UsageError(`--tau: expected one of ${grid.map((x) => Number(x.toFixed(2))).join(", ")}, got ${opts.tau}`);
    const l = lrp(ev, dt, { tau: tauExact });
    progress?.("confusion matrix and calibration");
    const input = fromCoco(engine, gt, dt, { iouType });
    const a = analyze(engine, input, { iou: iouType === "bbox" ? "box" : "mask" });
    const classes = listOption(opts, "classes");
    const view = a.at({ iou, confidence, ...(classes ? { classes } : {}) });
    const m = view.confusion();
    const c = view.calibration({ bins });
    if ((opts.format ?? "text") === "json") return `${JSON.stringify({ iouType, tide: tideJson(t), lrp: lrpJson(l), confusion: confusionJson(m), calibration: calibrationJson(c) })}\n`;
    return renderText(t, l, m, c);
  },
};
