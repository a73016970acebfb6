import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { INestApplication } from "@nestjs/common";
import { type ConsoleFile, loadConsoleFiles } from "./console-files.js";

export const CONSOLE_PATH = "/console/";

/** Same origin only: no inline script or style, no framing, no third-party anything. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Where `npm run build` puts the console (same depth from src/ and dist/). */
export function defaultConsoleDir(): string {
  return fileURLToPath(new URL("../../../console/dist", import.meta.url));
}

type Next = () => void;

function send(request: IncomingMessage, response: ServerResponse, file: ConsoleFile): void {
  response.setHeader("Content-Type", file.type);
  response.setHeader("ETag", file.etag);
  response.setHeader(
    "Cache-Control",
    file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
  );
  response.setHeader("Content-Security-Policy", CONSOLE_CSP);
  response.setHeader("X-Content-Type-Options", "nosniff");
  response.setHeader("Referrer-Policy", "no-referrer");
  if (request.headers["if-none-match"] === file.etag) {
    response.statusCode = 304;
    response.end();
    return;
  }
  response.setHeader("Content-Length", file.body.length);
  response.end(request.method === "HEAD" ? undefined : file.body);
}

/**
 * Serves the built console under `/console/` (and redirects `/` there): a file when the path
 * names one, else `index.html` so that the console's own routes load (SPA fallback). A missing
 * asset is a 404, never the page. Without a build, `/console/` answers 503 saying so.
 */
export function serveConsole(app: INestApplication, dir = defaultConsoleDir()): void {
  const files = loadConsoleFiles(dir);
  app.use((request: IncomingMessage, response: ServerResponse, next: Next) => {
    if (request.method !== "GET" && request.method !== "HEAD") return next();
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (path === "/" || path === "/console") {
      response.statusCode = 302;
      response.setHeader("Location", CONSOLE_PATH);
      response.end();
      return;
    }
    if (!path.startsWith(CONSOLE_PATH)) return next();
    if (!files) {
      response.statusCode = 503;
      response.setHeader("Content-Type", "text/plain; charset=utf-8");
      response.end(`The console is not built (no ${dir}/index.html): run \`npm run build\`.\n`);
      return;
    }
    const name = decodeURIComponent(path.slice(CONSOLE_PATH.length));
    const file = files.get(name);
    if (file) return send(request, response, file);
    if (name.startsWith("assets/") || /\.[a-z0-9]+$/i.test(name)) {
      response.statusCode = 404;
      response.setHeader("Content-Type", "text/plain; charset=utf-8");
      response.end("not found\n");
      return;
    }
    send(request, response, files.get("index.html") as ConsoleFile);
  });
}
