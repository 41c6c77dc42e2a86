// The analysis commands on Encord-style polylines: --line-width (default 30) and its error.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/paths.js";

const tmp = mkdtempSync(join(tmpdir(), "de-lanes-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const pts = (xy: number[]) => Array.from({ length: xy.length / 2 }, (_, i) => ({ x: xy[2 * i], y: xy[2 * i + 1] }));
const gt = join(tmp, "lanes.json");
writeFileSync(
  gt,
  JSON.stringify({
    coordinates: "pixels",
    images: [{ id: 1, width: 120, height: 90 }],
    labels: [{ image: 1, class: "lane", polyline: pts([10.3, 85.2, 40.7, 50.1, 60.2, 5.9]) }],
    predictions: [{ image: 1, class: "lane", confidence: 0.9, polyline: pts([16.3, 85.2, 46.7, 50.1, 66.2, 5.9]) }],
  }),
);

describe.skipIf(!existsSync(CLI))("CLI on polylines", () => {
  it("30 px by default (a TP), --line-width 8 (an FP), a bad width is a usage error; the report says the width", () => {
    const json = (...a: string[]) => JSON.parse(cli("analyze", "--gt", gt, "--bootstrap", "0", "--format", "json", ...a).stdout);
    expect(json().tp).toBe(1);
    expect(json("--line-width", "8").tp).toBe(0);
    const bad = cli("analyze", "--gt", gt, "--line-width", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe("detection-eval analyze: --line-width: expected a width in pixels in (0, 10000], got 0");
    const out = join(tmp, "r.html");
    expect(cli("report", "--gt", gt, "--out", out, "--bootstrap", "0", "--line-width", "12").code).toBe(0);
    expect(readFileSync(out, "utf8").includes('"lineWidth":12')).toBe(true);
  });
});
