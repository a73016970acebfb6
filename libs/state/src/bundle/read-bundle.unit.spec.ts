import { createReadStream, existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { BundleError, HashMismatchError } from "../errors.js";
import { FsObjectStore } from "../store/fs-object-store.js";
import { FIXTURE_DIR } from "../testing/fixtures.test-helper.js";
import { fixtureMembers, type Member, streamOf, tarOf } from "../testing/tar.test-helper.js";
import { readBundle } from "./read-bundle.js";
import { writeBundle } from "./write-bundle.js";

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe("readBundle", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sc-bundle-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ["pvwificonnect.tgz", "pvwificonnect"],
    ["watchdog_pinger.tar", "watchdog_pinger"],
  ])("reads fixture %s into a store, every object verified", async (file, part) => {
    const store = new FsObjectStore(join(dir, "objects"));
    const bundle = await readBundle(createReadStream(join(FIXTURE_DIR, file)), {
      targetStore: store,
    });
    expect(bundle.model.parts.map((p) => p.name)).toContain(part);
    expect(bundle.objects).toHaveLength(3);
    expect(bundle.missing).toEqual([]);
    expect(bundle.extra).toEqual([]);
    for (const { sha, size } of bundle.objects)
      expect(await store.stat(sha)).toMatchObject({ sha, size });
  });

  it("writes a bundle that reads back to the same state and objects", async () => {
    const store = new FsObjectStore(join(dir, "objects"));
    const original = await readBundle(createReadStream(join(FIXTURE_DIR, "watchdog_pinger.tar")), {
      targetStore: store,
    });
    for (const gzip of [false, true]) {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on("data", (c: Buffer) => chunks.push(c));
      expect(await writeBundle(out, { state: original.state, store, gzip })).toEqual({
        objects: 3,
        objectBytes: 451262,
      });
      const again = await readBundle(streamOf(Buffer.concat(chunks)));
      expect(again.state).toEqual(original.state);
      expect(again.objects.map((o) => o.sha).sort()).toEqual(
        original.objects.map((o) => o.sha).sort(),
      );
    }
  });

  it("fails naming the object whose byte was altered", async () => {
    const members = await fixtureMembers("watchdog_pinger.tar");
    const victim = members.find(
      (m) => m.name.startsWith("objects/") && (m.data?.length ?? 0) > 100,
    ) as Member;
    const data = Buffer.from(victim.data as Buffer);
    data[50] = (data[50] ?? 0) ^ 1;
    victim.data = data;
    const sha = victim.name.slice("objects/".length);
    const error = await readBundle(streamOf(await tarOf(members))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HashMismatchError);
    expect((error as Error).message).toMatch(
      new RegExp(`^object ${sha}: content hashes to [0-9a-f]{64}$`),
    );
    const store = new FsObjectStore(join(dir, "objects"));
    await expect(
      readBundle(streamOf(await tarOf(members, true)), { targetStore: store }),
    ).rejects.toThrow(sha);
    expect(await store.has(sha)).toBe(false);
  });

  const json = '{"#spec":"pantavisor-service-system@1"}';
  const someObject = { name: `objects/${"0".repeat(64)}`, data: "x" };
  it.each<[string, Member[], string]>([
    [
      "a symlink",
      [{ name: "json", type: "symlink", linkname: "/etc/passwd" }],
      "member_type_refused",
    ],
    [
      "a hard link",
      [
        { name: "json", data: json },
        { name: "objects/x", type: "link", linkname: "json" },
      ],
      "member_type_refused",
    ],
    [
      "a device",
      [{ name: "dev", type: "character-device", devmajor: 1, devminor: 3 }],
      "member_type_refused",
    ],
    ["a fifo", [{ name: "fifo", type: "fifo" }], "member_type_refused"],
    ["an absolute path", [{ name: "/etc/evil", data: "x" }], "member_unsafe_path"],
    ["a .. path", [{ name: "objects/../../evil", data: "x" }], "member_unsafe_path"],
    [
      "a duplicate",
      [
        { name: "json", data: json },
        { name: "json", data: json },
      ],
      "member_duplicate",
    ],
    ["an unexpected member", [{ name: "README", data: "hi" }], "member_unexpected"],
    ["an object id that is not sha256", [{ name: "objects/abc", data: "x" }], "member_unexpected"],
    ["no state", [], "bundle_no_state"],
    ["a wrong object", [{ name: "json", data: json }, someObject], "object_hash_mismatch"],
  ])("refuses %s and writes nothing outside the store", async (_what, members, code) => {
    const storeDir = join(dir, "store");
    const store = new FsObjectStore(storeDir);
    const error = await readBundle(streamOf(await tarOf(members)), { targetStore: store }).catch(
      (e: unknown) => e,
    );
    expect((error as BundleError).code).toBe(code);
    expect(await filesUnder(dir)).toEqual([]);
    expect(existsSync(resolve("../../evil"))).toBe(false);
    expect(existsSync("/etc/evil")).toBe(false);
  });

  it("refuses members over the size limits before reading them", async () => {
    const big = { name: `objects/${"1".repeat(64)}`, data: Buffer.alloc(2048) };
    await expect(
      readBundle(streamOf(await tarOf([big])), { limits: { maxObjectBytes: 1024 } }),
    ).rejects.toThrow(/is 2048 bytes, over 1024/);
    await expect(
      readBundle(streamOf(await tarOf([{ name: "json", data: " ".repeat(100) }])), {
        limits: { maxStateBytes: 10 },
      }),
    ).rejects.toThrow("json member is 100 bytes, over 10");
    await expect(
      readBundle(streamOf(await tarOf([big, { name: "json", data: "{}" }])), {
        limits: { maxTotalBytes: 1000 },
      }),
    ).rejects.toMatchObject({ code: "bundle_too_large" });
  });

  it("reports an invalid state and garbage input as validation errors", async () => {
    const bad = await tarOf([
      { name: "json", data: '{"#spec":"pantavisor-service-system@1","x":"nope"}' },
    ]);
    await expect(readBundle(streamOf(bad))).rejects.toThrow(
      /bundle state is invalid: x: must be a sha256 object id/,
    );
    await expect(
      readBundle(streamOf(Buffer.from("\x1f\x8bnot gzip at all"))),
    ).rejects.toBeInstanceOf(BundleError);
    await expect(readBundle(streamOf(Buffer.alloc(1024, 7)))).rejects.toBeInstanceOf(BundleError);
  });
});
