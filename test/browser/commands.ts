// A browser command (runs in Node, drives the same Chromium through playwright): opens a report file in a
// fresh top-level tab and records everything the page does on the network and on the console, then moves
// the IoU slider the way a user would. The browser test asserts on the result.
import { pathToFileURL } from "node:url";
import type { BrowserCommand } from "vitest/node";

export interface ReportInspection {
  /** every request the page made besides loading the report file itself */
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
  state: string | undefined;
  /** mAP (data-value) before and after moving the IoU slider */
  mAPBefore: number;
  mAPAfter: number;
  /** the mAP text shown after moving the slider */
  mAPTextAfter: string;
  canvases: number;
}

export const inspectReport: BrowserCommand<[absPath: string, iou: number]> = async (ctx, absPath, iou): Promise<ReportInspection> => {
  const url = pathToFileURL(absPath).href;
  const page = await ctx.context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  page.on("request", (r) => {
    if (r.url() !== url) requests.push(`${r.method()} ${r.url()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.dataset.state !== undefined, undefined, { timeout: 20_000 });
    const state = await page.evaluate(() => document.documentElement.dataset.state);
    const mAP = () => page.locator("#kpi-mAP").getAttribute("data-value").then(Number);
    const mAPBefore = await mAP();
    await page.locator("#iou").fill(String(iou));
    await page.waitForFunction((t) => document.body.dataset.iou === String(t), iou, { timeout: 10_000 });
    const mAPAfter = await mAP();
    const mAPTextAfter = (await page.locator("#kpi-mAP .kpi-v").textContent()) ?? "";
    const canvases = await page.locator("canvas").count();
    // give late errors (a chart drawing after the frame) a chance to show up
    await page.waitForTimeout(100);
    return { requests, consoleErrors, pageErrors, state, mAPBefore, mAPAfter, mAPTextAfter, canvases };
  } finally {
    await page.close();
  }
};
