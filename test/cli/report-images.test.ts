// `report --images / --embed-images / --image-url / --no-shapes`: where the page's viewer finds the images.
// File references relative to --out (path segments URL-encoded: quotes, spaces, "<"), data: URLs only with
// --embed-images (thumbnails of the asked size), URL templates checked (usage error, exit 2), the page's
// content-security policy allowing exactly these sources, missing files warned about.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import decodeJpeg from "jpeg-js/lib/decoder.js";
import { main } from "../../bindings/cli/main.js";
import { jpegThumbnail } from "../../bindings/ingest/thumbnail.js";
import type { ReportMeta } from "../../bindings/report/meta.js";
import { imageSources } from "../../bindings/report/html.js";

async function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false });
  return { code, stdout, stderr };
}

const NAMES = ["plain.jpg", `a b "q" 'x' <y>.jpg`, "missing.jpg"];
let dir: string;
let gt: string;
let dt: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "report-images-"));
  mkdirSync(join(dir, "imgs"));
  mkdirSync(join(dir, "out"));
  const images = NAMES.map((file_name, i) => ({ id: i + 1, file_name, width: 64 + i * 8, height: 48 }));
  for (const im of images.slice(0, 2)) {
    const rgba = new Uint8Array(im.width * im.height * 4).fill(128);
    writeFileSync(join(dir, "imgs", im.file_name), jpegThumbnail(rgba, im.width, im.height, 4096));
  }
  const annotations = images.map((im, i) => ({ id: i + 1, image_id: im.id, category_id: 1, bbox: [4, 4, 20, 20], area: 400, iscrowd: 0 }));
  gt = join(dir, "gt.json");
  dt = join(dir, "dt.json");
  writeFileSync(gt, JSON.stringify({ images, categories: [{ id: 1, name: "thing" }], annotations }));
  writeFileSync(dt, JSON.stringify(images.map((im) => ({ image_id: im.id, category_id: 1, bbox: [5, 5, 20, 20], score: 0.9 }))));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function page(path: string) {
  const html = readFileSync(path, "utf8");
  const meta = JSON.parse(/<script type="application\/json" id="report-meta">([\s\S]*?)<\/script>/.exec(html)![1]!) as ReportMeta;
  const imagesText = /<script type="application\/json" id="report-images">([\s\S]*?)<\/script>/.exec(html)?.[1];
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!;
  return {
    html,
    meta,
    urls: imagesText === undefined ? undefined : (JSON.parse(imagesText) as (string | null)[]),
    imgSrc: /img-src ([^;]*)/.exec(csp)![1]!.split(" "),
  };
}

