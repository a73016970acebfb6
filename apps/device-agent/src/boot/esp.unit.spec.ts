import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EspTrails } from "./esp.js";

const REV = "c".repeat(64);

describe("EspTrails.stage", () => {
  let dir: string;
  let esp: string;
  let files: { linux: string; initrd: string; "cmdline.env": string };
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-esp-");
    esp = join(dir, "esp");
    const objects = join(dir, "objects");
    mkdirSync(objects);
    files = {
      linux: join(objects, "linux"),
      initrd: join(objects, "initrd"),
      "cmdline.env": join(objects, "cmdline"),
    };
    writeFileSync(files.linux, "kernel v3");
    writeFileSync(files.initrd, "initrd v3");
    writeFileSync(files["cmdline.env"], "statecast.marker=v3\n");
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
