// Where the report's viewer finds the images, from report's options: files of --images DIR referenced by a
// path relative to the --out file, thumbnails embedded as data: URLs (--embed-images), or a URL template
// (--image-url). Node only (paths).
import { statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "./command.js";
import { bytesToBase64 } from "../columns/base64.js";
import { jpegThumbnail } from "../ingest/thumbnail.js";
import type { ReportImages } from "../report/html.js";

type Image = { readonly id: number | string; readonly name?: string };

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** A path's segments URL-encoded, "/" between them. */
const encodePath = (path: string) => path.split(/[\\/]/).map(encodeURIComponent).join("/");

/** --images DIR: each image's file by a URL relative to the report (a file: URL when there is none); null when the file is missing. */
export function fileImageUrls(dir: string, out: string, images: readonly Image[]): { images: ReportImages; missing: number } {
  const base = out === "-" ? undefined : dirname(resolve(out));
  let missing = 0;
  const urls = images.map((im) => {
    const path = im.name === undefined ? undefined : resolve(join(dir, im.name));
    if (path === undefined || !isFile(path)) {
      missing++;
      return null;
    }
    const rel = base === undefined ? undefined : relative(base, path);
    return rel === undefined || isAbsolute(rel) ? pathToFileURL(path).href : encodePath(rel.split(sep).join("/"));
  });
  return { images: { source: "files", urls }, missing };
}

/**
 * --image-url TEMPLATE: http(s) only, no quotes, spaces or ";" (its origin goes into the page's content-security
 * policy), placeholders {file_name} and {id} only and only after the host.
 */
export function checkImageUrlTemplate(template: string): void {
  const bad = (why: string) => new UsageError(`--image-url: ${why}, got ${JSON.stringify(template)}`);
  if (/["'\s;,\\<>`]/.test(template)) throw bad("no quotes, spaces, commas, backslashes, angle brackets or ';' allowed");
  const m = /^(https?):\/\/([^/{}?#]+)(\/.*)?$/i.exec(template);
  if (!m) throw bad("expected an http:// or https:// URL with a host and no placeholder before the path");
  for (const p of template.match(/\{[^}]*\}/g) ?? []) if (p !== "{file_name}" && p !== "{id}") throw bad(`unknown placeholder ${p} (use {file_name} or {id})`);
  try {
    new URL(template.replace(/\{file_name\}|\{id\}/g, "x"));
  } catch {
    throw bad("not a valid URL");
  }
}

/** Each image's URL from the template (values URL-encoded; a file name's "/" kept); null for {file_name} of an image without one. */
export function templateImageUrls(template: string, images: readonly Image[]): ReportImages {
  checkImageUrlTemplate(template);
  const urls = images.map((im) => {
    if (template.includes("{file_name}") && im.name === undefined) return null;
    return template.replace(/\{file_name\}|\{id\}/g, (p) => (p === "{id}" ? encodeURIComponent(String(im.id)) : encodePath(im.name!)));
  });
  return { source: "url", urls };
}

/** --embed-images: a JPEG thumbnail (long side `size`) per image with pixels, as a data: URL; null for the others. */
export function thumbnailUrls(
  images: readonly Image[],
  pixels: readonly { imageId: number | string; rgba: ArrayLike<number>; width: number; height: number }[],
  size: number,
  progress?: (m: string) => void,
): ReportImages {
  const byId = new Map(pixels.map((p) => [p.imageId, p]));
  let done = 0;
  const urls = images.map((im) => {
    const p = byId.get(im.id);
    if (!p) return null;
    if (++done % 100 === 0) progress?.(`thumbnails ${done}/${pixels.length}`);
    return `data:image/jpeg;base64,${bytesToBase64(jpegThumbnail(p.rgba, p.width, p.height, size))}`;
  });
  return { source: "embedded", urls };
}
