import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";

/** One built file of the console, held in memory (the whole bundle is a few hundred KiB). */
export interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Vite names files under `assets/` by content hash: they never change under one name. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The console's built files by URL path below the mount point (`index.html`, `assets/…`). */
export function loadConsoleFiles(dir: string): Map<string, ConsoleFile> | undefined {
  if (!existsSync(join(dir, "index.html"))) return undefined;
  const files = new Map<string, ConsoleFile>();
  for (const path of walk(dir)) {
    const name = relative(dir, path).split(sep).join("/");
    const body = readFileSync(path);
    files.set(name, {
      body,
      type: TYPES[extname(name)] ?? "application/octet-stream",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
      immutable: name.startsWith("assets/"),
    });
  }
  return files;
}
