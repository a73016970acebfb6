import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ControlSockets } from "./control-server.js";

function signalReady(socketPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: "/signal", method: "POST" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(JSON.stringify({ type: "ready" }));
  });
}

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
});
