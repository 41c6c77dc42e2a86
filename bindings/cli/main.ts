// detection-eval's command dispatch. Exit codes: 0 success, 1 bad input (one line on stderr; --debug
// adds the stack), 2 usage error (with the command's usage); SIGINT / SIGTERM end the process by the
// signal (a shell shows 130 / 143).
// Progress goes to stderr only when it is a terminal. Each layer contributes its subcommands as Command
// entries.
//
// Interruption: the installed CLI runs main() on its main thread (bindings/cli/in-process.ts) or, for
// large inputs, in a worker thread (serveWorker) that the main thread relays (bindings/cli/relay.ts);
// either way SIGINT / SIGTERM stop it at once. Nothing partial is left: outputs are written to a
// temporary file and renamed.
import { type Command, commandUsage, isInputError, parseCommandLine, UsageError } from "./command.js";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { setTempFileListener } from "../ingest/output-file.js";
import { internalErrorLine, type RelayMessage, type RelayRequest, WORKER_TAG } from "./relay.js";
import { PACKAGE_VERSION } from "../generated/version.js";

/** The commands, loaded on demand: a run loads only its own command's modules. */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  coco: async () => (await import("./commands/coco.js")).COCO_COMMAND,
  analyze: async () => (await import("./commands/analyze.js")).ANALYZE_COMMAND,
  "time-analyze": async () => (await import("./commands/analyze.js")).TIME_ANALYZE_COMMAND,
  demo: async () => (await import("./commands/demo.js")).DEMO_COMMAND,
  report: async () => (await import("./commands/report.js")).REPORT_COMMAND,
  errors: async () => (await import("./commands/errors.js")).ERRORS_COMMAND,
  convert: async () => (await import("./commands/convert.js")).CONVERT_COMMAND,
  export: async () => (await import("./commands/export.js")).EXPORT_COMMAND,
  merge: async () => (await import("./commands/merge.js")).MERGE_COMMAND,
  compare: async () => (await import("./commands/compare.js")).COMPARE_COMMAND,
};

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress lines are shown only then). */
  isTTY: boolean;
}

const GLOBAL_OPTIONS = "  --debug   show stack traces of errors\n  --help    this text";

async function mainUsage(): Promise<string> {
  const lines = await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => `  ${name.padEnd(9)} ${(await load()).summary}`));
  return `usage: detection-eval <command> [options]\n\ncommands:\n${lines.join("\n")}\n\noptions:\n${GLOBAL_OPTIONS}\n  --version the version (also -v)\n\nrun "detection-eval <command> --help" for a command's options`;
}

/**
 * The worker side of bindings/cli/relay.ts (the installed CLI): runs main() on this worker thread,
 * posting its output, its exit code and its temporary files to the main thread.
 */
export async function serveWorker(): Promise<void> {
  const req = workerData as RelayRequest;
  if (isMainThread || req?.tag !== WORKER_TAG) throw new Error("serveWorker: not the CLI's worker thread");
  const post = (m: RelayMessage) => parentPort!.postMessage(m);
  setTempFileListener({ created: (p) => req.temps.postMessage({ c: p }), done: (p) => req.temps.postMessage({ d: p }) });
  const code = await main(req.argv, { stdout: (s) => post({ t: "out", s }), stderr: (s) => post({ t: "err", s }), isTTY: req.isTTY });
  post({ t: "exit", code });
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const help = args.includes("--help") || args.includes("-h");
  const rest = args.filter((a) => a !== "--help" && a !== "-h");
  const name = rest[0];
  if ((name === "--version" || name === "-v") && rest.length === 1) {
    io.stdout(`detection-eval ${PACKAGE_VERSION}\n`);
    return 0;
  }
  if (name === undefined || (name === "help" && rest.length === 1)) {
    if (help || name === "help") {
      io.stdout(`${await mainUsage()}\n`);
      return 0;
    }
    io.stderr(`detection-eval: missing command\n\n${await mainUsage()}\n`);
    return 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? await COMMANDS[name]!() : undefined;
  if (!command) {
    io.stderr(`detection-eval: unknown command ${JSON.stringify(name)}\n\n${await mainUsage()}\n`);
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
    const { opts, args: positional, lists } = parseCommandLine(name, command, rest.slice(1));
    const out = await command.run({ opts, args: positional, lists, ...(progress ? { progress } : {}), warn, info });
    clearProgress();
    io.stdout(out);
    return 0;
  } catch (e) {
    clearProgress();
    if (e instanceof UsageError) {
      io.stderr(`detection-eval ${name}: ${e.message}\n\n${commandUsage(name, command, GLOBAL_OPTIONS)}\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    if (debug) io.stderr(`${err.stack ?? err.message}\n`);
    else if (isInputError(err)) io.stderr(`detection-eval ${name}: ${oneLine(err.message)}\n`);
    else io.stderr(internalErrorLine(name, err.message));
    return 1;
  }
}

/** The first line of a message (an input error's message is one line by construction). */
function oneLine(message: string): string {
  return message.split("\n")[0]!;
}
