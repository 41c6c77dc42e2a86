// Bad ground truth read by the streaming readers of the analysis commands (COCO, Encord-style, label
// rows; plain and gzip): one line naming the file and the place, exit 1, and the old output file
// (report --out, convert --out-gt) left as it was.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/paths.js";

const haveCli = existsSync(CLI);
const dir = mkdtempSync(join(tmpdir(), "detection-eval-stream-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DT = join(dir, "dt.json");
writeFileSync(DT, JSON.stringify([{ image_id: 1, category_id: 1, bbox: [1, 1, 5, 5], score: 0.5 }]));
const BAD: [string, string, RegExp][] = [
  ["coco", '{"images": [{"id": 1, "width": 9, "height": 9}],\n "annotations": [{"id": 1,, "image_id": 1}], "categories": []}', /: invalid JSON at line 2 column 27: /],
  ["encord", '{"images": [{"id": 1, "width": 9, "height": 9}],\n "labels": [{"image": 1, "class": "a", "boundingBox": {"x": 1}}, ]}', /: invalid JSON at line 2 column 66: /],
  ["encord-check", '{"images": [{"id": 1, "width": 9, "height": 9}],\n "labels": [{"image": 2, "class": "a", "boundingBox": {"x": 1, "y": 1, "w": 1, "h": 1}}]}', /^detection-eval report: labels\[0\]\.image: no image with id 2\n$/],
  ["rows", '[{"data_units": {"d": {"width": 9, "height": 9, "labels": {"objects": [{"name": "a", "bitmask": "x"}]}}}}]', /^detection-eval report: rows\[0\]\.data_units\.d\.labels\.objects\[0\]: bitmask objects are not read/],
];

describe.skipIf(!haveCli)("bad streamed ground truth", () => {
  it("one line, exit 1, the old report and converted files intact; plain and gzip alike", () => {
    const out = join(dir, "report.html");
    const outGt = join(dir, "coco.json");
    for (const [name, text, want] of BAD) {
      for (const gz of [false, true]) {
        const gt = join(dir, `${name}${gz ? ".json.gz" : ".json"}`);
        writeFileSync(gt, gz ? gzipSync(text) : text);
        writeFileSync(out, "the old report");
        const r = cli("report", "--gt", gt, ...(name === "coco" ? ["--dt", DT] : []), "--out", out, "--bootstrap", "0");
        expect(r.code, `${name} ${gz}`).toBe(1);
        expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
        expect(r.stderr).toMatch(want);
        if (!want.source.startsWith("^")) expect(r.stderr.startsWith(`detection-eval report: ${gt}: `), r.stderr).toBe(true);
        expect(readFileSync(out, "utf8")).toBe("the old report");
        if (name === "coco") continue;
        writeFileSync(outGt, "the old dataset");
        const c = cli("convert", "--gt", gt, "--out-gt", outGt);
        expect(c.code).toBe(1);
        expect(c.stderr.replace("detection-eval convert", "detection-eval report")).toMatch(want);
        expect(readFileSync(outGt, "utf8")).toBe("the old dataset");
      }
    }
  });
});
