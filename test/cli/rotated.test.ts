// The built CLI with --iou-type rotated: pycocotools' stats over the exact rotated IoU (the fixture of
// test/coco/rotated.test.ts), with and without workers; a bad rbox is exit 1 and one line naming it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, LOCAL_FIXTURES } from "../helpers/paths.js";

const DIR = `${LOCAL_FIXTURES}rotated_iou/`;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = mkdtempSync(join(tmpdir(), "de-rotated-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!existsSync(CLI))("detection-eval coco --iou-type rotated", () => {
  it("prints pycocotools' stats over the exact IoU, with one worker or two", () => {
    const want: number[] = JSON.parse(readFileSync(`${DIR}coco-expected.json`, "utf8")).useCats;
    for (const workers of ["1", "2"]) {
      const r = cli("coco", "--gt", `${DIR}coco-gt.json`, "--dt", `${DIR}coco-dt.json`, "--iou-type", "rotated", "--format", "json", "--workers", workers);
      expect(r.code, r.stderr).toBe(0);
      const stats: number[] = JSON.parse(r.stdout).stats;
      stats.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-12));
    }
  });
  it("stops at a bad rbox with exit 1 and one line naming it", () => {
    const gt = JSON.parse(readFileSync(`${DIR}coco-gt.json`, "utf8"));
    gt.annotations[2].rbox = [1, 2, "3", 4, 5];
    writeFileSync(join(tmp, "gt.json"), JSON.stringify(gt));
    const r = cli("coco", "--gt", join(tmp, "gt.json"), "--dt", `${DIR}coco-dt.json`, "--iou-type", "rotated");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("detection-eval coco: annotations[2].rbox: expected [cx, cy, w, h, angle]: 5 finite numbers, w and h >= 0, got an array of 5\n");
  });
});
