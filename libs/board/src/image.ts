// `statecast board build`: a signed state revision (bundle) + enrollment → a raw GPT disk image
// (ESP with GRUB + grubenv + trails/<rev>/, ext4 data with runtime, config, factory bundle).
import {
  closeSync,
  copyFileSync,
  cpSync,
  createReadStream,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEVICE_JS_API_PREFIX } from "@statecast/nats-auth";
import { FsObjectStore, isJsonObject, readBundle, stateDigest } from "@statecast/state";
import { writeExt4 } from "./ext4.js";
import { type FatFile, writeFat } from "./fat.js";
import { GPT_TYPES, gptLayout, SECTOR } from "./gpt.js";
import { grubEfi, grubEnvFile } from "./grub.js";
import { GUEST_NET } from "./guest-init.js";
import { ESP_OFFSET } from "./image-files.js";
import { BoardToolError } from "./run-tool.js";
import { boardRuntime } from "./runtime.js";

const MiB = 1024 * 1024;

export interface BoardImageOptions {
  bundle: string;
  out: string;
  deviceId: string;
  fleet: string;
  /** `.creds` text of the fleet's enrollment user. */
  enrollmentCreds: string;
  enrollmentToken?: string;
  /** PEM of the orchestrator's target key and of the trusted state signer(s). */
  orchestratorKeyPem: string;
  signerPem: string;
  /** NATS URL as the guest sees it (default: the forwarded nats://10.0.2.100:4222). */
  natsUrl?: string;
  /** PEM of the deployment's NATS CA: the agent connects over TLS trusting only it (`--nats-ca`). */
  natsCaPem?: string;
  watchdogSeconds?: number;
  /** TESTING of the factory install on the first boot (board.env SC_FACTORY_COMMIT_DELAY_MS, default 25 s). */
  factoryCommitDelayMs?: number;
  /** JetStream API prefix of the device account (default the generated auth's). */
  jsApiPrefix?: string;
  /** Extra agent flags (board.env SC_AGENT_ARGS), e.g. a shorter commit delay in tests. */
  agentArgs?: string;
  espMiB?: number;
  dataMiB?: number;
}

export interface BuiltImage {
  image: string;
  revision: string;
  bytes: number;
  espMiB: number;
  dataMiB: number;
}

/** The BSP objects named by the state's bsp/run.json. */
function bspObjects(state: Record<string, unknown>): {
  linux: string;
  initrd: string;
  cmdline?: string;
} {
  const run = state["bsp/run.json"];
  if (!isJsonObject(run as never)) throw new BoardToolError("the revision has no bsp/run.json");
  const r = run as Record<string, unknown>;
  const sha = (name: unknown, what: string): string => {
    const v = typeof name === "string" ? state[`bsp/${name}`] : undefined;
    if (typeof v !== "string")
      throw new BoardToolError(`bsp/run.json names no ${what} object (${String(name)})`);
    return v;
  };
  const cmdline = state["bsp/cmdline.env"];
  return {
    linux: sha(r.linux, "linux"),
    initrd: sha(r.initrd, "initrd"),
    ...(typeof cmdline === "string" ? { cmdline } : {}),
  };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function buildBoardImage(o: BoardImageOptions): Promise<BuiltImage> {
  const espMiB = o.espMiB ?? 128;
  const dataMiB = o.dataMiB ?? 1024;
  const work = mkdtempSync(join(tmpdir(), "statecast-board-"));
  try {
    const objects = new FsObjectStore(join(work, "objects"));
    mkdirSync(objects.dir, { recursive: true });
    const content = await readBundle(createReadStream(o.bundle), { targetStore: objects });
    if (content.missing.length > 0)
      throw new BoardToolError(`the bundle misses objects: ${content.missing.join(", ")}`);
    const revision = stateDigest(content.state);
    const bsp = bspObjects(content.state as Record<string, unknown>);
    const grubenv = join(work, "grubenv");
    await grubEnvFile(grubenv, { pv_rev: revision });
    const trail = `trails/${revision}`;
    const esp: FatFile[] = [
      { src: await grubEfi(), dest: "EFI/BOOT/BOOTX64.EFI" },
      { src: grubenv, dest: "grubenv" },
      { src: objects.pathOf(bsp.linux), dest: `${trail}/linux` },
      { src: objects.pathOf(bsp.initrd), dest: `${trail}/initrd` },
      ...(bsp.cmdline ? [{ src: objects.pathOf(bsp.cmdline), dest: `${trail}/cmdline.env` }] : []),
    ];
    const data = join(work, "data");
    cpSync(await boardRuntime(), join(data, "runtime"), { recursive: true });
    for (const d of ["config", "factory", "store"]) mkdirSync(join(data, d), { recursive: true });
    const env = {
      SC_DEVICE_ID: o.deviceId,
      SC_FLEET: o.fleet,
      SC_NATS_URL: o.natsUrl ?? `nats://${GUEST_NET.forwards}:4222`,
      SC_WATCHDOG_S: String(o.watchdogSeconds ?? 90),
      SC_FACTORY_COMMIT_DELAY_MS: String(o.factoryCommitDelayMs ?? 25_000),
      SC_JS_API_PREFIX: o.jsApiPrefix ?? DEVICE_JS_API_PREFIX,
      SC_AGENT_ARGS: o.agentArgs ?? "",
    };
    writeFileSync(
      join(data, "config", "board.env"),
      Object.entries(env)
        .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
        .join(""),
    );
    writeFileSync(join(data, "config", "enrollment.creds"), o.enrollmentCreds, { mode: 0o600 });
    if (o.enrollmentToken)
      writeFileSync(join(data, "config", "enrollment.token"), o.enrollmentToken, { mode: 0o600 });
    writeFileSync(join(data, "config", "orchestrator.pem"), o.orchestratorKeyPem);
    if (o.natsCaPem) writeFileSync(join(data, "config", "nats-ca.pem"), o.natsCaPem);
    writeFileSync(join(data, "config", "signer.pem"), o.signerPem);
    copyFileSync(o.bundle, join(data, "factory", "bundle.tgz"));
    writeFileSync(join(data, "factory", "revision"), `${revision}\n`);

    const espStart = ESP_OFFSET;
    const dataStart = espStart + espMiB * MiB;
    const total = dataStart + dataMiB * MiB + MiB;
    rmSync(o.out, { force: true });
    const fd = openSync(o.out, "w");
    try {
      ftruncateSync(fd, total);
      const parts = [
        {
          name: "statecast-esp",
          type: GPT_TYPES.esp,
          firstLba: espStart / SECTOR,
          lastLba: dataStart / SECTOR - 1,
        },
        {
          name: "statecast-data",
          type: GPT_TYPES.linux,
          firstLba: dataStart / SECTOR,
          lastLba: (dataStart + dataMiB * MiB) / SECTOR - 1,
        },
      ];
      for (const [offset, bytes] of gptLayout(total / SECTOR, parts))
        writeSync(fd, bytes, 0, bytes.length, offset);
    } finally {
      closeSync(fd);
    }
    await writeFat(o.out, espStart, espMiB * MiB, "SCESP", esp);
    await writeExt4(o.out, dataStart, dataMiB * MiB, "statecast-data", data);
    return { image: o.out, revision, bytes: total, espMiB, dataMiB };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
