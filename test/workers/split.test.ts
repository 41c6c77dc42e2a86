// The split of an evaluation by category (bindings/workers/protocol.ts splitByCategory): each task's
// blocks, detection entries and accumulate positions are one stretch of the plan's, the tasks cover
// the plan once, and where no balanced split exists it says so (the split by image is taken then).
// That the numbers stay bit-identical is workers.test.ts's part.
import { describe, expect, it } from "vitest";
import { prepareCoco } from "../../bindings/coco/evaluate.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { parseCocoDataset } from "../../bindings/ingest/coco-dataset.js";
import { parseCocoResults } from "../../bindings/ingest/coco-results.js";
import { loadCocoInputs } from "../../bindings/ingest/stream-load.js";
import { splitByCategory } from "../../bindings/workers/protocol.js";
import { LOCAL_FIXTURES } from "../helpers/paths.js";

const engine = await createEngine();

describe("splitByCategory", () => {
  it.each([["synth_small", 2], ["synth_small", 3], ["synth_ties", 2]] as const)("%s into %i: stretches that cover the plan once", async (name, n) => {
    const { gt, dt } = await loadCocoInputs(`${LOCAL_FIXTURES}${name}/gt.json.gz`, `${LOCAL_FIXTURES}${name}/dt_bbox.json.gz`);
    const prep = prepareCoco(engine, gt, dt, { iouType: "bbox" }, {}, true);
    const { plan } = prep;
    const parts = splitByCategory(prep, n);
    expect(parts).not.toBeNull();
    expect(parts!.length).toBe(n);
    let nextBlock = 0;
    let nextEntry = 0;
    let nextPosition = 0;
    for (const { blocks, accumulate: a } of parts!) {
      // contiguous blocks, in plan order, of whole categories
      expect(blocks[0]).toBe(nextBlock);
      for (let i = 1; i < blocks.length; i++) expect(blocks[i]).toBe(blocks[i - 1]! + 1);
      nextBlock = blocks[blocks.length - 1]! + 1;
      expect(Array.from(a.blockK)).toEqual(Array.from(plan.blockK.subarray(blocks[0], nextBlock)));
      const k0 = a.blockK[0]!;
      const k1 = a.blockK[a.blockK.length - 1]! + 1;
      if (nextBlock < plan.nBlocks) expect(plan.blockK[nextBlock]).toBeGreaterThanOrEqual(k1);
      // its entries and its positions: one stretch each, of the same length, the positions naming its entries
      expect(a.entryBase).toBe(nextEntry);
      const e1 = plan.blockDtStart[nextBlock]!;
      expect(a.dtRank.length).toBe(e1 - nextEntry);
      expect(Array.from(a.dtRank)).toEqual(Array.from(plan.dtRank.subarray(nextEntry, e1)));
      expect(plan.kStart[k0]).toBe(nextPosition);
      expect(Array.from(a.accOrder)).toEqual(Array.from(plan.accOrder.subarray(plan.kStart[k0]!, plan.kStart[k1]!)));
      for (const e of a.accOrder) expect(e >= nextEntry && e < e1).toBe(true);
      // local positions: its categories' own, empty for every other
      for (let q = 0; q < plan.K; q++) {
        const len = a.kStart[q + 1]! - a.kStart[q]!;
        expect(len).toBe(q >= k0 && q < k1 ? plan.kStart[q + 1]! - plan.kStart[q]! : 0);
      }
      nextEntry = e1;
      nextPosition = plan.kStart[k1]!;
    }
    expect(nextBlock).toBe(plan.nBlocks);
    expect(nextEntry).toBe(plan.dtList.length);
    expect(nextPosition).toBe(plan.accOrder.length);
  });

  it("no split where one category outweighs a share, where categories are not used, or into more tasks than categories", () => {
    const images = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, width: 100, height: 100 }));
    const categories = [1, 2, 3].map((id) => ({ id, name: `c${id}` }));
    const annotations: object[] = [];
    const results: object[] = [];
    for (const im of images) {
      // category 1 has nine labels and detections an image, the others one
      for (const [c, m] of [[1, 9], [2, 1], [3, 1]] as const) {
        for (let j = 0; j < m; j++) {
          const bbox = [j * 10, c * 10, 8, 8];
          annotations.push({ id: annotations.length + 1, image_id: im.id, category_id: c, bbox, area: 64, iscrowd: 0 });
          results.push({ image_id: im.id, category_id: c, bbox, score: 0.5 + j / 100 });
        }
      }
    }
    const gt = parseCocoDataset({ images, annotations, categories });
    const dt = parseCocoResults(results, gt);
    expect(splitByCategory(prepareCoco(engine, gt, dt, { iouType: "bbox" }, {}, true), 2)).toBeNull();
    expect(splitByCategory(prepareCoco(engine, gt, dt, { iouType: "bbox", useCats: false }, {}, true), 2)).toBeNull();
    expect(splitByCategory(prepareCoco(engine, gt, dt, { iouType: "bbox" }, {}, true), 4)).toBeNull();
    // the same objects spread evenly over the three categories do split into three
    const gt2 = parseCocoDataset({ images, annotations: annotations.map((a, i) => ({ ...a, category_id: 1 + (i % 3) })), categories });
    const dt2 = parseCocoResults(results.map((r, i) => ({ ...r, category_id: 1 + (i % 3) })), gt2);
    expect(splitByCategory(prepareCoco(engine, gt2, dt2, { iouType: "bbox" }, {}, true), 3)?.length).toBe(3);
  });
});
