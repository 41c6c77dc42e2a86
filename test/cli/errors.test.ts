// Bad input through the built CLI (dist/cli.js): exit codes (0 success, 1 bad input, 2 usage; SIGINT /
// SIGTERM end it by the signal), one line on stderr without a stack (--debug shows it), the two error fixtures of
// ../shared/fixtures, file-level problems (missing, truncated, gzip, JSON syntax), SIGINT during a
// long run, and atomic writes (bindings/ingest/output-file.ts).
import { SHARED_FIXTURES, CLI as CLI_PATH } from "../helpers/paths.js";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutputInputError, pendingTempFiles, setTempFileListener, writeFileAtomic } from "../../bindings/ingest/output-file.js";

const CLI = CLI_PATH;
const haveCli = existsSync(CLI);
if (!haveCli) console.warn(`skipping CLI error tests: ${CLI} not built (run node scripts/build.mjs)`);
const FIXTURES = SHARED_FIXTURES;
const haveFixtures = existsSync(join(FIXTURES, "fce_ignore1"));
if (!haveFixtures) console.warn(`skipping the error fixtures: ${FIXTURES} not found`);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 1, nothing on stdout, exactly one line on stderr, no stack. */
function expectInputError(r: ReturnType<typeof cli>, message: string) {
  expect(r.stderr).toBe(`${message}\n`);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
}

const GT = {
  images: [
    { id: 1, width: 40, height: 40 },
    { id: 2, width: 40, height: 40 },
  ],
  categories: [{ id: 1, name: "a" }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 10, 10], area: 100, iscrowd: 0, segmentation: [[1, 1, 11, 1, 11, 11, 1, 11]] },
    { id: 2, image_id: 2, category_id: 1, bbox: [5, 5, 10, 10], area: 100, iscrowd: 0, segmentation: [[5, 5, 15, 5, 15, 15, 5, 15]] },
  ],
};
const DT = [
  { image_id: 1, category_id: 1, bbox: [1, 1, 10, 10], score: 0.9 },
  { image_id: 2, category_id: 1, bbox: [5, 6, 10, 10], score: 0.8 },
];

