// `detection-eval compare`: two or more models on the same ground truth (bindings/analysis/compare.ts):
// each model's numbers as `analyze` gives them for that file alone, per-class values side by side,
// and every model against the first with paired bootstrap intervals, p-values and label flips.
import { type Command, isInputError, numberOption, UsageError } from "../command.js";
import { createEngine } from "../../engine/engine.js";
import { analyze } from "../../analysis/analyze.js";
import { compare, type Comparison, type Difference } from "../../analysis/compare.js";
import { bootstrapOptions, IMAGE_SUBSET_OPTIONS, imageSubset, loadAnalysisInput, SIMILARITY_OPTIONS, similarityOptions, subPixelBoxWarning } from "./analyze.js";

export const COMPARE_COMMAND: Command = {
  summary: "two or more models side by side: per-class deltas, paired bootstrap intervals and p-values, label flips",
  usage:
    "detection-eval compare --gt GT.json --dt A.json --dt B.json [--dt C.json ...] [--name A --name B ...] [--iou 0.5] [--confidence C] [--candidates same-class|any-class] [--classes ID|NAME,...] [--img-ids ID,... | --images-from FILE] [--iou-type bbox|segm|keypoints] [--box-iou] [--kpt-sigmas FILE|LIST] [--line-width PX] [--rotated-iou exact|mask] [--bootstrap 1000] [--seed 0] [--format text|json]",
  options: {
    gt: { kind: "value", required: true, help: "COCO dataset or Encord-style labels (.json or .json.gz)" },
    dt: { kind: "value", required: true, repeatable: true, help: "one model's results (give --dt twice or more; the first is the baseline)" },
    name: { kind: "value", repeatable: true, help: "the models' names, in --dt order (default: the file names)" },
    iou: { kind: "value", default: "0.5", help: "IoU threshold in (0, 1]" },
    confidence: { kind: "value", help: "predictions below this confidence are discarded first (default: none is)" },
    candidates: { kind: "value", values: ["same-class", "any-class"], default: "same-class", help: "labels a prediction may match" },
    classes: { kind: "value", help: "comma-separated category ids or names to include" },
    ...IMAGE_SUBSET_OPTIONS,
    "iou-type": { kind: "value", values: ["bbox", "segm", "keypoints"], help: "COCO input: boxes, masks or keypoints (OKS) (default: segm for segmentation results, keypoints for keypoint results)" },
    "box-iou": { kind: "flag", help: "exact box IoU instead of rendered masks (boxes only)" },
    ...SIMILARITY_OPTIONS,
    bootstrap: { kind: "value", default: "1000", help: "paired resamples of the images for the intervals and p-values (0: none)" },
    seed: { kind: "value", default: "0", help: "seed of the bootstrap resampling" },
    format: { kind: "value", values: ["text", "json"], default: "text" },
  },
  async run({ opts, lists, progress, warn }) {
    const dts = lists.dt ?? [];
    if (dts.length < 2) throw new UsageError(`--dt: give two or more results files (the first is the baseline), got ${dts.length}`);
    const names = lists.name ?? [];
    if (names.length > 0 && names.length !== dts.length) throw new UsageError(`--name: give one name per --dt (${dts.length}), got ${names.length}`);
    const boot = bootstrapOptions(opts);
    const iou = numberOption(opts, "iou", 0.5);
    if (!(iou > 0 && iou <= 1)) throw new UsageError(`--iou: expected a number in (0, 1], got ${opts.iou}`);
    const confidence = numberOption(opts, "confidence", Number.NEGATIVE_INFINITY);
    const classes = opts.classes?.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
    const similarity = similarityOptions(opts);
    const eng = await createEngine();
    const views = [];
    for (let i = 0; i < dts.length; i++) {
      progress?.(`analysing ${dts[i]} (${i + 1}/${dts.length})`);
      const loaded = await named(dts[i]!, () => loadAnalysisInput(eng, opts.gt!, dts[i], opts["iou-type"] as "bbox" | "segm" | "keypoints" | undefined));
      const input = imageSubset(loaded.input, opts);
      for (const w of input.warnings ?? []) warn(`${dts[i]}: ${w}`);
      const subPixel = subPixelBoxWarning(input, loaded.format, opts["box-iou"] !== undefined);
      if (subPixel && i === 0) warn(subPixel);
      const a = await named(dts[i]!, async () => analyze(eng, input, { candidates: (opts.candidates ?? "same-class") as "same-class" | "any-class", ...similarity }));
      views.push(a.at({ iou, confidence, ...(classes ? { classes } : {}) }));
    }
    if (boot) progress?.(`bootstrap: ${boot.resamples} paired resamples`);
    const c = compare(views, { names: names.length ? names : dts, resamples: boot?.resamples ?? 0, seed: boot?.seed ?? 0 });
    if (opts.format === "json") return `${JSON.stringify(c)}\n`;
    return renderText(c);
  },
};

