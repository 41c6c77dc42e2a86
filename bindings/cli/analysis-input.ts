// Node: the ground truth of the analysis commands (analyze, report, compare, convert, export, time-analyze)
// by path, of any size: its format is sniffed from its first bytes (analysis/input-format.ts), then the
// file goes to its streaming reader, read once more for a regular file, or continued (the sniffed
// bytes first) for a pipe or device, which cannot be read twice. COCO is streamed into columns
// (ingest/stream-load.ts streamCocoDataset, as the coco command reads it); Encord-style documents and
// label rows are built element by element (ingest/stream-document.ts; plain files up to
// IN_MEMORY_BYTES by JSON.parse, faster and the same), then parsed as in memory.
import { FormatSniffer, type FormatGuess } from "../ingest/input-format.js";
import { isGzipFile } from "../ingest/gzip-file.js";
import { fileChunks, inputKind, readJsonFile } from "../ingest/node-files.js";
import { streamCocoDataset } from "../ingest/stream-load.js";
import { streamJsonFile } from "../ingest/stream-document.js";
import { MAX_PIECE_BYTES } from "../ingest/stream-json.js";
import { cocoDatasetOf } from "../ingest/node-files.js";
import { isEncordJson, parseEncordJson } from "../analysis/encord-format.js";
import { isLabelRows, parseLabelRows } from "../analysis/label-rows.js";
import type { AnalysisInput } from "../analysis/types.js";
import type { CocoDataset } from "../coco/inputs.js";

/**
 * The most bytes of a pipe or device kept while its format is sniffed: a document still undecided
 * there (an object whose `annotations`, or whose end, comes later) is taken by the rule on what was
 * seen. A regular file is sniffed to the end when it must be (it is read again afterwards).
 */
export const SNIFF_BUFFER_BYTES = MAX_PIECE_BYTES;

export interface SniffedFile {
  guess: FormatGuess;
  /** A pipe or device: its bytes from the first (those sniffed, then the rest as they come). */
  chunks?: AsyncIterable<Buffer>;
}

/** The format of a file from its first bytes (gunzipped when gzip). A problem (missing file, invalid JSON, bad gzip) is left to the reader. */
export async function sniffFile(path: string, limit = SNIFF_BUFFER_BYTES): Promise<SniffedFile> {
  const kind = inputKind(path);
  const s = new FormatSniffer();
  const source = fileChunks(path);
  if (kind.regular) {
    let stopped = false;
    try {
      for await (const c of source) if ((stopped = s.push(c))) break;
      if (!stopped) s.end();
    } catch {
      /* reported by the reader */
    }
    return { guess: s.guess() };
  }
  const kept: Buffer[] = [];
  let bytes = 0;
  let failure: { e: unknown } | undefined;
  let done = false;
  try {
    for (;;) {
      const n = await source.next();
      if (n.done) {
        s.end();
        done = true;
        break;
      }
      kept.push(n.value);
      bytes += n.value.length;
      if (s.push(n.value) || bytes >= limit) break;
    }
  } catch (e) {
    failure = { e };
  }
  return { guess: s.guess(), chunks: replay(kept, source, failure, done) };
}

/** The kept chunks (let go as they are handed out), a failure met while sniffing, then the rest of the source. */
async function* replay(kept: Buffer[], rest: AsyncGenerator<Buffer, void, undefined>, failure: { e: unknown } | undefined, done: boolean): AsyncGenerator<Buffer, void, undefined> {
  try {
    while (kept.length > 0) yield kept.shift()!;
    if (failure) throw failure.e;
    if (done) return;
    for (;;) {
      const n = await rest.next();
      if (n.done) return;
      yield n.value;
    }
  } finally {
    await rest.return(undefined);
  }
}

export type AnalysisGroundTruth = { format: "encord"; input: AnalysisInput } | { format: "coco"; gt: CocoDataset };

/**
 * The ground truth by its format: Encord-style input or label rows parsed (with their predictions
 * file `dtPath`, read the same way), COCO as columns (its results are read by the caller).
 * `sniffed`: sniffFile's answer when the caller has it already.
 */
export async function readAnalysisGroundTruth(gtPath: string, dtPath: string | undefined, sniffed?: SniffedFile): Promise<AnalysisGroundTruth> {
  const { guess, chunks } = sniffed ?? (await sniffFile(gtPath));
  if (guess.format === "coco") return { format: "coco", gt: await streamCocoDataset(gtPath, undefined, chunks) };
  return groundTruthOf(await readDocument(gtPath, chunks), gtPath, dtPath);
}

/**
 * Plain (not gzipped) regular files up to this size are parsed by JSON.parse (readJsonFile: the same
 * value and the same errors, in about half the time of the JavaScript builder); larger ones,
 * gzipped ones and pipes are built element by element (any size).
 */
export const IN_MEMORY_BYTES = 256 * 2 ** 20;

/** A JSON document by path, by the faster of the two readers that can read it. */
async function readDocument(path: string, chunks?: AsyncIterable<Buffer>): Promise<unknown> {
  if (chunks === undefined && smallPlainFile(path)) return readJsonFile(path);
  return streamJsonFile(path, chunks);
}

function smallPlainFile(path: string): boolean {
  try {
    const kind = inputKind(path);
    return kind.regular && kind.size <= IN_MEMORY_BYTES && !isGzipFile(path);
  } catch {
    return false; // the streaming reader reports it
  }
}

/** A parsed ground-truth document by the in-memory readers' rule (a pipe's guess may have been cut short: the document decides). */
export async function groundTruthOf(gt: unknown, gtPath: string, dtPath: string | undefined): Promise<AnalysisGroundTruth> {
  const rows = isLabelRows(gt);
  if (!rows && !isEncordJson(gt)) return { format: "coco", gt: cocoDatasetOf(gt, gtPath) };
  const dt = dtPath !== undefined ? await readDocument(dtPath) : undefined;
  return { format: "encord", input: rows ? parseLabelRows(gt, dt) : parseEncordJson(gt, dt) };
}
