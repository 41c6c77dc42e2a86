// detection-eval's command dispatch. Exit codes: 0 success, 1 bad input (one line on stderr; --debug
// adds the stack), 2 usage error (with the command's usage), 130 / 143 interrupted by SIGINT / SIGTERM.
// Progress goes to stderr only when it is a terminal. Each layer contributes its subcommands as Command
// entries.
//
// Interruption: the evaluation is synchronous, and a JavaScript signal handler only runs when the event
// loop is free, so the installed CLI runs each command in a worker thread. The main thread stays idle:
// on SIGINT / SIGTERM it terminates the worker (which stops even inside a long loop), removes the
// temporary files of unfinished atomic writes (bindings/io/node.ts writeFileAtomic), and exits with
// 130 / 143. Nothing partial is left: outputs are written to a temporary file and renamed.
import { ANALYZE_COMMAND, BENCH_COMMAND } from "../analysis/commands.js";
import { COCO_COMMAND } from "../coco/command.js";
import { DEMO_COMMAND } from "./demo.js";
import { REPORT_COMMAND } from "../report/command.js";
import { type Command, type CommandContext, commandUsage, isInputError, parseOptions, UsageError } from "./command.js";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isMainThread, MessageChannel, type MessagePort, receiveMessageOnPort, Worker, workerData } from "node:worker_threads";
import { removeTempFiles, setTempFileListener } from "../io/node.js";

export const COMMANDS: Record<string, Command> = {
  coco: COCO_COMMAND,
  analyze: ANALYZE_COMMAND,
  bench: BENCH_COMMAND,
  demo: DEMO_COMMAND,
  report: REPORT_COMMAND,
};

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress lines are shown only then). */
  isTTY: boolean;
}

const GLOBAL_OPTIONS = "  --debug   show stack traces of errors\n  --help    this text";

function mainUsage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return `usage: detection-eval <command> [options]\n\ncommands:\n${lines.join("\n")}\n\noptions:\n${GLOBAL_OPTIONS}\n\nrun "detection-eval <command> --help" for a command's options`;
}

export interface MainOptions {
  /**
   * Run the command in a worker thread, so that SIGINT / SIGTERM stop it at once (exit 130 / 143) and
   * remove unfinished temporary files. Default: when this module is the process's entry script (the
   * bundled dist/cli.js); in-process otherwise (tests, embedding).
   */
  worker?: boolean;
}

const WORKER_TAG = "detection-eval-cli-worker";

interface WorkerRequest {
  tag: typeof WORKER_TAG;
  name: string;
  args: string[];
  progress: boolean;
  temps: MessagePort;
}

type WorkerMessage =
  | { t: "progress"; m: string }
  | { t: "warn"; m: string }
  | { t: "info"; m: string }
  | { t: "done"; out: string }
  | { t: "error"; name: string; message: string; stack?: string };

/** A run stopped by a signal: exit code 128 + signal number. */
class Interrupted {
  constructor(readonly code: number) {}
}

function isEntryScript(): boolean {
  try {
    const entry = process.argv[1];
    return entry !== undefined && import.meta.url.startsWith("file:") && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** An error posted by the worker, rebuilt with its name (UsageError keeps its class: exit code 2). */
function rebuildError(m: { name: string; message: string; stack?: string }): Error {
  const e = m.name === "UsageError" ? new UsageError(m.message) : new Error(m.message);
  e.name = m.name;
  if (m.stack !== undefined) e.stack = m.stack;
  return e;
}

/** Runs `name` in a worker thread; resolves with its stdout, rejects with its error or Interrupted. */
function runInWorker(name: string, args: string[], ctx: Omit<CommandContext, "opts">): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const temps = new MessageChannel();
    const req: WorkerRequest = { tag: WORKER_TAG, name, args, progress: ctx.progress !== undefined, temps: temps.port2 };
    const worker = new Worker(new URL(import.meta.url), { workerData: req, transferList: [temps.port2] });
    let settled = false;
    let interrupted = 0;
    const live = new Set<string>();
    const drainTemps = () => {
      for (let m = receiveMessageOnPort(temps.port1); m !== undefined; m = receiveMessageOnPort(temps.port1)) {
        const msg = m.message as { c?: string; d?: string };
        if (msg.c !== undefined) live.add(msg.c);
        if (msg.d !== undefined) live.delete(msg.d);
      }
    };
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigterm);
      temps.port1.close();
      f();
    };
    const onSignal = (code: number) => {
      if (interrupted) process.exit(interrupted); // a second signal: stop now
      interrupted = code;
      drainTemps();
      void worker.terminate().finally(() => {
        drainTemps();
        removeTempFiles(live);
        finish(() => reject(new Interrupted(code)));
      });
    };
    const onSigint = () => onSignal(130);
    const onSigterm = () => onSignal(143);
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
    worker.on("message", (m: WorkerMessage) => {
      if (interrupted) return;
      if (m.t === "progress") ctx.progress?.(m.m);
      else if (m.t === "warn") ctx.warn(m.m);
      else if (m.t === "info") ctx.info(m.m);
      else if (m.t === "done") {
        finish(() => resolve(m.out));
        void worker.terminate();
      } else {
        finish(() => reject(rebuildError(m)));
        void worker.terminate();
      }
    });
    worker.on("error", (e: Error & { code?: string }) => {
      if (interrupted) return;
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") {
        const err = new Error("out of memory: the input is too large for the JavaScript heap (raise it with NODE_OPTIONS=--max-old-space-size=MB)");
        err.name = "ResourceInputError";
        finish(() => reject(err));
      } else finish(() => reject(e));
    });
    worker.on("exit", (code) => {
      if (interrupted) return;
      finish(() => reject(new Error(`the worker thread stopped unexpectedly (exit code ${code})`)));
    });
  });
}

