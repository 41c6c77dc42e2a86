// The installed CLI on its main thread (bindings/cli.ts, when bindings/cli/relay.ts chooseThread
// says so): main() runs here, with no worker to start. No signal listener exists while it computes,
// so SIGINT / SIGTERM end the process at once by their default action (a long synchronous kernel
// call included), with nothing written. Once an atomic write has created a temporary file
// (bindings/ingest/output-file.ts), listeners remove the unfinished ones and end the process by the
// signal (relay.ts endBySignal); a write that is synchronous completes first.
import { pendingTempFiles, setTempFileListener } from "../ingest/output-file.js";
import { main } from "./main.js";
import { commandName, endBySignal, internalErrorLine } from "./relay.js";

/** Runs `argv` on this thread and exits with its code. */
export async function runInProcess(argv: string[]): Promise<void> {
  // `detection-eval ... | head`: the reader has what it wanted; stop quietly (no stack trace, exit 0)
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(0);
  });
  // an error outside main()'s own (a stream's unhandled 'error' event): one line, as the relay gives for its worker
  process.on("uncaughtException", (e: Error) => {
    if (argv.includes("--debug")) process.stderr.write(`${e.stack ?? e.message}\n`);
    else process.stderr.write(internalErrorLine(commandName(argv), e.message));
    process.exit(1);
  });
  removeTempsOnSignal();
  const code = await main(argv, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), isTTY: Boolean(process.stderr.isTTY) });
  // (standard output and error are synchronous for files, pipes and terminals on Linux and macOS)
  process.exit(code);
}

/**
 * From the first temporary file of an atomic write on: SIGINT / SIGTERM remove the unfinished ones
 * and end the process by the signal. Before it, no listener: the signal's default action.
 */
export function removeTempsOnSignal(): void {
  let listening = false;
  setTempFileListener({
    created: () => {
      if (listening) return;
      listening = true;
      process.on("SIGINT", () => endBySignal("SIGINT", pendingTempFiles()));
      process.on("SIGTERM", () => endBySignal("SIGTERM", pendingTempFiles()));
    },
    done: () => {},
  });
}
