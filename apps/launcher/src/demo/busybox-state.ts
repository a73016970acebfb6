import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Ed25519KeyPair,
  generateEd25519Key,
  type State,
  signPart,
  stateDigest,
  type TrustPolicy,
} from "@statecast/state";

/** The host's static busybox, bind-mounted read-only into every demo container. */
export const HOST_BUSYBOX = "/bin/busybox";

export interface BusyboxPart {
  name: string;
  /** Shell run as the container's init, e.g. `exec /bin/sleep 1000000`. */
  init: string;
  /** Environment of the init (`lxc.environment`): what changes between revisions, not rootfs. */
  env?: Record<string, string>;
}

/**
 * Builds signed Pantavisor states of busybox containers on the fly. The root tarball holds only
 * applet symlinks and `/init.sh` (a few kB), the busybox binary comes from the host through a
 * bind mount, so hundreds of devices can download a revision quickly.
 */
export class BusyboxStates {
  /** Every object of every state built so far, by sha256. */
  readonly objects = new Map<string, Buffer>();

  /** Signs with `key` (a fresh one when omitted). */
  constructor(readonly key: Ed25519KeyPair = generateEd25519Key()) {}
  get trustPolicy(): TrustPolicy {
    return { mode: "strict", trusted: [{ pem: this.key.publicKeyPem, name: "demo-release" }] };
  }

  private put(bytes: Buffer): string {
    const sha = createHash("sha256").update(bytes).digest("hex");
    this.objects.set(sha, bytes);
    return sha;
  }

  /** `ownBusybox`: busybox itself in the rootfs (a board binds no host file into an app). */
  private rootTar(init: string, ownBusybox: boolean): Buffer {
    const dir = mkdtempSync(join(tmpdir(), "statecast-busybox-"));
    try {
      const root = join(dir, "root");
      for (const sub of ["bin", "proc", "sys", "dev", "tmp", "run", "etc"])
        mkdirSync(join(root, sub), { recursive: true });
      if (ownBusybox) copyFileSync(HOST_BUSYBOX, join(root, "bin", "busybox"));
      for (const applet of ["sh", "sleep", "echo", "cat", "ls"])
        symlinkSync("busybox", join(root, "bin", applet));
      writeFileSync(join(root, "init.sh"), `#!/bin/sh\n${init}\n`, { mode: 0o755 });
      const tar = join(dir, "root.tar");
      const reproducible = [
        "--sort=name",
        "--mtime=@0",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
      ];
      execFileSync("tar", ["-cf", tar, ...reproducible, "-C", root, "."]);
      return readFileSync(tar);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * A signed state with one LXC container per part; `label` makes states differ (bsp bytes).
   * `files` adds objects at the given state paths (e.g. a data image in a part). `bsp` is a real
   * BSP (the files of a bsp/ directory, run.json among them) a QEMU board boots; its containers
   * then carry busybox in their rootfs.
   */
  build(
    parts: BusyboxPart[],
    label: string,
    files: Record<string, Buffer> = {},
    bsp?: Record<string, Buffer>,
  ): { state: State; digest: string } {
    let state: State = { "#spec": "pantavisor-service-system@1", ...this.bspKeys(label, bsp) };
    for (const part of parts) {
      const conf = [
        "lxc.init.cmd = /bin/sh /init.sh",
        "lxc.mount.auto = proc:mixed sys:mixed",
        bsp
          ? "lxc.net.0.type = empty"
          : `lxc.mount.entry = ${HOST_BUSYBOX} bin/busybox none bind,ro,create=file 0 0`,
        "lxc.autodev = 1",
        "lxc.tty.max = 0",
        ...Object.entries(part.env ?? {}).map(([k, v]) => `lxc.environment = ${k}=${v}`),
      ].join("\n");
      state[`${part.name}/lxc.container.conf`] = this.put(Buffer.from(`${conf}\n`));
      state[`${part.name}/root.tar`] = this.put(this.rootTar(part.init, bsp !== undefined));
      state[`${part.name}/run.json`] = {
        "#spec": "service-manifest-run@1",
        config: "lxc.container.conf",
        group: "app",
        name: part.name,
        "root-volume": "root.tar",
        storage: {},
        type: "lxc",
        volumes: [],
      };
    }
    for (const [path, bytes] of Object.entries(files)) state[path] = this.put(bytes);
    // Signed as pvr signs: the bsp with `#spec`, each container as its own part, so adding a part
    // (`statecast app add` + `sign --part NAME`) leaves the others' signatures valid.
    state = signPart(state, {
      part: "bsp",
      privateKey: this.key.seed,
      include: ["bsp/**", "#spec"],
      exclude: ["bsp/src.json", "_sigs/bsp.json"],
    });
    for (const part of parts)
      state = signPart(state, { part: part.name, privateKey: this.key.seed });
    return { state, digest: stateDigest(state) };
  }

  /** The bsp/ keys: a real BSP's files, or a stand-in kernel and initrd naming `label`. */
  private bspKeys(label: string, bsp: Record<string, Buffer> | undefined): State {
    if (!bsp)
      return {
        "bsp/run.json": { addons: [], initrd: "pantavisor", linux: "kernel.img" },
        "bsp/kernel.img": this.put(Buffer.from(`demo kernel ${label}`)),
        "bsp/pantavisor": this.put(Buffer.from(`demo initrd ${label}`)),
      };
    const keys: State = {};
    for (const [name, bytes] of Object.entries(bsp))
      keys[`bsp/${name}`] =
        name === "run.json" ? JSON.parse(bytes.toString("utf8")) : this.put(bytes);
    return keys;
  }
}