let dir = "";
const file = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "detection-eval-errors-"));
  writeFileSync(file("gt.json"), JSON.stringify(GT));
  writeFileSync(file("dt.json"), JSON.stringify(DT));
  writeFileSync(file("gt_pretty.json"), JSON.stringify(GT, null, 2).replace('"area": 100,', '"area": 100,,'));
  writeFileSync(file("dt_nan.json"), JSON.stringify(DT).replace("0.8", "NaN"));
  writeFileSync(file("dt_truncated.json"), JSON.stringify(DT).slice(0, 50));
  writeFileSync(file("dt_truncated.json.gz"), gzipSync(JSON.stringify(DT)).subarray(0, 30));
  writeFileSync(file("empty.json"), "");
  writeFileSync(file("dt_score.json"), JSON.stringify([DT[0], { ...DT[1], score: "high" }]));
  writeFileSync(file("dt_unknown_cat.json"), JSON.stringify([...DT, { ...DT[0], category_id: 3 }]));
  writeFileSync(file("gt_dup.json"), JSON.stringify({ ...GT, images: [...GT.images, { id: 1 }] }));
  writeFileSync(file("gt_bigimage.json"), JSON.stringify({ ...GT, images: [{ id: 1, width: 20000, height: 20000 }, GT.images[1]] }));
  mkdirSync(file("a_directory"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveCli)("CLI: bad input gives exit 1 and one line", () => {
  it.skipIf(!haveFixtures)("the error fixtures fce_ignore1 and crowdpose2_mmpose", () => {
    for (const [name, message] of [
      [
        "fce_ignore1",
        'detection-eval coco: results: image ids not in the dataset: 2299 (number) (first at results[0].image_id); the dataset has "2299" (string): use the same id type as the dataset\'s images',
      ],
      [
        "crowdpose2_mmpose",
        "detection-eval coco: annotations[0].area: missing (5 of 5 annotations have no area; pycocotools needs it for the area ranges and never derives it)",
      ],
    ] as const) {
      const r = cli("coco", "--gt", join(FIXTURES, name, "gt.json"), "--dt", join(FIXTURES, name, "dt_bbox.json"), "--iou-type", "bbox", "--format", "json");
      expectInputError(r, message);
    }
  });

  it("file problems and JSON syntax", () => {
    const cases: [string, string, string][] = [
      [file("nope.json"), file("dt.json"), `${file("nope.json")}: cannot read (no such file)`],
      [file("a_directory"), file("dt.json"), `${file("a_directory")}: cannot read (is a directory)`],
      [file("empty.json"), file("dt.json"), `${file("empty.json")}: file is empty`],
      [file("gt_pretty.json"), file("dt.json"), `${file("gt_pretty.json")}: invalid JSON at line 31 column 19: unexpected character "," (expected a property name in double quotes)`],
      [
        file("gt.json"),
        file("dt_nan.json"),
        `${file("dt_nan.json")}: invalid JSON at line 1 column 121: NaN is not valid JSON (Python's json module writes it for a non-finite float; write null or a number)`,
      ],
      [file("gt.json"), file("dt_truncated.json"), `${file("dt_truncated.json")}: file is truncated (unexpected end of JSON at byte 50)`],
      [file("gt.json"), file("dt_truncated.json.gz"), `${file("dt_truncated.json.gz")}: file is truncated (the gzip stream ends early)`],
    ];
    for (const [gt, dt, message] of cases) expectInputError(cli("coco", "--gt", gt, "--dt", dt, "--iou-type", "bbox"), `detection-eval coco: ${message}`);
  });

  it("field rules, for coco and analyze", () => {
    expectInputError(cli("coco", "--gt", file("gt.json"), "--dt", file("dt_score.json"), "--iou-type", "bbox"), 'detection-eval coco: results[1].score: expected a finite number, got "high"');
    expectInputError(cli("analyze", "--gt", file("gt.json"), "--dt", file("dt_score.json")), 'detection-eval analyze: results[1].score: expected a finite number, got "high"');
    expectInputError(cli("coco", "--gt", file("gt_dup.json"), "--dt", file("dt.json"), "--iou-type", "bbox"), "detection-eval coco: images: duplicate id 1 (images[0] and images[2])");
    expectInputError(
      cli("coco", "--gt", file("gt_bigimage.json"), "--dt", file("dt.json"), "--iou-type", "segm"),
      "detection-eval coco: images[0]: height 20000 x width 20000 = 400000000 pixels, more than a wasm32 mask can hold (limit 268435456 = 2^28) (needed to rasterise results[0].bbox)",
    );
    // the same image is fine for box evaluation
    expect(cli("coco", "--gt", file("gt_bigimage.json"), "--dt", file("dt.json"), "--iou-type", "bbox").code).toBe(0);
  });

  it("warnings: exit 0, the warning on stderr", () => {
    const r = cli("coco", "--gt", file("gt.json"), "--dt", file("dt_unknown_cat.json"), "--iou-type", "bbox", "--format", "json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stats).toHaveLength(12);
    expect(r.stderr).toBe(
      "warning: results: 1 of 3 results have a category id not in the dataset: 3 (number) (first at results[2].category_id); they are not evaluated, as in pycocotools\n",
    );
  });

  it("--debug shows the stack; usage errors exit 2", () => {
    const d = cli("coco", "--gt", file("gt.json"), "--dt", file("dt_score.json"), "--iou-type", "bbox", "--debug");
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^CocoInputError: results\[1\]\.score: expected a finite number, got "high"\n\s+at /);
    for (const args of [["coco", "--gt", file("gt.json")], ["coco", "--gt", "a", "--dt", "b", "--iou-type", "box"], ["nope"]]) {
      const r = cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/usage: detection-eval/);
    }
    expect(cli("coco", "--gt", file("gt.json"), "--dt", file("dt.json"), "--iou-type", "segm").code).toBe(0);
  });
});

/** A segm evaluation that takes seconds: large overlapping masks on 4000 x 4000 images. */
function writeSlowInput(target: string, images: number): void {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const imgs = [];
  const anns = [];
  const dets = [];
  for (let i = 1; i <= images; i++) {
    imgs.push({ id: i, width: 4000, height: 4000 });
    for (let k = 0; k < 100; k++) {
      const x = rnd() * 1000;
      const y = rnd() * 1000;
      const w = 1000 + rnd() * 2000;
      const h = 1000 + rnd() * 2000;
      anns.push({ id: anns.length + 1, image_id: i, category_id: 1, bbox: [x, y, w, h], area: w * h, iscrowd: 0, segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]] });
      dets.push({ image_id: i, category_id: 1, bbox: [x + 5, y, w, h], score: rnd() });
    }
  }
  writeFileSync(join(target, "gt.json"), JSON.stringify({ images: imgs, categories: [{ id: 1, name: "a" }], annotations: anns }));
  writeFileSync(join(target, "dt.json"), JSON.stringify(dets));
}

