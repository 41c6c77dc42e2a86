// Ground truth beyond the 512 MB of one JSON text (node-files.ts MAX_TEXT_BYTES, which readJsonFile
// refuses as "too large") through the built CLI: `analyze` streams COCO and Encord-style ground truth,
// so a gzipped file that decompresses to more than that is read, and gives the numbers of the same
// document without its padding. The padding is whitespace between elements (never kept), so the
// files stay small on disk (gzip members concatenated) and the coarse memory bound holds.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TEXT_BYTES } from "../../bindings/ingest/node-files.js";
import { CLI, ROOT } from "../helpers/paths.js";

const haveCli = existsSync(CLI);
const PRELOAD = pathToFileURL(join(ROOT, "bench/rss-preload.mjs")).href;
const MB = 2 ** 20;
let dir = "";
/** gzip of whitespace decompressing to just over MAX_TEXT_BYTES. */
let padding: Buffer = Buffer.alloc(0);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "detection-eval-large-"));
  const block = Buffer.alloc(64 * MB, " \n");
  const members: Buffer[] = [];
  const one = gzipSync(block, { level: 1 });
  for (let b = 0; b * block.length <= MAX_TEXT_BYTES; b++) members.push(one);
  padding = Buffer.concat(members);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { code: number | null; stdout: string; stderr: string; rss: number } {
  const rssFile = join(dir, `rss${Math.random()}`);
  const r = spawnSync(process.execPath, ["--import", PRELOAD, CLI, ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, DETECTION_EVAL_BENCH_RSS_FILE: rssFile } });
  const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / MB : Number.POSITIVE_INFINITY;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, rss };
}

/** `head` + the padding + `tail` as one gzip file (members concatenated), and the same without the padding. */
function padded(name: string, head: string, tail: string): { big: string; small: string } {
  const big = join(dir, `${name}.big.json.gz`);
  writeFileSync(big, Buffer.concat([gzipSync(head), padding, gzipSync(tail)]));
  const small = join(dir, `${name}.json`);
  writeFileSync(small, head + tail);
  return { big, small };
}

describe.skipIf(!haveCli)("analyze: ground truth larger than one JSON text", () => {
  it("COCO and Encord-style ground truth beyond 512 MB give the numbers of the unpadded file", () => {
    const images = [
      { id: 1, width: 40, height: 40 },
      { id: 2, width: 40, height: 40 },
    ];
    const coco = padded(
      "coco",
      `{"images": ${JSON.stringify(images)}, "categories": [{"id": 1, "name": "a"}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 10, 10], "area": 100, "iscrowd": 0},`,
      `{"id": 2, "image_id": 2, "category_id": 1, "bbox": [5, 5, 20, 10], "area": 200, "iscrowd": 0}]}`,
    );
    const dt = join(dir, "dt.json");
    writeFileSync(dt, JSON.stringify([{ image_id: 1, category_id: 1, bbox: [1, 1, 10, 9], score: 0.9 }, { image_id: 2, category_id: 1, bbox: [5, 5, 10, 10], score: 0.8 }]));
    const args = ["--dt", dt, "--format", "json", "--bootstrap", "0"];
    const want = run(["analyze", "--gt", coco.small, ...args]);
    expect(want.code, want.stderr).toBe(0);
    const got = run(["analyze", "--gt", coco.big, ...args]);
    expect(got.stderr).toBe("");
    expect(got.stdout).toBe(want.stdout);
    expect(got.rss).toBeLessThan(400);

    const encord = padded(
      "encord",
      `{"coordinates": "pixels", "images": [{"id": 1, "width": 40, "height": 40}], "labels": [{"image": 1, "class": "a", "boundingBox": {"x": 1, "y": 1, "w": 10, "h": 10}},`,
      `{"image": 1, "class": "a", "boundingBox": {"x": 20, "y": 20, "w": 10, "h": 10}}], "predictions": [{"image": 1, "class": "a", "confidence": 0.5, "boundingBox": {"x": 1, "y": 1, "w": 10, "h": 9}}]}`,
    );
    const wantE = run(["analyze", "--gt", encord.small, "--format", "json", "--bootstrap", "0"]);
    expect(wantE.code, wantE.stderr).toBe(0);
    expect(JSON.parse(wantE.stdout)).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    const gotE = run(["analyze", "--gt", encord.big, "--format", "json", "--bootstrap", "0"]);
    expect(gotE.stderr).toBe("");
    expect(gotE.stdout).toBe(wantE.stdout);
    expect(gotE.rss).toBeLessThan(400);
  });
});
