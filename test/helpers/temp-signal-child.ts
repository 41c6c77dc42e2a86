// Child process of test/cli/in-process.test.ts (run with `node --import tsx`): the main-thread CLI's
// signal handling (bindings/cli/in-process.ts removeTempsOnSignal) around an atomic output that is
// being written: prints "open <temp>" once the temporary file exists, then waits for the signal.
import { openAtomicOutput, pendingTempFiles } from "../../bindings/ingest/output-file.js";
import { removeTempsOnSignal } from "../../bindings/cli/in-process.js";

removeTempsOnSignal();
const out = openAtomicOutput(process.argv[2]!);
out.write(new TextEncoder().encode("a first piece\n"));
process.stdout.write(`open ${pendingTempFiles()[0]}\n`);
setTimeout(() => {
  out.commit();
  process.stdout.write("not interrupted\n");
}, 20_000);
