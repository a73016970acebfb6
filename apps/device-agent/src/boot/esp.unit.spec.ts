import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BspFiles, EspTrails } from "./esp.js";

const REV = "c".repeat(64);

describe("EspTrails.stage", () => {
  let dir: string;
  let esp: string;
  let files: BspFiles;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-esp-");
    esp = join(dir, "esp");
    const objects = join(dir, "objects");
    mkdirSync(objects);
    const object = (name: string, bytes: string) => {
      const path = join(objects, name);
      writeFileSync(path, bytes);
      return { path, sha256: createHash("sha256").update(bytes).digest("hex") };
    };
    files = {
      linux: object("linux", "kernel v3"),
      initrd: object("initrd", "initrd v3"),
      "cmdline.env": object("cmdline", "statecast.marker=v3\n"),
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const staged = (name: string) => readFileSync(join(esp, "trails", REV, name), "utf8");

  it("copies each boot file under trails/<rev>/", async () => {
    await new EspTrails(esp).stage(REV, files);
    expect([staged("linux"), staged("initrd"), staged("cmdline.env")]).toEqual([
      "kernel v3",
      "initrd v3",
      "statecast.marker=v3\n",
    ]);
  });

  it("repairs a file a power cut left with the right size and the wrong bytes", async () => {
    const trail = join(esp, "trails", REV);
    mkdirSync(trail, { recursive: true });
    // As FAT can leave it: the directory entry's size written, the clusters not.
    writeFileSync(join(trail, "cmdline.env"), Buffer.alloc("statecast.marker=v3\n".length));
    writeFileSync(join(trail, "linux"), "kernel v3");
    writeFileSync(join(trail, "initrd.tmp"), "init");
    await new EspTrails(esp).stage(REV, files);
    expect(staged("cmdline.env")).toBe("statecast.marker=v3\n");
    expect(staged("linux")).toBe("kernel v3");
    expect(staged("initrd")).toBe("initrd v3");
  });
});
