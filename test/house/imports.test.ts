// The shape of the house (docs/architecture.md): no import cycles between files or folders, the
// layers import only downwards, and the shipped code imports nothing from bench/, test/ or scripts/.
import { describe, expect, it } from "vitest";
import { cycles, folderGraph, importGraph } from "../../scripts/import-graph.js";

const { graph } = importGraph(["bindings"]);
const folders = folderGraph(graph);

/** Folders a layer may not import (entry points at the bindings/ root may import anything). */
const FORBIDDEN: Record<string, string[]> = {
  "bindings/evaluator": ["bindings/analysis", "bindings/report", "bindings/cli", "bindings/workers", "bindings/synth"],
  "bindings/coco": ["bindings/evaluator", "bindings/ingest", "bindings/analysis", "bindings/report", "bindings/cli", "bindings/workers", "bindings/synth"],
  "bindings/ingest": ["bindings/evaluator", "bindings/analysis", "bindings/report", "bindings/cli", "bindings/workers"],
  "bindings/errors": ["bindings/ingest", "bindings/analysis", "bindings/report", "bindings/cli", "bindings/workers", "bindings/synth"],
  "bindings/analysis": ["bindings/evaluator", "bindings/report", "bindings/cli", "bindings/workers", "bindings/ingest"],
  "bindings/report": ["bindings/cli"],
  "bindings/workers": ["bindings/evaluator", "bindings/cli", "bindings/report", "bindings/analysis"],
  "bindings/columns": ["bindings/coco", "bindings/ingest", "bindings/analysis", "bindings/cli"],
  "bindings/engine": ["bindings/coco", "bindings/ingest", "bindings/analysis", "bindings/report", "bindings/cli", "bindings/workers", "bindings/synth"],
  "bindings/geometry": ["bindings/coco", "bindings/ingest", "bindings/analysis", "bindings/report", "bindings/cli", "bindings/workers", "bindings/synth"],
};

describe("imports", () => {
  it("the graph was read (the test would pass vacuously on an empty one)", () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get("bindings/coco/evaluate.ts")).toContain("bindings/coco/plan.ts");
  });

  it("no file imports itself through others", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("no folder imports itself through others", () => {
    expect(cycles(folders)).toEqual([]);
  });

  it("the layers import only downwards", () => {
    const bad: string[] = [];
    for (const [from, tos] of folders) {
      const layer = Object.keys(FORBIDDEN).find((l) => from === l || from.startsWith(`${l}/`));
      if (!layer) continue;
      for (const to of tos) if (FORBIDDEN[layer]!.some((f) => to === f || to.startsWith(`${f}/`))) bad.push(`${from} -> ${to}`);
    }
    expect(bad).toEqual([]);
  });

  it("only the entry points live at the bindings/ root, and nothing imports them", () => {
    const root = [...graph.keys()].filter((f) => /^bindings\/[^/]+$/.test(f)).sort();
    expect(root).toEqual(["bindings/cli.ts", "bindings/index.ts", "bindings/node.ts"]);
    const bad = [...graph].flatMap(([from, tos]) => tos.filter((t) => root.includes(t)).map((t) => `${from} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it("the shipped code imports nothing from bench/, test/ or scripts/", () => {
    const bad = [...graph].flatMap(([from, tos]) => tos.filter((t) => /^(bench|test|scripts)\//.test(t)).map((t) => `${from} -> ${t}`));
    expect(bad).toEqual([]);
  });
});
