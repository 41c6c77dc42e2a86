// The package as a new user installs it: `npm pack`, then `npm install detection-eval-X.tgz` into an
// empty project (offline: the package has no runtime dependencies), then the `detection-eval` binary
// through npx and the API by name. Nothing is built on the consumer's side.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; dependencies?: Record<string, string> };
const dir = mkdtempSync(join(tmpdir(), "detection-eval-install-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm pack, npm install, npx", () => {
  it("has no runtime dependencies (so the tarball installs offline)", () => {
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it("the tarball holds the built package only, installs, and its CLI and API run", () => {
    // --ignore-scripts: dist/ is built already (npm test builds first); pack must not rebuild
    const packed = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    expect(files).toContain("build/engine.wasm");
    expect(files).toContain("dist/cli.js");
    expect(files).toContain("THIRD-PARTY-NOTICES.md"); // bundled jpeg-js, Chart.js, apache-arrow and hyparquet require their notices
    expect(files).toContain("sql/rescore.sql");
    expect(files.filter((f) => !/^(dist\/|build\/engine\.wasm$|README\.md$|THIRD-PARTY-NOTICES\.md$|sql\/rescore\.sql$|package\.json$|LICENSE)/.test(f))).toEqual([]);

    const app = join(dir, "app");
    run("mkdir", ["-p", app], dir);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    const installed = run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(dir, info!.filename)], app);
    expect(installed.code, installed.stderr).toBe(0);

    const version = run("npx", ["--no-install", "detection-eval", "--version"], app);
    expect(version.stdout).toBe(`detection-eval ${pkg.version}\n`);
    const demo = run("npx", ["--no-install", "detection-eval", "coco", "--help"], app);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/^usage: detection-eval coco /);

    writeFileSync(
      join(app, "use.mjs"),
      `import { createEngine, parseCocoDataset, parseCocoResults, evaluateCoco } from "detection-eval";
const gt = parseCocoDataset({ images: [{ id: 1, width: 9, height: 9 }], categories: [{ id: 1 }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 4, 4], area: 16, iscrowd: 0 }] });
const ev = evaluateCoco(await createEngine(), gt, parseCocoResults([{ image_id: 1, category_id: 1, bbox: [1, 1, 4, 4], score: 0.9 }], gt), { iouType: "bbox" });
console.log(ev.stats.length, ev.stats[0] > 0.999);`,
    );
    const used = run(process.execPath, ["use.mjs"], app);
    expect(used.stderr).toBe("");
    expect(used.stdout).toBe("12 true\n");
  });
});
