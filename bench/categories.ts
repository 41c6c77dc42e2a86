// Many categories, few images: the cost of a COCO evaluation should follow the labels and detections
// present, not the size of the taxonomy. Generates a set of `--categories` categories (default 20,000)
// over `--images` images (default 100), a few labels and detections per image in random categories
// (seeded), writes it to a temporary directory, and runs the CLI on it (`coco --iou-type bbox --format
// json --timings`) as a child process: wall time and peak RSS per run, and the medians.
//
//   npx tsx bench/categories.ts [--categories 20000] [--images 100] [--labels 8] [--dets 20] [--runs 3] [--cli dist/cli.js]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

/** A small seeded generator (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A COCO dataset and results: `labels` labels per image in random categories, `dets` detections per image near them or random. */
export function manyCategorySet(o: { categories: number; images: number; labels: number; dets: number; seed?: number }): { gt: unknown; dt: unknown[] } {
  const r = rng(o.seed ?? 1);
  const images = Array.from({ length: o.images }, (_, i) => ({ id: i + 1, width: 640, height: 480, file_name: `${i + 1}.jpg` }));
  const categories = Array.from({ length: o.categories }, (_, k) => ({ id: k + 1, name: `c${k + 1}` }));
  const annotations: unknown[] = [];
  const dt: unknown[] = [];
  for (const im of images) {
    const mine: { cat: number; box: number[] }[] = [];
    for (let j = 0; j < o.labels; j++) {
      const w = 20 + r() * 200;
      const h = 20 + r() * 200;
      const box = [r() * (640 - w), r() * (480 - h), w, h];
      const cat = 1 + Math.floor(r() * o.categories);
      mine.push({ cat, box });
      annotations.push({ id: annotations.length + 1, image_id: im.id, category_id: cat, bbox: box, area: w * h, iscrowd: 0 });
    }
    for (let j = 0; j < o.dets; j++) {
      const near = mine[j % Math.max(1, mine.length)];
      let box: number[];
      let cat: number;
      if (near && r() < 0.6) {
        const [x, y, w, h] = near.box as [number, number, number, number];
        box = [x + (r() - 0.5) * 0.2 * w, y + (r() - 0.5) * 0.2 * h, w * (0.9 + 0.2 * r()), h * (0.9 + 0.2 * r())];
        cat = r() < 0.8 ? near.cat : 1 + Math.floor(r() * o.categories);
      } else {
        const w = 20 + r() * 200;
        const h = 20 + r() * 200;
        box = [r() * (640 - w), r() * (480 - h), w, h];
        cat = 1 + Math.floor(r() * o.categories);
      }
      dt.push({ image_id: im.id, category_id: cat, bbox: box, score: Math.round(r() * 1e6) / 1e6 });
    }
  }
  return { gt: { images, categories, annotations }, dt };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const categories = Number(arg("categories", "20000"));
  const images = Number(arg("images", "100"));
  const labels = Number(arg("labels", "8"));
  const dets = Number(arg("dets", "20"));
  const runs = Number(arg("runs", "3"));
  const root = fileURLToPath(new URL("..", import.meta.url));
  const cli = arg("cli", join(root, "dist", "cli.js"));
  const preload = pathToFileURL(fileURLToPath(new URL("./rss-preload.mjs", import.meta.url))).href;
  const dir = mkdtempSync(join(tmpdir(), "detection-eval-categories-"));
  try {
    const set = manyCategorySet({ categories, images, labels, dets });
    writeFileSync(join(dir, "gt.json"), JSON.stringify(set.gt));
    writeFileSync(join(dir, "dt.json"), JSON.stringify(set.dt));
    const times: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const rssFile = join(dir, `rss${i}`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ["--import", preload, cli, "coco", "--gt", join(dir, "gt.json"), "--dt", join(dir, "dt.json"), "--iou-type", "bbox", "--format", "json", "--timings"], {
        encoding: "utf8",
        env: { ...process.env, DETECTION_EVAL_BENCH_RSS_FILE: rssFile },
        maxBuffer: 1 << 30,
      });
      const t = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`the CLI failed (${r.status}): ${r.stderr}`);
      const out = JSON.parse(r.stdout) as { stats: number[]; timings?: Record<string, number> };
      const peak = Number(readFileSync(rssFile, "utf8")) / 2 ** 20;
      times.push(t);
      rss.push(peak);
      process.stdout.write(`run ${i + 1}: ${t.toFixed(2)} s, peak RSS ${peak.toFixed(0)} MiB, AP ${out.stats[0]!.toFixed(6)}; ${JSON.stringify(out.timings)}\n`);
    }
    process.stdout.write(`${categories} categories, ${images} images, ${labels * images} labels, ${dets * images} detections: median ${median(times).toFixed(2)} s, peak RSS ${median(rss).toFixed(0)} MiB\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
