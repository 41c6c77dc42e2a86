// The CLI's command model, shared by every subcommand in ./commands/: options are declared,
// parsed here, and run() returns the command's stdout. Node only (commands read files by path).

/** A wrong command line: exit code 2 with the command's usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type OptionSpec =
  | { kind: "value"; values?: readonly string[]; default?: string; required?: boolean; help?: string; repeatable?: boolean }
  | { kind: "flag"; help?: string };

export interface CommandContext {
  /** Parsed options (`--iou-type bbox` -> opts["iou-type"] = "bbox"; flags are "true" when given). */
  opts: Record<string, string | undefined>;
  /** The arguments that are not options (only for a command that declares `positional`). */
  args: readonly string[];
  /** Every value of a `repeatable` option, in order (`--dt a --dt b`); opts holds the last. */
  lists: Readonly<Record<string, readonly string[]>>;
  /** Reports progress of long work; given only when stderr is a terminal. */
  progress?: (message: string) => void;
  warn: (message: string) => void;
  /** A line on stderr that is not a warning (e.g. `--timings`). */
  info: (message: string) => void;
}

export interface Command {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Arguments besides the options (e.g. `merge a.json b.json`): their name in the usage, and how many at least. */
  positional?: { name: string; min: number; help: string };
  run(ctx: CommandContext): Promise<string>;
}

/** True for errors caused by the input (exit code 1, one line, no stack): names ending in InputError. */
export function isInputError(e: unknown): boolean {
  return e instanceof Error && /InputError$/.test(e.name);
}

export function parseOptions(name: string, c: Command, args: readonly string[]): Record<string, string | undefined> {
  return parseCommandLine(name, c, args).opts;
}

export interface CommandLine {
  opts: Record<string, string | undefined>;
  args: string[];
  lists: Record<string, string[]>;
}

/** Options and, for a command with `positional`, the other arguments (a lone "-" is one: standard input). */
export function parseCommandLine(name: string, c: Command, args: readonly string[]): CommandLine {
  // no prototype: "--__proto__" or "--constructor" are unknown options, not Object's properties
  const opts: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  const lists: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      if (!c.positional) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const key = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = Object.hasOwn(c.options, key) ? c.options[key] : undefined;
    if (!spec) throw new UsageError(`unknown option --${key} for "${name}"`);
    if (spec.kind === "flag") {
      if (eq >= 0) throw new UsageError(`--${key} takes no value`);
      opts[key] = "true";
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[++i];
      if (value === undefined || (value.startsWith("--") && value.length > 2)) throw new UsageError(`--${key} needs a value`);
    }
    if (spec.values && !spec.values.includes(value)) throw new UsageError(`--${key} must be one of ${spec.values.join(", ")} (got ${JSON.stringify(value)})`);
    if (opts[key] !== undefined && !spec.repeatable) throw new UsageError(`--${key} given twice (${JSON.stringify(opts[key])} and ${JSON.stringify(value)})`);
    opts[key] = value;
    (lists[key] ??= []).push(value);
  }
  for (const [key, spec] of Object.entries(c.options)) {
    if (spec.kind !== "value") continue;
    if (opts[key] === undefined && spec.default !== undefined) opts[key] = spec.default;
    if (opts[key] === undefined && spec.required) throw new UsageError(`--${key} is required`);
  }
  if (c.positional && positional.length < c.positional.min) throw new UsageError(`expected at least ${c.positional.min} ${c.positional.name} argument${c.positional.min > 1 ? "s" : ""}, got ${positional.length}`);
  return { opts, args: positional, lists };
}

export function commandUsage(name: string, c: Command, globalOptions: string): string {
  const opts = Object.entries(c.options).map(([k, s]) => {
    const vals = s.kind === "value" ? (s.values ? ` ${s.values.join("|")}` : " VALUE") : "";
    const dflt = s.kind === "value" && s.default !== undefined ? ` (default ${s.default})` : "";
    const req = s.kind === "value" && s.required ? " (required)" : "";
    const help = s.help ? `  ${s.help}` : "";
    return `  --${k}${vals}${req}${dflt}${help}`;
  });
  const positional = c.positional ? `arguments:\n  ${c.positional.name}  ${c.positional.help}\n\n` : "";
  return `usage: ${c.usage}\n\n${c.summary}\n\n${positional}options:\n${opts.join("\n")}\n${globalOptions}`;
}

/** A number option, validated: `--iou: expected a number, got "x"`. */
export function numberOption(opts: Record<string, string | undefined>, key: string, dflt: number): number {
  const v = opts[key];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${key}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}
