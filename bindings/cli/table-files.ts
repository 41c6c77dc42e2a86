// The object table (analysis/object-table.ts) as file bytes: Parquet (hyparquet-writer), Arrow IPC file
// (apache-arrow) or CSV. Used by `detection-eval export`; the libraries are bundled into the CLI only.
import {
  AsyncByteQueue,
  Bool,
  type Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  makeVector,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
// the browser-safe modules (the package root's Node entry adds file helpers over "fs")
import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { ParquetWriter } from "hyparquet-writer/src/parquet-writer.js";
import { schemaFromColumnData } from "hyparquet-writer/src/schema.js";
import { cellValue, type ObjectColumn, type ObjectTable } from "../analysis/object-table.js";
import { csvCell } from "../analysis/csv.js";

export type TableFormat = "parquet" | "arrow" | "csv";

/** The format of an output path by its extension, undefined for another one. */
export function tableFormatOf(path: string): TableFormat | undefined {
  const m = /\.(parquet|arrow|csv)$/i.exec(path);
  return m ? (m[1]!.toLowerCase() as TableFormat) : undefined;
}

/** A validity bitmap (Arrow: bit set = valid, least significant bit first) and the null count. */
function bitmap(n: number, valid: (r: number) => boolean): { bits: Uint8Array; nulls: number } {
  const bits = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let r = 0; r < n; r++) {
    if (valid(r)) bits[r >> 3]! |= 1 << (r & 7);
    else nulls++;
  }
  return { bits, nulls };
}

function arrowVector(c: ObjectColumn, n: number): Vector {
  switch (c.type) {
    case "float64": {
      const { bits, nulls } = bitmap(n, (r) => !Number.isNaN(c.values[r]!));
      return makeVector(makeData({ type: new Float64(), length: n, nullCount: nulls, nullBitmap: nulls ? bits : null, data: c.values }));
    }
    case "int32": {
      const valid = c.valid;
      const { bits, nulls } = bitmap(n, (r) => !valid || valid[r] === 1);
      return makeVector(makeData({ type: new Int32(), length: n, nullCount: nulls, nullBitmap: nulls ? bits : null, data: c.values }));
    }
    case "boolean": {
      const values = Array.from({ length: n }, (_, r) => cellValue(c, r) as boolean | null);
      return vectorFromArray(values, new Bool());
    }
    case "string": {
      const { bits, nulls } = bitmap(n, (r) => c.codes[r]! >= 0);
      const codes = Int32Array.from(c.codes, (k) => (k < 0 ? 0 : k));
      const dictionary = vectorFromArray(c.dictionary as string[], new Utf8());
      return makeVector(
        makeData({ type: new Dictionary(new Utf8(), new Int32()), length: n, nullCount: nulls, nullBitmap: nulls ? bits : null, data: codes, dictionary }),
      );
    }
  }
}

/** Arrow IPC file format (Feather v2): string columns dictionary-encoded. */
export function encodeArrow(t: ObjectTable): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const c of t.columns) vectors[c.name] = arrowVector(c, t.rows);
  return tableToIPC(new Table(vectors), "file");
}

const PARQUET_TYPE = { float64: "DOUBLE", int32: "INT32", boolean: "BOOLEAN", string: "STRING" } as const;

/**
 * Parquet (snappy, hyparquet-writer's defaults): one column per table column, every one nullable, one row
 * group per `rowGroup` rows, each built from the typed columns in turn (the JS values of one row group at a
 * time, not of the whole table).
 */
export function encodeParquet(t: ObjectTable, rowGroup = 65536): Uint8Array {
  const chunk = (from: number, to: number) =>
    t.columns.map((c) => ({
      name: c.name,
      type: PARQUET_TYPE[c.type],
      data: Array.from({ length: to - from }, (_, r) => cellValue(c, from + r)),
    }));
  const writer = new ByteWriter();
  const pq = new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData: chunk(0, 0) }) });
  for (let from = 0; from < t.rows; from += rowGroup) pq.write({ columnData: chunk(from, Math.min(t.rows, from + rowGroup)), rowGroupSize: rowGroup });
  pq.finish();
  return new Uint8Array(writer.getBuffer());
}

/** CSV: a header line, then one line per row; nulls are empty cells, text cells go through csvCell. */
export function* csvChunks(t: ObjectTable, rows = 8192, header = true): Generator<string, void, undefined> {
  if (header) yield `${t.columns.map((c) => csvCell(c.name)).join(",")}\n`;
  let out: string[] = [];
  for (let r = 0; r < t.rows; r++) {
    out.push(
      `${t.columns
        .map((c) => {
          const v = cellValue(c, r);
          return v === null ? "" : typeof v === "string" ? csvCell(v) : String(v);
        })
        .join(",")}\n`,
    );
    if (out.length === rows) {
      yield out.join("");
      out = [];
    }
  }
  if (out.length) yield out.join("");
}

