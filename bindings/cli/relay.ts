// The installed CLI's main thread (bindings/cli.ts). A command runs on this thread
// (bindings/cli/in-process.ts) unless its inputs are large or of unknown size (chooseThread): then
// it runs in a worker thread (bindings/cli/main.ts serveWorker) that this thread relays, so that
// running out of JavaScript heap ends in a one-line message instead of V8's fatal error. It imports
// nothing of the engine: its start-up is the worker's head start.
//
// SIGINT / SIGTERM end the process by the signal itself, as the shell expects of a program it ran
// (a parent sees the signal; a shell prints 130 / 143 and stops a script's loop): at once, with no
// output written and no partial file. Unfinished temporary files of atomic writes
// (bindings/ingest/output-file.ts writeFileAtomic) are removed first (endBySignal).
import { type Stats, statSync, unlinkSync } from "node:fs";
import { isGzipFile } from "../ingest/gzip-file.js";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";

/**
 * Inputs up to this many bytes run on the main thread: far below what fills V8's heap (several GB by
 * default) even in the commands that keep an object per annotation. Gzipped files count 4 times.
 */
export const IN_PROCESS_INPUT_BYTES = 128 * 1024 * 1024;

/**
 * "main": the command runs on this thread; "worker": in a worker thread relayed by this one. The files
 * named by `argv` decide (any argument that is an existing path); standard input, a FIFO or a device
 * (size unknown) and DETECTION_EVAL_CLI_WORKER=1 choose the worker.
 */
export function chooseThread(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): "main" | "worker" {
  if (env.DETECTION_EVAL_CLI_WORKER === "1") return "worker";
  let bytes = 0;
  for (const arg of argv) {
    // (`--gt=PATH` as well as `--gt PATH`)
    const a = arg.startsWith("--") ? arg.slice(arg.indexOf("=") + 1 || arg.length) : arg;
    if (a === "-") return "worker";
    if (a === "") continue;
    const st = statOrNull(a);
    if (!st || st.isDirectory()) continue;
    if (!st.isFile()) return "worker";
    bytes += isGzipFile(a) ? 4 * st.size : st.size;
    if (bytes > IN_PROCESS_INPUT_BYTES) return "worker";
  }
  return "main";
}

/** Any argument may be a path: one that is not (too long, under a file, unreadable) is not an input here; the command reports it. */
function statOrNull(a: string): Stats | null {
  try {
    return statSync(a, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/**
 * Removes `temps`, then ends this process by `signal` (its default action: the listeners are removed
 * first, so a second signal meanwhile also ends it at once).
 */
export function endBySignal(signal: "SIGINT" | "SIGTERM", temps: Iterable<string>): void {
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  for (const p of temps) {
    try {
      unlinkSync(p);
    } catch {
      /* already renamed or never created */
    }
  }
  process.kill(process.pid, signal);
  process.exit(signal === "SIGINT" ? 130 : 143); // (where a signal cannot end a process)
}

export const WORKER_TAG = "detection-eval-cli-worker";

/** What the worker receives as workerData. */
export interface RelayRequest {
  tag: typeof WORKER_TAG;
  argv: string[];
  isTTY: boolean;
  /** Temporary files: { c: path } when created, { d: path } when renamed or removed. */
  temps: MessagePort;
}

/** Messages from the worker. */
export type RelayMessage = { t: "out"; s: string } | { t: "err"; s: string } | { t: "exit"; code: number };

/** main.ts's command name in `argv`, for messages that main() does not make. */
export function commandName(argv: readonly string[]): string {
  return argv.filter((a) => a !== "--debug" && a !== "--help" && a !== "-h")[0] ?? "";
}

/** The line of an unexpected error (main.ts's, the relay's, the main thread's outside main()). */
export function internalErrorLine(name: string, message: string): string {
  return `detection-eval ${name}: internal error: ${message.split("\n")[0]} (run with --debug for the stack)\n`;
}

/** Runs `argv` in a worker thread on `script` (an entry that calls serveWorker off the main thread). */
export function relay(script: URL, argv: string[]): void {
  const name = commandName(argv);
  const temps = new MessageChannel();
  const req: RelayRequest = { tag: WORKER_TAG, argv, isTTY: Boolean(process.stderr.isTTY), temps: temps.port2 };
  const worker = new Worker(script, { workerData: req, transferList: [temps.port2] });
  const live = new Set<string>();
  let ended = false;
  let interrupted = false;
  const drainTemps = () => {
    for (let m = receiveMessageOnPort(temps.port1); m !== undefined; m = receiveMessageOnPort(temps.port1)) {
      const msg = m.message as { c?: string; d?: string };
      if (msg.c !== undefined) live.add(msg.c);
      if (msg.d !== undefined) live.delete(msg.d);
    }
  };
  const end = (code: number, line?: string) => {
    if (ended) return;
    ended = true;
    if (line !== undefined) process.stderr.write(line);
    process.exitCode = code;
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
    temps.port1.close();
  };
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    interrupted = true;
    process.off("SIGINT", onSigint); // a second signal ends the process at once (default action)
    process.off("SIGTERM", onSigterm);
    // the worker stops first (no temporary file is created after this), then its unfinished ones go
    void worker.terminate().finally(() => {
      drainTemps();
      endBySignal(signal, live);
    });
  };
  const onSigint = () => onSignal("SIGINT");
  const onSigterm = () => onSignal("SIGTERM");
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  // `detection-eval ... | head`: the reader has what it wanted; stop quietly (no stack trace, exit 0)
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    ended = true;
    process.exitCode = 0;
    void worker.terminate();
    process.exit(0);
  });
  worker.on("message", (m: RelayMessage) => {
    if (interrupted || ended) return;
    if (m.t === "out") process.stdout.write(m.s);
    else if (m.t === "err") process.stderr.write(m.s);
    else {
      end(m.code);
      void worker.terminate();
    }
  });
  worker.on("error", (e: Error & { code?: string }) => {
    if (interrupted) return;
    end(
      1,
      e.code === "ERR_WORKER_OUT_OF_MEMORY"
        ? `detection-eval ${name}: out of memory: the input is too large for the JavaScript heap (raise it with NODE_OPTIONS=--max-old-space-size=MB)\n`
        : internalErrorLine(name, e.message),
    );
  });
  worker.on("exit", (code) => {
    if (!interrupted) end(1, `detection-eval ${name}: internal error: the worker thread stopped unexpectedly (exit code ${code})\n`);
  });
}
