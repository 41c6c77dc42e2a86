// Whether a file by path is gzipped (its first two bytes), for decisions made before a file is read:
// column capacity, the reader, the CLI's thread. Only node:fs, so the CLI's main thread can use it.
import { closeSync, openSync, readSync } from "node:fs";

/** The file starts with gzip's magic bytes; false when it cannot be read (its reader reports that). */
export function isGzipFile(path: string): boolean {
  try {
    const fd = openSync(path, "r");
    try {
      const head = Buffer.alloc(2);
      return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}
