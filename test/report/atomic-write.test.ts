// writeFileAtomic (bindings/ingest/output-file.ts, used by `detection-eval report`): a failure in the middle of writing (here: the disk fills up
// after the first chunk) or at the rename leaves the target as it was and no temporary file.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

const failures = vi.hoisted(() => ({ write: false, rename: false }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return {
    ...fs,
    writeSync: (fd: number, buf: Uint8Array, off: number, len: number) => {
      if (failures.write) {
        // a partial write, then the disk is full
        fs.writeSync(fd, buf, off, Math.min(len, 10));
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      }
      return fs.writeSync(fd, buf, off, len);
    },
    renameSync: (a: string, b: string) => {
      if (failures.rename) throw Object.assign(new Error("EXDEV: cross-device link not permitted"), { code: "EXDEV" });
      return fs.renameSync(a, b);
    },
  };
});

const { writeFileAtomic, pendingTempFiles } = await import("../../bindings/ingest/output-file.js");

describe("writeFileAtomic", () => {
  const dir = mkdtempSync(join(tmpdir(), "detection-eval-atomic-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the whole text", () => {
    const out = join(dir, "a.html");
    writeFileAtomic(out, "x".repeat(100_000));
    expect(readFileSync(out, "utf8")).toHaveLength(100_000);
    expect(readdirSync(dir)).toEqual(["a.html"]);
  });

  it("a write failure leaves no half file: the old one stays, the temporary is removed", () => {
    const out = join(dir, "a.html");
    failures.write = true;
    try {
      expect(() => writeFileAtomic(out, "y".repeat(100_000))).toThrow(/a\.html: cannot write \(no space left on the device\)/);
    } finally {
      failures.write = false;
    }
    expect(readFileSync(out, "utf8")).toBe("x".repeat(100_000));
    expect(readdirSync(dir)).toEqual(["a.html"]);
    const fresh = join(dir, "fresh.html");
    failures.write = true;
    try {
      expect(() => writeFileAtomic(fresh, "z".repeat(1000))).toThrow(/cannot write/);
    } finally {
      failures.write = false;
    }
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(dir)).toEqual(["a.html"]);
  });

  it("a rename failure too", () => {
    const out = join(dir, "b.html");
    writeFileSync(out, "old");
    failures.rename = true;
    try {
      expect(() => writeFileAtomic(out, "new")).toThrow(/EXDEV/);
    } finally {
      failures.rename = false;
    }
    expect(readFileSync(out, "utf8")).toBe("old");
    expect(readdirSync(dir).sort()).toEqual(["a.html", "b.html"]);
    expect(pendingTempFiles()).toEqual([]);
  });
});
