import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { inspectReport } from "./test/browser/commands.js";
import { inspectViewer } from "./test/browser/viewer-commands.js";

// Two projects: "node" runs everything in Node; "browser" runs test/browser/** in Debian's headless
// Chromium (no browser download is possible here, so executablePath is fixed). The browser project's
// global setup computes the reference numbers in Node and writes a report with the CLI; the browser
// tests read the shared fixtures through vitest's readFile command (hence fs.allow).
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**"],
          testTimeout: 60_000,
        },
      },
      {
        server: { fs: { allow: [root, resolve(root, "../shared/fixtures")] } },
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            commands: { inspectReport, inspectViewer },
            provider: playwright({
              launchOptions: {
                executablePath: chromium,
                args: [
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-background-networking",
                  "--disable-component-update",
                  "--disable-sync",
                  "--no-first-run",
                ],
              },
            }),
            instances: [{ browser: "chromium" }],
          },
        },
      },
    ],
  },
});
