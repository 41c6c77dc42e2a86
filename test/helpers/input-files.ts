// Temporary input files for the reader tests: regular files, and FIFOs that a writer process fills
// (another process: an in-memory reader blocks this thread while it reads), in a folder made before
// the file's tests and removed after them.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

export interface InputFiles {
  /** Whether FIFOs can be made here (mkfifo). */
  readonly haveFifo: boolean;
  /** A regular file holding `content`. */
  file(content: string | Uint8Array, ext?: string): string;
  /** A FIFO that a writer process fills with `content`. */
  fifo(content: string | Uint8Array): string;
}

/** Registers the folder's beforeAll / afterAll; call at the top of a test file. */
export function inputFiles(prefix: string): InputFiles {
  let dir = "";
  let haveFifo = true;
  let n = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    try {
      execFileSync("mkfifo", [join(dir, "probe.fifo")]);
    } catch {
      haveFifo = false;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (content: string | Uint8Array, ext = ".json"): string => {
    const p = join(dir, `f${n++}${ext}`);
    writeFileSync(p, content);
    return p;
  };
  const fifo = (content: string | Uint8Array): string => {
    const src = file(content, ".src");
    const p = join(dir, `p${n++}.fifo`);
    execFileSync("mkfifo", [p]);
    const copy = 'const fs = require("fs"); setTimeout(() => process.exit(0), 60000).unref(); fs.createReadStream(process.argv[1]).pipe(fs.createWriteStream(process.argv[2])).on("error", () => process.exit(0));';
    spawn(process.execPath, ["-e", copy, src, p], { stdio: "ignore" }).unref();
    return p;
  };
  return {
    get haveFifo() {
      return haveFifo;
    },
    file,
    fifo,
  };
}
