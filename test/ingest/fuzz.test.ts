// Fuzzing the input validation: structure-aware mutations of small COCO inputs (built-in ones and, when
// ../shared/fixtures is present, a few real fixtures), JSON text damage, random RLE strings and counts,
// polygons with extreme or non-finite coordinates, and analysis mode's Encord-style input. Every case
// parses and evaluates in process with the wasm engine; the engine may only answer or throw a
// validation error (name ending in InputError, one line, naming a path); no case may exceed its time
// budget; changes pycocotools ignores must leave the stats as they were. When the streaming loader of
// the CLI (bindings/ingest/stream-*.ts) is present, a share of the cases also goes through it: it must never
// accept what the parsers reject, and must evaluate to the same stats.
//
// The loop runs in a child process (test/fuzz.runner.ts through tsx), killed at a deadline, so that a
// hang or a crash fails this test instead of stalling the run. The seed is random unless FUZZ_SEED is
// set; a failure prints it with the case number (each case is reproducible from seed and number):
//   FUZZ_SEED=123 FUZZ_CASES=20000 npx vitest run test/ingest/fuzz.test.ts
import { SHARED_FIXTURES } from "../helpers/paths.js";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runFuzzChild } from "../helpers/fuzz-child.js";

const RUNNER = new URL("../helpers/fuzz-runner.ts", import.meta.url).pathname;
const FIXTURES = SHARED_FIXTURES;
const CASES = Number(process.env.FUZZ_CASES ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** The whole fuzz run (tsx start-up included) must end before this. */
const DEADLINE_MS = 50_000;

interface Done {
  cases: number;
  seed: number;
  ms: number;
  slowestMs: number;
  accepted?: number;
  rejected?: number;
  rleAgreement: number;
  failures?: number;
}

function runFuzz() {
  const args = ["--seed", String(SEED), "--cases", String(CASES)];
  if (existsSync(FIXTURES)) args.push("--fixtures", FIXTURES);
  return runFuzzChild<Done>(RUNNER, args, DEADLINE_MS, 2000);
}

describe("fuzz: malformed input never gets past validation", () => {
  it(`${CASES} mutated inputs: validation errors only, no hang, no crash, ignored changes keep the stats`, async () => {
    const r = await runFuzz();
    const where = `seed ${SEED}, last progress mark case ${r.lastProgress} (rerun: FUZZ_SEED=${SEED} npx vitest run test/ingest/fuzz.test.ts)`;
    expect(r.exit, `fuzz runner ended by ${r.exit}, ${where}\n${r.stderr}`).toBe("code 0");
    expect(r.failures, `${where}\n${JSON.stringify(r.failures, null, 1).slice(0, 6000)}`).toEqual([]);
    expect(r.done, where).toBeDefined();
    expect(r.done!.cases).toBe(CASES);
    expect(r.done!.rleAgreement).toBe(3000);
    // both outcomes are exercised
    expect(r.done!.accepted!).toBeGreaterThan(CASES / 20);
    expect(r.done!.rejected!).toBeGreaterThan(CASES / 2);
  }, 60_000);
});
