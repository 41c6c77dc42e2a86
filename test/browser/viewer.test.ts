// The report's object viewer in real Chromium: clicking a row draws the object's image with every label and
// prediction on it, coloured by outcome (the TP colour on the matched pair, the FP colour on the false
// positive), masks too; a referenced image file loads from a report opened as a file (file://).
import { commands } from "vitest/browser";
import { describe, expect, it } from "vitest";
import type { ViewerInspection } from "./viewer-commands.js";

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
