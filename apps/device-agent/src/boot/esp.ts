import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, open, readdir, rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { fsyncDir } from "../fs/atomic.js";
import type { RevisionSpec } from "../model/revision.js";

/** A store object to stage: its path and its id, the sha256 of its bytes (checked at fetch). */
export interface BspObject {
  path: string;
  sha256: string;
}

/** A revision's boot files as the bootloader finds them: `<esp>/trails/<rev>/{linux,initrd}`. */
export interface BspFiles {
  linux: BspObject;
  initrd?: BspObject;
  /** Extra GRUB variables for this revision's boot (a GRUB env block), from `bsp/cmdline.env`. */
  "cmdline.env"?: BspObject;
}

const REVISION = /^[0-9a-f]{64}$/;

/**
 * The EFI system partition (FAT) as the agent writes it: each revision's kernel and initrd
 * under `trails/<rev>/`, each file copied to a temp name, fsynced and renamed, so the
 * bootloader never finds a torn kernel. A file already there is kept only when its bytes are
 * the source's: after a power cut FAT can keep a file whose size is right and whose clusters
 * were never written, and staging again must repair it, not trust it.
 */
export class EspTrails {
  constructor(readonly esp: string) {}

  dir(revision: string): string {
    if (!REVISION.test(revision)) throw new Error(`revision id ${revision} is not a sha256`);
    return join(this.esp, "trails", revision);
  }

  /** Copies the BSP files (host paths) into the revision's ESP trail; present files are kept. */
  async stage(revision: string, files: BspFiles): Promise<void> {
    const dir = this.dir(revision);
    await mkdir(dir, { recursive: true });
    for (const [name, source] of Object.entries(files)) {
      if (source === undefined) continue;
      const target = join(dir, name);
      if ((await sha256File(target).catch(() => undefined)) === source.sha256) continue;
      const temp = join(dir, `${name}.tmp`);
      await copyFile(source.path, temp);
      try {
        const handle = await open(temp, "r+");
        await handle.sync().finally(() => handle.close());
        await rename(temp, target);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
    }
    await fsyncDir(dir);
  }

  /** Removes ESP trails of revisions not in `keep` (ESPs are small). */
  async prune(keep: Set<string>): Promise<void> {
    const root = join(this.esp, "trails");
    for (const name of await readdir(root).catch(() => [] as string[])) {
      if (REVISION.test(name) && !keep.has(name))
        await rm(join(root, name), { recursive: true, force: true });
    }
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The kernel and initrd objects a revision's `bsp/run.json` names (paths relative to `bsp/`),
 * as paths of the store's objects; undefined when the state has no kernel to boot.
 */
export function bspFilesOf(
  { state, bsp }: Pick<RevisionSpec, "state" | "bsp">,
  objectPath: (id: string) => string,
): BspFiles | undefined {
  const object = (name: unknown): BspObject | undefined => {
    if (typeof name !== "string" || name === "") return undefined;
    const id = state[`bsp/${name}`];
    return typeof id === "string" ? { path: objectPath(id), sha256: id } : undefined;
  };
  const linux = object(bsp?.linux);
  if (!linux) return undefined;
  const initrd = object(bsp?.initrd);
  const cmdline = object("cmdline.env");
  return { linux, ...(initrd ? { initrd } : {}), ...(cmdline ? { "cmdline.env": cmdline } : {}) };
}
