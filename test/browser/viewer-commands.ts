// A browser command for the viewer test (runs in Node, drives the same Chromium through playwright): writes
// small reports with the real CLI (one image: a matched label / prediction pair and a false positive; boxes,
// or polygon / RLE masks), opens one as a file in its own tab, clicks the false positive's row and reads
// back what the viewer's canvas holds inside given image regions.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserCommand } from "vitest/node";
import { main } from "../../bindings/cli/main.js";
import { jpegThumbnail } from "../../bindings/ingest/thumbnail.js";
import { rleFrPoly, rleToString } from "../../bindings/geometry/reference.js";

const OUT = resolve(import.meta.dirname, "../../.cache/browser-test/viewer");
const W = 200;
const H = 150;
/** image regions [x0, y0, x1, y1]: the matched pair, the false positive */
export const REGIONS = { tp: [20, 20, 80, 60], fp: [120, 80, 170, 120] } as const;

export interface ViewerInspection {
  state: string | undefined;
  errors: string[];
  drawn: string | undefined;
  /** the canvas' data-image: loaded, failed or blank */
  image: string | undefined;
  caption: string;
  /** per region: pixels exactly of the TP colour, of the FP colour, and reddish / greenish tints (masks over white) */
  counts: Record<string, { tp: number; fp: number; reddish: number; greenish: number }>;
}

async function writeReports(): Promise<void> {
  mkdirSync(join(OUT, "img dir"), { recursive: true });
  mkdirSync(join(OUT, "out"), { recursive: true });
  const rgba = new Uint8Array(W * H * 4).fill(255);
  writeFileSync(join(OUT, "img dir", "scene <1>.jpg"), jpegThumbnail(rgba, W, H, 4096, 95));
  const poly = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0, x1, y0, x1, y1, x0, y1]];
  // predictions as compressed RLE (pycocotools' string), labels as polygons
  const rle = (x0: number, y0: number, x1: number, y1: number) => ({ size: [H, W], counts: rleToString(rleFrPoly(poly(x0, y0, x1, y1)[0]!, H, W)) });
  const gt = {
    images: [{ id: 7, file_name: "scene <1>.jpg", width: W, height: H }],
    categories: [{ id: 1, name: "thing" }],
    annotations: [{ id: 1, image_id: 7, category_id: 1, bbox: [20, 20, 60, 40], area: 2400, iscrowd: 0, segmentation: poly(20, 20, 80, 60) }],
  };
  writeFileSync(join(OUT, "gt.json"), JSON.stringify(gt));
  writeFileSync(
    join(OUT, "dt-box.json"),
    JSON.stringify([
      { image_id: 7, category_id: 1, bbox: [21, 21, 58, 38], score: 0.9 },
      { image_id: 7, category_id: 1, bbox: [120, 80, 50, 40], score: 0.8 },
    ]),
  );
  writeFileSync(
    join(OUT, "dt-segm.json"),
    JSON.stringify([
      { image_id: 7, category_id: 1, segmentation: rle(22, 22, 78, 58), score: 0.9 },
      { image_id: 7, category_id: 1, segmentation: rle(120, 80, 170, 120), score: 0.8 },
    ]),
  );
  const run = async (...args: string[]) => {
    let err = "";
    const code = await main(["report", "--gt", join(OUT, "gt.json"), "--bootstrap", "0", "--no-tide", ...args], {
      stdout: () => {},
      stderr: (t) => void (err += t),
      isTTY: false,
    });
    if (code !== 0) throw new Error(`report ${args.join(" ")}: ${code} ${err}`);
  };
  await run("--dt", join(OUT, "dt-box.json"), "--out", join(OUT, "blank.html"));
  await run("--dt", join(OUT, "dt-box.json"), "--out", join(OUT, "out", "files.html"), "--images", join(OUT, "img dir"));
  await run("--dt", join(OUT, "dt-segm.json"), "--iou-type", "segm", "--out", join(OUT, "masks.html"), "--images", join(OUT, "img dir"), "--embed-images");
}

let written: Promise<void> | undefined;

export const inspectViewer: BrowserCommand<[report: "blank" | "files" | "masks"]> = async (ctx, report): Promise<ViewerInspection> => {
  written ??= writeReports();
  await written;
  const page = await ctx.context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(pathToFileURL(join(OUT, report === "files" ? "out/files.html" : `${report}.html`)).href, { waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.dataset.state !== undefined, undefined, { timeout: 20_000 });
    const state = await page.evaluate(() => document.documentElement.dataset.state);
    // the false positive's row (prediction 1) of the Explorer, whichever table shows it
    await page.locator('#explorer [data-kind="prediction"][data-index="1"]:not(canvas)').first().click();
    await page.waitForFunction(() => document.getElementById("viewer")?.dataset.drawn !== undefined, undefined, { timeout: 10_000 });
    const r = await page.evaluate(
      ({ regions, w, read }) => {
        const v = document.getElementById("viewer")!;
        const c = v.querySelector("canvas[data-role=image]") as HTMLCanvasElement;
        const counts: Record<string, { tp: number; fp: number; reddish: number; greenish: number }> = {};
        if (read) {
          const s = c.width / w;
          const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
          for (const [name, [x0, y0, x1, y1]] of Object.entries(regions)) {
            const n = { tp: 0, fp: 0, reddish: 0, greenish: 0 };
            // the region and a 3 px margin (the outlines are drawn on its edges)
            for (let y = Math.floor(y0 * s) - 3; y < Math.ceil(y1 * s) + 3; y++)
              for (let x = Math.floor(x0 * s) - 3; x < Math.ceil(x1 * s) + 3; x++) {
                const o = (y * c.width + x) * 4;
                const [R, G, B] = [d[o]!, d[o + 1]!, d[o + 2]!];
                if (R === 0x00 && G === 0x9e && B === 0x73) n.tp++;
                if (R === 0xd5 && G === 0x5e && B === 0x00) n.fp++;
                if (R > G + 40 && R > B + 40) n.reddish++;
                if (G > R + 40 && G > B + 20) n.greenish++;
              }
            counts[name] = n;
          }
        }
        return { drawn: v.dataset.drawn, image: c.dataset.image, caption: v.querySelector("[data-role=caption]")?.textContent ?? "", counts };
      },
      // a canvas with a file: image drawn is tainted: its pixels are read in the other reports only
      { regions: REGIONS, w: W, read: report !== "files" },
    );
    return { state, errors, ...r };
  } finally {
    await page.close();
  }
};
