// objectTable: the exported object table agrees with the explorer (outcome, reason, candidate, IoU,
// matched_by), with the prepared arrays (rank, dup, crowd IoU) and with the input boxes; id columns keep
// their type, or become strings (with a note) when they mix numbers and strings.
import { describe, expect, it } from "vitest";
import { analyze } from "../../bindings/analysis/analyze.js";
import { cellValue, type ObjectColumn, objectTable } from "../../bindings/analysis/object-table.js";
import type { AnalysisInput } from "../../bindings/analysis/types.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { randomInput } from "../helpers/analysis.js";

const engine = await createEngine();

function col(t: ReturnType<typeof objectTable>, name: string): ObjectColumn {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}
const cell = (t: ReturnType<typeof objectTable>, name: string, r: number) => cellValue(col(t, name), r);

describe("objectTable", () => {
  for (const iou of ["mask", "box"] as const) {
    it(`agrees with the explorer and the prepared arrays (random inputs, ${iou} IoU)`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const input = randomInput(seed, { boxesOnly: iou === "box" });
        const a = analyze(engine, input, { iou });
        for (const t of [0.3, 0.5, 0.75]) {
          const view = a.at({ iou: t });
          const table = objectTable(a, view);
          const { predictions, labels } = view.explorer();
          const nP = a.predictionCount;
          expect(table.rows).toBe(nP + a.labelCount);
          for (const c of table.columns) {
            if (c.type === "string") expect(c.codes.length).toBe(table.rows);
            else expect(c.values.length).toBe(table.rows);
          }
          for (const row of predictions) {
            const r = row.index;
            expect(cell(table, "kind", r)).toBe("prediction");
            expect(cell(table, "id", r)).toBe(row.id);
            expect(cell(table, "image_id", r)).toBe(row.imageId);
            expect(cell(table, "category_id", r)).toBe(row.categoryId);
            expect(cell(table, "score", r)).toBe(row.confidence);
            expect(cell(table, "candidate", r)).toBe(row.candidateId);
            expect(cell(table, "candidate_index", r)).toBe(row.candidate >= 0 ? row.candidate : null);
            expect(cell(table, "candidate_category_id", r)).toBe(row.candidateCategoryId);
            expect(cell(table, "iou", r)).toBe(row.candidate >= 0 ? row.iou : null);
            expect(cell(table, "outcome", r)).toBe(row.outcome);
            expect(cell(table, "reason", r)).toBe(row.reason);
            expect(cell(table, "dup", r)).toBe(a.p.pDup[r]);
            expect(cell(table, "crowd_iou", r)).toBe(a.p.pCrowd[r]);
            expect(cell(table, "rank", r)).toBe(a.p.pPos[r]! - a.p.classStart[a.p.pClass[r]!]! + 1);
            expect(cell(table, "crowd", r)).toBe(null);
            expect(cell(table, "metric_confidence", r)).toBe(row.confidence);
          }
          for (const row of labels) {
            const r = nP + row.index;
            expect(cell(table, "kind", r)).toBe("label");
            expect(cell(table, "index", r)).toBe(row.index);
            expect(cell(table, "id", r)).toBe(row.id);
            expect(cell(table, "score", r)).toBe(null);
            expect(cell(table, "rank", r)).toBe(null);
            expect(cell(table, "crowd", r)).toBe(row.crowd);
            expect(cell(table, "iou", r)).toBe(row.bestIou);
            expect(cell(table, "matched_by", r)).toBe(row.matchedBy >= 0 ? row.matchedBy : null);
            expect(cell(table, "outcome", r)).toBe(row.outcome);
            expect(cell(table, "reason", r)).toBe(row.reason);
            expect(cell(table, "dup", r)).toBe(null);
          }
          // the boxes: the input box in box mode; in mask mode the rendered mask's bounding box
          const objects = [...input.predictions, ...input.labels];
          objects.forEach((o, r) => {
            const got = ["x", "y", "w", "h"].map((k) => cell(table, k, r));
            if (iou === "box" && o.shape.kind === "box") expect(got).toEqual([...o.shape.box]);
            const area = cell(table, "area", r) as number;
            if (area === 0) expect(got).toEqual([null, null, null, null]);
            else {
              expect(got[2]).toBe(cell(table, "metric_width", r));
              expect(got[3]).toBe(cell(table, "metric_height", r));
            }
          });
        }
      }
    });
  }

  it("ids keep their type; a column mixing numbers and strings is strings, with a note", () => {
    const base = randomInput(7, { images: 3, classes: 2 });
    const a = analyze(engine, base);
    const t = objectTable(a, a.at());
    expect(col(t, "image_id").type).toBe("int32");
    expect(col(t, "category_id").type).toBe("int32");
    expect(col(t, "id").type).toBe("string"); // "P0", "L0"
    expect(t.notes).toEqual([]);
    const mixed: AnalysisInput = { ...base, images: base.images.map((m, i) => ({ ...m, id: i === 0 ? "first" : m.id })) };
    const t2 = objectTable(analyze(engine, mixed), analyze(engine, mixed).at());
    expect(col(t2, "image_id").type).toBe("string");
    expect(t2.notes).toEqual(["image_id: the ids mix numbers and strings; the column is written as strings"]);
    const big: AnalysisInput = { ...base, categories: base.categories.map((c, k) => ({ ...c, id: 2 ** 40 + k })) };
    const t3 = objectTable(analyze(engine, big), analyze(engine, big).at());
    expect(col(t3, "category_id").type).toBe("float64");
    expect(cell(t3, "category_id", 0)).toBeGreaterThanOrEqual(2 ** 40);
  });
});
