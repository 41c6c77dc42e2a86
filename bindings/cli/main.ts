// detection-eval's command dispatch. Exit codes: 0 success, 1 bad input (one line on stderr; --debug
// adds the stack), 2 usage error (with the command's usage). Progress goes to stderr only when it is
// a terminal. Each layer contributes its subcommands as Command entries.
import { ANALYZE_COMMAND, BENCH_COMMAND } from "../analysis/commands.js";
import { COCO_COMMAND } from "../coco/command.js";
import { DEMO_COMMAND } from "./demo.js";
import { type Command, commandUsage, isInputError, parseOptions, UsageError } from "./command.js";

export const COMMANDS: Record<string, Command> = {
  coco: COCO_COMMAND,
  analyze: ANALYZE_COMMAND,
  bench: BENCH_COMMAND,
  demo: DEMO_COMMAND,
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

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
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
  try {
    const opts = parseOptions(name, command, rest.slice(1));
    const out = await command.run({
      opts,
      progress,
      warn: (m) => {
        clearProgress();
        io.stderr(`warning: ${m}\n`);
      },
    });
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
    else if (isInputError(err)) io.stderr(`detection-eval ${name}: ${err.message.split("\n")[0]}\n`);
    else io.stderr(`detection-eval ${name}: internal error: ${err.message.split("\n")[0]} (run with --debug for the stack)\n`);
    return 1;
  }
}
