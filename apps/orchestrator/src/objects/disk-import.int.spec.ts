import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { startTestNats, type TestNats } from "@statecast/testing";
import { startTestApp } from "../openapi/test-app.test-helper.js";
import { IMPORTED_MARKER, importDiskObjects } from "./disk-import.js";
import { openScObjects } from "./sc-objects.test-helper.js";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const blobs = ["kernel ", "rootfs ", "config "].map((s) => Buffer.from(s.repeat(40_000)));

/** `<dataDir>/objects` as the previous release left it: objects named by their sha256. */
function previousRelease(dataDir: string, corrupt = false): string {
  const dir = join(dataDir, "objects");
  mkdirSync(join(dir, ".incoming"), { recursive: true });
  for (const bytes of blobs) writeFileSync(join(dir, sha(bytes)), bytes);
  if (corrupt) writeFileSync(join(dir, "e".repeat(64)), "not what its name says");
  return dir;
}

describe("importing the previous release's disk objects into sc_objects", () => {
  let nats: TestNats;
  let dataDir: string;
  beforeAll(async () => {
    nats = await startTestNats();
    dataDir = mkdtempSync(join(tmpdir(), "statecast-import-"));
  });
  afterAll(async () => {
    await nats?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("puts every object there once, keeps the files, says so, and refuses a corrupt file", async () => {
    const dir = previousRelease(dataDir, true);
    const sc = await openScObjects(nats.url);
    try {
      // One object already on the network (the previous release published revisions' objects).
      const [first] = blobs as [Buffer];
      await sc.store.put(sha(first), Readable.from([first]));
      const logged: string[] = [];
      const logger = { log: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) };
      const result = await importDiskObjects(dir, sc.store, logger);
      expect(result).toEqual({ imported: 2, present: 1, refused: ["e".repeat(64)] });
      expect(await sc.names()).toEqual(blobs.map(sha).sort());
      for (const bytes of blobs) {
        const chunks: Buffer[] = [];
        for await (const chunk of await sc.store.openRead(sha(bytes))) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
        expect(existsSync(join(dir, sha(bytes)))).toBe(true);
      }
      expect(existsSync(join(dir, IMPORTED_MARKER))).toBe(true);
      expect(logged.join("\n")).toContain(`imported 2 objects from ${dir}`);
      expect(logged.join("\n")).toContain(`not importing ${join(dir, "e".repeat(64))}`);
      // Once: a second start reads nothing.
      expect(await importDiskObjects(dir, sc.store, logger)).toBeUndefined();
      expect(await importDiskObjects(join(dataDir, "absent"), sc.store, logger)).toBeUndefined();
    } finally {
      await sc.close();
    }
  });

  it("runs as the orchestrator starts: the old objects are served over HTTP", async () => {
    const app = await startTestApp({ prepareDataDir: (dir) => void previousRelease(dir) });
    try {
      for (const bytes of blobs) {
        const res = await app.call(`/v1/objects/${sha(bytes)}`);
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      }
    } finally {
      await app.close();
    }
  });
});