describe("report image sources", () => {
  it("--images: files referenced relative to --out, names URL-encoded; missing files warned about; no data: URL", async () => {
    const out = join(dir, "out", "r.html");
    const r = await run("report", "--gt", gt, "--dt", dt, "--out", out, "--images", join(dir, "imgs"), "--bootstrap", "0");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--images: 1 of 3 images have no file in .*blank canvas/);
    const p = page(out);
    expect(p.meta.images).toEqual({ source: "files" });
    expect(p.urls).toEqual(["../imgs/plain.jpg", "../imgs/a%20b%20%22q%22%20'x'%20%3Cy%3E.jpg", null]);
    expect(p.html).not.toContain("data:image/jpeg");
    expect(p.imgSrc).toEqual(["data:", "blob:", "'self'", "file:"]);
    // the raw name never reaches the HTML unescaped
    expect(p.html).not.toContain("<y>");
    expect(p.meta.shapes).toBeDefined();
    expect(p.html).toContain('id="report-shapes"');
  });

  it("--out - (no file to be relative to): file: URLs", async () => {
    const r = await run("report", "--gt", gt, "--dt", dt, "--out", "-", "--images", join(dir, "imgs"), "--bootstrap", "0");
    expect(r.code).toBe(0);
    const urls = JSON.parse(/id="report-images">([\s\S]*?)<\/script>/.exec(r.stdout)![1]!) as (string | null)[];
    expect(urls[0]).toBe(`file://${join(dir, "imgs", "plain.jpg")}`);
    expect(new URL(urls[1]!).pathname).toBe(join(dir, "imgs", "a%20b%20%22q%22%20'x'%20%3Cy%3E.jpg"));
  });

  it("--embed-images: JPEG thumbnails as data: URLs, long side --thumbnail-size, no file reference", async () => {
    const out = join(dir, "out", "embedded.html");
    const r = await run(
      "report",
      "--gt",
      gt,
      "--dt",
      dt,
      "--out",
      out,
      "--images",
      join(dir, "imgs"),
      "--embed-images",
      "--thumbnail-size",
      "32",
      "--bootstrap",
      "0",
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--embed-images: 1 of 3 images have no file/);
    const p = page(out);
    expect(p.meta.images).toEqual({ source: "embedded" });
    expect(p.urls![2]).toBeNull();
    const sizes = p.urls!.slice(0, 2).map((u) => {
      expect(u).toMatch(/^data:image\/jpeg;base64,/);
      const d = decodeJpeg(Buffer.from(u!.slice(u!.indexOf(",") + 1), "base64"), { useTArray: true });
      return [d.width, d.height];
    });
    expect(sizes).toEqual([
      [32, 24],
      [32, 21],
    ]);
    expect(p.html).not.toContain("imgs/");
    expect(p.imgSrc).toEqual(["data:", "blob:"]);
  });

  it("--image-url: each image's URL from the template, its origin in the policy", async () => {
    const out = join(dir, "out", "url.html");
    const r = await run(
      "report",
      "--gt",
      gt,
      "--dt",
      dt,
      "--out",
      out,
      "--image-url",
      "https://img.example.org:8443/val/{file_name}?id={id}",
      "--bootstrap",
      "0",
    );
    expect(r.code).toBe(0);
    const p = page(out);
    expect(p.urls).toEqual([
      "https://img.example.org:8443/val/plain.jpg?id=1",
      "https://img.example.org:8443/val/a%20b%20%22q%22%20'x'%20%3Cy%3E.jpg?id=2",
      "https://img.example.org:8443/val/missing.jpg?id=3",
    ]);
    expect(p.imgSrc).toEqual(["data:", "blob:", "https://img.example.org:8443"]);
  });

  for (const bad of [
    "ftp://host/{file_name}",
    "https://host/a b/{file_name}",
    "https://host/{file_name}';script-src *",
    "https://{id}.host/x.jpg",
    "https://host/{name}",
    "javascript:alert(1)//{id}",
    "host/{file_name}",
  ])
    it(`--image-url ${bad}: refused (exit 2)`, async () => {
      const r = await run("report", "--gt", gt, "--dt", dt, "--out", join(dir, "out", "bad.html"), "--image-url", bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--image-url: /);
    });

  it("--embed-images without --images, or with --image-url: usage errors", async () => {
    for (const args of [["--embed-images"], ["--embed-images", "--images", join(dir, "imgs"), "--image-url", "https://h/{id}"], ["--thumbnail-size", "0"]]) {
      const r = await run("report", "--gt", gt, "--dt", dt, "--out", join(dir, "out", "bad.html"), ...args);
      expect(r.code, args.join(" ")).toBe(2);
    }
  });

  it("--no-shapes: no shapes in the page, and no image sources without --images", async () => {
    const out = join(dir, "out", "noshapes.html");
    const r = await run("report", "--gt", gt, "--dt", dt, "--out", out, "--no-shapes", "--bootstrap", "0");
    expect(r.code).toBe(0);
    const p = page(out);
    expect(p.meta.shapes).toBeUndefined();
    expect(p.meta.images).toBeUndefined();
    expect(p.urls).toBeUndefined();
    expect(p.html).not.toContain('id="report-shapes"');
    expect(p.imgSrc).toEqual(["data:", "blob:"]);
  });
});

describe("imageSources (the CSP img-src of renderReportHtml's images)", () => {
  it("names what the URLs need, and refuses other schemes", () => {
    expect(imageSources(undefined)).toEqual([]);
    expect(imageSources({ source: "embedded", urls: ["data:image/jpeg;base64,AAAA", null] })).toEqual([]);
    expect(imageSources({ source: "files", urls: ["a%20b.jpg", "file:///x/y.png"] })).toEqual(["'self'", "file:"]);
    expect(imageSources({ source: "url", urls: ["https://a.example/x.jpg", "http://b.example:81/y", "https://a.example/z"] })).toEqual([
      "https://a.example",
      "http://b.example:81",
    ]);
    expect(() => imageSources({ source: "url", urls: ["https://a.example/x", "javascript:alert(1)"] })).toThrow(
      /images\.urls\[1\]: expected a relative, file:, http\(s\): or data:image\/ URL/,
    );
    expect(() => imageSources({ source: "embedded", urls: ["data:text/html,<b>"] })).toThrow(/images\.urls\[0\]/);
  });
});
