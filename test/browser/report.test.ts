// The HTML report in real Chromium: the file written by `detection-eval report` (global setup) loads without
// console errors or network requests, shows mAP, draws every chart, and its IoU slider, confidence slider
// and class filter re-score the page to exactly the numbers the library computes in Node.
import { commands } from "vitest/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import type { ReportInspection } from "./commands.js";
import { REPORT_CONFIDENCE } from "./provided.js";

declare module "vitest/browser" {
  interface BrowserCommands {
    inspectReport: (absPath: string, iou: number) => Promise<ReportInspection>;
  }
}

const rc = inject("reportCase");
const CHARTS = ["outcome", "reasons", "tide", "cal", "ap", "prf", "pr", "conf", "iou", "iou-hist", "corr", "perf"].map((c) => `chart-${c}`);

/** The report's HTML in an iframe of this page (a blob: URL), loaded. */
async function openFrame(path: string): Promise<{ frame: HTMLIFrameElement; url: string }> {
  const html = await commands.readFile(path);
  const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  const frame = document.createElement("iframe");
  frame.style.width = "1280px";
  frame.style.height = "900px";
  const loaded = new Promise((r) => (frame.onload = r));
  frame.src = url;
  document.body.append(frame);
  await loaded;
  return { frame, url };
}

describe("report page, opened as a file in its own tab", () => {
  it("makes no network request, logs no error, and re-scores on the IoU slider", async () => {
    const r = await commands.inspectReport(rc.absPath, 0.75);
    expect(r.state).toBe("ready");
    expect(r.requests).toEqual([]);
    expect(r.consoleErrors).toEqual([]);
    expect(r.pageErrors).toEqual([]);
    expect(r.canvases).toBe(CHARTS.length);
    expect(r.mAPBefore).toBe(rc.mAP["0.5"]);
    expect(r.mAPAfter).toBe(rc.mAP["0.75"]);
    expect(r.mAPAfter).not.toBe(r.mAPBefore);
    expect(r.mAPTextAfter).toBe(rc.mAP["0.75"]!.toFixed(3));
  });
});

