// Hostile streams through the built CLI (dist/cli.js): devices, pipes and FIFOs that never end or hold no
// JSON, gigabytes of whitespace, one endless element, a flood of bad elements. Every run must stop
// with exit 1 and one line (or evaluate, for valid input) while its peak resident memory stays small:
// the child's maxRSS is written at exit by bench/rss-preload.mjs. Only coarse memory bounds are
// asserted (never time): before these fixes `--dt /dev/zero` grew without bound (14.6 GB in 60 s), and
// 200 MB of gzipped whitespace took 609 MB.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createGzip } from "node:zlib";
import { createWriteStream } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "../helpers/paths.js";

const haveCli = existsSync(CLI);
if (!haveCli) console.warn(`skipping the hostile-input tests: ${CLI} not built (run node scripts/build.mjs)`);
const PRELOAD = pathToFileURL(join(ROOT, "bench/rss-preload.mjs")).href;
const MB = 2 ** 20;

let dir = "";
let haveFifo = true;
const GT = {
  images: [{ id: 1, width: 40, height: 40 }],
  categories: [{ id: 1, name: "a" }],
  annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 10, 10], area: 100, iscrowd: 0 }],
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "detection-eval-hostile-"));
  writeFileSync(join(dir, "gt.json"), JSON.stringify(GT));
  writeFileSync(join(dir, "dt.json"), JSON.stringify([{ image_id: 1, category_id: 1, bbox: [1, 1, 10, 10], score: 0.9 }]));
  try {
    execFileSync("mkfifo", [join(dir, "probe.fifo")]);
  } catch {
    haveFifo = false;
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the CLI process, MiB. */
  rss: number;
}

let runs = 0;
/** Runs the CLI (through bash when `shell`, for process substitution) and measures its peak memory. */
function cli(args: string[], shell = false): Promise<Run> {
  const rssFile = join(dir, `rss${runs++}`);
  const node = [process.execPath, "--import", PRELOAD, CLI, ...args];
  const child = shell
    ? spawn("bash", ["-c", `exec ${node.map((a) => (a.startsWith("<(") ? a : `'${a}'`)).join(" ")}`], { env: { ...process.env, DETECTION_EVAL_BENCH_RSS_FILE: rssFile } })
    : spawn(node[0]!, node.slice(1), { env: { ...process.env, DETECTION_EVAL_BENCH_RSS_FILE: rssFile } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000); // a hang fails the run (no exit line, no rss)
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / MB : Number.POSITIVE_INFINITY;
      resolve({ code, stdout, stderr, rss });
    });
  });
}

/** A FIFO fed by a writer process with `bytes` bytes of `pattern` after `head` (ended early when the reader stops), gzipped when asked. */
function fifo(head: string, pattern: string, bytes: number, gzip = false): string {
  const p = join(dir, `w${runs++}.fifo`);
  execFileSync("mkfifo", [p]);
  const script = `
    const fs = require("fs"), zlib = require("zlib");
    const [path, head, hex, total, gz] = process.argv.slice(1);
    const pattern = Buffer.from(hex, "hex");
    setTimeout(() => process.exit(0), 120000).unref(); // never outlive the test (a reader that never opens the FIFO)
    const out = fs.createWriteStream(path);
    out.on("error", () => process.exit(0));
    const sink = gz === "1" ? zlib.createGzip({ level: 1 }) : out;
    if (sink !== out) sink.pipe(out);
    const chunk = Buffer.alloc(pattern.length * Math.ceil(65536 / pattern.length), pattern);
    let left = Number(total);
    sink.write(head);
    (function more() {
      while (left > 0) { left -= chunk.length; if (!sink.write(chunk)) return sink.once("drain", more); }
      sink.end();
    })();`;
  const w = spawn(process.execPath, ["-e", script, p, head, Buffer.from(pattern).toString("hex"), String(bytes), gzip ? "1" : "0"], { stdio: "ignore" });
  w.unref();
  return p;
}

