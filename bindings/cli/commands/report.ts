// `detection-eval report --gt GT --dt RESULTS --out report.html`: one self-contained HTML file with the
// model-performance pages; its IoU slider, confidence slider and class filter re-score in the page.
// Node only (reads and writes files by path). The file is written atomically (bindings/ingest/output-file.ts
// writeFileAtomic: temporary file, fsync, rename; removed on failure or interruption).
import { analyzeWith, IMAGE_SUBSET_OPTIONS, imagePixels, imageSubset, loadAnalysisInput, rotatedNote, runInputs, SIMILARITY_OPTIONS, similarityOptions, subPixelBoxWarning, USER_METRIC_OPTIONS, userMetrics, WORKERS_OPTION, workersPool } from "./analyze.js";
import type { AnalyzeWorkerPool } from "../analyze-threads.js";
import type { GeometryEngine } from "../../geometry/types.js";
import { imageIdsOption, listOption } from "../subsets.js";
import { type Command, numberOption, UsageError } from "../command.js";
import { createEngine } from "../../engine/engine.js";
import { checkOutputNotInput, writeFileAtomic } from "../../ingest/output-file.js";
import { renderReportHtml, type ReportImages } from "../../report/html.js";
import { checkImageUrlTemplate, fileImageUrls, templateImageUrls, thumbnailUrls } from "../report-images.js";
import type { CocoMeta, TideMeta } from "../../report/meta.js";
import { evaluateCoco } from "../../coco/evaluate.js";
import { tide, type TideResult } from "../../errors/tide.js";
import { compare } from "../../analysis/compare.js";

