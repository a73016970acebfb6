import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { add } from "./add.js";
import { checkout } from "./checkout.js";
import { commit } from "./commit.js";
import { diffWorkdir } from "./diff.js";
import { initWorkdir } from "./init.js";
import type { Workdir } from "./layout.js";
import { readCommitted } from "./meta.js";
import { workdirStatus } from "./status.js";

let wd: Workdir;
const rootfs = Buffer.from([0, 1, 2, 3, 255, 254, 10, 13]);
const sha = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const write = async (path: string, data: string | Buffer) => {
  await mkdir(join(wd.root, path, ".."), { recursive: true });
  await writeFile(join(wd.root, path), data);
};
const runJson = (fields: string) =>
  `{ ${fields}, "#spec": "service-manifest-run@1", "type": "lxc", "config": "lxc.container.conf",
  "root-volume": "root.squashfs", "storage": {}, "volumes": [] }\n`;
const changes = async () => (await workdirStatus(wd)).changes.map((c) => `${c.change} ${c.path}`);

beforeEach(async () => {
  wd = await initWorkdir(await mkdtemp(join(tmpdir(), "statecast-wd-")));
  await write("web/run.json", runJson('"name": "web", "big": 10000000000000000000, "f": 1.5'));
  await write("web/lxc.container.conf", "lxc.init.cmd = /bin/sh\n");
  await write("web/root.squashfs", rootfs);
  await write("device.json", '{"label": "lab"}');
});
afterEach(() => rm(wd.root, { recursive: true, force: true }));

