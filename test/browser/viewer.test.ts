// The report's object viewer in real Chromium: clicking a row draws the object's image with every label and
// prediction on it, coloured by outcome (the TP colour on the matched pair, the FP colour on the false
// positive), masks too; a referenced image file loads from a report opened as a file (file://).
import { commands } from "vitest/browser";
import { describe, expect, it } from "vitest";
import type { ViewerInspection } from "./viewer-commands.js";
import { decodeAnalysis } from "../../bindings/report/data.js";
import type { ReportMeta } from "../../bindings/report/meta.js";
import { createViewer } from "../../bindings/report/page/viewer.js";

declare module "vitest/browser" {
  interface BrowserCommands {
    inspectViewer: (report: "blank" | "files" | "masks") => Promise<ViewerInspection>;
  }
}

describe("report viewer", () => {
  it("boxes on a blank canvas: the TP colour on the matched pair, the FP colour on the false positive", async () => {
    const r = await commands.inspectViewer("blank");
    expect(r.state).toBe("ready");
    expect(r.errors).toEqual([]);
    expect(r.drawn).toBe("prediction:1");
    expect(r.image).toBe("blank");
    expect(r.caption).toContain("FP");
    expect(r.caption).toContain("scene <1>.jpg");
    expect(r.counts.tp!.tp).toBeGreaterThan(100);
    expect(r.counts.tp!.fp).toBe(0);
    expect(r.counts.fp!.fp).toBeGreaterThan(100);
    expect(r.counts.fp!.tp).toBe(0);
  });

  it("a referenced image file loads in a report opened as a file", async () => {
    const r = await commands.inspectViewer("files");
    expect(r.errors).toEqual([]);
    expect(r.drawn).toBe("prediction:1");
    expect(r.image).toBe("loaded");
  });

  it("masks (polygon labels, RLE predictions) over an embedded thumbnail", async () => {
    const r = await commands.inspectViewer("masks");
    expect(r.errors).toEqual([]);
    expect(r.image).toBe("loaded");
    // the false positive's mask tints its region; the matched pair's is green
    expect(r.counts.fp!.reddish).toBeGreaterThan(1000);
    expect(r.counts.fp!.greenish).toBe(0);
    expect(r.counts.tp!.greenish).toBeGreaterThan(1000);
    expect(r.counts.tp!.reddish).toBe(0);
  });
});

describe("viewer grid (the module in this page, on a report's data)", () => {
  it("draws a thumbnail per object, each a crop around it in its outcome colour; a click shows the object", async () => {
    await commands.inspectViewer("blank"); // writes the reports
    const html = await commands.readFile(".cache/browser-test/viewer/blank.html");
    const doc = new DOMParser().parseFromString(html, "text/html");
    const meta = JSON.parse(doc.getElementById("report-meta")!.textContent!) as ReportMeta;
    const shapes = document.createElement("script");
    shapes.type = "text/plain";
    shapes.id = "report-shapes";
    shapes.textContent = doc.getElementById("report-shapes")!.textContent;
    document.body.append(shapes);
    const analysis = await decodeAnalysis({ ...meta.data, blob: doc.getElementById("report-blob")!.textContent!.trim() });
    const box = document.createElement("div");
    document.body.append(box);
    const view = analysis.at({ iou: 0.5, confidence: 0 });
    const viewer = createViewer(box, { meta, current: () => ({ model: 0, analysis, view }) });
    viewer.grid(
      [
        { kind: "prediction", index: 0 },
        { kind: "prediction", index: 1 },
        { kind: "label", index: 0 },
      ],
      "all objects",
    );
    const t0 = performance.now();
    while (box.dataset.drawn !== "grid:3" && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    const tiles = [...box.querySelectorAll("canvas[data-kind]")] as HTMLCanvasElement[];
    expect(tiles.map((c) => `${c.dataset.kind}:${c.dataset.index}`)).toEqual(["prediction:0", "prediction:1", "label:0"]);
    const count = (c: HTMLCanvasElement, rgb: [number, number, number]) => {
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === rgb[0] && d[i + 1] === rgb[1] && d[i + 2] === rgb[2]) n++;
      return n;
    };
    const TP: [number, number, number] = [0x00, 0x9e, 0x73];
    const FP: [number, number, number] = [0xd5, 0x5e, 0x00];
    expect(count(tiles[0]!, TP)).toBeGreaterThan(50);
    expect(count(tiles[0]!, FP)).toBe(0);
    expect(count(tiles[1]!, FP)).toBeGreaterThan(50);
    expect(count(tiles[1]!, TP)).toBe(0);
    expect(count(tiles[2]!, TP)).toBeGreaterThan(50);
    expect(box.textContent).toContain("all objects: 3 objects");
    tiles[1]!.click();
    expect(box.dataset.shown).toBe("prediction:1");
    box.remove();
    shapes.remove();
  });
});
