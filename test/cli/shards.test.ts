// `coco --shard i/n --state-out F` and `merge`: the contract (merged stats bit-identical to the
// unsharded `coco --format json`), gzipped and plain states, text output, and the refusals.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, LOCAL_FIXTURES } from "../helpers/paths.js";

const haveCli = existsSync(CLI);
const dir = mkdtempSync(join(tmpdir(), "de-shards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GT = join(LOCAL_FIXTURES, "synth_small/gt.json.gz");
const DT = (t: string) => join(LOCAL_FIXTURES, `synth_small/dt_${t}.json.gz`);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!haveCli)("detection-eval coco --shard / merge", () => {
  for (const [iouType, n, ext] of [["bbox", 3, ".json"], ["segm", 2, ".json.gz"]] as const) {
    it(`${iouType}: ${n} shards (${ext}) merge to the stats of the unsharded run, bit for bit`, () => {
      const states: string[] = [];
      for (let i = 1; i <= n; i++) {
        const f = join(dir, `${iouType}-${i}${ext}`);
        // the segm shards on two threads (the same state as one)
        const threads = iouType === "segm" ? ["--workers", "2"] : [];
        const r = cli("coco", "--gt", GT, "--dt", DT(iouType), "--iou-type", iouType, "--shard", `${i}/${n}`, "--state-out", f, "--format", "json", ...threads);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr.replace(/^warning: --workers.*\n/m, "")).toMatch(new RegExp(`wrote .* \\(shard ${i}/${n}: \\d+ images\\)`));
        expect(JSON.parse(r.stdout).shard).toMatchObject({ index: i, count: n });
        states.push(f);
      }
      if (ext === ".json.gz") expect(readFileSync(states[0]!).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      const whole = cli("coco", "--gt", GT, "--dt", DT(iouType), "--iou-type", iouType, "--format", "json");
      const merged = cli("merge", ...states.reverse(), "--format", "json");
      expect(merged.code, merged.stderr).toBe(0);
      const w = JSON.parse(whole.stdout);
      const m = JSON.parse(merged.stdout);
      expect(m.stats).toEqual(w.stats);
      expect(m.perCategory).toEqual(w.perCategory);
      expect(m.params).toEqual(w.params);
      expect(m.merged).toEqual({ states: n, images: w.params.images });
      const text = cli("merge", ...states);
      expect(text.stdout).toBe(cli("coco", "--gt", GT, "--dt", DT(iouType), "--iou-type", iouType).stdout);
    });
  }

  it("usage errors: --shard without --state-out, a malformed --shard, --bootstrap with a state, merge without states", () => {
    const base = ["coco", "--gt", GT, "--dt", DT("bbox"), "--iou-type", "bbox"];
    const s = join(dir, "u.json");
    expect(cli(...base, "--shard", "1/2")).toMatchObject({ code: 2, stderr: expect.stringMatching(/--shard needs --state-out FILE/) });
    for (const bad of ["0/2", "3/2", "1", "a/b", "1/2/3"]) {
      expect(cli(...base, "--shard", bad, "--state-out", s)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--shard: expected i\/n with 1 <= i <= n/) });
    }
    expect(cli(...base, "--state-out", s, "--bootstrap", "5")).toMatchObject({ code: 2, stderr: expect.stringMatching(/--bootstrap with --state-out/) });
    expect(cli("merge")).toMatchObject({ code: 2, stderr: expect.stringMatching(/expected at least 1 STATE argument, got 0/) });
    expect(existsSync(s)).toBe(false);
  });

  it("input errors: --state-out over an input, a file that is not a state, a missing shard; the old output stays", () => {
    const r = cli("coco", "--gt", GT, "--dt", DT("bbox"), "--iou-type", "bbox", "--state-out", GT);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--state-out/);
    const notState = join(dir, "not-state.json");
    writeFileSync(notState, JSON.stringify({ images: [] }));
    const m = cli("merge", notState);
    expect(m.code).toBe(1);
    expect(m.stderr.trim()).toBe(`detection-eval merge: ${notState}: format: not a detection-eval COCO state (expected "format": "detection-eval coco state"; write one with coco --state-out)`);
    const one = join(dir, "one-of-2.json");
    expect(cli("coco", "--gt", GT, "--dt", DT("bbox"), "--iou-type", "bbox", "--shard", "1/2", "--state-out", one).code).toBe(0);
    const before = readFileSync(one);
    const missing = cli("merge", one);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("detection-eval merge: shard 2/2 missing (merge all 2 shards)");
    // a failing run leaves the state file as it was
    expect(cli("coco", "--gt", GT, "--dt", join(dir, "absent.json"), "--iou-type", "bbox", "--shard", "1/2", "--state-out", one).code).toBe(1);
    expect(readFileSync(one)).toEqual(before);
  });
});
