// The installed CLI's main thread. The evaluation is synchronous and a JavaScript signal handler only
// runs when the event loop is free, so every command runs in a worker thread (bindings/cli/main.ts
// serveWorker), started before anything else is loaded: this thread only relays the worker's output
// and exit code, and on SIGINT / SIGTERM terminates it (which stops even a long loop), removes the
// temporary files of its unfinished atomic writes (bindings/ingest/output-file.ts writeFileAtomic) and exits
// with 130 / 143. It imports nothing of the engine: its start-up is the worker's head start.
import { unlinkSync } from "node:fs";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";

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

/** Runs `argv` in a worker thread on `script` (an entry that calls serveWorker off the main thread). */
export function relay(script: URL, argv: string[]): void {
  // main.ts's command name, for the "interrupted" line
  const name = argv.filter((a) => a !== "--debug" && a !== "--help" && a !== "-h")[0] ?? "";
  const temps = new MessageChannel();
  const req: RelayRequest = { tag: WORKER_TAG, argv, isTTY: Boolean(process.stderr.isTTY), temps: temps.port2 };
  const worker = new Worker(script, { workerData: req, transferList: [temps.port2] });
  const live = new Set<string>();
  let ended = false;
  let interrupted = 0;
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
  const onSignal = (code: number) => {
    if (interrupted) process.exit(interrupted); // a second signal: stop now
    interrupted = code;
    drainTemps();
    void worker.terminate().finally(() => {
      drainTemps();
      for (const p of live) {
        try {
          unlinkSync(p);
        } catch {
          /* already renamed or never created */
        }
      }
      end(code, `detection-eval ${name}: interrupted\n`);
    });
  };
  const onSigint = () => onSignal(130);
  const onSigterm = () => onSignal(143);
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
        : `detection-eval ${name}: internal error: ${e.message.split("\n")[0]} (run with --debug for the stack)\n`,
    );
  });
  worker.on("exit", (code) => {
    if (!interrupted) end(1, `detection-eval ${name}: internal error: the worker thread stopped unexpectedly (exit code ${code})\n`);
  });
}
