// Prints the import graph of bindings/ (file level and folder level) and its cycles.
// Used by test/house/imports.test.ts and quoted in reviews: `npx tsx scripts/import-graph.ts [--edges]`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(path);
  }
  return out;
}

// Static imports and re-exports only; `import type` counts too (a type cycle is still a cycle in
// the design). Dynamic `import()` is listed separately: it is how lazy loading breaks start-up cost.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/g;
const DYNAMIC = /import\(\s*["']([^"']+)["']\s*\)/g;

export type Graph = Map<string, string[]>;

export function importGraph(dirs = ["bindings"]): { graph: Graph; dynamic: Graph } {
  const files = dirs.flatMap((d) => walk(join(root, d)));
  const graph: Graph = new Map();
  const dynamic: Graph = new Map();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const edges = new Set<string>();
    const lazy = new Set<string>();
    for (const [re, into] of [[IMPORT, edges], [DYNAMIC, lazy]] as const) {
      for (const m of text.matchAll(re)) {
        const spec = m[1]!;
        if (!spec.startsWith(".")) continue;
        const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
        into.add(relative(root, target));
      }
    }
    graph.set(relative(root, file), [...edges].sort());
    dynamic.set(relative(root, file), [...lazy].sort());
  }
  return { graph, dynamic };
}

export function folderGraph(graph: Graph): Graph {
  const folder = (f: string) => dirname(f);
  const out = new Map<string, Set<string>>();
  for (const [from, tos] of graph) {
    const a = folder(from);
    if (!out.has(a)) out.set(a, new Set());
    for (const to of tos) if (folder(to) !== a) out.get(a)!.add(folder(to));
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

// Tarjan's strongly connected components; every component of more than one node is a cycle.
export function cycles(graph: Graph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const state = new Map<string, { index: number; low: number; onStack: boolean }>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    const s = { index, low: index, onStack: true };
    index++;
    state.set(v, s);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!state.has(w)) {
        visit(w);
        s.low = Math.min(s.low, state.get(w)!.low);
      } else if (state.get(w)!.onStack) s.low = Math.min(s.low, state.get(w)!.index);
    }
    if (s.low === s.index) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        state.get(w)!.onStack = false;
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!state.has(v)) visit(v);
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { graph } = importGraph();
  const folders = folderGraph(graph);
  if (process.argv.includes("--edges")) {
    for (const [k, v] of folders) console.log(`${k} -> ${v.join(", ") || "(nothing)"}`);
  }
  const fileCycles = cycles(graph);
  const folderCycles = cycles(folders);
  console.log(`files: ${graph.size}, file cycles: ${fileCycles.length}, folder cycles: ${folderCycles.length}`);
  for (const c of fileCycles) console.log(`  file cycle: ${c.join(" <-> ")}`);
  for (const c of folderCycles) console.log(`  folder cycle: ${c.join(" <-> ")}`);
}