describe("a working directory", () => {
  it("tracks files only once added, and commits JSON inline and other files as objects", async () => {
    expect(await changes()).toEqual([
      "untracked device.json",
      "untracked web/lxc.container.conf",
      "untracked web/root.squashfs",
      "untracked web/run.json",
    ]);
    await expect(commit(wd, "nothing yet")).rejects.toThrow(/nothing to commit/);
    await add(wd, ["web/run.json"]);
    await expect(commit(wd, "half a container")).rejects.toThrow(
      /nothing committed, the state would be invalid: web\/run.json: "config" refers to missing key web\/lxc.container.conf/,
    );
    expect(await add(wd, ["web"])).toEqual(["web/lxc.container.conf", "web/root.squashfs"]);
    expect(await changes()).toEqual([
      "untracked device.json",
      "added web/lxc.container.conf",
      "added web/root.squashfs",
      "added web/run.json",
    ]);
    const result = await commit(wd, "first web");
    expect(result.objectsStored).toBe(2);
    const conf = sha("lxc.init.cmd = /bin/sh\n");
    expect(await readFile(wd.stateFile, "utf8")).toBe(
      `{"#spec":"pantavisor-service-system@1","web/lxc.container.conf":"${conf}",` +
        `"web/root.squashfs":"${sha(rootfs)}","web/run.json":{"#spec":"service-manifest-run@1",` +
        `"big":10000000000000000000,"config":"lxc.container.conf","f":1.5,"name":"web",` +
        `"root-volume":"root.squashfs","storage":{},"type":"lxc","volumes":[]}}`,
    );
    expect(await readFile(join(wd.objectsDir, sha(rootfs)))).toEqual(rootfs);
    expect(await changes()).toEqual(["untracked device.json"]);
  });

  it("reports modified and deleted paths, with JSON files diffed as JSON", async () => {
    await add(wd);
    await commit(wd, "all");
    await write(
      "web/run.json",
      runJson('"name":"web2","big":10000000000000000000,"f":1.5,"extra":[1]'),
    );
    await write("web/root.squashfs", Buffer.from("new root"));
    await unlink(join(wd.root, "device.json"));
    expect(await changes()).toEqual([
      "deleted device.json",
      "modified web/root.squashfs",
      "modified web/run.json",
    ]);
    const diffs = await diffWorkdir(wd);
    expect(diffs).toEqual([
      {
        path: "device.json",
        change: "deleted",
        kind: "json",
        changes: [{ op: "remove", pointer: "", before: { label: "lab" } }],
      },
      {
        path: "web/root.squashfs",
        change: "modified",
        kind: "object",
        before: sha(rootfs),
        after: sha("new root"),
        afterSize: 8,
      },
      {
        path: "web/run.json",
        change: "modified",
        kind: "json",
        changes: [
          { op: "add", pointer: "/extra", after: [expect.anything()] },
          { op: "replace", pointer: "/name", before: "web", after: "web2" },
        ],
      },
    ]);
    expect(await diffWorkdir(wd, ["web/root.squashfs"])).toHaveLength(1);
  });

  it("checks out earlier revisions byte for byte and refuses to drop uncommitted work", async () => {
    await add(wd);
    const first = await commit(wd, "first");
    await write("web/root.squashfs", Buffer.from("second root"));
    await unlink(join(wd.root, "device.json"));
    const second = await commit(wd, "second");
    await write("web/run.json", '{"name":"dirty"}');
    await expect(checkout(wd, { rev: first.digest.slice(0, 8) })).rejects.toThrow(
      /1 uncommitted change\(s\) \(modified web\/run.json\).*--force/,
    );
    await write("notes/new.txt", "never committed");
    await add(wd, ["notes"]);
    const result = await checkout(wd, { rev: first.digest.slice(0, 8), force: true });
    expect(await readFile(join(wd.root, "notes/new.txt"), "utf8")).toBe("never committed");
    await unlink(join(wd.root, "notes/new.txt"));
    expect(result.digest).toBe(first.digest);
    expect(result.written.sort()).toEqual(["device.json", "web/root.squashfs", "web/run.json"]);
    expect(result.removed).toEqual([]);
    expect(await readFile(join(wd.root, "web/root.squashfs"))).toEqual(rootfs);
    expect(await readFile(join(wd.root, "web/run.json"), "utf8")).toContain("10000000000000000000");
    expect(await changes()).toEqual([]);
    expect(Object.keys(await readCommitted(wd))).toContain("device.json");
    const back = await checkout(wd, { rev: second.digest });
    expect(back.removed).toEqual(["device.json"]);
    expect(back.written).toEqual(["web/root.squashfs"]);
    expect(await changes()).toEqual([]);
    await expect(checkout(wd, { rev: "zz" })).rejects.toThrow(/not a state digest/);
    await expect(checkout(wd, { rev: "abcdef12" })).rejects.toThrow(/no committed revision/);
  });

  it("refuses symlinks, special files, unsafe names and broken JSON, naming the path", async () => {
    await symlink("/etc/passwd", join(wd.root, "web/passwd"));
    await expect(workdirStatus(wd)).rejects.toThrow(/web\/passwd is a symbolic link/);
    await unlink(join(wd.root, "web/passwd"));
    execFileSync("mkfifo", [join(wd.root, "web/pipe")]);
    await expect(workdirStatus(wd)).rejects.toThrow(/web\/pipe is not a regular file/);
    await unlink(join(wd.root, "web/pipe"));
    await write("web/bad\u0001name", "x");
    await expect(workdirStatus(wd)).rejects.toThrow(/unsafe path .*control character/);
    await unlink(join(wd.root, "web/bad\u0001name"));
    await write("web/broken.json", "{nope");
    await expect(workdirStatus(wd)).rejects.toThrow(/web\/broken.json is not valid JSON/);
    await unlink(join(wd.root, "web/broken.json"));
    await expect(add(wd, ["missing"])).rejects.toThrow(/missing matches no file/);
    await expect(add(wd, ["../x"])).rejects.toThrow(/unsafe path/);
    await expect(initWorkdir(wd.root)).rejects.toThrow(/already a statecast working directory/);
  });
});

describe("damaged metadata", () => {
  it("names the damaged file instead of crashing", async () => {
    await writeFile(wd.indexFile, "{oops");
    await expect(workdirStatus(wd)).rejects.toThrow(/index.json is damaged \(not JSON\)/);
    await writeFile(wd.indexFile, "[]");
    await writeFile(wd.stateFile, "[1]");
    await expect(workdirStatus(wd)).rejects.toThrow(/json is not a JSON object/);
  });
});
