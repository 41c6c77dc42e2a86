// The installed CLI's choice of thread (bindings/cli/relay.ts chooseThread) and, on the main thread,
// the end of a run by SIGINT / SIGTERM while a temporary file exists (bindings/cli/in-process.ts).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseThread, IN_PROCESS_INPUT_BYTES } from "../../bindings/cli/relay.js";

const dir = mkdtempSync(join(tmpdir(), "de-in-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("chooseThread", () => {
  const small = join(dir, "small.json");
  const large = join(dir, "large.json");
  writeFileSync(small, "[]");
  writeFileSync(large, "");
  truncateSync(large, IN_PROCESS_INPUT_BYTES + 1); // sparse: no disk used
  const env = {};

  it("small inputs run on the main thread, whatever the other arguments are", () => {
    expect(chooseThread(["coco", "--gt", small, "--dt", small, "--iou-type", "bbox"], env)).toBe("main");
    expect(chooseThread(["coco", `--gt=${small}`, "--no-such-file", join(dir, "missing.json")], env)).toBe("main");
    expect(chooseThread(["--help"], env)).toBe("main");
    expect(chooseThread(["report", "--out", dir], env)).toBe("main"); // a directory is not an input
    // arguments that cannot be paths: a long id list, a path under a file
    expect(chooseThread(["coco", "--img-ids", Array.from({ length: 400 }, (_, i) => 100000 + i).join(",")], env)).toBe("main");
    expect(chooseThread(["coco", "--gt", join(small, "sub")], env)).toBe("main");
  });

  it("large inputs, or inputs of unknown size, run in a worker thread", () => {
    expect(chooseThread(["coco", "--gt", large, "--dt", small], env)).toBe("worker");
    expect(chooseThread(["coco", `--gt=${large}`], env)).toBe("worker");
    expect(chooseThread(["coco", "--gt", "-"], env)).toBe("worker");
    if (existsSync("/dev/zero")) expect(chooseThread(["coco", "--gt", "/dev/zero"], env)).toBe("worker");
    expect(chooseThread(["coco", "--gt", small], { DETECTION_EVAL_CLI_WORKER: "1" })).toBe("worker");
  });

  it("a gzipped file counts four times its size", () => {
    // a little over a quarter of the bound: under it as plain JSON, over it as gzip (sparse files)
    const size = Math.floor(IN_PROCESS_INPUT_BYTES / 4) + 1;
    const plain = join(dir, "quarter.json");
    const packed = join(dir, "quarter.json.gz");
    writeFileSync(plain, "[");
    writeFileSync(packed, Buffer.from([0x1f, 0x8b, 8, 0]));
    truncateSync(plain, size);
    truncateSync(packed, size);
    expect(chooseThread(["coco", "--gt", plain], env)).toBe("main");
    expect(chooseThread(["coco", "--gt", packed], env)).toBe("worker");
  });
});

describe("the main thread's end by a signal while an atomic output is open", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal}: the temporary file is removed, the target never created, and the process ends by ${signal}`, async () => {
      const sub = mkdtempSync(join(dir, "sig-"));
      const target = join(sub, "out.csv");
      const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../helpers/temp-signal-child.ts"), target], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const opened = new Promise<string>((resolve) =>
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          const m = /^open (.+)\n/.exec(stdout);
          if (m) resolve(m[1]!);
        }),
      );
      const ended = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on("exit", (c, s) => r([c, s])));
      const temp = await opened;
      expect(existsSync(temp)).toBe(true);
      child.kill(signal);
      const [code, sig] = await ended;
      expect(stderr).toBe("");
      expect([code, sig]).toEqual([null, signal]);
      expect(stdout).not.toContain("not interrupted");
      expect(readdirSync(sub)).toEqual([]);
    }, 30_000);
  }
});
