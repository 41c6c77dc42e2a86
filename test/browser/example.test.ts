// The example page (examples/browser/), served by the test server like any static server would: the user
// chooses the two files, the page evaluates them client-side (engine compiled with init() from the
// package's engine.wasm, geometry in a Web Worker) and shows the same numbers as the library in Node.
import { commands } from "vitest/browser";
import { describe, expect, inject, it } from "vitest";

// the synthetic COCO set written by the global setup (150 images, boxes)
const set = inject("generatedCase");

describe("examples/browser", () => {
  it("evaluates two chosen files client-side: COCO stats and analysis mAP as in Node", async () => {
    const frame = document.createElement("iframe");
    frame.style.width = "1100px";
    frame.style.height = "800px";
    const loaded = new Promise((r) => (frame.onload = r));
    frame.src = "/examples/browser/index.html";
    document.body.append(frame);
    try {
      await loaded;
      const win = frame.contentWindow! as Window & typeof globalThis;
      const doc = frame.contentDocument!;
      const wait = async (cond: () => boolean, what: string) => {
        const t0 = performance.now();
        while (!cond()) {
          if (performance.now() - t0 > 20_000) throw new Error(`timed out waiting for ${what}: ${doc.getElementById("status")?.textContent}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await wait(() => doc.getElementById("status")?.textContent?.startsWith("Ready") ?? false, "the engine");

      const files = new win.DataTransfer();
      for (const [path, name] of [[set.dt, "results.json"], [set.gt, "instances.json"]] as const) {
        files.items.add(new win.File([await commands.readFile(path)], name, { type: "application/json" }));
      }
      const input = doc.getElementById("files") as HTMLInputElement;
      input.files = files.files;
      input.dispatchEvent(new win.Event("change", { bubbles: true }));
      await wait(() => doc.body.dataset.done === "1", "the evaluation");

      expect(doc.getElementById("status")!.className).toBe("muted");
      expect(JSON.parse(doc.getElementById("coco-summary")!.dataset.stats!)).toEqual(set.stats);
      expect(doc.getElementById("coco-summary")!.textContent).toContain("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]");
      expect(Number(doc.getElementById("kpis")!.dataset.map)).toBe(set.mAP50);

      // the IoU slider re-scores in the page
      const iou = doc.getElementById("iou") as HTMLInputElement;
      iou.value = "0.75";
      iou.dispatchEvent(new win.Event("input", { bubbles: true }));
      expect(Number(doc.getElementById("kpis")!.dataset.map)).toBe(set.mAP75);
    } finally {
      frame.remove();
    }
  });
});
