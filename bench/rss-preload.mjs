// Preloaded into benchmarked child processes (node --import): on exit, writes the process's peak
// resident set size in bytes to the file named by DETECTION_EVAL_BENCH_RSS_FILE.
import { writeFileSync } from "node:fs";

const file = process.env.DETECTION_EVAL_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
    } catch {
      // the measurement is best effort; never change the child's exit
    }
  });
}