/** The worker side: runs the requested command, posting progress, warnings and the result. */
async function workerMain(req: WorkerRequest): Promise<number> {
  const { parentPort } = await import("node:worker_threads");
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  setTempFileListener({ created: (p) => req.temps.postMessage({ c: p }), done: (p) => req.temps.postMessage({ d: p }) });
  try {
    const command = COMMANDS[req.name]!;
    const opts = parseOptions(req.name, command, req.args);
    const out = await command.run({
      opts,
      ...(req.progress ? { progress: (m: string) => post({ t: "progress", m }) } : {}),
      warn: (m) => post({ t: "warn", m }),
      info: (m) => post({ t: "info", m }),
    });
    post({ t: "done", out });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ t: "error", name: err.name, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) });
  }
  return 0;
}

export async function main(argv: readonly string[], io: CliIO, options: MainOptions = {}): Promise<number> {
  if (!isMainThread && (workerData as WorkerRequest | undefined)?.tag === WORKER_TAG) return workerMain(workerData as WorkerRequest);
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const help = args.includes("--help") || args.includes("-h");
  const rest = args.filter((a) => a !== "--help" && a !== "-h");
  const name = rest[0];
  if (name === undefined || (name === "help" && rest.length === 1)) {
    if (help || name === "help") {
      io.stdout(`${mainUsage()}\n`);
      return 0;
    }
    io.stderr(`detection-eval: missing command\n\n${mainUsage()}\n`);
    return 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`detection-eval: unknown command ${JSON.stringify(name)}\n\n${mainUsage()}\n`);
    return 2;
  }
  if (help) {
    io.stdout(`${commandUsage(name, command, GLOBAL_OPTIONS)}\n`);
    return 0;
  }
  const progress = io.isTTY ? (m: string) => io.stderr(`\r\x1b[2K${m}...`) : undefined;
  const clearProgress = () => io.isTTY && io.stderr("\r\x1b[2K");
  const warn = (m: string) => {
    clearProgress();
    io.stderr(`warning: ${m}\n`);
  };
  const info = (m: string) => {
    clearProgress();
    io.stderr(`${m}\n`);
  };
  try {
    const opts = parseOptions(name, command, rest.slice(1));
    const out = (options.worker ?? isEntryScript())
      ? await runInWorker(name, rest.slice(1), { ...(progress ? { progress } : {}), warn, info })
      : await command.run({ opts, ...(progress ? { progress } : {}), warn, info });
    clearProgress();
    io.stdout(out);
    return 0;
  } catch (e) {
    clearProgress();
    if (e instanceof Interrupted) {
      io.stderr(`detection-eval ${name}: interrupted\n`);
      return e.code;
    }
    if (e instanceof UsageError) {
      io.stderr(`detection-eval ${name}: ${e.message}\n\n${commandUsage(name, command, GLOBAL_OPTIONS)}\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    if (debug) io.stderr(`${err.stack ?? err.message}\n`);
    else if (isInputError(err)) io.stderr(`detection-eval ${name}: ${oneLine(err.message)}\n`);
    else io.stderr(`detection-eval ${name}: internal error: ${oneLine(err.message)} (run with --debug for the stack)\n`);
    return 1;
  }
}

/** The first line of a message (an input error's message is one line by construction). */
function oneLine(message: string): string {
  return message.split("\n")[0]!;
}
