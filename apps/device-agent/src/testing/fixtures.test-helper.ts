import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  generateEd25519Key,
  type JsonValue,
  type State,
  signPart,
  stateDigest,
  type TrustPolicy,
} from "@statecast/state";

const SIGNAL_SRC = fileURLToPath(new URL("./sc-signal.c", import.meta.url));
const CACHE = "/tmp/statecast-agent-fixtures";

/** A static binary the test containers use to POST /signal {"type":"ready"}. */
export function signalBinary(): string {
  const out = join(CACHE, "sc-signal");
  if (!existsSync(out)) {
    mkdirSync(CACHE, { recursive: true });
    execFileSync("gcc", ["-static", "-Os", "-o", `${out}.tmp`, SIGNAL_SRC]);
    execFileSync("mv", [`${out}.tmp`, out]);
  }
  return out;
}

/** A busybox-static root filesystem whose /init.sh is `init`. */
export function busyboxRootfs(dir: string, init: string): string {
  for (const sub of ["bin", "proc", "sys", "dev", "tmp", "run", "etc"])
    mkdirSync(join(dir, sub), { recursive: true });
  copyFileSync("/bin/busybox", join(dir, "bin/busybox"));
  chmodSync(join(dir, "bin/busybox"), 0o755);
  for (const applet of ["sh", "sleep", "echo", "cat", "ls", "wc"])
    symlinkSync("busybox", join(dir, "bin", applet));
  copyFileSync(signalBinary(), join(dir, "bin/sc-signal"));
  chmodSync(join(dir, "bin/sc-signal"), 0o755);
  writeFileSync(join(dir, "init.sh"), `#!/bin/sh\n${init}\n`, { mode: 0o755 });
  return dir;
}

export const INIT = {
  started: "exec /bin/sleep 1000000",
  ready: "/bin/sc-signal || exit 3\nexec /bin/sleep 1000000",
  neverReady: "exec /bin/sleep 1000000",
  exitAfter: (seconds: number) => `/bin/sc-signal\n/bin/sleep ${seconds}\nexit 1`,
};

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export interface PartFixture {
  name: string;
  group: string;
  init: string;
  rootKind?: "tar" | "squashfs";
  statusGoal?: "MOUNTED" | "STARTED" | "READY";
  restartPolicy?: "system" | "container";
  /** More run.json keys (auto_recovery, storage, ...). */
  run?: Record<string, unknown>;
  /** More lines of the part's lxc.container.conf. */
  lxc?: string[];
  /** `_config/<part>/<path>` files: path → content. */
  config?: Record<string, string>;
  /** `_config/<part>/<path>.json` keys holding inline JSON (as pvr writes them): path → value. */
  configJson?: Record<string, JsonValue>;
}

/** Builds states and their objects in a work directory, signed with one Ed25519 key. */
export class StateBuilder {
  readonly key = generateEd25519Key();
  readonly objectsDir: string;
  readonly trustPolicy: TrustPolicy;

  constructor(readonly workDir: string) {
    this.objectsDir = join(workDir, "objects");
    mkdirSync(this.objectsDir, { recursive: true });
    this.trustPolicy = { mode: "strict", trusted: [{ pem: this.key.publicKeyPem, name: "test" }] };
  }

  putObject(bytes: Buffer): string {
    const id = sha256(bytes);
    writeFileSync(join(this.objectsDir, id), bytes);
    return id;
  }

  private rootVolume(part: PartFixture): string {
    const id = sha256(Buffer.from(`${part.name}\n${part.init}\n${part.rootKind ?? "tar"}`)).slice(
      0,
      16,
    );
    const cached = join(CACHE, `${id}.${part.rootKind ?? "tar"}`);
    if (!existsSync(cached)) {
      const dir = busyboxRootfs(join(this.workDir, `rootfs-${id}`), part.init);
      if (part.rootKind === "squashfs") {
        execFileSync("mksquashfs", [dir, `${cached}.tmp`, "-noappend", "-quiet", "-all-root"]);
      } else execFileSync("tar", ["-cf", `${cached}.tmp`, "-C", dir, "."]);
      execFileSync("mv", [`${cached}.tmp`, cached]);
    }
    return this.putObject(readFileSync(cached));
  }

  /** A signed state with one `<part>` per fixture; bsp marks the system part of the state. */
  build(parts: PartFixture[], bsp = "bsp-1"): { state: State; digest: string } {
    let state: State = {
      "#spec": "pantavisor-service-system@1",
      "bsp/run.json": { addons: [], initrd: "pantavisor", linux: "kernel.img" },
      "bsp/kernel.img": this.putObject(Buffer.from(`kernel ${bsp}`)),
      "bsp/pantavisor": this.putObject(Buffer.from(`initrd ${bsp}`)),
    };
    for (const part of parts) {
      const root = part.rootKind === "squashfs" ? "root.squashfs" : "root.tar";
      const conf = [
        "lxc.init.cmd = /bin/sh /init.sh",
        "lxc.mount.auto = proc:mixed sys:mixed",
        "lxc.autodev = 1",
        "lxc.tty.max = 0",
        ...(part.lxc ?? []),
      ].join("\n");
      for (const [path, content] of Object.entries(part.config ?? {})) {
        state[`_config/${part.name}/${path}`] = this.putObject(Buffer.from(content));
      }
      for (const [path, value] of Object.entries(part.configJson ?? {})) {
        state[`_config/${part.name}/${path}`] = value;
      }
      state[`${part.name}/lxc.container.conf`] = this.putObject(Buffer.from(`${conf}\n`));
      state[`${part.name}/${root}`] = this.rootVolume(part);
      state[`${part.name}/run.json`] = {
        "#spec": "service-manifest-run@1",
        config: "lxc.container.conf",
        group: part.group,
        name: part.name,
        "root-volume": root,
        ...(part.statusGoal ? { status_goal: part.statusGoal } : {}),
        ...(part.restartPolicy ? { restart_policy: part.restartPolicy } : {}),
        storage: {},
        type: "lxc",
        volumes: [],
        ...part.run,
      };
    }
    state = signPart(state, {
      part: "bsp",
      privateKey: this.key.seed,
      include: ["**"],
      exclude: ["_sigs/**"],
    });
    return { state, digest: stateDigest(state) };
  }
}