/** Spawns the CLI, sends `signal` after `ms`, resolves with how it ended. */
function interrupt(args: string[], ms: number, signal: NodeJS.Signals = "SIGINT", env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; afterSignalMs: number }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    let sent = 0;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      sent = performance.now();
      child.kill(signal);
    }, ms);
    child.on("exit", (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr, afterSignalMs: sent ? performance.now() - sent : -1 });
    });
  });
}

describe.skipIf(!haveCli)("CLI: interrupting a long run", () => {
  let slow = "";
  beforeAll(() => {
    slow = join(dir, "slow");
    mkdirSync(slow);
    writeSlowInput(slow, 200);
  });

  // the CLI runs small inputs on its main thread, large ones (or with DETECTION_EVAL_CLI_WORKER=1) in a worker
  for (const [thread, env] of [
    ["main thread", { ...process.env, DETECTION_EVAL_CLI_WORKER: "" }],
    ["worker thread", { ...process.env, DETECTION_EVAL_CLI_WORKER: "1" }],
  ] as const) {
    it(`${thread}: SIGINT ends it at once, by the signal, with no output`, async () => {
      const r = await interrupt(["coco", "--gt", join(slow, "gt.json"), "--dt", join(slow, "dt.json"), "--iou-type", "segm"], 1500, "SIGINT", env);
      expect(r.afterSignalMs, "the run ended before the signal: make the input slower").toBeGreaterThanOrEqual(0);
      expect(r.code).toBe(null);
      expect(r.signal).toBe("SIGINT");
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("");
      expect(r.afterSignalMs).toBeLessThan(5000);
      expect(readdirSync(slow).filter((f) => !f.startsWith("out-")).sort()).toEqual(["dt.json", "gt.json"]);
    }, 30_000);

    it(`${thread}: SIGTERM ends it by SIGTERM`, async () => {
      const r = await interrupt(["analyze", "--gt", join(slow, "gt.json"), "--dt", join(slow, "dt.json"), "--iou-type", "segm"], 1500, "SIGTERM", env);
      expect(r.afterSignalMs).toBeGreaterThanOrEqual(0);
      expect(r.signal).toBe("SIGTERM");
      expect(r.stderr).toBe("");
    }, 30_000);

    it(`${thread}: report: an interrupted run leaves no file, finished or partial`, async () => {
      if (cli("report", "--help").code !== 0) return; // the report command is not built in this tree
      const out = join(slow, `out-${thread.split(" ")[0]}`);
      mkdirSync(out);
      const r = await interrupt(["report", "--gt", join(slow, "gt.json"), "--dt", join(slow, "dt.json"), "--iou-type", "segm", "--out", join(out, "report.html")], 1500, "SIGINT", env);
      expect(r.signal).toBe("SIGINT");
      expect(readdirSync(out)).toEqual([]);
    }, 30_000);
  }
});

describe("writeFileAtomic", () => {
  it("writes, replaces, and reports temporary files to the listener", () => {
    const target = join(dir, "out.json");
    const seen: string[] = [];
    setTempFileListener({ created: (p) => seen.push(`+${p}`), done: (p) => seen.push(`-${p}`) });
    try {
      writeFileAtomic(target, "first");
      writeFileAtomic(target, new TextEncoder().encode("second"));
    } finally {
      setTempFileListener(undefined);
    }
    expect(readFileSync(target, "utf8")).toBe("second");
    expect(seen).toHaveLength(4);
    expect(seen[0]).toMatch(/^\+.*\/\.out\.json\.\d+\.[a-z0-9]+\.tmp$/);
    expect(seen[1]).toBe(`-${seen[0]!.slice(1)}`);
    expect(pendingTempFiles()).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a failure leaves the target as it was and no temporary file", () => {
    const missing = join(dir, "no", "such", "dir", "out.json");
    expect(() => writeFileAtomic(missing, "x")).toThrow(new OutputInputError(`${missing}: cannot write (no such directory)`));
    expect(() => writeFileAtomic(join(dir, "a_directory"), "x")).toThrow(OutputInputError);
    expect(readdirSync(join(dir, "a_directory"))).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
