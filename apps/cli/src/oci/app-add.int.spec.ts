import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@statecast/infra";
import { addApp } from "./app-add.js";
import {
  buildBusyboxImage,
  pushImage,
  startTestRegistry,
  type TestRegistry,
} from "./image-fixtures.test-helper.js";
import { runTool } from "./run-tool.js";

let dir: string;
let registry: TestRegistry;
let ociRef: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "statecast-app-int-"));
  registry = await startTestRegistry(dir);
  const built = await buildBusyboxImage(dir, "v1", {
    entrypoint: ["/bin/busybox"],
    cmd: ["sh", "-c", "echo hello world; sleep 1000"],
    env: ["GREETING=hi there"],
    workdir: "/srv",
    user: "app",
    volumes: ["/var/lib/data"],
  });
  ociRef = built.ref;
  await pushImage(ociRef, `docker://${registry.host}/demo/busy:v1`);
});

afterAll(async () => {
  await registry?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function workdir(): Promise<string> {
  return mkdtemp(join(dir, "wd-"));
}

async function json(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
}

describe("app add", () => {
  it("turns an image from a local registry into a squashfs container", async () => {
    const wd = await workdir();
    const result = await addApp({
      dir: wd,
      name: "busy",
      from: `docker://${registry.host}/demo/busy:v1`,
      group: "platform",
      statusGoal: "READY",
      restartPolicy: "system",
      volume: ["/var/log:revision"],
    });
    expect(result.rootVolume).toBe("root.squashfs");
    expect(result.paths).toEqual([
      "busy/root.squashfs",
      "busy/lxc.container.conf",
      "busy/run.json",
      "busy/src.json",
    ]);
    const listing = await runTool("unsquashfs", ["-l", join(wd, "busy", "root.squashfs")]);
    expect(listing).toContain("squashfs-root/bin/busybox");
    expect(listing).toContain("squashfs-root/etc/statecast-marker");

    const conf = await readFile(join(wd, "busy", "lxc.container.conf"), "utf8");
    // LXC splits lxc.init.cmd on spaces, quotes or not: the argv runs through a wrapper.
    expect(conf).toContain("lxc.init.cmd = /.statecast-init\n");
    expect(listing).toContain("squashfs-root/.statecast-init");
    const wrapper = await runTool("unsquashfs", [
      "-cat",
      join(wd, "busy", "root.squashfs"),
      ".statecast-init",
    ]);
    expect(wrapper).toContain("exec '/bin/busybox' 'sh' '-c' 'echo hello world; sleep 1000'\n");
    expect(conf).toContain("lxc.environment = GREETING=hi there\n");
    expect(conf).toContain("lxc.init.cwd = /srv\n");
    expect(conf).toContain("lxc.init.uid = 1000\nlxc.init.gid = 1001\n");
    expect(conf).toContain(
      "lxc.mount.entry = /volumes/busy/docker--var-lib-data var/lib/data none bind,rw,create=dir 0 0",
    );

    const run = await json(join(wd, "busy", "run.json"));
    expect(run).toMatchObject({
      "#spec": "service-manifest-run@1",
      name: "busy",
      type: "lxc",
      "root-volume": "root.squashfs",
      config: "lxc.container.conf",
      group: "platform",
      status_goal: "READY",
      restart_policy: "system",
      storage: {
        "docker--var-log": { persistence: "revision" },
        "docker--var-lib-data": { persistence: "permanent" },
        "lxc-overlay": { persistence: "boot" },
      },
    });

    const inspect = JSON.parse(
      await runTool("skopeo", [
        "inspect",
        "--tls-verify=false",
        `docker://${registry.host}/demo/busy:v1`,
      ]),
    ) as { Digest: string };
    const src = await json(join(wd, "busy", "src.json"));
    expect(src).toMatchObject({
      "#spec": "service-manifest-src@1",
      docker_name: `${registry.host}/demo/busy`,
      docker_tag: "v1",
      docker_digest: inspect.Digest,
      docker_source: "remote",
    });
    expect((await stat(join(wd, "busy", "root.squashfs"))).size).toBe(result.rootSize);
  });

  it("takes oci: layouts and yields the same root object for the same image", async () => {
    const a = await addApp({ dir: await workdir(), name: "busy", from: ociRef });
    const b = await addApp({ dir: await workdir(), name: "busy", from: ociRef });
    expect(a.rootSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.rootSha256).toBe(a.rootSha256);
    expect(a.sourceDigest).toBe(a.manifestDigest);
  });

  it("takes docker-archive: files and falls back to a tar root without mksquashfs", async () => {
    const archive = join(dir, "busy.tar");
    await runTool("skopeo", ["copy", "--quiet", ociRef, `docker-archive:${archive}:demo/busy:v1`]);
    const wd = await workdir();
    const result = await addApp({
      dir: wd,
      name: "busy",
      from: `docker-archive:${archive}`,
      mksquashfs: null,
    });
    expect(result.rootVolume).toBe("root.tar");
    const members = await runTool("tar", ["-tf", join(wd, "busy", "root.tar")]);
    expect(members.split("\n")).toContain("./bin/busybox");
    const run = await json(join(wd, "busy", "run.json"));
    expect(run["root-volume"]).toBe("root.tar");
    expect(run.group).toBe("app");
  });

  it("yields the same tar root for the same image (no mksquashfs)", async () => {
    const a = await addApp({ dir: await workdir(), name: "busy", from: ociRef, mksquashfs: null });
    const b = await addApp({ dir: await workdir(), name: "busy", from: ociRef, mksquashfs: null });
    expect(a.rootVolume).toBe("root.tar");
    expect(b.rootSha256).toBe(a.rootSha256);
  });

  it("fails fast and clearly when the registry is unreachable", async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(
      addApp({
        dir: await workdir(),
        name: "busy",
        from: `docker://127.0.0.1:${port}/demo/busy:v1`,
      }),
    ).rejects.toThrow(`registry 127.0.0.1:${port} is unreachable`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("gives up quickly on a server that accepts connections but never answers", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    try {
      await expect(
        addApp({
          dir: await workdir(),
          name: "busy",
          from: `docker://127.0.0.1:${port}/demo/busy:v1`,
          answerTimeoutMs: 1000,
        }),
      ).rejects.toThrow(
        `registry 127.0.0.1:${port} accepted a connection but did not answer within 1000 ms`,
      );
      expect(Date.now() - started).toBeLessThan(6000);
    } finally {
      silent.close();
    }
  });

  it("names a missing tag in a reachable registry", async () => {
    await expect(
      addApp({
        dir: await workdir(),
        name: "busy",
        from: `docker://${registry.host}/demo/busy:nope`,
      }),
    ).rejects.toThrow(/skopeo exited with 1: .*manifest unknown/);
  });
});