/** Exit 1 and exactly one line on stderr matching `message`. */
function expectOneLine(r: Run, message: RegExp): void {
  expect(r.stderr, r.stderr.slice(0, 500)).toMatch(message);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
}

describe.skipIf(!haveCli)("hostile streams: one line, exit 1, bounded memory", () => {
  const coco = (dt: string) => ["coco", "--gt", join(dir, "gt.json"), "--dt", dt, "--iou-type", "bbox"];

  it.skipIf(!existsSync("/dev/zero"))("--dt /dev/zero: the first byte stops it", async () => {
    const r = await cli(coco("/dev/zero"));
    expectOneLine(r, /^detection-eval coco: \/dev\/zero: invalid JSON at line 1 column 1: unexpected character "\\u0000" \(expected a JSON value\)\n$/);
    expect(r.rss).toBeLessThan(300);
  });

  it.skipIf(!existsSync("/dev/urandom"))("--dt /dev/urandom, and analyze --gt /dev/zero (the in-memory reader)", async () => {
    const r = await cli(coco("/dev/urandom"));
    expectOneLine(r, /^detection-eval coco: \/dev\/urandom: invalid JSON at line \d+ column \d+: /);
    expect(r.rss).toBeLessThan(300);
    const a = await cli(["analyze", "--gt", "/dev/zero", "--dt", join(dir, "dt.json")]);
    expectOneLine(a, /^detection-eval analyze: \/dev\/zero: invalid JSON at line 1 column 1: unexpected character "\\u0000"/);
    expect(a.rss).toBeLessThan(300);
  });

  it.skipIf(!existsSync("/bin/bash"))("an endless pipe: --dt <(yes)", async () => {
    const r = await cli(coco("<(yes)"), true);
    expectOneLine(r, /^detection-eval coco: \/dev\/fd\/\d+: invalid JSON at line 1 column 1: unexpected character "y" \(expected a JSON value\)\n$/);
    expect(r.rss).toBeLessThan(300);
  });

  it("a FIFO of gzipped zeros, to the streaming and the in-memory reader", async () => {
    if (!haveFifo) return;
    const r = await cli(coco(fifo("", "\0", 2048 * MB, true)));
    expectOneLine(r, /: invalid JSON at line 1 column 1: unexpected character "\\u0000" \(expected a JSON value\)\n$/);
    expect(r.rss).toBeLessThan(400);
    const a = await cli(["analyze", "--gt", fifo("", "\0", 2048 * MB, true), "--dt", join(dir, "dt.json")]);
    expectOneLine(a, /: invalid JSON at line 1 column 1: unexpected character "\\u0000"/);
    expect(a.rss).toBeLessThan(400);
  });

  it("one endless string element stops at the 64 MiB limit of one element", async () => {
    if (!haveFifo) return;
    const r = await cli(coco(fifo('[{"image_id": 1, "x": "', "x", 200 * MB)));
    expectOneLine(r, /: a JSON value at byte 1 is larger than 64 MiB \(the limit of one element/);
    expect(r.rss).toBeLessThan(700);
  });

  it("endless nesting stops at the limit of arrays and objects in one element", async () => {
    if (!haveFifo) return;
    const r = await cli(coco(fifo("[", "[", 100 * MB)));
    expectOneLine(r, /: a JSON value has more than 1048576 arrays and objects \(at byte \d+; the limit of one element\)\n$/);
    expect(r.rss).toBeLessThan(600);
  });

  it("a flood of bad elements is not kept: the first one is the message", async () => {
    if (!haveFifo) return;
    const images = await cli(["coco", "--gt", fifo('{"images": [', "[],", 60 * MB), "--dt", join(dir, "dt.json"), "--iou-type", "bbox"]);
    // (the stream ends inside the array: the syntax error of the end comes first, as in memory)
    expectOneLine(images, /: file is truncated \(unexpected end of JSON at byte \d+\)\n$/);
    expect(images.rss).toBeLessThan(400);
    const results = await cli(coco(fifo('[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 1},', '{"bbox":[1,2,3,4]},', 60 * MB)));
    expectOneLine(results, /: file is truncated/);
    expect(results.rss).toBeLessThan(400);
  });
});

describe.skipIf(!haveCli || !existsSync("/dev/zero"))("the other files a command reads: id lists, metrics, images", () => {
  it("--images-from, --label-metrics and an image file name that leads to /dev/zero stop at once", async () => {
    const ids = await cli(["coco", "--gt", join(dir, "gt.json"), "--dt", join(dir, "dt.json"), "--iou-type", "bbox", "--images-from", "/dev/zero"]);
    expect(ids.stderr.split("\n")[0]).toBe("detection-eval coco: --images-from: cannot read /dev/zero: not a text file: a NUL byte at byte 0");
    expect(ids.code).toBe(2);
    expect(ids.rss).toBeLessThan(300);
    const metrics = await cli(["analyze", "--gt", join(dir, "gt.json"), "--dt", join(dir, "dt.json"), "--label-metrics", "/dev/zero"]);
    expectOneLine(metrics, /^detection-eval analyze: --label-metrics: cannot read \/dev\/zero \(not a text file: a NUL byte at byte 0\)\n$/);
    expect(metrics.rss).toBeLessThan(300);
    const gt = join(dir, "gt_zero_image.json");
    writeFileSync(gt, JSON.stringify({ ...GT, images: [{ id: 1, width: 40, height: 40, file_name: `${"../".repeat(40)}dev/zero` }] }));
    const images = await cli(["analyze", "--gt", gt, "--dt", join(dir, "dt.json"), "--images", dir]);
    expect(images.stderr).toMatch(/^detection-eval analyze: .*dev\/zero: cannot read \(not a regular file\)\n$/m);
    expect(images.code).toBe(1);
    expect(images.rss).toBeLessThan(300);
  });
});

describe.skipIf(!haveCli)("whitespace is skipped in constant memory", () => {
  it("200 MB of gzipped whitespace, then []: evaluated as no results", async () => {
    const p = join(dir, "ws.json.gz");
    await new Promise<void>((resolve, reject) => {
      const gz = createGzip({ level: 1 });
      const out = createWriteStream(p);
      gz.pipe(out).on("finish", resolve).on("error", reject);
      const chunk = Buffer.alloc(MB, " \n\t");
      let left = 200;
      (function more() {
        while (left-- > 0) if (!gz.write(chunk)) return void gz.once("drain", more);
        gz.end("[]\n");
      })();
    });
    const r = await cli(["coco", "--gt", join(dir, "gt.json"), "--dt", p, "--iou-type", "bbox"]);
    expect(r.stderr).toBe("warning: results: the list is empty (pycocotools cannot load it); evaluated as no detections\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = 0\.000/);
    expect(r.rss).toBeLessThan(350);
  });
});

describe.skipIf(!haveCli)("every command reads a file the same way", () => {
  it("UTF-16 and JSON encoded twice: one message for coco, errors and analyze", async () => {
    const u16 = join(dir, "gt16.json");
    writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(GT), "utf16le")]));
    const twice = join(dir, "twice.json");
    writeFileSync(twice, JSON.stringify(JSON.stringify(GT)));
    const dt = join(dir, "dt.json");
    for (const cmd of [["coco", "--iou-type", "bbox"], ["errors"], ["analyze"]]) {
      const a = await cli([cmd[0]!, "--gt", u16, "--dt", dt, ...cmd.slice(1)]);
      expectOneLine(a, new RegExp(`^detection-eval ${cmd[0]}: ${u16.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: the file is UTF-16; save it as UTF-8\\n$`));
      const b = await cli([cmd[0]!, "--gt", twice, "--dt", dt, ...cmd.slice(1)]);
      expectOneLine(b, /: expected a JSON object, got a string \(the file holds JSON text inside a JSON string: decode it once\)\n$/);
    }
    const c = await cli(["convert", "--gt", twice, "--out-gt", join(dir, "out.json")]);
    expectOneLine(c, /^detection-eval convert: .*twice\.json: expected a JSON object or array, got a string \(the file holds JSON text inside a JSON string: decode it once\)\n$/);
  });
});
