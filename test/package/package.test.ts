// The built package as its users get it, by name through the `exports` map: Node ESM and require(), the
// ./engine.wasm file export, init() / createEngine() from bytes and a Response, the ./report entry, and
// bundlers (esbuild for the browser, Vite) taking the entry without Node built-ins or top-level await.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const built = existsSync(join(ROOT, "dist/index.js")) && existsSync(join(ROOT, "dist/report/index.js"));
if (!built) throw new Error("dist/ is not built: run `node scripts/build.mjs` (npm test does)");

let dir = "";
beforeAll(() => {
  // a consumer project whose node_modules/detection-eval is this package
  dir = mkdtempSync(join(tmpdir(), "detection-eval-pkg-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules/detection-eval"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a script in the consumer project; returns stdout, and fails on anything written to stderr. */
function node(file: string, code: string): string {
  writeFileSync(join(dir, file), code);
  const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  expect(r.stderr, `${file} wrote to stderr`).toBe("");
  expect(r.status, `${file} exit code`).toBe(0);
  return r.stdout;
}

// The same small evaluation in every flavour: analysis of the Encord-style example and a COCO run.
const LABELS = JSON.stringify(JSON.parse(readFileSync(join(ROOT, "examples/analysis-labels.json"), "utf8")));
const PREDS = JSON.stringify(JSON.parse(readFileSync(join(ROOT, "examples/analysis-predictions.json"), "utf8")));
const COCO_GT = {
  images: [{ id: 1, width: 50, height: 50 }],
  categories: [{ id: 1, name: "a" }],
  annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [5, 5, 20, 20], area: 400, iscrowd: 0 }],
};
const COCO_DT = [{ image_id: 1, category_id: 1, bbox: [6, 5, 20, 20], score: 0.9 }];
const body = `
  const engine = await m.createEngine();
  const a = m.analyze(engine, m.parseEncordJson(${LABELS}, ${PREDS}));
  const gt = m.parseCocoDataset(${JSON.stringify(COCO_GT)});
  const ev = m.evaluateCoco(engine, gt, m.parseCocoResults(${JSON.stringify(COCO_DT)}, gt), { iouType: "bbox" });
  console.log(JSON.stringify({ mAP: a.at({ iou: 0.5 }).mAP, AP75: a.at({ iou: 0.75 }).mAP, stats: ev.stats }));
`;

describe("the built package in Node", () => {
  let esm = "";
  it("imports as ESM by name", () => {
    esm = node("esm.mjs", `import * as m from "detection-eval";\n${body}`);
    const r = JSON.parse(esm) as { mAP: number; stats: number[] };
    expect(r.stats).toHaveLength(12);
    expect(r.stats[0]).toBeGreaterThan(0);
    expect(r.mAP).toBeGreaterThan(0);
  });

  it("loads with require() (no top-level await) and gives the same numbers, without warnings", () => {
    const cjs = node("cjs.cjs", `const m = require("detection-eval");\n(async () => {${body}})().catch((e) => { console.error(e); process.exit(1); });`);
    expect(cjs).toBe(esm);
    // require(esm) prints an ExperimentalWarning when the graph has a top-level await: stderr must stay empty
    const r = execFileSync(process.execPath, ["-e", 'require("detection-eval"); require("detection-eval/report");'], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(r).toBe("");
  });

  it("exports engine.wasm as a file, and init() / createEngine() take its bytes or a Response", () => {
    const out = node(
      "wasm.mjs",
      `import { readFileSync } from "node:fs";
       import { createRequire } from "node:module";
       import { fileURLToPath } from "node:url";
       import { init, createEngine } from "detection-eval";
       const path = fileURLToPath(import.meta.resolve("detection-eval/engine.wasm"));
       const same = createRequire(import.meta.url).resolve("detection-eval/engine.wasm") === path;
       const bytes = readFileSync(path);
       const inline = await createEngine();
       const fromResponse = await createEngine({ wasm: new Response(bytes, { headers: { "content-type": "application/wasm" } }) });
       const module = await init(new Response(bytes, { headers: { "content-type": "application/wasm" } }));
       const afterInit = await createEngine();
       const fromBytes = await createEngine({ wasm: bytes });
       let fileUrl = "";
       try { await init(new URL("file:///x/engine.wasm")); } catch (e) { fileUrl = e.message; }
       const area = (e) => e.rleArea(e.rleFromPolygon([1, 1, 9, 1, 9, 7, 1, 7], 10, 10));
       console.log(JSON.stringify({
         same, magic: bytes.subarray(0, 4).toString("hex"),
         areas: [inline, fromResponse, afterInit, fromBytes].map(area),
         initModule: afterInit.module === module, fileUrl,
       }));`,
    );
    const r = JSON.parse(out) as { same: boolean; magic: string; areas: number[]; initModule: boolean; fileUrl: string };
    expect(r.same).toBe(true);
    expect(r.magic).toBe("0061736d");
    expect(new Set(r.areas).size).toBe(1);
    expect(r.areas[0]).toBeGreaterThan(0);
    expect(r.initModule).toBe(true);
    expect(r.fileUrl).toMatch(/in Node pass the bytes/);
  });

  it("detection-eval/report renders a report outside the CLI", () => {
    const out = node(
      "report.mjs",
      `import { createEngine, analyze, parseEncordJson } from "detection-eval";
       import { renderReportHtml, decodeAnalysis } from "detection-eval/report";
       const a = analyze(await createEngine(), parseEncordJson(${LABELS}, ${PREDS}));
       const html = await renderReportHtml(a, { title: "t" });
       console.log(html.startsWith("<!doctype html>"), html.length > 100000);`,
    );
    expect(out.trim()).toBe("true true");
  });

  it("package.json: types first in every export, files shipped", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown>; files: string[]; sideEffects: boolean };
    for (const [key, value] of Object.entries(pkg.exports)) {
      if (typeof value === "object" && value) expect(Object.keys(value)[0], key).toBe("types");
    }
    expect(pkg.sideEffects).toBe(false);
    for (const f of ["dist", "build/engine.wasm"]) expect(pkg.files).toContain(f);
    for (const t of ["dist/types/bindings/index.d.ts", "dist/types/bindings/report/index.d.ts", "build/engine.wasm"]) expect(existsSync(join(ROOT, t)), t).toBe(true);
  });
});

describe("the built package in bundlers", () => {
  const entry = `import { createEngine, analyze, init } from "detection-eval";\nimport { renderReportHtml } from "detection-eval/report";\nexport { createEngine, analyze, init, renderReportHtml };\n`;

  it("esbuild bundles it for the browser: no Node built-ins, the wasm inlined, the file export as a file", async () => {
    writeFileSync(join(dir, "entry.js"), `${entry}export { default as wasmUrl } from "detection-eval/engine.wasm";\n`);
    const { build } = await import("esbuild");
    const r = await build({ entryPoints: [join(dir, "entry.js")], bundle: true, write: false, platform: "browser", format: "esm", absWorkingDir: dir, outdir: join(dir, "out"), loader: { ".wasm": "file" }, logLevel: "silent" });
    expect(r.errors).toEqual([]);
    expect(r.outputFiles.map((f) => f.path.split("/").pop()).sort()).toEqual([expect.stringMatching(/^engine-.*\.wasm$/), "entry.js"]);
    const js = r.outputFiles.find((f) => f.path.endsWith(".js"))!.text;
    expect(js).not.toMatch(/from\s*"node:|require\("node:/);
    expect(js).toContain("AGFzbQ"); // base64 of "\0asm"
  });

  it("Vite builds it for the browser", async () => {
    writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="./main.js"></script>');
    // the file export through Vite's ?url: emitted as an asset, ready for init()
    writeFileSync(join(dir, "main.js"), `${entry}import wasmUrl from "detection-eval/engine.wasm?url";\ninit(wasmUrl).then(() => createEngine()).then((e) => console.log(e));\n`);
    const { build } = await import("vite");
    const out = (await build({ root: dir, logLevel: "silent", configFile: false, build: { write: false, minify: false } })) as { output: { type: string; code?: string; fileName: string }[] }[] | { output: { type: string; code?: string; fileName: string }[] };
    const outputs = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output);
    const code = outputs.filter((o) => o.type === "chunk").map((o) => o.code ?? "").join("\n");
    expect(code).toContain("AGFzbQ");
    const asset = outputs.find((o) => o.type === "asset" && o.fileName.endsWith(".wasm"));
    expect(asset?.fileName).toMatch(/^assets\/engine-.*\.wasm$/);
    expect(code).toContain(asset!.fileName);
    expect(code).not.toMatch(/from\s*"node:/);
  });
});
