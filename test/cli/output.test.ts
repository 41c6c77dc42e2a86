// Output files never destroy data: an output that is an input is refused before any work (also
// through a symlink or a hard link), devices and FIFOs are written through, symlinks and hard links
// survive, the old mode is kept, stale temporary files of killed runs are removed, `--out -` is stdout.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, linkSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkOutputNotInput, cleanStaleTemps, OutputInputError, writeFileAtomic } from "../../bindings/ingest/output-file.js";
import { CLI, ROOT } from "../helpers/paths.js";

const dir = mkdtempSync(join(tmpdir(), "de-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LABELS = join(ROOT, "examples/analysis-labels.json");
const PREDS = join(ROOT, "examples/analysis-predictions.json");
const haveCli = existsSync(CLI);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("output files", () => {
  it.skipIf(!haveCli)("report --out an input: refused before any work, the input intact (also through a symlink or a hard link)", () => {
    const gt = join(dir, "gt.json");
    const dt = join(dir, "dt.json");
    writeFileSync(gt, readFileSync(LABELS));
    writeFileSync(dt, readFileSync(PREDS));
    const before = readFileSync(gt, "utf8");
    const r = cli("report", "--gt", gt, "--dt", dt, "--out", gt);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`detection-eval report: --out: ${gt} is the input --gt (writing it would destroy the input; choose another path)`);
    expect(readFileSync(gt, "utf8")).toBe(before);
    const viaLink = join(dir, "link-to-dt.html");
    symlinkSync(dt, viaLink);
    expect(cli("report", "--gt", gt, "--dt", dt, "--out", viaLink).stderr).toContain("is the input --dt");
    const hard = join(dir, "hard-gt.html");
    linkSync(gt, hard);
    expect(cli("report", "--gt", gt, "--dt", dt, "--out", hard).stderr).toContain("is the input --gt");
    expect(readFileSync(gt, "utf8")).toBe(before);
    const conv = cli("convert", "--gt", LABELS, "--out-gt", join(dir, "same.json"), "--out-dt", join(dir, "same.json"));
    expect(conv.code).toBe(1);
    expect(conv.stderr).toContain("--out-dt: ");
    expect(conv.stderr).toContain("is the input --out-gt");
  });

  it("checkOutputNotInput compares files, not spellings", () => {
    const f = join(dir, "a.json");
    writeFileSync(f, "{}");
    expect(() => checkOutputNotInput({ option: "--out", path: join(dir, ".", "a.json") }, [{ option: "--gt", path: f }])).toThrow(OutputInputError);
    expect(() => checkOutputNotInput({ option: "--out", path: join(dir, "b.json") }, [{ option: "--gt", path: f }, { option: "--dt", path: undefined }])).not.toThrow();
    expect(() => checkOutputNotInput({ option: "--out", path: "-" }, [{ option: "--gt", path: f }])).not.toThrow();
  });

  it("a device is written through, not replaced", () => {
    writeFileAtomic("/dev/null", "hello");
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });

  it("a FIFO is written through", async () => {
    const fifo = join(dir, "pipe");
    const mk = spawnSync("mkfifo", [fifo]);
    if (mk.status !== 0) return; // no mkfifo here
    const reader = spawn("cat", [fifo]);
    let got = "";
    reader.stdout.on("data", (d) => (got += d));
    const done = new Promise((r) => reader.on("close", r));
    writeFileAtomic(fifo, "through the pipe");
    await done;
    expect(got).toBe("through the pipe");
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it("a symlink stays a link and its target gets the data; the old mode is kept; hard links all see it", () => {
    const target = join(dir, "real.html");
    const link = join(dir, "link.html");
    writeFileSync(target, "old");
    chmodSync(target, 0o600);
    symlinkSync(target, link);
    writeFileAtomic(link, "new");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const a = join(dir, "h1.html");
    const b = join(dir, "h2.html");
    writeFileSync(a, "one");
    linkSync(a, b);
    writeFileAtomic(a, "two");
    expect(readFileSync(b, "utf8")).toBe("two");
    expect(statSync(a).ino).toBe(statSync(b).ino);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("temporary files of killed runs are removed on the next write; a live run's are not", () => {
    const out = join(dir, "r.html");
    const stale = join(dir, ".r.html.999999.abc123.tmp"); // pid 999999: no such process here
    const live = join(dir, `.r.html.${process.pid}.zzz.tmp`);
    const other = join(dir, ".r.html.notours.tmp");
    for (const f of [stale, live, other]) writeFileSync(f, "x".repeat(100));
    if (spawnSync("kill", ["-0", "999999"]).status === 0) return; // such a process exists after all
    writeFileAtomic(out, "data");
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(cleanStaleTemps(out)).toEqual([]);
  });

  it("an unwritable path names the output, not the temporary file", () => {
    const file = join(dir, "plain");
    writeFileSync(file, "x");
    const bad = join(file, "sub.html");
    expect(() => writeFileAtomic(bad, "x")).toThrow(new OutputInputError(`${bad}: cannot write (a part of the path is not a directory)`));
  });

  it.skipIf(!haveCli)("report --out - writes the page to stdout", () => {
    const r = cli("report", "--gt", LABELS, "--dt", PREDS, "--out", "-", "--bootstrap", "0");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith("<!doctype html>")).toBe(true);
    expect(r.stderr).toMatch(/mAP@0\.5 0\.\d{3}/);
  });

  it.skipIf(!haveCli)("a reader that closes the pipe early (| head -c 1): exit 0, nothing on stderr", () => {
    const errFile = join(dir, "pipe-stderr.txt");
    const fx = join(ROOT, "test/fixtures/synth_small");
    // a real shell pipe (a socket pair from spawn() buffers the whole output, so no EPIPE comes)
    const cmd = `"${process.execPath}" "${CLI}" analyze --gt "${fx}/gt.json.gz" --dt "${fx}/dt_bbox.json.gz" --format csv --box-iou 2>"${errFile}" | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync("bash", ["-c", cmd], { encoding: "utf8", timeout: 60_000 });
    expect(readFileSync(errFile, "utf8")).toBe("");
    expect(r.stdout.trim()).toBe("0");
  });
});
