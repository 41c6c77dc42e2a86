// `detection-eval export` of COCO input in bounded memory: the input stays in its columns (CocoDataset /
// CocoResults), and the images are analysed a chunk at a time (fromCoco's `chunk` ranges, then analyze()),
// each chunk's rows going to the table writer before the next chunk is built. The rows are those of the
// whole input's objectTable(): every column of an object depends on its image only, except
//   - index, candidate_index, matched_by: the chunk's own numbering, shifted to the input's (a chunk is
//     a contiguous run of predictions and of labels, because the input is in image order: see below);
//   - rank, the rank within the class over the whole input (score desc, candidate IoU desc, input
//     order: analyze()'s order): computed up front from the scores; when scores tie within a class the
//     candidate IoU decides, so a first pass analyses the chunks with tied predictions, those only (a
//     prediction's candidate IoU depends on its image's labels, not on the other predictions);
//   - the type of the id columns (int32 / float64 / strings by every value of the column): from the
//     input's ids, or from the first pass when the candidate columns' values cannot be known without it.
// Predictions come before labels in the table, so each chunk's label rows wait (compact typed columns)
// until the predictions are written. Input whose predictions or labels are not in image order returns
// null: the caller analyses it whole.
import { analyze, type AnalyzeOptions } from "../analysis/analyze.js";
import { fromCoco, SKIPPED_WARNING } from "../analysis/coco-adapter.js";
import {
  ID_COLUMNS,
  type IdColumnName,
  type IdColumnType,
  type IdStats,
  idColumnType,
  idStats,
  mergeIdStats,
  type ObjectColumn,
  type ObjectTable,
  objectTable,
  sliceTable,
} from "../analysis/object-table.js";
import { BOX_OK, type CocoDataset, type CocoResults } from "../coco/inputs.js";
import type { GeometryEngine } from "../geometry/types.js";
import type { TableWriter } from "./table-files.js";

/** Objects (predictions + labels) per chunk of images; DETECTION_EVAL_EXPORT_CHUNK overrides it (tests use tiny chunks). */
export const CHUNK_OBJECTS = 50_000;

export interface StreamExportOptions {
  iouType: "bbox" | "segm";
  analyze: Pick<AnalyzeOptions, "candidates" | "iou" | "metrics">;
  /** the view's IoU threshold (outcome, reason, matched_by) */
  viewIou: number;
  chunkObjects?: number;
  progress?: (message: string) => void;
}

export interface StreamExportResult {
  rows: number;
  predictions: number;
  labels: number;
  columns: number;
  notes: string[];
}

export interface StreamExportPlan {
  /** fromCoco's warnings (found before any analysis) */
  warnings: string[];
  /** boxes (iouType "bbox") with a coordinate that is not an integer */
  subPixelBoxes: number;
  /** Analyses the chunks and writes every row to `writer` (not finished: the caller calls writer.finish()). */
  write(writer: TableWriter): StreamExportResult;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Images [from, to), the annotation and result indices of their objects, the input's index of their first prediction and label. */
interface Chunk {
  images: [number, number];
  annotations: [number, number];
  results: [number, number];
  p0: number;
  l0: number;
}

const noIds = (): IdStats => ({ numbers: 0, strings: 0, int32: true });

/** Counts one id into `s` (object-table.ts' rule for the column's type). */
function count(s: IdStats, v: unknown): void {
  if (typeof v === "number") {
    s.numbers++;
    if (!(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX)) s.int32 = false;
  } else if (typeof v === "string") s.strings++;
}

/** Adds `by` to the valid cells of an int32 column (a chunk's numbering to the input's). */
function shift(c: ObjectColumn, from: number, to: number, by: number): void {
  if (c.type !== "int32") throw new Error(`${c.name}: expected an int32 column`);
  for (let r = from; r < to; r++) if (!c.valid || c.valid[r]) c.values[r]! += by;
}

function column(t: ObjectTable, name: string): ObjectColumn {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`object table: no column ${name}`);
  return c;
}

/**
 * The plan to write the object table of `ds` + `dt` (as fromCoco + analyze + objectTable would make it)
 * a chunk of images at a time; null when the input is not in image order (or has no object).
 */
