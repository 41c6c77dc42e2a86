// Runs a fuzz runner (test/helpers/fuzz-*-runner.ts) in a child process with a deadline and collects its
// JSON lines: {"progress": n}, {"fail": ...}, {"done": ...}. Shared by the fuzz tests.
import { spawn } from "node:child_process";
import { ROOT } from "./paths.js";

export interface FuzzRun<Done> {
  done?: Done;
  failures: unknown[];
  lastProgress: number;
  /** "code N", "signal S" or "deadline" */
  exit: string;
  stderr: string;
}

export function runFuzzChild<Done>(runner: string, args: readonly string[], deadlineMs: number, stderrTail = 3000): Promise<FuzzRun<Done>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", runner, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const failures: unknown[] = [];
    let done: Done | undefined;
    let lastProgress = -1;
    let buf = "";
    let stderr = "";
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, deadlineMs);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        const m = JSON.parse(line) as { progress?: number; fail?: unknown; done?: Done };
        if (m.progress !== undefined) lastProgress = m.progress;
        if (m.fail !== undefined) failures.push(m.fail);
        if (m.done !== undefined) done = m.done;
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({
        ...(done ? { done } : {}),
        failures,
        lastProgress,
        exit: killed ? "deadline" : signal ? `signal ${signal}` : `code ${code}`,
        stderr: stderr.slice(-stderrTail),
      });
    });
  });
}
