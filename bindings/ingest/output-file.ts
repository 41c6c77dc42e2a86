// Node-only output files: written atomically (temporary file beside the target, flushed, renamed),
// never over an input of the run, through to devices and FIFOs, through symlinks to their target,
// keeping the old file's mode and hard links, and cleaning up the temporary files that a killed run
// of ours left behind. Every problem is OutputInputError: one line naming the output path.
import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** A file that cannot be written, or must not be (exit code 1, one line). */
export class OutputInputError extends Error {
  override name = "OutputInputError";
}

/**
 * Temporary files being written, so that an interrupted run (SIGINT, see bindings/cli/main.ts) can
 * remove them: `created` is called before a temporary file is opened, `done` once it is renamed or removed.
 */
export interface TempFileListener {
  created(path: string): void;
  done(path: string): void;
}

let tempListener: TempFileListener | undefined;
const liveTemps = new Set<string>();

/** Routes temporary-file events (the CLI's worker posts them to the main thread). */
export function setTempFileListener(listener: TempFileListener | undefined): void {
  tempListener = listener;
}

/** Temporary files of this thread not yet renamed or removed. */
export function pendingTempFiles(): string[] {
  return [...liveTemps];
}

function writeReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOENT":
      return "no such directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOSPC":
      return "no space left on the device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EROFS":
      return "read-only file system";
    case "ENAMETOOLONG":
      return "the name is too long";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "EPIPE":
      return "the reader closed the pipe";
    default:
      // the code only: the system message names the temporary file, not the output
      return err.code ?? (err.message ?? String(e)).split("\n")[0]!;
  }
}

const statOrNull = (path: string, follow: boolean): Stats | null => {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return null;
  }
};

/**
 * Refuses an output path that is one of the run's inputs (the same file: same device and inode, so
 * also through symlinks and hard links), before any work: `--out: gt.json is the input --gt (writing
 * it would destroy the input; choose another path)`.
 */
export function checkOutputNotInput(output: { option: string; path: string }, inputs: readonly { option: string; path: string | undefined }[]): void {
  if (output.path === "-") return;
  const out = statOrNull(output.path, true);
  for (const input of inputs) {
    if (input.path === undefined || input.path === "-") continue;
    const inp = statOrNull(input.path, true);
    const same = out && inp ? out.dev === inp.dev && out.ino === inp.ino : resolve(output.path) === resolve(input.path);
    if (same)
      throw new OutputInputError(
        `${output.option}: ${output.path} is the input ${input.option} (writing it would destroy the input; choose another path)`,
      );
  }
}

/** The temporary-file name of ours for `target` (the pattern cleanStaleTemps recognises). */
function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, another user's
  }
}

/**
 * Removes the temporary files of `target` that a run of ours left when it was killed (SIGKILL gives no
 * chance to clean up): `.NAME.PID.RAND.tmp` beside it whose process no longer exists.
 */
