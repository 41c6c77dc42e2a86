// --rotated-iou exact|mask on the analysis commands: rotated boxes take the exact polygon IoU by default
// (the value of rotatedBoxIou, tested against the published cases) and the rendered-mask IoU with
// --rotated-iou mask; the text header (and the report's) says which.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/paths.js";
import { rotatedBoxIou } from "../../bindings/index.js";

const dir = mkdtempSync(join(tmpdir(), "de-rotated-iou-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, "rotated.json");
// one label and one prediction: the same 10 x 4 box rotated 30 degrees clockwise, 0.6 px apart
writeFileSync(
  input,
  JSON.stringify({
    coordinates: "pixels",
    images: [{ id: 1, width: 40, height: 40 }],
    labels: [{ id: "l", image: 1, class: "a", rotatableBoundingBox: { x: 10, y: 10, w: 10, h: 4, theta: 30 } }],
    predictions: [{ id: "p", image: 1, class: "a", confidence: 0.9, rotatableBoundingBox: { x: 10.6, y: 10, w: 10, h: 4, theta: 30 } }],
  }),
);
// the same as two files (compare takes the predictions from --dt)
const labelsOnly = join(dir, "labels.json");
const predictionsOnly = join(dir, "predictions.json");
{
  const doc = JSON.parse(readFileSync(input, "utf8"));
  const { predictions, ...labels } = doc;
  writeFileSync(labelsOnly, JSON.stringify(labels));
  writeFileSync(predictionsOnly, JSON.stringify({ coordinates: "pixels", predictions }));
}
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });

describe.skipIf(!existsSync(CLI))("--rotated-iou", () => {
  it("exact by default (rotatedBoxIou's value), rendered masks with --rotated-iou mask", () => {
    const exact = rotatedBoxIou([[15, 12, 10, 4, -30]], [[15.6, 12, 10, 4, -30]])[0]!;
    const a = cli("analyze", "--gt", input, "--iou", "0.1", "--format", "json", "--bootstrap", "0");
    expect(a.status, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).avgIou).toBeCloseTo(exact, 12);
    const m = cli("analyze", "--gt", input, "--iou", "0.1", "--format", "json", "--bootstrap", "0", "--rotated-iou", "mask");
    expect(m.status, m.stderr).toBe(0);
    const mask = JSON.parse(m.stdout).avgIou as number;
    expect(Math.abs(mask - exact)).toBeGreaterThan(1e-6);
    // compare takes the option too
    const c = cli("compare", "--gt", labelsOnly, "--dt", predictionsOnly, "--dt", predictionsOnly, "--iou", "0.1", "--bootstrap", "0", "--format", "json", "--rotated-iou", "mask");
    expect(c.status, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout).models[0].avgIou).toBe(mask);
  });

  it("the text header names the rule; a bad value is a usage error", () => {
    expect(cli("analyze", "--gt", input, "--bootstrap", "0").stdout).toMatch(/rotated boxes against boxes: exact polygon IoU/);
    expect(cli("analyze", "--gt", input, "--bootstrap", "0", "--rotated-iou", "mask").stdout).toMatch(/rotated boxes on rendered masks too/);
    // the report's header says it too (its meta, which the page puts after the similarity)
    const meta = (args: string[]) => {
      const out = join(dir, "r.html");
      const r = cli("report", "--gt", input, "--out", out, "--bootstrap", "0", ...args);
      expect(r.status, r.stderr).toBe(0);
      const html = readFileSync(out, "utf8");
      return JSON.parse(html.slice(html.indexOf(">", html.indexOf('id="report-meta"')) + 1, html.indexOf("</script>", html.indexOf('id="report-meta"')))) as { rotatedNote?: string };
    };
    expect(meta([]).rotatedNote).toBe("rotated boxes against boxes: exact polygon IoU");
    expect(meta(["--rotated-iou", "mask"]).rotatedNote).toBe("rotated boxes on rendered masks too");
    const bad = cli("analyze", "--gt", input, "--rotated-iou", "polygon");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--rotated-iou must be one of exact, mask/);
  });
});