/** The page's TIDE data: the overall dAPs and each class' AP and dAPs (null where tidecv has NaN). */
export function tideForReport(t: TideResult): TideMeta {
  return {
    posThreshold: t.posThreshold,
    backgroundThreshold: t.backgroundThreshold,
    ap: t.ap,
    main: { ...t.main },
    special: { ...t.special },
    classes: t.classes.map((c) => ({ categoryId: String(c.categoryId), ap: c.ap, main: { ...c.main }, special: { ...c.special } })),
  };
}

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`;
}

export const REPORT_COMMAND: Command = {
  summary: "write a self-contained HTML report (model performance pages with live IoU / confidence / class filters)",
  usage:
    "detection-eval report --gt GT.json --dt RESULTS.json [--dt MORE.json ... --name A --name B ...] --out report.html [--iou-type bbox|segm|keypoints] [--rotated-iou exact|mask] [--iou 0.5] [--confidence C] [--candidates same-class|any-class] [--box-iou] [--classes ID|NAME,...] [--img-ids ID,... | --images-from FILE] [--prediction-metrics FILE] [--label-metrics FILE] [--images DIR] [--embed-images] [--thumbnail-size 512] [--image-url TEMPLATE] [--no-shapes] [--bootstrap 1000] [--no-tide] [--no-coco] [--title TEXT] [--workers N]",
  options: {
    gt: { kind: "value", required: true, help: "COCO dataset or Encord-style labels (.json or .json.gz)" },
    dt: { kind: "value", repeatable: true, help: "COCO results or Encord-style predictions (optional when GT holds them); twice or more: models side by side, the first the baseline" },
    name: { kind: "value", repeatable: true, help: "the models' names, in --dt order (default: the file names)" },
    out: { kind: "value", required: true, help: "the HTML file to write (atomically; - for standard output; never an input of the run)" },
    "iou-type": { kind: "value", values: ["bbox", "segm", "keypoints"], help: "COCO input: boxes, masks or keypoints (OKS) (default: segm for segmentation results, keypoints for keypoint results)" },
    iou: { kind: "value", default: "0.5", help: "initial IoU threshold of the slider" },
    confidence: { kind: "value", help: "initial confidence threshold of the slider (default: the lowest, every prediction counted)" },
    candidates: { kind: "value", values: ["same-class", "any-class"], default: "same-class" },
    "box-iou": { kind: "flag", help: "exact box IoU instead of rendered masks (boxes only)" },
    title: { kind: "value", help: "the report's title" },
    "no-tide": { kind: "flag", help: "leave out the TIDE section (computed for COCO input: tidecv's rules at IoU 0.5 / 0.1)" },
    "no-coco": { kind: "flag", help: "leave out the COCO section (pycocotools' 12 stats and AP per category of COCO input, at the default Params)" },
    bootstrap: { kind: "value", default: "1000", help: "resamples of the images for the intervals on the summary cards, computed in the page when the sliders rest (0: none)" },
    classes: { kind: "value", help: "the classes ticked in the page's class filter at first (ids or names; default all)" },
    "no-shapes": { kind: "flag", help: "leave the labels' and predictions' shapes out of the page (huge sets): the viewer then names the objects only" },
    "embed-images": { kind: "flag", help: "embed downscaled JPEG thumbnails of the --images files in the page (else the page references the files)" },
    "thumbnail-size": { kind: "value", default: "512", help: "--embed-images: the thumbnails' long side in pixels" },
    "image-url": { kind: "value", help: "the images' URL template, e.g. https://host/val2017/{file_name} (placeholders {file_name} {id}; http or https)" },
    ...IMAGE_SUBSET_OPTIONS,
    ...SIMILARITY_OPTIONS,
    ...USER_METRIC_OPTIONS,
    ...WORKERS_OPTION,
  },
  async run({ opts, lists, progress, warn, info }) {
    const dts = lists.dt ?? [];
    const names = lists.name ?? [];
    if (names.length > 0 && names.length !== Math.max(dts.length, 1)) throw new UsageError(`--name: give one name per --dt (${dts.length}), got ${names.length}`);
    const iou = numberOption(opts, "iou", 0.5);
    if (!(iou > 0 && iou <= 1)) throw new UsageError(`--iou: expected a number in (0, 1], got ${opts.iou}`);
    if (opts.confidence !== undefined) numberOption(opts, "confidence", 0);
    const bootstrap = numberOption(opts, "bootstrap", 1000);
    if (!(Number.isInteger(bootstrap) && bootstrap >= 0 && bootstrap <= 100_000)) throw new UsageError(`--bootstrap: expected a whole number of resamples in 0..100000, got ${opts.bootstrap}`);
    const out = opts.out!;
    const thumbSize = numberOption(opts, "thumbnail-size", 512);
    if (!(Number.isInteger(thumbSize) && thumbSize >= 16 && thumbSize <= 4096)) throw new UsageError(`--thumbnail-size: expected a whole number of pixels in 16..4096, got ${opts["thumbnail-size"]}`);
    if (opts["embed-images"] !== undefined && opts.images === undefined) throw new UsageError("--embed-images: needs --images DIR (the files to make thumbnails of)");
    if (opts["embed-images"] !== undefined && opts["image-url"] !== undefined) throw new UsageError("--embed-images and --image-url: give one of them");
    if (opts["image-url"] !== undefined) checkImageUrlTemplate(opts["image-url"]);
    checkOutputNotInput({ option: "--out", path: out }, [...runInputs(opts), ...dts.map((path) => ({ option: "--dt", path }))]);
    const engine = await createEngine();
    const pool = await workersPool(opts, engine, warn);
    try {
      return await runReport(opts, lists, engine, pool, { progress, warn, info });
    } finally {
      void pool?.close();
    }
  },
};

/** report's work once its options are checked. */
async function runReport(
  opts: Record<string, string | undefined>,
  lists: Readonly<Record<string, readonly string[]>>,
  engine: GeometryEngine,
  pool: AnalyzeWorkerPool | undefined,
  { progress, warn, info }: { progress?: ((m: string) => void) | undefined; warn: (m: string) => void; info: (m: string) => void },
): Promise<string> {
    const dts = lists.dt ?? [];
    const names = lists.name ?? [];
    const iou = numberOption(opts, "iou", 0.5);
    const confidence = opts.confidence === undefined ? undefined : numberOption(opts, "confidence", 0);
    const bootstrap = numberOption(opts, "bootstrap", 1000);
    const out = opts.out!;
    const thumbSize = numberOption(opts, "thumbnail-size", 512);
    progress?.(`loading ${opts.gt}`);
    const loaded = await loadAnalysisInput(engine, opts.gt!, dts[0], opts["iou-type"] as "bbox" | "segm" | "keypoints" | undefined);
    const { format } = loaded;
    const input = imageSubset(loaded.input, opts);
    const classes = listOption(opts, "classes");
    for (const w of input.warnings ?? []) warn(w);
    const subPixel = subPixelBoxWarning(input, format, opts["box-iou"] !== undefined);
    if (subPixel) warn(subPixel);
    progress?.("analysing");
    const metrics = userMetrics(input, opts, warn);
    const pixels = await imagePixels(input, opts, warn, progress);
    const analysis = await analyzeWith(pool, engine, input, {
      ...(pixels ? { pixels } : {}),
      candidates: (opts.candidates ?? "same-class") as "same-class" | "any-class",
      ...similarityOptions(opts),
      ...(metrics ? { metrics } : {}),
    });
    const cocoIouType = (loaded.input as { iouType?: "bbox" | "segm" | "keypoints" }).iouType ?? null;
    const tideOf = (l: typeof loaded, inp: typeof input): TideMeta | undefined => {
      const iouType = (inp as { iouType?: "bbox" | "segm" | "keypoints" }).iouType ?? "bbox";
      // TIDE has no keypoint rules: keypoint reports leave it out
      if (!l.coco || opts["no-tide"] !== undefined || iouType === "keypoints") return undefined;
      progress?.("TIDE");
      return tideForReport(tide(l.coco.gt, l.coco.dt, engine, { iouType }));
    };
    const tideMeta = tideOf(loaded, input);
    const cocoOf = (l: typeof loaded, inp: typeof input): CocoMeta | undefined => {
      if (!l.coco || opts["no-coco"] !== undefined) return undefined;
      progress?.("COCO evaluation");
      const iouType = (inp as { iouType?: "bbox" | "segm" | "keypoints" }).iouType ?? "bbox";
      const subset = imageIdsOption(opts) ? { imgIds: inp.images.map((im) => im.id) } : {};
      const ev = evaluateCoco(engine, l.coco.gt, l.coco.dt, { iouType, ...subset });
      const perCategory = ev.perCategory().map((c) => ({ categoryId: String(c.categoryId), name: c.name, ap: c.ap, ap50: c.ap50, ap75: c.ap75, ar100: c.ar100 }));
      return { iouType, stats: ev.stats, statsLabels: ev.statsLabels, summary: ev.summary(), perCategory };
    };
    const coco: CocoMeta[] = [];
    const first = cocoOf(loaded, input);
    if (first) coco.push(first);
    // more models: the same ground truth, each results file analysed the same way
    const others: { name: string; analysis: typeof analysis; dt: string; tide?: TideMeta }[] = [];
    const inputs = [input];
    for (let i = 1; i < dts.length; i++) {
      progress?.(`analysing ${dts[i]} (${i + 1}/${dts.length})`);
      const more = await loadAnalysisInput(engine, opts.gt!, dts[i], opts["iou-type"] as "bbox" | "segm" | "keypoints" | undefined);
      const moreInput = imageSubset(more.input, opts);
      for (const w of moreInput.warnings ?? []) warn(`${dts[i]}: ${w}`);
      inputs.push(moreInput);
      const a = await analyzeWith(pool, engine, moreInput, {
        ...(pixels ? { pixels } : {}),
        candidates: (opts.candidates ?? "same-class") as "same-class" | "any-class",
        ...similarityOptions(opts),
      });
      const t = tideOf(more, moreInput);
      const cm = cocoOf(more, moreInput);
      if (cm) coco.push(cm);
      others.push({ name: names[i] ?? dts[i]!, analysis: a, dt: dts[i]!, ...(t ? { tide: t } : {}) });
    }
    // one ground truth for all (compare() refuses views of other labels)
    if (others.length) compare([analysis.at(), ...others.map((o) => o.analysis.at())], { resamples: 0 });
    let images: ReportImages | undefined;
    if (opts["image-url"] !== undefined) images = templateImageUrls(opts["image-url"], input.images);
    else if (opts["embed-images"] !== undefined) {
      progress?.(`thumbnails of ${pixels?.length ?? 0} images`);
      images = thumbnailUrls(input.images, pixels ?? [], thumbSize, progress);
      const missing = images.urls.filter((u) => u === null).length;
      if (missing > 0) warn(`--embed-images: ${missing} of ${input.images.length} images have no file in ${opts.images}; the page draws their shapes on a blank canvas`);
    } else if (opts.images !== undefined) {
      const f = fileImageUrls(opts.images, out, input.images);
      images = f.images;
      if (f.missing > 0) warn(`--images: ${f.missing} of ${input.images.length} images have no file in ${opts.images}; the page draws their shapes on a blank canvas`);
    }
    const rotated = rotatedNote(input, opts).replace(/^; /, "");
    progress?.("writing the report");
    const html = await renderReportHtml(analysis, {
      ...(opts.title ? { title: opts.title } : {}),
      sources: { gt: opts.gt!, ...(dts[0] ? { dt: dts[0] } : {}) },
      ...(others.length ? { models: { name: names[0] ?? dts[0]!, others } } : {}),
      inputFormat: format,
      iouType: format === "coco" ? cocoIouType : null,
      iou,
      ...(rotated ? { rotatedNote: rotated } : {}),
      ...(confidence !== undefined ? { confidence } : {}),
      bootstrap,
      ...(tideMeta ? { tide: tideMeta } : {}),
      ...(coco.length ? { coco } : {}),
      ...(classes ? { classes } : {}),
      ...(opts["no-shapes"] === undefined ? { shapes: inputs } : {}),
      ...(images ? { images } : {}),
    });
    const v = analysis.at({ iou, ...(confidence !== undefined ? { confidence } : {}), ...(classes ? { classes } : {}) });
    if (out === "-") {
      info(`${analysis.images.length} images, ${analysis.labelCount} labels, ${analysis.predictionCount} predictions; mAP@${iou} ${v.mAP.toFixed(3)}`);
      return html;
    }
    writeFileAtomic(out, html);
    return `wrote ${out} (${size(Buffer.byteLength(html))}): ${analysis.images.length} images, ${analysis.labelCount} labels, ${analysis.predictionCount} predictions; mAP@${iou} ${v.mAP.toFixed(3)}\n`;
}
