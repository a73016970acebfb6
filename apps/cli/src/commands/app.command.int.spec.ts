import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@statecast/infra";
import { readBundle } from "@statecast/state";
import { installBundle } from "../../../device-agent/src/install/install-bundle.js";
import { DeviceUnderTest } from "../../../device-agent/src/testing/harness.test-helper.js";
import {
  buildBusyboxImage,
  pushImage,
  startTestRegistry,
  type TestRegistry,
} from "../oci/image-fixtures.test-helper.js";
import { runTool } from "../oci/run-tool.js";
import { workdirAt } from "../workdir/layout.js";
import { readLog } from "../workdir/meta.js";
import { cli, cliJson } from "./cli.test-helper.js";

let base: string;
let registry: TestRegistry;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "sc-app-cli-"));
  registry = await startTestRegistry(base);
  const v1 = await buildBusyboxImage(base, "v1", {
    cmd: ["/bin/sh", "-c", "sleep 1000"],
    marker: "v1\n",
  });
  const v2 = await buildBusyboxImage(base, "v2", {
    cmd: ["/bin/sh", "-c", "sleep 1000"],
    marker: "v2\n",
  });
  await pushImage(v1.ref, `docker://${registry.host}/demo/busy:v1`);
  await pushImage(v2.ref, `docker://${registry.host}/demo/busy:v2`);
});
afterAll(async () => {
  await registry?.stop();
  await rm(base, { recursive: true, force: true });
});

describe("statecast app add (in-process, local registry)", () => {
  it("init → app add → sign → commit → export → import → verify; a new tag changes one object", async () => {
    await cli(["init", "device"], base);
    await cli(["keygen", "--out", "keys"], base);
    const wd = join(base, "device");
    const added = await cliJson<{ rootSha256: string; paths: string[] }>(
      [
        "app",
        "add",
        "busy",
        "--from",
        `docker://${registry.host}/demo/busy:v1`,
        "--volume",
        "/data",
      ],
      wd,
    );
    expect(added.code).toBe(0);
    expect((await cli(["status"], wd)).out).toBe(
      "A  busy/lxc.container.conf\nA  busy/root.squashfs\nA  busy/run.json\nA  busy/src.json\n",
    );
    expect((await cli(["sign", "--part", "busy", "--key", "../keys/statecast.key"], wd)).code).toBe(
      0,
    );
    expect((await cli(["commit", "-m", "busy v1"], wd)).code).toBe(0);
    const verify = await cli(
      ["state", "verify", ".statecast/json", "--trust", "../keys/statecast.pub"],
      wd,
    );
    expect(verify.code).toBe(0);

    expect((await cli(["export", "../v1.tgz"], wd)).code).toBe(0);
    expect((await cli(["import", "v1.tgz", "copy"], base)).code).toBe(0);
    const listing = await runTool("unsquashfs", ["-l", join(base, "copy/busy/root.squashfs")]);
    expect(listing).toContain("squashfs-root/bin/busybox");

    const updated = await cliJson<{ rootSha256: string }>(
      [
        "app",
        "add",
        "busy",
        "--from",
        `docker://${registry.host}/demo/busy:v2`,
        "--volume",
        "/data",
      ],
      wd,
    );
    expect(updated.json.rootSha256).not.toBe(added.json.rootSha256);
    expect((await cli(["status"], wd)).out).toBe("M  busy/root.squashfs\nM  busy/src.json\n");
    const stale = await cli(["sig", "ls", "--trust", "../keys/statecast.pub"], wd);
    expect(stale.code).toBe(1);
    expect(stale.out).toContain("_sigs/busy.json  invalid");

    // v2 for devices known to run v1: the bundle carries a delta instead of the new root.
    expect((await cli(["sign", "--part", "busy", "--key", "../keys/statecast.key"], wd)).code).toBe(
      0,
    );
    expect((await cli(["commit", "-m", "busy v2"], wd)).code).toBe(0);
    const v1Digest = (await readLog(workdirAt(wd))).find((e) => e.message === "busy v1")!.digest;
    expect((await cli(["export", "../v2.tgz"], wd)).code).toBe(0);
    const exported = await cliJson<{ deltas: number }>(
      ["export", "--delta-from", v1Digest.slice(0, 12), "../v2-delta.tgz"],
      wd,
    );
    expect(exported.json.deltas).toBe(1);
    const full = (await stat(join(base, "v2.tgz"))).size;
    const small = (await stat(join(base, "v2-delta.tgz"))).size;
    expect(small).toBeLessThan(full / 4);
    const content = await readBundle(createReadStream(join(base, "v2-delta.tgz")));
    expect(content.missing).toEqual([updated.json.rootSha256]);
    expect(content.deltas).toMatchObject([
      { from: added.json.rootSha256, to: updated.json.rootSha256, algo: "xdelta3" },
    ]);

    // The agent's offline install: v1 whole, then v2 from the delta bundle, root sha256-checked.
    const pem = await readFile(join(base, "keys/statecast.pub"), "utf8");
    const device = new DeviceUnderTest({
      mountOnly: true,
      trustPolicy: { mode: "lenient", trusted: [{ pem, name: "release" }] },
    });
    try {
      await device.agent.start();
      expect(await installBundle(device.agent, join(base, "v1.tgz"), "v1")).toMatchObject({
        status: "DONE",
      });
      const report = await installBundle(device.agent, join(base, "v2-delta.tgz"), "v2");
      expect(report.revision).toBe("v2");
      expect(["DONE", "UPDATED"]).toContain(report.status);
      const root = await readFile(device.agent.store.objectPath(updated.json.rootSha256));
      expect(createHash("sha256").update(root).digest("hex")).toBe(updated.json.rootSha256);
    } finally {
      await device.dispose();
    }
  });

  it("fails fast with exit 1 on an unreachable registry, exit 2 on bad options", async () => {
    await cli(["init", "fast"], base);
    const wd = join(base, "fast");
    const port = await freePort();
    const started = Date.now();
    const down = await cli(
      ["app", "add", "busy", "--from", `docker://127.0.0.1:${port}/demo/busy:v1`],
      wd,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(down.code).toBe(1);
    expect(down.err).toContain(`registry 127.0.0.1:${port} is unreachable`);
    const goal = await cli(["app", "add", "busy", "--from", "oci:x", "--status-goal", "UP"], wd);
    expect(goal.code).toBe(2);
    expect(goal.err).toMatch(/--status-goal "UP" must be one of MOUNTED, STARTED, READY/);
    const ref = await cli(["app", "add", "busy", "--from", "ftp://x"], wd);
    expect(ref.code).toBe(2);
    expect(ref.err).toMatch(/unsupported image reference/);
    expect((await cli(["status"], wd)).out).toBe("nothing changed since the last commit\n");
    // oci: and docker-archive: paths are relative to where the command runs.
    const local = await cliJson<{ rootVolume: string }>(
      ["app", "add", "busy", "--from", "oci:../layout:v1"],
      wd,
    );
    expect(local.code).toBe(0);
    expect(local.json.rootVolume).toBe("root.squashfs");
  });
});
