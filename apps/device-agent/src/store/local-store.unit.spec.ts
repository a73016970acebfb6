import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalStore } from "./local-store.js";

describe("local store: a trail", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-store-");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const object = (store: LocalStore, body: string) => {
    const id = createHash("sha256").update(body).digest("hex");
    writeFileSync(store.objectPath(id), body);
    return id;
  };

  it("links each object under files/, writes trail.json, and can be written again", async () => {
    const store = new LocalStore(join(dir, "store"));
    await store.init();
    const [a, b, c] = ["root", "conf", "kernel"].map((body) => object(store, body));
    const state = { "app/root.tar": a, "app/lxc.container.conf": b, "bsp/kernel.img": c };
    const record = { id: "f".repeat(64), ref: "fleet#1", seq: 1, state };
    await store.writeTrail(record);
    const files = join(store.trailDir(record.id), "files");
    expect(readFileSync(join(files, "app/root.tar"), "utf8")).toBe("root");
    expect(statSync(join(files, "bsp/kernel.img")).ino).toBe(statSync(store.objectPath(c!)).ino);
    expect(await store.readTrail(record.id)).toEqual(record);
    // Written again (an install of the same revision) with a key now naming another object.
    const d = object(store, "root v2");
    await store.writeTrail({ ...record, seq: 2, state: { ...state, "app/root.tar": d } });
    expect(readFileSync(join(files, "app/root.tar"), "utf8")).toBe("root v2");
    expect((await store.readTrail(record.id))?.seq).toBe(2);
  });

  it("refuses a key that climbs out of the trail", async () => {
    const store = new LocalStore(join(dir, "store"));
    await store.init();
    const a = object(store, "x");
    await expect(
      store.writeTrail({ id: "e".repeat(64), ref: "fleet#1", seq: 1, state: { "../x": a } }),
    ).rejects.toThrow(/not a safe relative path/);
  });
});