export function planStreamedExport(engine: GeometryEngine, ds: CocoDataset, dt: CocoResults, options: StreamExportOptions): StreamExportPlan | null {
  const nI = ds.images.count;
  const A = ds.annotations;
  // the predictions and labels fromCoco keeps, in input order, and whether they are in image order
  let nP = 0;
  let nL = 0;
  let last = -1;
  for (let i = 0; i < dt.count; i++) {
    if (dt.category[i]! < 0) continue;
    const im = dt.image[i]!;
    if (!(im >= 0 && im < nI) || im < last) return null;
    last = im;
    nP++;
  }
  last = -1;
  for (let i = 0; i < A.count; i++) {
    if (A.image[i]! < 0 || A.category[i]! < 0) continue;
    if (A.image[i]! < last) return null;
    last = A.image[i]!;
    nL++;
  }
  if (nP + nL === 0) return null;
  const pClass = new Int32Array(nP);
  const pConf = new Float64Array(nP);
  const perImage = new Int32Array(nI);
  const predIds = noIds();
  const labelIds = noIds();
  const imageIds = noIds();
  const categoryIds = noIds();
  const categoryStats = noIds();
  for (const id of ds.categories.ids) count(categoryStats, id);
  // boxes with sub-pixel coordinates (rendered as masks: the command warns about them)
  let subPixel = 0;
  const fractional = (box: Float64Array, i: number) =>
    !(Number.isInteger(box[4 * i]) && Number.isInteger(box[4 * i + 1]) && Number.isInteger(box[4 * i + 2]) && Number.isInteger(box[4 * i + 3]));
  let skippedResults = 0;
  let skippedLabels = 0;
  for (let i = 0, g = 0; i < dt.count; i++) {
    if (dt.category[i]! < 0) {
      skippedResults++;
      continue;
    }
    pClass[g] = dt.category[i]!;
    pConf[g] = dt.score[i]!;
    perImage[dt.image[i]!]!++;
    count(predIds, i + 1);
    count(imageIds, ds.images.ids[dt.image[i]!]);
    count(categoryIds, ds.categories.ids[dt.category[i]!]);
    if (options.iouType === "bbox" && dt.boxState[i] === BOX_OK && fractional(dt.box, i)) subPixel++;
    g++;
  }
  for (let i = 0; i < A.count; i++) {
    if (A.image[i]! < 0 || A.category[i]! < 0) {
      skippedLabels++;
      continue;
    }
    perImage[A.image[i]!]!++;
    count(labelIds, A.ids[i]);
    count(imageIds, ds.images.ids[A.image[i]!]);
    count(categoryIds, ds.categories.ids[A.category[i]!]);
    if (options.iouType === "bbox" && fractional(A.box, i)) subPixel++;
  }
  // chunks: runs of images with at most `limit` objects (at least one image each), and the runs of
  // annotation and result indices that hold their objects
  const envChunk = Number(process.env.DETECTION_EVAL_EXPORT_CHUNK);
  const limit = options.chunkObjects ?? (Number.isInteger(envChunk) && envChunk > 0 ? envChunk : CHUNK_OBJECTS);
  const chunks: Chunk[] = [];
  const chunkOf = new Int32Array(nI).fill(-1);
  for (let im = 0; im < nI; ) {
    let to = im;
    let objects = 0;
    while (to < nI && (to === im || objects + perImage[to]! <= limit)) objects += perImage[to++]!;
    if (objects > 0) {
      chunkOf.fill(chunks.length, im, to);
      chunks.push({ images: [im, to], annotations: [0, 0], results: [0, 0], p0: 0, l0: 0 });
    }
    im = to;
  }
  const bounds = (count: number, kept: (i: number) => boolean, image: Int32Array, set: (c: Chunk, range: [number, number]) => void) => {
    const first = new Int32Array(chunks.length + 1).fill(-1);
    for (let i = count - 1; i >= 0; i--) if (kept(i)) first[chunkOf[image[i]!]!] = i;
    let next = count;
    for (let k = chunks.length - 1; k >= 0; k--) {
      const start = first[k]! >= 0 ? first[k]! : next;
      set(chunks[k]!, [start, next]);
      next = start;
    }
  };
  bounds(
    dt.count,
    (i) => dt.category[i]! >= 0,
    dt.image,
    (c, r) => (c.results = r),
  );
  bounds(
    A.count,
    (i) => A.image[i]! >= 0 && A.category[i]! >= 0,
    A.image,
    (c, r) => (c.annotations = r),
  );
  for (let k = 1; k < chunks.length; k++) {
    const c = chunks[k - 1]!;
    let np = 0;
    let nl = 0;
    for (let im = c.images[0]; im < c.images[1]; im++) nl += perImage[im]!;
    for (let i = c.results[0]; i < c.results[1]; i++) if (dt.category[i]! >= 0) np++;
    chunks[k]!.p0 = c.p0 + np;
    chunks[k]!.l0 = c.l0 + nl - np;
  }

  // rank: analyze()'s order within each class; the candidate IoU only breaks ties of the score
  const order = new Int32Array(nP);
  for (let g = 0; g < nP; g++) order[g] = g;
  order.sort((a, b) => pClass[a]! - pClass[b]! || pConf[b]! - pConf[a]! || a - b);
  const tied = new Uint8Array(nP);
  let ties = false;
  for (let i = 1; i < nP; i++) {
    const a = order[i - 1]!;
    const b = order[i]!;
    if (pClass[a] === pClass[b] && !(pConf[a]! - pConf[b]!)) tied[a] = tied[b] = 1;
  }
  for (let g = 0; g < nP && !ties; g++) if (tied[g]) ties = true;
  // the candidate columns' values (and so their type) are known without analysis for int32 label and category ids
  const idsKnown = labelIds.int32 && labelIds.strings === 0 && categoryStats.int32 && categoryStats.strings === 0;
  const chunkInput = (c: Chunk) => fromCoco(engine, ds, dt, { iouType: options.iouType, chunk: c });
  // fromCoco's warnings and checks of the images, once (no object is built for empty ranges)
  const warnings = [
    ...(fromCoco(engine, ds, dt, { iouType: options.iouType, chunk: { images: [0, nI], annotations: [0, 0], results: [0, 0] } }).warnings ?? []),
  ];
  if (skippedLabels) warnings.push(SKIPPED_WARNING.annotations(skippedLabels));
  if (skippedResults) warnings.push(SKIPPED_WARNING.results(skippedResults));
  return { warnings, subPixelBoxes: subPixel, write: (writer) => writeChunks(writer) };

  function writeChunks(writer: TableWriter): StreamExportResult {
    let stats: Record<IdColumnName, IdStats> = {
      id: mergeIdStats(predIds, labelIds),
      image_id: imageIds,
      category_id: categoryIds,
      candidate: noIds(),
      candidate_category_id: noIds(),
    };
    const pIou = new Float64Array(nP);
    if (!idsKnown) {
      // a first pass over every chunk: the id columns' stats (and the candidate IoUs)
      const acc = Object.fromEntries(ID_COLUMNS.map((c) => [c, noIds()])) as Record<IdColumnName, IdStats>;
      chunks.forEach((c, k) => {
        options.progress?.(`first pass: images ${c.images[0] + 1}-${c.images[1]} of ${nI} (chunk ${k + 1} of ${chunks.length})`);
        const a = analyze(engine, chunkInput(c), options.analyze);
        pIou.set(a.p.pIou, c.p0);
        const s = idStats(a);
        for (const name of ID_COLUMNS) acc[name] = mergeIdStats(acc[name], s[name]);
      });
      stats = acc;
    } else if (ties) {
      // a first pass over the chunks with tied scores, with only their tied predictions: a prediction's
      // candidate IoU depends on the labels of its image, not on the other predictions
      chunks.forEach((c, k) => {
        const np = (k + 1 < chunks.length ? chunks[k + 1]!.p0 : nP) - c.p0;
        const keep: number[] = [];
        for (let q = 0; q < np; q++) if (tied[c.p0 + q]) keep.push(q);
        if (keep.length === 0) return;
        options.progress?.(`tied scores: images ${c.images[0] + 1}-${c.images[1]} of ${nI} (chunk ${k + 1} of ${chunks.length})`);
        const input = chunkInput(c);
        const a = analyze(engine, { ...input, predictions: keep.map((q) => input.predictions[q]!) }, options.analyze);
        keep.forEach((q, j) => (pIou[c.p0 + q] = a.p.pIou[j]!));
      });
    }
    if (ties) order.sort((a, b) => pClass[a]! - pClass[b]! || pConf[b]! - pConf[a]! || pIou[b]! - pIou[a]! || a - b);
    const rank = new Int32Array(nP);
    for (let i = 0, start = 0; i < nP; i++) {
      if (i > 0 && pClass[order[i]!] !== pClass[order[i - 1]!]) start = i;
      rank[order[i]!] = i - start + 1;
    }
    const notes: string[] = [];
    const idTypes = Object.fromEntries(ID_COLUMNS.map((c) => [c, idColumnType(c, stats[c], notes)])) as Record<IdColumnName, IdColumnType>;

    // the pass that writes: predictions at once, labels kept until every prediction is written
    const labelParts: ObjectTable[] = [];
    let p0 = 0;
    let l0 = 0;
    let columns = 0;
    chunks.forEach((c, k) => {
      options.progress?.(`writing: images ${c.images[0] + 1}-${c.images[1]} of ${nI} (chunk ${k + 1} of ${chunks.length})`);
      const a = analyze(engine, chunkInput(c), options.analyze);
      if (p0 !== c.p0 || l0 !== c.l0) throw new Error("streamed export: a chunk's objects are not those planned");
      const t = objectTable(a, a.at({ iou: options.viewIou }), { idTypes });
      const cp = a.p.nPred;
      const n = t.rows;
      columns = t.columns.length;
      shift(column(t, "index"), 0, cp, p0);
      shift(column(t, "index"), cp, n, l0);
      shift(column(t, "candidate_index"), 0, cp, l0);
      shift(column(t, "matched_by"), cp, n, p0);
      const r = column(t, "rank");
      if (r.type !== "int32") throw new Error("rank: expected an int32 column");
      for (let q = 0; q < cp; q++) r.values[q] = rank[p0 + q]!;
      if (cp > 0) writer.write(cp === n ? t : sliceTable(t, 0, cp));
      if (n > cp) labelParts.push(sliceTable(t, cp, n));
      p0 += cp;
      l0 += n - cp;
    });
    if (p0 !== nP || l0 !== nL) throw new Error(`streamed export: ${p0} predictions and ${l0} labels analysed, expected ${nP} and ${nL}`);
    for (let part = labelParts.shift(); part; part = labelParts.shift()) writer.write(part);
    return { rows: nP + nL, predictions: nP, labels: nL, columns, notes };
  }
}