/** Input errors of one model's file start with its name (several --dt files are read). */
async function named<T>(file: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isInputError(e) && !(e as Error).message.startsWith(file)) (e as Error).message = `${file}: ${(e as Error).message}`;
    throw e;
  }
}

function fmt(v: number | null, digits = 3): string {
  return v === null || !Number.isFinite(v) ? "-" : v.toFixed(digits);
}

function signed(v: number): string {
  return Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(3)}` : "-";
}

/** The difference, its interval and p-value (p = 0: no resample on the other side, so p < 1 / resamples). */
function diff(d: Difference, resamples: number): string {
  const p = d.p === 0 ? `p<${fmt(1 / resamples, 4)}` : `p=${fmt(d.p, 3)}`;
  return `${signed(d.delta)}${d.lo !== null ? ` [${fmt(d.lo)}, ${fmt(d.hi)}] ${p}` : ""}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)];
}

function renderText(c: Comparison): string {
  const m0 = c.models[0]!;
  const lines = [`IoU threshold ${m0.iou}, ${m0.confidence === null ? "every confidence" : `confidence >= ${m0.confidence}`}, candidates ${m0.candidates}; baseline: ${m0.name}`, ""];
  lines.push(
    ...table(
      ["model", "mAP", "mAR", "mF1", "precision", "recall", "F1", "TP", "FP", "FN"],
      c.models.map((m) => [m.name, fmt(m.mAP), fmt(m.mAR), fmt(m.mF1), fmt(m.precision), fmt(m.recall), fmt(m.f1), String(m.tp), String(m.fp), String(m.fn)]),
    ),
  );
  for (const p of c.pairs) {
    const name = c.models[p.model]!.name;
    lines.push(
      "",
      `${name} - ${m0.name}${c.resamples ? ` (${Math.round(c.level * 100)}% paired bootstrap intervals over images, ${c.resamples} resamples, seed ${c.seed})` : ""}:`,
      `  mAP ${diff(p.mAP, c.resamples)}  mF1 ${diff(p.mF1, c.resamples)}  precision ${diff(p.precision, c.resamples)}  recall ${diff(p.recall, c.resamples)}  F1 ${diff(p.f1, c.resamples)}`,
      `  labels found by ${name} only: ${p.gained.length}; by ${m0.name} only: ${p.lost.length}`,
    );
  }
  lines.push("", "AP per class:");
  const deltas = (id: number | string) => c.pairs.map((p) => {
    const d = p.classes.find((x) => x.categoryId === id);
    return d ? diff(d.ap, c.resamples) : "-";
  });
  lines.push(
    ...table(
      ["class", ...c.models.map((m) => m.name), ...c.pairs.map((p) => `${c.models[p.model]!.name} - ${m0.name}`)],
      c.classes.map((k) => [`${k.categoryId} ${k.name}`, ...k.ap.map((v) => fmt(v)), ...deltas(k.categoryId)]),
    ),
  );
  return `${lines.join("\n")}\n`;
}
