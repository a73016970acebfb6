import { createHash } from "node:crypto";
import { rm, symlink } from "node:fs/promises";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConsentBox } from "./consent-box.js";
import { type UpdateLock, UpdateLocks } from "./update-locks.js";

const MAX_BODY = 4096;
const ROUTES = ["/signal", "/lock", "/unlock", "/consent"] as const;
/** sun_path holds 108 bytes with its NUL; a longer path would be bound truncated. */
const MAX_SOCKET_PATH = 107;

/**
 * Where to bind `dir`/control.sock. A deep store (say, a data dir in a clone under /home)
 * makes that path longer than a unix socket address allows, and the kernel would bind a
 * truncated name that nothing removes. Such a dir is reached through a short symlink in the
 * temp dir instead: bind follows it, so the socket still lands in `dir`.
 */
async function bindPath(dir: string): Promise<{ path: string; alias?: string }> {
  const path = join(dir, "control.sock");
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) return { path };
  const alias = join(
    tmpdir(),
    `sc-ctl-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}`,
  );
  await rm(alias, { force: true });
  await symlink(dir, alias);
  return { path: join(alias, "control.sock"), alias };
}

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error(`body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * The agent's local control socket: one HTTP-over-unix-socket listener per container,
 * in a directory bind-mounted into that container at /run/statecast, so the socket a
 * request arrives on says which container sent it. `POST /signal {"type":"ready"}`
 * marks the container READY.
 */
export class ControlSockets {
  readonly locks = new UpdateLocks();
  readonly consent = new ConsentBox();
  private readonly dirs = new Map<string, string>();
  private readonly servers = new Map<string, Server>();
  private readonly aliases = new Map<string, string>();
  private readonly ready = new Set<string>();

  isReady(name: string): boolean {
    return this.ready.has(name);
  }

  async open(name: string, dir: string): Promise<void> {
    if (this.servers.has(name)) return;
    await rm(join(dir, "control.sock"), { force: true });
    const { path, alias } = await bindPath(dir);
    // node:http is loaded with the first container's socket, not at start (idle RSS).
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => void this.handle(name, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
    this.servers.set(name, server);
    this.dirs.set(name, dir);
    if (alias) this.aliases.set(name, alias);
  }

  /** The update locks the containers hold now (socket and lock file). */
  heldLocks(): Promise<UpdateLock[]> {
    return this.locks.held(this.dirs);
  }

  private async handle(name: string, req: IncomingMessage, res: ServerResponse) {
    const route = req.method === "POST" ? ROUTES.find((r) => r === req.url) : undefined;
    if (!route)
      return reply(res, 404, {
        error: `no route ${req.method} ${req.url}; use POST ${ROUTES.join(", POST ")}`,
      });
    let signal: unknown;
    try {
      const text = await readBody(req);
      signal = text === "" && route !== "/signal" ? {} : JSON.parse(text);
    } catch (error) {
      return reply(res, 400, { error: `signal is not JSON: ${(error as Error).message}` });
    }
    if (route === "/lock") return this.lock(name, signal, res);
    if (route === "/consent") {
      const consent = this.consent.answer(name, signal, new Date());
      return typeof consent === "string"
        ? reply(res, 400, { error: consent })
        : reply(res, 200, { ok: true, consent });
    }
    if (route === "/unlock")
      return reply(res, 200, { ok: true, container: name, released: this.locks.release(name) });
    const type = (signal as { type?: unknown } | null)?.type;
    if (type !== "ready")
      return reply(res, 400, { error: `unknown signal type ${JSON.stringify(type)}` });
    this.ready.add(name);
    return reply(res, 200, { ok: true, container: name });
  }

  private lock(name: string, body: unknown, res: ServerResponse) {
    const holder = (body as { holder?: unknown } | null)?.holder ?? name;
    if (typeof holder !== "string" || !/^[\w.:-]{1,64}$/.test(holder))
      return reply(res, 400, { error: "holder must be 1-64 letters, digits, . _ : -" });
    return reply(res, 200, { ok: true, lock: this.locks.take(name, holder, new Date()) });
  }

  async close(name: string): Promise<void> {
    this.ready.delete(name);
    this.dirs.delete(name);
    this.locks.release(name);
    const server = this.servers.get(name);
    this.servers.delete(name);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    const alias = this.aliases.get(name);
    this.aliases.delete(name);
    if (alias) await rm(alias, { force: true });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((name) => this.close(name)));
  }
}
