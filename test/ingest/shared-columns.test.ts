// StreamLoadOptions.shared: the results' boxes, scores and areas on SharedArrayBuffers (worker
// threads read them without a copy), the same values as without; the dataset's columns, and a later
// stream's, stay on plain buffers.
import { describe, expect, it } from "vitest";
import { Column } from "../../bindings/columns/column.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const gtPath = `${LOCAL_FIXTURES}synth_small/gt.json.gz`;
const dtPath = `${LOCAL_FIXTURES}synth_small/dt_bbox.json.gz`;
const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe("shared result columns", () => {
  it("box, score and area on SharedArrayBuffers, with the values of a plain load", async () => {
    const shared = await loadCocoInputs(gtPath, dtPath, { shared: true });
    const plain = await loadCocoInputs(gtPath, dtPath);
    for (const key of ["box", "score", "area"] as const) {
      expect(shared.dt[key].buffer instanceof SharedArrayBuffer, key).toBe(true);
      expect(plain.dt[key].buffer instanceof SharedArrayBuffer, key).toBe(false);
      expect(bytes(shared.dt[key]).equals(bytes(plain.dt[key])), key).toBe(true);
    }
    expect(shared.dt.count).toBe(plain.dt.count);
    expect(shared.gt.annotations.box.buffer instanceof SharedArrayBuffer).toBe(false);
    // (the option holds for its own stream only)
    const after = await loadCocoInputs(gtPath, dtPath);
    expect(after.dt.box.buffer instanceof SharedArrayBuffer).toBe(false);
  });
});

describe("Column growth", () => {
  it("a column on a SharedArrayBuffer stays on one as it grows, its values kept; a plain one stays plain", () => {
    for (const shared of [true, false]) {
      const c = new Column(shared ? new Float64Array(new SharedArrayBuffer(8 * 4)) : new Float64Array(4));
      for (let i = 0; i < 5000; i++) c.push(i / 3);
      expect(c.a.buffer instanceof SharedArrayBuffer).toBe(shared);
      expect(c.view().length).toBe(5000);
      for (let i = 0; i < 5000; i++) expect(c.view()[i]).toBe(i / 3);
    }
  });
});
