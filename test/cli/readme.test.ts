// The README's command-line synopsis names every option that `--help` lists, for every command.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../bindings/cli/main.js";
import { ROOT } from "../helpers/paths.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const block = /## Command line\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";

/** The synopsis lines of one command (its first line and the indented ones after it). */
function synopsis(name: string): string {
  const lines = block.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`detection-eval ${name} `));
  if (start < 0) return "";
  let end = start + 1;
  while (end < lines.length && lines[end]!.startsWith(" ")) end++;
  return lines.slice(start, end).join("\n");
}

describe("README synopsis", () => {
  it("was found", () => {
    expect(block).toContain("detection-eval coco");
  });
  for (const name of Object.keys(COMMANDS)) {
    it(`${name}: every option of --help`, async () => {
      const command = await COMMANDS[name]!();
      const text = synopsis(name);
      expect(text, `no synopsis for ${name}`).not.toBe("");
      const missing = Object.keys(command.options).filter((o) => !new RegExp(`--${o}\\b`).test(text));
      expect(missing).toEqual([]);
    });
  }
  it("--version", () => {
    expect(block).toMatch(/--version/);
  });
});