/** The CSV as UTF-8 bytes, chunk by chunk (never one string: V8 caps a string at ~512 MB). */
export function encodeCsv(t: ObjectTable): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const chunk of csvChunks(t)) {
    const b = enc.encode(chunk);
    parts.push(b);
    size += b.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The whole file in memory (the API's; `export` writes through openTableWriter, tested against this). */
export function encodeTable(t: ObjectTable, format: TableFormat): Uint8Array {
  if (format === "parquet") return encodeParquet(t);
  if (format === "arrow") return encodeArrow(t);
  return encodeCsv(t);
}

/** A table file written batch by batch: each write() encodes one batch of rows and hands its bytes to the sink. */
export interface TableWriter {
  /** The next rows; every batch has the columns (names and types) of the first. */
  write(batch: ObjectTable): void;
  /** The file's end (Parquet footer, Arrow footer); nothing may be written after. */
  finish(): void;
}

/** A ByteWriter that hands its bytes to `sink` after every row group (ParquetWriter calls flush()) and at the end. */
class SinkWriter extends ByteWriter {
  constructor(private readonly sink: (bytes: Uint8Array) => void) {
    super(1 << 16);
  }
  flush(): void {
    if (this.index > 0) this.sink(new Uint8Array(this.buffer.slice(0, this.index)));
    this.index = 0;
  }
  override finish(): void {
    this.flush();
  }
}

function parquetColumns(t: ObjectTable, from: number, to: number) {
  return t.columns.map((c) => ({
    name: c.name,
    type: PARQUET_TYPE[c.type],
    data: Array.from({ length: to - from }, (_, r) => cellValue(c, from + r)),
  }));
}

function parquetWriter(sink: (bytes: Uint8Array) => void, rowGroup: number): TableWriter {
  const writer = new SinkWriter(sink);
  let pq: ParquetWriter | undefined;
  return {
    write(t) {
      pq ??= new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData: parquetColumns(t, 0, 0) }) });
      // one row group per `rowGroup` rows of the batch: the JS values of one row group at a time
      for (let from = 0; from < t.rows; from += rowGroup)
        pq.write({ columnData: parquetColumns(t, from, Math.min(t.rows, from + rowGroup)), rowGroupSize: rowGroup });
    },
    finish() {
      if (!pq) throw new Error("parquet: no batch written");
      pq.finish();
    },
  };
}

/** The queue an Arrow writer writes into, handing every piece to `sink` at once instead of keeping it. */
class SinkQueue extends AsyncByteQueue {
  constructor(private readonly sink: (bytes: Uint8Array) => void) {
    super();
  }
  override write(value: ArrayBufferView | ArrayBuffer | string): void {
    const b =
      typeof value === "string"
        ? new TextEncoder().encode(value)
        : value instanceof ArrayBuffer
          ? new Uint8Array(value)
          : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (b.byteLength > 0) this.sink(b.slice());
  }
}

/**
 * Arrow IPC file, one record batch per batch. The file format allows no replacement dictionary, so each
 * string column keeps one dictionary for the whole file: a batch's new strings become a delta chunk of it.
 * Every field is nullable (the first batch cannot tell whether a later one has nulls; encodeArrow marks
 * a field without nulls non-nullable: the same values, a different schema flag).
 */
function arrowWriter(sink: (bytes: Uint8Array) => void): TableWriter {
  const writer = new RecordBatchFileWriter({ autoDestroy: false });
  writer.reset(new SinkQueue(sink));
  let schema: Schema | undefined;
  const dicts = new Map<string, { type: Dictionary<Utf8, Int32>; index: Map<string, number>; chunks: Data<Utf8>[]; size: number }>();
  const vectorOf = (c: ObjectColumn, n: number): Vector => {
    if (c.type !== "string") return arrowVector(c, n);
    let d = dicts.get(c.name);
    if (!d) {
      d = { type: new Dictionary(new Utf8(), new Int32()), index: new Map(), chunks: [], size: 0 };
      dicts.set(c.name, d);
    }
    const local = new Int32Array(c.dictionary.length);
    const added: string[] = [];
    c.dictionary.forEach((s, k) => {
      let g = d.index.get(s);
      if (g === undefined) {
        g = d.size + added.length;
        added.push(s);
        d.index.set(s, g);
      }
      local[k] = g;
    });
    if (added.length || d.chunks.length === 0) {
      d.chunks.push(vectorFromArray(added, new Utf8()).data[0]!);
      d.size += added.length;
    }
    const { bits, nulls } = bitmap(n, (r) => c.codes[r]! >= 0);
    const codes = Int32Array.from(c.codes, (k) => (k < 0 ? 0 : local[k]!));
    const dictionary = makeVector(d.chunks.slice());
    return makeVector(makeData({ type: d.type, length: n, nullCount: nulls, nullBitmap: nulls ? bits : null, data: codes, dictionary }));
  };
  return {
    write(t) {
      const vectors = t.columns.map((c) => vectorOf(c, t.rows));
      schema ??= new Schema(t.columns.map((c, i) => new Field(c.name, vectors[i]!.type, true)));
      const children = vectors.map((v) => v.data[0]!);
      writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: t.rows, nullCount: 0, children })));
    },
    finish() {
      writer.finish();
    },
  };
}

function csvWriter(sink: (bytes: Uint8Array) => void): TableWriter {
  const enc = new TextEncoder();
  let header = true;
  return {
    write(t) {
      for (const chunk of csvChunks(t, 8192, header)) sink(enc.encode(chunk));
      header = false;
    },
    finish() {},
  };
}

/** A streaming writer of `format` whose bytes go to `sink` in order. */
export function openTableWriter(format: TableFormat, sink: (bytes: Uint8Array) => void, rowGroup = 65536): TableWriter {
  if (format === "parquet") return parquetWriter(sink, rowGroup);
  if (format === "arrow") return arrowWriter(sink);
  return csvWriter(sink);
}
