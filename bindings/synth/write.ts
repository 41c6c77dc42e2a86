// Streaming writers for bindings/synth/generate.ts: sets of any size go to disk in ~1 MB chunks, never as one
// string (V8 strings stop near 512 MB). The bytes equal JSON.stringify of generateCocoSet's objects.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { GeometryEngine } from "../geometry/types.js";
import { type CocoSetCounts, type GenerateOptions, iterateCocoSet, planCocoSet } from "./generate.js";

const CHUNK = 1 << 20;

/** Appends strings to a file through a small buffer, with synchronous writes (no backpressure to manage). */
export class ChunkedWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private pending = 0;
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  write(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.bytes += writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.pending = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Writes `[item,item,...]`, one JSON.stringify per item. */
export class JsonArrayWriter {
  private first = true;
  count = 0;

  constructor(private readonly out: ChunkedWriter) {
    out.write("[");
  }

  push(item: unknown): void {
    this.out.write(this.first ? JSON.stringify(item) : "," + JSON.stringify(item));
    this.first = false;
    this.count++;
  }

  end(): void {
    this.out.write("]");
  }
}

export interface WrittenSet {
  counts: CocoSetCounts;
  files: { gt: string; dtBbox: string; dtSegm?: string };
  bytes: { gt: number; dtBbox: number; dtSegm?: number };
}

/**
 * Generates a set straight to `dir`: gt.json, dt_bbox.json and (when the options ask for segm)
 * dt_segm.json. `onProgress(imagesDone, total)` is called every 1,000 images.
 */
export function writeCocoSet(
  engine: GeometryEngine,
  options: GenerateOptions,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): WrittenSet {
  const plan = planCocoSet(options);
  mkdirSync(dir, { recursive: true });
  const files: WrittenSet["files"] = { gt: join(dir, "gt.json"), dtBbox: join(dir, "dt_bbox.json") };
  if (plan.options.segm) files.dtSegm = join(dir, "dt_segm.json");

  const gtOut = new ChunkedWriter(files.gt);
  const bboxOut = new ChunkedWriter(files.dtBbox);
  const segmOut = files.dtSegm ? new ChunkedWriter(files.dtSegm) : undefined;
  try {
    gtOut.write(`{"info":${JSON.stringify(plan.info)},"licenses":[],"images":`);
    const images = new JsonArrayWriter(gtOut);
    for (const im of plan.images) images.push(im);
    images.end();
    gtOut.write(`,"annotations":`);
    const annotations = new JsonArrayWriter(gtOut);
    const bbox = new JsonArrayWriter(bboxOut);
    const segm = segmOut ? new JsonArrayWriter(segmOut) : undefined;
    let crowd = 0;
    let done = 0;
    for (const rec of iterateCocoSet(engine, plan)) {
      for (const a of rec.annotations) {
        annotations.push(a);
        crowd += a.iscrowd;
      }
      for (const d of rec.dtBbox) bbox.push(d);
      if (segm) for (const d of rec.dtSegm) segm.push(d);
      if (++done % 1000 === 0) onProgress?.(done, plan.images.length);
    }
    annotations.end();
    gtOut.write(`,"categories":${JSON.stringify(plan.categories)}}`);
    bbox.end();
    segm?.end();
    gtOut.close();
    bboxOut.close();
    segmOut?.close();
    const bytes: WrittenSet["bytes"] = { gt: gtOut.bytes, dtBbox: bboxOut.bytes };
    if (segmOut) bytes.dtSegm = segmOut.bytes;
    return {
      counts: { images: plan.images.length, labels: annotations.count, crowd, detections: bbox.count },
      files,
      bytes,
    };
  } catch (e) {
    for (const w of [gtOut, bboxOut, segmOut]) {
      try {
        w?.close();
      } catch {
        // already closed
      }
    }
    throw e;
  }
}

export interface CachedSet {
  dir: string;
  counts: CocoSetCounts;
  files: WrittenSet["files"];
  /** True when this call generated the files (false: reused). */
  generated: boolean;
}

/**
 * Generates a set into `dir` once and reuses it afterwards. The set is written to a temporary
 * sibling directory, `about.json` last, then renamed into place, so readers never see a partial
 * set and concurrent callers at worst generate it twice.
 */
export async function cachedCocoSet(
  getEngine: () => GeometryEngine | Promise<GeometryEngine>,
  options: GenerateOptions,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<CachedSet> {
  const about = join(dir, "about.json");
  const filesIn = (d: string, segm: boolean): WrittenSet["files"] => ({
    gt: join(d, "gt.json"),
    dtBbox: join(d, "dt_bbox.json"),
    ...(segm ? { dtSegm: join(d, "dt_segm.json") } : {}),
  });
  const read = (generated: boolean): CachedSet => {
    const meta = JSON.parse(readFileSync(about, "utf8")) as { counts: CocoSetCounts; options: { segm: boolean } };
    return { dir, counts: meta.counts, files: filesIn(dir, meta.options.segm), generated };
  };
  if (existsSync(about)) return read(false);

  const engine = await getEngine();
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now().toString(36)}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const written = writeCocoSet(engine, options, tmp, onProgress);
    const plan = planCocoSet(options);
    const meta = { generator: "bench/synth.ts v1", options: plan.options, counts: written.counts, bytes: written.bytes };
    writeFileSync(join(tmp, "about.json"), JSON.stringify(meta, null, 1) + "\n");
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (existsSync(about)) {
        rmSync(tmp, { recursive: true, force: true }); // another process finished first
        return read(false);
      }
      if (!existsSync(dir)) throw e;
      rmSync(dir, { recursive: true, force: true }); // a leftover without about.json: replace it
      renameSync(tmp, dir);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return read(true);
}
