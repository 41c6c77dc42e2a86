// docs/api (the API reference, typedoc from the doc comments) is what `npm run api` makes of the
// current sources: regenerated into a temporary folder and compared file by file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";

const out = mkdtempSync(join(tmpdir(), "de-api-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe("docs/api", () => {
  it("is current (run `npm run api` after changing a doc comment or an export)", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules/typedoc/bin/typedoc"), "--out", out], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/\[warning\]/);
    const want = files(out);
    expect(files(join(ROOT, "docs/api"))).toEqual(want);
    const stale = want.filter((f) => readFileSync(join(out, f), "utf8") !== readFileSync(join(ROOT, "docs/api", f), "utf8"));
    expect(stale).toEqual([]);
    expect(want).toContain("index/functions/evaluateCoco.md");
  });
});
