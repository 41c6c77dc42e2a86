#!/usr/bin/env node
// The detection-eval command (package.json "bin"). The main thread runs the command itself
// (bindings/cli/in-process.ts) or, for large inputs, starts a worker on this same file at once and
// relays it (bindings/cli/relay.ts chooseThread, relay); the worker loads the commands and runs
// main() (bindings/cli/main.ts serveWorker).
import { isMainThread } from "node:worker_threads";
import { chooseThread, relay } from "./cli/relay.js";

const argv = process.argv.slice(2);
if (!isMainThread) void import("./cli/main.js").then((m) => m.serveWorker());
else if (chooseThread(argv) === "worker") relay(new URL(import.meta.url), argv);
else void import("./cli/in-process.js").then((m) => m.runInProcess(argv));
