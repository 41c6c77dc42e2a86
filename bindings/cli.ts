#!/usr/bin/env node
// The detection-eval command (package.json "bin"). See bindings/cli/main.ts.
import { main } from "./cli/main.js";

main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`detection-eval: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
