// Seeded, time-bounded fuzzing of the readers and of the RLE string decoder (the loop is
// test/helpers/fuzz-readers-runner.ts, in a child process killed at a deadline, so that a hang or a crash
// fails this test). Byte-level damage of small COCO documents cut from test/fixtures/synth_small (and
// hand-written ones) goes through JSON.parse + the in-memory checks, the in-memory file reader, the
// streaming file reader the CLI uses (with the wasm record scanner) and the streaming reader as it
// reads a pipe: all accept with the same parse (and evaluation), or all reject with the same one-line
// message. Random and mutated compressed RLE strings go through the engine's kernel and its TypeScript
// twin (geometry/reference.ts): the same counts or error, area, bbox and a round-tripping toString.
//
// The seed is fixed, so CI is deterministic; a failure prints it with the case number. To explore:
//   FUZZ_READERS_SEED=7 FUZZ_READERS_CASES=5000 npx vitest run test/ingest/fuzz-readers.test.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runFuzzChild } from "../helpers/fuzz-child.js";

const RUNNER = new URL("../helpers/fuzz-readers-runner.ts", import.meta.url).pathname;
const SEED = Number(process.env.FUZZ_READERS_SEED ?? 20250611);
const CASES = Number(process.env.FUZZ_READERS_CASES ?? 1200);
const RLE_CASES = Number(process.env.FUZZ_READERS_RLE ?? 20000);
/** The whole run (tsx start-up included) must end before this. */
const DEADLINE_MS = Number(process.env.FUZZ_READERS_DEADLINE_MS ?? 40_000);

const tmp = mkdtempSync(join(tmpdir(), "fuzz-readers-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Done {
  cases: number;
  rleCases: number;
  rleAgree: number;
  failures: number;
  accepted: number;
  rejected: number;
  syntax: number;
  evaluated: number;
  ms: number;
}

function run() {
  const args = ["--seed", String(SEED), "--cases", String(CASES), "--rle", String(RLE_CASES), "--tmp", tmp];
  return runFuzzChild<Done>(RUNNER, args, DEADLINE_MS, 3000);
}

describe("fuzz: the readers agree, the RLE decoder agrees with its twin", () => {
  it(`${CASES} damaged documents through four readers, ${RLE_CASES} RLE strings through two decoders`, async () => {
    const r = await run();
    const where = `seed ${SEED}, last progress mark case ${r.lastProgress} (rerun: FUZZ_READERS_SEED=${SEED} npx vitest run test/ingest/fuzz-readers.test.ts)`;
    expect(r.exit, `the fuzz runner ended by ${r.exit}, ${where}\n${r.stderr}`).toBe("code 0");
    expect(r.failures, `${where}\n${JSON.stringify(r.failures, null, 1).slice(0, 8000)}`).toEqual([]);
    expect(r.done, where).toBeDefined();
    const d = r.done!;
    expect([d.cases, d.rleCases, d.failures], where).toEqual([CASES, RLE_CASES, 0]);
    expect(d.rleAgree, where).toBe(RLE_CASES);
    // both outcomes are exercised, syntax errors and valid-JSON rejections among them
    expect(d.accepted, where).toBeGreaterThan(CASES / 20);
    expect(d.rejected - d.syntax, where).toBeGreaterThan(CASES / 20);
    expect(d.syntax, where).toBeGreaterThan(CASES / 3);
    expect(d.evaluated, where).toBeGreaterThan(0);
  }, 60_000);
});