describe("report page in a frame", () => {
  let frame: HTMLIFrameElement;
  let doc: Document;
  let url: string;

  const wait = async (cond: () => boolean, what: string, ms = 10_000) => {
    const t0 = performance.now();
    while (!cond()) {
      if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  /** Runs a user action, then waits for the page's next render. */
  const rendered = async (what: string, action: () => void) => {
    const before = Number(doc.body.dataset.renders);
    action();
    await wait(() => Number(doc.body.dataset.renders) > before, `a render after ${what}`);
  };
  /** Sets an input's value the way a user does and waits for the re-render. */
  const set = (id: string, value: string) =>
    rendered(`${id} = ${value}`, () => {
      const input = doc.getElementById(id) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  const mAP = () => Number(doc.getElementById("kpi-mAP")!.dataset.value);
  /** a cheap fingerprint of a canvas' pixels; "" when nothing is drawn */
  const pixels = (id: string) => {
    const c = doc.getElementById(id) as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3]! > 0) ink++;
      h = Math.imul(h ^ (d[i]! + 3 * d[i + 1]! + 7 * d[i + 2]! + 11 * d[i + 3]!), 0x01000193) >>> 0;
    }
    return ink === 0 ? "" : `${ink}:${h}`;
  };

  beforeAll(async () => {
    ({ frame, url } = await openFrame(rc.path));
    doc = frame.contentDocument!;
    await wait(() => doc.documentElement.dataset.state !== undefined, "the page to start");
  });
  afterAll(() => {
    frame?.remove();
    URL.revokeObjectURL(url);
  });

  it("starts, fetches nothing, and shows mAP at the default IoU", () => {
    expect(doc.documentElement.dataset.state).toBe("ready");
    const win = frame.contentWindow!;
    expect(win.performance.getEntriesByType("resource").map((e) => e.name)).toEqual([]);
    // its own policy forbids any connection
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute("content")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("connect-src");
    expect(mAP()).toBe(rc.mAP["0.5"]);
    expect(doc.getElementById("kpi-mAP")!.textContent).toContain(rc.mAP["0.5"]!.toFixed(3));
    for (const id of ["summary", "outcome", "confusion", "tide", "calibration", "ap", "prf", "pr", "confidence-curves", "avg-iou", "iou-dist", "correlation", "performance", "explorer"]) {
      expect(doc.getElementById(id), id).not.toBeNull();
    }
    expect(doc.querySelectorAll("#explorer-table .ex-rows [data-kind]").length).toBeGreaterThan(0);
  });

  it("the explorer lists every object of the selection; sorts, searches and filters to Node's rows; follows the sliders", async () => {
    const ex = doc.getElementById("explorer-table")!;
    const rows = () => Number(ex.dataset.rows);
    /** the first n rows' ids as the table shows them */
    const ids = (n: number) => [...ex.querySelectorAll<HTMLElement>(".ex-rows .ex-row:not([hidden])")].slice(0, n).map((r) => r.children[1]!.textContent!);
    const acted = async (what: string, action: () => void) => {
      const before = ex.dataset.updates;
      action();
      await wait(() => ex.dataset.updates !== before, what);
    };
    const choose = (id: string, value: string) =>
      acted(`${id} = ${value}`, () => {
        const s = doc.getElementById(id) as HTMLSelectElement;
        s.value = value;
        s.dispatchEvent(new Event(s.tagName === "INPUT" ? "input" : "change", { bubbles: true }));
      });
    expect(rows()).toBe(rc.explorer.total);
    expect(doc.getElementById("ex-count")!.textContent).toBe(`${rc.explorer.total.toLocaleString("en-US")} of ${rc.explorer.total.toLocaleString("en-US")} objects`);
    // only the rows in sight are in the DOM
    expect(ex.querySelectorAll(".ex-rows .ex-row").length).toBeLessThan(40);
    await acted("worst FPs", () => (doc.getElementById("ex-worst-fp") as HTMLButtonElement).click());
    expect(rows()).toBe(rc.explorer.fp);
    expect(ids(5)).toEqual(rc.explorer.worstFp);
    await acted("largest FNs", () => (doc.getElementById("ex-worst-fn") as HTMLButtonElement).click());
    expect(rows()).toBe(rc.explorer.fn);
    expect(ids(5)).toEqual(rc.explorer.largestFn);
    // a second click on a header reverses the order
    const areaHead = ex.querySelector<HTMLButtonElement>('#ex-head [data-col="area"]')!;
    expect(areaHead.dataset.sort).toBe("desc");
    await acted("sort area ascending", () => areaHead.click());
    expect(areaHead.dataset.sort).toBe("asc");
    expect(ids(1)).not.toEqual(rc.explorer.largestFn.slice(0, 1));
    await choose("ex-outcome", "all");
    expect(rows()).toBe(rc.explorer.total);
    await choose("ex-search", rc.explorer.search);
    expect(rows()).toBe(rc.explorer.searchRows);
    await choose("ex-search", "");
    // scrolling far down paints the rows there
    const body = doc.getElementById("ex-body")!;
    body.scrollTop = body.scrollHeight;
    await wait(() => Number(ex.dataset.first) > 0, "the rows at the bottom painted");
    expect(Number(ex.dataset.first) + ex.querySelectorAll(".ex-rows .ex-row:not([hidden])").length).toBe(rc.explorer.total);
    // a click on a row opens the object in the viewer
    const row = ex.querySelector<HTMLElement>(".ex-rows .ex-row:not([hidden])")!;
    row.children[2]!.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(doc.getElementById("viewer")!.dataset.shown).toBe(`${row.dataset.kind}:${row.dataset.index}`);
    // the sliders and the class filter: the explorer follows the selection
    await rendered("class filter: none", () => (doc.getElementById("cls-none") as HTMLButtonElement).click());
    const one = [...doc.querySelectorAll<HTMLInputElement>("#classes input")].find((b) => b.value === String(rc.oneClass))!;
    await rendered("class filter: one class", () => {
      one.checked = true;
      one.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await set("iou", "0.75");
    expect(rows()).toBe(rc.explorer.oneClass75);
    await set("iou", "0.5");
    await rendered("class filter: all", () => (doc.getElementById("cls-all") as HTMLButtonElement).click());
    expect(rows()).toBe(rc.explorer.total);
    // the page's image filter and metric range narrow every section, the explorer too
    expect(rc.explorer.imageRows).toBeLessThan(rc.explorer.total);
    await set("image-filter", rc.explorer.imageText);
    expect(rows()).toBe(rc.explorer.imageRows);
    expect(mAP()).toBe(rc.explorer.imageMAP);
    await set("image-filter", "");
    expect(rows()).toBe(rc.explorer.total);
    const rangeMetric = (value: string) =>
      rendered(`range metric: ${value || "none"}`, () => {
        const m = doc.getElementById("range-metric") as HTMLSelectElement;
        m.value = value;
        m.dispatchEvent(new Event("change", { bubbles: true }));
      });
    await rangeMetric("labels:area");
    await set("range-min", String(rc.explorer.areaMin));
    expect(rc.explorer.areaRows).toBeLessThan(rc.explorer.total);
    expect(rows()).toBe(rc.explorer.areaRows);
    expect(mAP()).toBe(rc.explorer.areaMAP);
    await rangeMetric("");
    expect(rows()).toBe(rc.explorer.total);
    (doc.getElementById("range-min") as HTMLInputElement).value = "";
  });

  it("draws every chart", () => {
    // (the viewer's image and thumbnails are canvases too, once a row was clicked)
    expect([...doc.querySelectorAll("canvas:not(#viewer canvas)")].map((c) => c.id).sort()).toEqual([...CHARTS].sort());
    for (const id of CHARTS) expect(pixels(id), id).not.toBe("");
  });

  it("moving the IoU slider re-scores mAP to the library's value and redraws every chart", async () => {
    const before = new Map(CHARTS.map((id) => [id, pixels(id)]));
    await set("iou", "0.75");
    expect(doc.body.dataset.iou).toBe("0.75");
    expect(mAP()).toBe(rc.mAP["0.75"]);
    expect(doc.getElementById("iou-value")!.textContent).toBe("0.75");
    // TIDE is at its fixed thresholds: the IoU slider does not move it
    for (const id of CHARTS) if (id !== "chart-tide") expect(pixels(id), `${id} redrawn`).not.toBe(before.get(id));
    await set("iou", "0.3");
    expect(mAP()).toBe(rc.mAP["0.3"]);
    await set("iou", "0.5");
    expect(mAP()).toBe(rc.mAP["0.5"]);
  });

  it("the confidence slider and the class filter re-score too", async () => {
    await set("confidence", String(REPORT_CONFIDENCE));
    expect(mAP()).toBe(rc.mAPConf50);
    await set("confidence", "0");
    expect(mAP()).toBe(rc.mAP["0.5"]);

    await rendered("class filter: none", () => (doc.getElementById("cls-none") as HTMLButtonElement).click());
    expect(mAP()).toBe(0);
    expect(doc.getElementById("class-summary")!.textContent).toMatch(/^0 of /);
    const one = [...doc.querySelectorAll<HTMLInputElement>("#classes input")].find((b) => b.value === String(rc.oneClass))!;
    await rendered("class filter: one class", () => {
      one.checked = true;
      one.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(mAP()).toBe(rc.mAPOneClass50);
    expect(doc.querySelectorAll("#table-ap tbody tr").length).toBe(2); // the class and the mean
    await rendered("class filter: all", () => (doc.getElementById("cls-all") as HTMLButtonElement).click());
    expect(mAP()).toBe(rc.mAP["0.5"]);
  });

  /** the matrix as the page shows it: counts per row (the "·" of an empty cell is 0) */
  const shownMatrix = () =>
    [...doc.querySelectorAll("#confusion-matrix tbody tr")].map((tr) => [...tr.querySelectorAll("td.cell")].map((td) => (td.textContent === "·" ? 0 : Number(td.textContent!.replace(/,/g, "")))));

  it("the confusion matrix shows the library's counts, follows the IoU slider, and lists a cell's objects", async () => {
    expect(shownMatrix()).toEqual(rc.confusion["0.5"]!.counts);
    await set("iou", "0.75");
    expect(shownMatrix()).toEqual(rc.confusion["0.75"]!.counts);
    await set("iou", "0.5");
    // the busiest off-diagonal cell of a real class pair
    const m = rc.confusion["0.5"]!;
    const n = m.categories.length;
    let best = { r: 0, c: n, v: -1 };
    m.counts.forEach((row, r) => row.forEach((v, c) => r !== c && r < n && v > best.v && (best = { r, c, v })));
    const td = doc.querySelector<HTMLElement>(`#confusion-matrix td[data-r="${best.r}"][data-c="${best.c}"]`)!;
    td.click();
    expect(td.classList.contains("selected")).toBe(true);
    expect(doc.getElementById("cell-title")!.textContent).toContain(`${best.v} predictions`);
    expect(doc.querySelectorAll("#table-cell tbody tr").length).toBeGreaterThanOrEqual(Math.min(best.v, 200));
  });

  it("intervals on the summary cards and the calibration summary are the library's", () => {
    const ci = doc.querySelector<HTMLElement>("#kpi-mAP .kpi-ci")!;
    expect(Number(ci.dataset.lo)).toBe(rc.mAPInterval50.lo);
    expect(Number(ci.dataset.hi)).toBe(rc.mAPInterval50.hi);
    expect(doc.getElementById("cal-summary")!.textContent).toContain(`ECE ${rc.ece50.toFixed(3)}`);
  });

  it("the TIDE table is Node's tide(), and follows the class filter", async () => {
    const shown = () => Object.fromEntries([...doc.querySelectorAll("#table-tide tbody tr")].map((tr) => [tr.children[0]!.textContent!, tr.children[1]!.textContent!]));
    const want = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.toFixed(2)]));
    expect(shown()).toEqual(want(rc.tide.all));
    await rendered("class filter: none", () => (doc.getElementById("cls-none") as HTMLButtonElement).click());
    const one = [...doc.querySelectorAll<HTMLInputElement>("#classes input")].find((b) => b.value === String(rc.oneClass))!;
    await rendered("class filter: one class", () => {
      one.checked = true;
      one.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(shown()).toEqual(want(rc.tide.oneClass));
    await rendered("class filter: all", () => (doc.getElementById("cls-all") as HTMLButtonElement).click());
    expect(shown()).toEqual(want(rc.tide.all));
  });

  it("the metric performance section follows the metric chosen", async () => {
    const before = pixels("chart-perf");
    await rendered("metric: label area", () => {
      const select = doc.getElementById("metric") as HTMLSelectElement;
      select.value = "labels:area";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(doc.querySelector("#table-perf thead")!.textContent).toContain("FN rate");
    expect(doc.querySelectorAll("#table-perf tbody tr").length).toBe(10);
    expect(pixels("chart-perf")).not.toBe(before);
  });
});

describe("report page with many classes", () => {
  it("per-class charts draw the top 25 classes by their value, or all of them up to 300 (a canvas past ~32k px stays blank), the heatmap 100, with a note; tables list all", async () => {
    const many = inject("manyClassesReport");
    const { frame, url } = await openFrame(many.path);
    const doc = frame.contentDocument!;
    const t0 = performance.now();
    while (doc.documentElement.dataset.state !== "ready" && performance.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    try {
      expect(doc.documentElement.dataset.state).toBe("ready");
      const ids = ["chart-outcome", "chart-ap", "chart-prf", "chart-iou"];
      // at first the top 25 by each chart's value
      const what = ["object counts (TP + FP + FN)", "AP", "F1", "average IoU"];
      ids.forEach((id, i) => expect(doc.getElementById(`${id}-cap`)!.textContent, id).toContain(`The 25 classes with the highest ${what[i]} of ${many.classes}`));
      // "all": every class up to the canvas cap
      const top = doc.getElementById("chart-top") as HTMLSelectElement;
      const renders = Number(doc.body.dataset.renders);
      top.value = "all";
      top.dispatchEvent(new Event("change"));
      const t1 = performance.now();
      while (Number(doc.body.dataset.renders) <= renders && performance.now() - t1 < 10_000) await new Promise((r) => setTimeout(r, 20));
      for (const id of ids) {
        const canvas = doc.getElementById(id) as HTMLCanvasElement;
        expect(canvas.height, id).toBeLessThan(32_000);
        expect(doc.getElementById(`${id}-cap`)!.textContent, id).toContain(`The 300 classes with the most labels of ${many.classes}`);
      }
      expect(doc.querySelectorAll("#table-ap tbody tr").length).toBe(many.classes + 1);
      expect(doc.querySelectorAll("#confusion-matrix tbody tr").length).toBe(101);
      expect(doc.getElementById("confusion-matrix-cap")!.textContent).toContain("The 100 classes with the most labels");
    } finally {
      frame.remove();
      URL.revokeObjectURL(url);
    }
  });
});

describe("a report of two models", () => {
  const two = inject("twoModelsReport");
  const wait = async (cond: () => boolean, what: string, ms = 10_000) => {
    const t0 = performance.now();
    while (!cond()) {
      if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  it("loads without errors, shows both names (escaped), and its side-by-side numbers are compare()'s; the model selector switches every page", async () => {
    const { frame, url } = await openFrame(two.path);
    const doc = frame.contentDocument!;
    const t0 = performance.now();
    while (doc.documentElement.dataset.state !== "ready" && performance.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    try {
      expect(doc.documentElement.dataset.state).toBe("ready");
      expect(doc.querySelector("b")).toBeNull(); // the name "baseline <b>" is text, not markup
      const header = doc.querySelector("header")!.textContent!;
      for (const n of two.names) expect(header).toContain(n);
      const options = [...doc.querySelectorAll("#model option")].map((o) => o.textContent);
      expect(options).toEqual(two.names);
      const rows = [...doc.querySelectorAll("#table-models tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
      expect(rows.map((r) => r[0])).toEqual(two.names);
      expect(rows.map((r) => Number(r[1]))).toEqual(two.mAP.map((v) => Number(v.toFixed(3))));
      expect(Number(rows[1]![11])).toBe(two.gained);
      expect(Number(rows[1]![12])).toBe(two.lost);
      // the COCO section: pycocotools' stats of the baseline (Node's evaluateCoco on the same files)
      const cocoRows = [...doc.querySelectorAll("#table-coco-stats tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
      expect(cocoRows.map((r) => r[1])).toEqual(inject("generatedCase").stats.map((v) => (v < 0 ? "–" : v.toFixed(3))));
      expect(cocoRows[0]!.length).toBe(3);
      // the summary follows the selected model
      const kpi = () => Number(doc.getElementById("kpi-mAP")!.dataset.value);
      expect(kpi()).toBe(two.mAP[0]);
      // both models' curves on one chart each: one line per model, named
      for (const id of ["chart-models-pr", "chart-models-f1"]) {
        const c = doc.getElementById(id) as HTMLCanvasElement;
        expect(c, id).not.toBeNull();
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) ink++;
        expect(ink, id).toBeGreaterThan(0);
      }
      // a flip row opens its label in the viewer
      expect(two.gained + two.lost).toBeGreaterThan(0);
      const flip = doc.querySelector<HTMLElement>("#table-flips tbody tr[data-kind]")!;
      flip.children[0]!.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      expect(doc.getElementById("viewer")!.dataset.shown).toBe(`label:${flip.dataset.index}`);
      const select = doc.getElementById("model") as HTMLSelectElement;
      const renders = Number(doc.body.dataset.renders);
      select.value = "1";
      select.dispatchEvent(new Event("change"));
      await wait(() => Number(doc.body.dataset.renders) > renders, "the page to re-render");
      expect(kpi()).toBe(two.mAP[1]);
    } finally {
      frame.remove();
      URL.revokeObjectURL(url);
    }
  });
});
