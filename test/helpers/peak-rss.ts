// A process's peak resident set size in bytes, for the coarse memory bounds of child-process tests.
// Linux: VmHWM of /proc/self/status, the high-water mark of this process's own memory
// (process.resourceUsage().maxRSS would include the parent's RSS at the fork: Linux keeps ru_maxrss
// across exec); elsewhere maxRSS.
import { readFileSync } from "node:fs";

export function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
