#!/usr/bin/env node
// A static server for the example page (npm run example): serves the repository on http://localhost:8080
// with the right MIME types (application/wasm for streaming compilation) and a strict content-security
// policy, to show that the package needs nothing beyond 'self' and 'wasm-unsafe-eval'.
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const port = Number(process.env.PORT ?? 8080);
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm", ".css": "text/css", ".png": "image/png", ".gz": "application/gzip" };
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'";

createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/") {
    res.writeHead(302, { location: "/examples/browser/" });
    return res.end();
  }
  const path = normalize(join(root, decodeURIComponent(url.pathname)));
  if (!path.startsWith(root) || path.split(sep).includes("node_modules")) {
    res.writeHead(403);
    return res.end("forbidden");
  }
  let file = path;
  try {
    if (statSync(file).isDirectory()) file = join(file, "index.html");
    statSync(file);
  } catch {
    res.writeHead(404);
    return res.end("not found");
  }
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-security-policy": CSP, "cache-control": "no-cache" });
  createReadStream(file).pipe(res);
}).listen(port, "127.0.0.1", () => console.log(`detection-eval example: http://localhost:${port}/examples/browser/ (Ctrl-C to stop)`));
