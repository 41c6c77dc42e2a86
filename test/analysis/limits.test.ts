// analyze() computes all pairs of an image, a tile of rows at a time (bindings/engine/tiles.ts): one
// image of 8,000 predictions x 8,000 labels (two 512 MB matrices in one piece) stays far below that in
// memory (a child process's peak RSS, coarse), with the answers of the same objects over many images.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { analyze } from "../../bindings/analysis/analyze.js";
import { createEngine } from "../../bindings/engine/engine.js";
import { disjointInput } from "../helpers/analysis-pairs.js";

describe("analyze(): the pairs of a large image in tiles", () => {
  it("8,000 x 8,000 boxes in one image: bounded memory, the answers of the same objects over 101 images", async () => {
    const n = 8000;
    const child = new URL("../helpers/analysis-pairs-child.ts", import.meta.url).pathname;
    const r = spawnSync(process.execPath, ["--import", "tsx", child, String(n)], { encoding: "utf8", timeout: 240_000, maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { view: number[]; cand: number[]; maxRss: number };
    const engine = await createEngine();
    const spread = analyze(engine, disjointInput(n, 100, 100), { iou: "box" });
    const v = spread.at({ iou: 0.5 });
    expect(got.view).toEqual([v.tp, v.fp, v.fn, v.mAP, v.precision, v.recall, v.avgIou]);
    expect(got.view[0]).toBe(100);
    expect(got.cand).toEqual(Array.from(spread.p.pCand));
    // the two pair matrices in one piece are 2 x 512 MB (and the engine held a copy of each)
    expect(got.maxRss).toBeLessThan(800 * 2 ** 20);
  }, 300_000);
});
