// `detection-eval merge`: the COCO stats of one evaluation of all the images, from the partial states
// that `coco --shard i/n --state-out F` (or ev.state() on any subset of images) wrote
// (bindings/coco/state.ts: bit-identical to the unsharded run). Node only.
import type { Command } from "../command.js";
import { readJsonFile } from "../../ingest/node-files.js";
import { cocoStateFromJson } from "../../coco/state-file.js";
import { mergeCocoStates } from "../../coco/state.js";
import { cocoJson } from "../coco-output.js";
import { createEngine } from "../../engine/engine.js";

export const MERGE_COMMAND: Command = {
  summary: "COCO stats of a sharded run: merges the states of `coco --shard i/n --state-out F`",
  usage: "detection-eval merge STATE.json [STATE.json ...] [--format text|json] [--timings]",
  positional: { name: "STATE", min: 1, help: "states written by `coco --state-out` (.json or .json.gz): all n shards of one run, or states of disjoint image sets" },
  options: {
    format: { kind: "value", values: ["text", "json"], default: "text" },
    timings: { kind: "flag", help: "print milliseconds per stage on stderr (with --format json also a \"timings\" key)" },
  },
  async run({ opts, args, progress, warn, info }) {
    const t0 = performance.now();
    const states = args.map((path, i) => {
      progress?.(`reading ${path} (${i + 1}/${args.length})`);
      return cocoStateFromJson(readJsonFile(path), path);
    });
    const tRead = performance.now() - t0;
    progress?.(`merging ${states.length} states`);
    const ev = mergeCocoStates(states, { labels: args, engine: await createEngine() });
    for (const w of ev.warnings) warn(w);
    let timings: Record<string, number> | undefined;
    if (opts.timings) {
      const all: Record<string, number> = { read: tRead, ...ev.timings, command: performance.now() - t0 };
      timings = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Math.round(v * 10) / 10]));
      info(`timings (ms): ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    }
    if (opts.format !== "json") return `${ev.summary()}\n`;
    return cocoJson(ev.params.iouType, ev, { merged: { states: states.length, images: ev.params.imgIds.length } }, timings);
  },
};
