// Where the tests find things: the repository root, the built CLI, the project's own parity set and
// the shared fixtures beside the repository (absent in a lone clone: tests that need them skip).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
/** ../shared/fixtures (trailing slash). */
export const SHARED_FIXTURES = fileURLToPath(new URL("../../../shared/fixtures/", import.meta.url));
export const HAVE_SHARED_FIXTURES = existsSync(SHARED_FIXTURES);
/** test/fixtures: synthetic sets with pycocotools' expected output, shipped with the repository. */
export const LOCAL_FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
