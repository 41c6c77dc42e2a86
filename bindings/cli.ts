#!/usr/bin/env node
// The detection-eval command (package.json "bin"). This thread starts a worker on this same file at
// once and relays it (bindings/cli/relay.ts); the worker loads the commands and runs main()
// (bindings/cli/main.ts serveWorker).
import { isMainThread } from "node:worker_threads";
import { relay } from "./cli/relay.js";

if (isMainThread) relay(new URL(import.meta.url), process.argv.slice(2));
else void import("./cli/main.js").then((m) => m.serveWorker());
