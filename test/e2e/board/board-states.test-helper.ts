// Signed board revisions for the e2e tests: a real BSP part (the kernel, initramfs and command-line
// marker of a bsp/ directory) and busybox containers whose rootfs carries busybox itself (a
// board has no host busybox to bind-mount into app containers: DESIGN §8 allows host binds
// to platform parts only).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  copyFileSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { FsObjectStore, type State, signPart, stateDigest, writeBundle } from "@statecast/state";
import type { BusyboxStates } from "../../../apps/launcher/src/demo/busybox-state.js";

export interface BoardPart {
  name: string;
  /** Shell run as the container's init. */
  init: string;
  /** `none` keeps the board's network namespace (the part reaches forwarded host ports). */
  network?: "none" | "empty";
  /** The part's `status_goal` (its group's, STARTED, when unset). */
  statusGoal?: "STARTED" | "READY";
  /** MiB of random bytes in the rootfs (`/payload.bin`): a download that takes a while. */
  payloadMiB?: number;
}

export class BoardStates {
  readonly objects = new Map<string, Buffer>();

  /** Signs with the release key of `busybox` (the key the fleet's trust policy names). */
  constructor(readonly busybox: BusyboxStates) {}

  private put(bytes: Buffer): string {
    const sha = createHash("sha256").update(bytes).digest("hex");
    this.objects.set(sha, bytes);
    return sha;
  }

  private rootTar(init: string, payloadMiB = 0): Buffer {
    const dir = mkdtempSync(join(tmpdir(), "statecast-board-part-"));
    try {
      const root = join(dir, "root");
      for (const sub of ["bin", "proc", "sys", "dev", "tmp", "run", "etc"])
        mkdirSync(join(root, sub), { recursive: true });
      copyFileSync("/bin/busybox", join(root, "bin", "busybox"));
      for (const applet of ["sh", "sleep", "echo", "cat", "ls", "wget", "nc"])
        symlinkSync("busybox", join(root, "bin", applet));
      writeFileSync(join(root, "init.sh"), `#!/bin/sh\n${init}\n`, { mode: 0o755 });
      if (payloadMiB > 0) writeFileSync(join(root, "payload.bin"), randomBytes(payloadMiB << 20));
      const flags = ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner"];
      execFileSync("tar", ["-cf", join(dir, "root.tar"), ...flags, "-C", root, "."]);
      return readFileSync(join(dir, "root.tar"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** A signed state: bsp/ from the files of `bspDir`, one LXC container per part. */
  build(bspDir: string, parts: BoardPart[]): { state: State; digest: string } {
    const state: Record<string, unknown> = {
      "#spec": "pantavisor-service-system@1",
      "bsp/run.json": JSON.parse(readFileSync(join(bspDir, "run.json"), "utf8")),
    };
    for (const f of readdirSync(bspDir))
      if (f !== "run.json") state[`bsp/${f}`] = this.put(readFileSync(join(bspDir, f)));
    for (const part of parts) {
      const conf = [
        "lxc.init.cmd = /bin/sh /init.sh",
        "lxc.mount.auto = proc:mixed sys:mixed",
        "lxc.autodev = 1",
        "lxc.tty.max = 0",
        `lxc.net.0.type = ${part.network ?? "empty"}`,
      ].join("\n");
      state[`${part.name}/lxc.container.conf`] = this.put(Buffer.from(`${conf}\n`));
      state[`${part.name}/root.tar`] = this.put(this.rootTar(part.init, part.payloadMiB));
      state[`${part.name}/run.json`] = {
        "#spec": "service-manifest-run@1",
        config: "lxc.container.conf",
        group: "app",
        name: part.name,
        "root-volume": "root.tar",
        ...(part.statusGoal ? { status_goal: part.statusGoal } : {}),
        storage: {},
        type: "lxc",
        volumes: [],
      };
    }
    const signed = signPart(state as State, {
      part: "bsp",
      privateKey: this.busybox.key.seed,
      include: ["**"],
      exclude: ["_sigs/**"],
    });
    return { state: signed, digest: stateDigest(signed) };
  }

  /** A pvr bundle (.tgz) of `state` with its objects. */
  async bundle(state: State, file: string, scratch: string): Promise<void> {
    const store = new FsObjectStore(scratch);
    mkdirSync(scratch, { recursive: true });
    for (const [sha, body] of this.objects) await store.put(sha, Readable.from([body]));
    await writeBundle(createWriteStream(file), { state, store, gzip: true });
  }
}
