import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ControlSockets } from "./control-server.js";
import { LOCK_FILE } from "./update-locks.js";

function post(socketPath: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: "POST" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body === undefined ? "" : JSON.stringify(body));
  });
}
const signalReady = (socketPath: string) => post(socketPath, "/signal", { type: "ready" });

describe("control sockets", () => {
  const root = mkdtempSync(join(tmpdir(), "sc-control-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("binds in a store deeper than a unix socket address allows, again after close, with nothing left over", async () => {
    const dir = join(root, "a-very-long-directory-name-".repeat(4), "containers", "web", "run");
    mkdirSync(dir, { recursive: true });
    expect(Buffer.byteLength(join(dir, "control.sock"))).toBeGreaterThan(107);
    const sockets = new ControlSockets();
    for (let round = 0; round < 2; round++) {
      await sockets.open("web", dir);
      // The socket is in the container's directory, where the container sees it.
      expect(lstatSync(join(dir, "control.sock")).isSocket()).toBe(true);
      await sockets.close("web");
    }
    await sockets.open("web", dir);
    expect(sockets.isReady("web")).toBe(false);
    // Reached by the client through the same short alias the agent bound through.
    const alias = join(
      tmpdir(),
      `sc-ctl-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}`,
    );
    expect(await signalReady(join(alias, "control.sock"))).toBe(200);
    expect(sockets.isReady("web")).toBe(true);
    await sockets.closeAll();
    expect(existsSync(alias)).toBe(false);
  });

  it("an app takes and releases an update lock through its socket, or holds one with a lock file", async () => {
    const dir = join(root, "app", "run");
    mkdirSync(dir, { recursive: true });
    const sockets = new ControlSockets();
    await sockets.open("app", dir);
    const socket = join(dir, "control.sock");
    expect(await sockets.heldLocks()).toEqual([]);
    expect(await post(socket, "/lock", { holder: "sale-42" })).toBe(200);
    expect(await sockets.heldLocks()).toMatchObject([
      { container: "app", holder: "sale-42", via: "socket" },
    ]);
    expect(await post(socket, "/lock", { holder: "no spaces" })).toBe(400);
    expect(await post(socket, "/unlock", undefined)).toBe(200);
    expect(await sockets.heldLocks()).toEqual([]);
    writeFileSync(join(dir, LOCK_FILE), "");
    expect(await sockets.heldLocks()).toMatchObject([
      { container: "app", holder: "updates.lock", via: "file" },
    ]);
    rmSync(join(dir, LOCK_FILE));
    expect(await sockets.heldLocks()).toEqual([]);
    await sockets.closeAll();
  });
});
