// The object table (analysis/object-table.ts) as file bytes: Parquet (hyparquet-writer), Arrow IPC file
// (apache-arrow) or CSV. Used by `detection-eval export`; the libraries are bundled into the CLI only.
import { Bool, Dictionary, Float64, Int32, makeData, makeVector, Table, tableToIPC, Utf8, type Vector, vectorFromArray } from "apache-arrow";
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
export function* csvChunks(t: ObjectTable, rows = 8192): Generator<string, void, undefined> {
  yield `${t.columns.map((c) => csvCell(c.name)).join(",")}\n`;
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

export function encodeTable(t: ObjectTable, format: TableFormat): Uint8Array {
  if (format === "parquet") return encodeParquet(t);
  if (format === "arrow") return encodeArrow(t);
  return encodeCsv(t);
}
