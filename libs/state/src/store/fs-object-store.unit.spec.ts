import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { HashMismatchError, SizeMismatchError, StateValidationError } from "../errors.js";
import { FsObjectStore } from "./fs-object-store.js";

const sha = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const text = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

describe("FsObjectStore", () => {
  let dir: string;
  let store: FsObjectStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sc-store-"));
    store = new FsObjectStore(join(dir, "objects"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("stores content under its sha256, idempotently", async () => {
    const data = "hello objects";
    const id = sha(data);
    expect(await store.put(id, Readable.from([data]), { size: 13 })).toEqual({
      sha: id,
      size: 13,
      created: true,
    });
    expect(await store.put(id, Readable.from([data]))).toEqual({
      sha: id,
      size: 13,
      created: false,
    });
    expect(await store.has(id)).toBe(true);
    expect(await store.stat(id)).toEqual({ sha: id, size: 13, modifiedAt: expect.any(Date) });
    const old = new Date(Date.now() - 86_400_000);
    await utimes(join(dir, "objects", id), old, old);
    expect(await store.touch(id)).toBe(true);
    expect((await store.stat(id))?.modifiedAt?.getTime()).toBeGreaterThan(old.getTime() + 1000);
    expect(await store.touch("b".repeat(64))).toBe(false);
    expect(await readFile(join(dir, "objects", id), "utf8")).toBe(data);
    const listed: string[] = [];
    for await (const s of store.list()) listed.push(s);
    expect(listed).toEqual([id]);
  });

  it("reads byte ranges (inclusive end)", async () => {
    const data = "0123456789";
    const id = sha(data);
    await store.put(id, Readable.from([data]));
    expect(await text(await store.openRead(id, { start: 2, end: 4 }))).toBe("234");
    expect(await text(await store.openRead(id, { start: 7 }))).toBe("789");
    expect(await text(await store.openRead(id))).toBe(data);
    await expect(store.openRead(id, { start: 5, end: 10 })).rejects.toThrow(
      /range 5-10 is outside its 10 bytes/,
    );
  });

  it("refuses content whose hash or size is wrong and leaves nothing behind", async () => {
    const id = sha("expected");
    await expect(store.put(id, Readable.from(["tampered"]))).rejects.toBeInstanceOf(
      HashMismatchError,
    );
    await expect(store.put(id, Readable.from(["expected"]), { size: 3 })).rejects.toBeInstanceOf(
      SizeMismatchError,
    );
    await expect(store.put(id, Readable.from(["expected"]), { size: 99 })).rejects.toThrow(
      `object ${id}: expected 99 bytes, got 8`,
    );
    expect(await store.has(id)).toBe(false);
    expect(await readdir(join(dir, "objects", ".incoming"))).toEqual([]);
  });

  it("refuses ids that are not sha256 before touching the filesystem", async () => {
    await expect(store.put("../../etc/passwd", Readable.from(["x"]))).rejects.toBeInstanceOf(
      StateValidationError,
    );
    await expect(store.stat("A".repeat(64))).rejects.toThrow(/is not a sha256 object id/);
  });

  it("deletes, and reports a missing object", async () => {
    const id = sha("bye");
    await store.put(id, Readable.from(["bye"]));
    expect(await store.delete(id)).toBe(true);
    expect(await store.delete(id)).toBe(false);
    await expect(store.openRead(id)).rejects.toThrow(`object ${id} is not in the store`);
    const empty = new FsObjectStore(join(dir, "never-created"));
    for await (const _ of empty.list()) throw new Error("should be empty");
  });

  it("stores an empty object", async () => {
    const id = sha("");
    await store.put(id, Readable.from([]), { size: 0 });
    expect(await text(await store.openRead(id))).toBe("");
  });
});