export function cleanStaleTemps(target: string): string[] {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[a-z0-9]{1,12}\.tmp$/.exec(name.slice(prefix.length));
    if (!m || alive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(join(dir, name));
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** Where a symlink chain ends (the target need not exist yet). */
function linkTarget(path: string): string {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    const st = statOrNull(p, false);
    if (!st?.isSymbolicLink()) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  try {
    return realpathSync(path); // ELOOP for a real loop
  } catch (e) {
    throw new OutputInputError(`${path}: cannot write (${writeReason(e)})`);
  }
}

/** An output being written by openAtomicOutput: bytes in order, then commit() (or abort() on failure). */
export interface AtomicOutput {
  write(bytes: Uint8Array): void;
  /** Flushes and renames the temporary file over the target (or copies it in place for hard links). */
  commit(): void;
  /** Removes the temporary file; the old file stays as it was. Safe to call after a failure or twice. */
  abort(): void;
}

/**
 * Writes `data` (a string is written as UTF-8) to `path`:
 * - a regular file (or a new one) atomically: a temporary file beside it, flushed, renamed over it, so
 *   readers see the old file or the whole new one; the old file's permission bits are kept;
 * - through a symlink: the file it points to, the same way (the link stays a link);
 * - a file with several hard links: the whole data is first written to a temporary file (so a full
 *   disk fails before anything changes), then copied over the file in place, so every link sees it;
 * - a character or block device, FIFO or socket: written through, as `cat > PATH` would.
 * On failure the temporary file is removed and OutputInputError (`PATH: cannot write (reason)`) thrown;
 * an interrupted CLI run removes it too, and the next write to PATH removes those of killed runs.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const out = openAtomicOutput(path);
  try {
    out.write(typeof data === "string" ? Buffer.from(data, "utf8") : data);
    out.commit();
  } finally {
    out.abort();
  }
}

/** Copies the finished temporary file `tmp` over `target` in place, 1 MiB at a time (keeps its hard links). */
function copyInPlace(tmp: string, target: string, ino: number): void {
  const out = openSync(target, "r+");
  try {
    if (fstatSync(out).ino !== ino) throw Object.assign(new Error("the file changed while writing"), { code: "EAGAIN" });
    ftruncateSync(out, 0);
    const src = openSync(tmp, "r");
    try {
      const buf = Buffer.alloc(1 << 20);
      for (let n = readSync(src, buf, 0, buf.length, null); n > 0; n = readSync(src, buf, 0, buf.length, null)) writeAll(out, buf.subarray(0, n));
    } finally {
      closeSync(src);
    }
    fsyncSync(out);
  } finally {
    closeSync(out);
  }
}

/**
 * writeFileAtomic's guarantees for an output written piece by piece (`detection-eval export` streams its
 * table): the pieces go to the temporary file as they come, and only commit() makes them the file.
 */
export function openAtomicOutput(path: string): AtomicOutput {
  const fail = (e: unknown): never => {
    throw e instanceof OutputInputError ? e : new OutputInputError(`${path}: cannot write (${writeReason(e)})`);
  };
  const through = statOrNull(path, true);
  if (through && !through.isFile() && !through.isDirectory()) {
    // devices, FIFOs, sockets (and /dev/stdout): no rename (that would replace /dev/null with a regular file)
    let fd: number | undefined;
    try {
      fd = openSync(path, "w");
    } catch (e) {
      fail(e);
    }
    const close = () => {
      if (fd === undefined) return;
      const f = fd;
      fd = undefined;
      closeSync(f);
    };
    return {
      write(bytes) {
        try {
          writeAll(fd!, bytes);
        } catch (e) {
          fail(e);
        }
      },
      commit: close,
      abort: close,
    };
  }
  const target = linkTarget(path);
  const existing = statOrNull(target, true);
  cleanStaleTemps(target);
  const tmp = tempName(target);
  let fd: number | undefined;
  let live = true;
  liveTemps.add(tmp);
  tempListener?.created(tmp);
  const closeFd = () => {
    if (fd === undefined) return;
    const f = fd;
    fd = undefined;
    try {
      closeSync(f);
    } catch {
      /* already failing */
    }
  };
  const finish = () => {
    if (!live) return;
    live = false;
    liveTemps.delete(tmp);
    tempListener?.done(tmp);
  };
  const abort = () => {
    if (!live) return;
    closeFd();
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or renamed */
    }
    finish();
  };
  try {
    fd = openSync(tmp, "wx", existing?.isFile() ? existing.mode & 0o777 : 0o644);
    if (existing?.isFile()) fchmodSync(fd, existing.mode & 0o7777); // the umask does not narrow the old mode
  } catch (e) {
    abort();
    fail(e);
  }
  return {
    write(bytes) {
      try {
        if (fd === undefined) throw new Error("the output is closed");
        writeAll(fd, bytes);
      } catch (e) {
        abort();
        fail(e);
      }
    },
    commit() {
      try {
        if (fd === undefined) throw new Error("the output is closed");
        fsyncSync(fd);
        closeSync(fd);
        fd = undefined;
        if (existing?.isFile() && existing.nlink > 1) {
          // keep the hard links: copy the finished data into the file itself
          copyInPlace(tmp, target, existing.ino);
          unlinkSync(tmp);
        } else renameSync(tmp, target);
        finish();
      } catch (e) {
        abort();
        fail(e);
      }
    },
    abort,
  };
}
