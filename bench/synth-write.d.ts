import type { GeometryEngine } from "../bindings/geometry-types.js";
import { type CocoSetCounts, type GenerateOptions } from "./synth.js";
/** Appends strings to a file through a small buffer, with synchronous writes (no backpressure to manage). */
export declare class ChunkedWriter {
    readonly path: string;
    private readonly fd;
    private parts;
    private pending;
    bytes: number;
    constructor(path: string);
    write(s: string): void;
    flush(): void;
    close(): void;
}
/** Writes `[item,item,...]`, one JSON.stringify per item. */
export declare class JsonArrayWriter {
    private readonly out;
    private first;
    count: number;
    constructor(out: ChunkedWriter);
    push(item: unknown): void;
    end(): void;
}
export interface WrittenSet {
    counts: CocoSetCounts;
    files: {
        gt: string;
        dtBbox: string;
        dtSegm?: string;
    };
    bytes: {
        gt: number;
        dtBbox: number;
        dtSegm?: number;
    };
}
/**
 * Generates a set straight to `dir`: gt.json, dt_bbox.json and (when the options ask for segm)
 * dt_segm.json. `onProgress(imagesDone, total)` is called every 1,000 images.
 */
export declare function writeCocoSet(engine: GeometryEngine, options: GenerateOptions, dir: string, onProgress?: (done: number, total: number) => void): WrittenSet;
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
export declare function cachedCocoSet(getEngine: () => GeometryEngine | Promise<GeometryEngine>, options: GenerateOptions, dir: string, onProgress?: (done: number, total: number) => void): Promise<CachedSet>;
