import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEVICE_ID_RULE, isDeviceId, METRICS_INTERVAL_MS } from "@statecast/contract";
import type { TrustPolicy } from "@statecast/state";
import { CRASH_POINTS, FAULTS_ENABLED } from "./faults/crash-point.js";

/** The agent's one typed config, from the command line (and `STATECAST_AGENT_*` env), validated at start. */
export interface AgentSettings {
  command: "install" | "run";
  bundle?: string;
  deviceId: string;
  storeDir: string;
  lxcpath: string;
  runtime: "lxc" | "sim";
  commitDelayMs: number;
  groupTimeoutMs?: number;
  /** How long TESTING tolerates a lost gateway before rolling back. */
  gatewayTimeoutMs: number;
  trustPolicy: TrustPolicy;
  orchestratorKeys: string[];
  revision?: string;
  mountOnly: boolean;
  crashAt?: string;
  natsUrl?: string;
  /** PEM of the deployment's NATS CA (`--nats-ca`): TLS required, only this CA trusted. */
  natsCa?: string;
  jsApiPrefix?: string;
  /** The `slow download` fault: object bytes per second (0 = unlimited). */
  downloadBytesPerSecond: number;
  /** Between two metrics messages (0: none; below 5000 counts as 5000). */
  metricsIntervalMs: number;
  credsFile?: string;
  /** Enrollment through the hello protocol when `credsFile` does not exist yet. */
  enrollment?: EnrollmentSettings;
  quiet: boolean;
  /** Board mode (`--boot grub|uboot`); absent in the host-process mode (`--boot file`). */
  board?: BoardSettings;
  /** Hardware watchdog device to pet while healthy. */
  watchdog?: { device: string; intervalMs: number };
}

export interface BoardSettings {
  boot: "grub" | "uboot";
  /** The EFI system partition (or U-Boot boot partition) holding `trails/<rev>/`. */
  esp: string;
  /** GRUB: the environment block (default `<esp>/grubenv`). */
  grubenv: string;
  /** U-Boot: libubootenv's config (default /etc/fw_env.config). */
  fwEnvConfig: string;
  /** Kernel command line naming the booted revision (default /proc/cmdline). */
  cmdline: string;
  /** argv of the reboot command (default `reboot -f`). */
  reboot: string[];
}

export interface EnrollmentSettings {
  fleet: string;
  /** `.creds` text of the fleet's enrollment user. */
  enrollmentCreds: string;
  enrollmentToken?: string;
  /** The device's own nkey seed, created on first enrollment. */
  identityFile: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const USAGE = `usage:
  statecast-agent install BUNDLE.tgz [options]   apply a pvr bundle with no server
  statecast-agent run [options]                  follow the device's target over NATS
options:
  --store DIR              local store (default /var/lib/statecast)
  --lxcpath DIR            lxcpath of this agent (default <store>/lxc)
  --device-id ID           this device's id (required for run)
  --runtime lxc|sim        container runtime (default lxc)
  --trust PEM_FILE         trusted state signer (repeatable)
  --trust-mode strict|lenient  (default strict)
  --orchestrator-key PEM   orchestrator target key (repeatable, run)
  --commit-delay-ms N      TESTING duration (default 25000)
  --group-timeout-ms N     override every group's timeout
  --gateway-timeout-ms N   TESTING rolls back after the gateway is lost this long (default 120000)
  --revision REF           revision name for an installed bundle
  --mount-only             stage and mount parts, start none
  --nats URL[,URL…] --creds FILE  gateway connection (run; every node of a cluster)
  --nats-ca PEM_FILE       the deployment's NATS CA: TLS, trusting only it (tls:// URLs need it)
  --js-api-prefix P        JetStream API prefix of the device account
  --metrics-interval-ms N  metrics every N ms (default 60000, at least 5000; 0: none)
  --fault-download-bps N   fault injection: throttle object downloads
board mode (a real bootloader; see README "Board mode"):
  --boot grub|uboot|file   where pv_rev/pv_try/pv_trying live (default file: host-process mode)
  --esp DIR                boot partition with trails/<rev>/{linux,initrd} (default /boot/efi)
  --grubenv FILE           GRUB environment block (default <esp>/grubenv)
  --fw-env-config FILE     U-Boot env config for fw_printenv/fw_setenv (default /etc/fw_env.config)
  --cmdline FILE           kernel command line with statecast.rev= (default /proc/cmdline)
  --reboot-command "CMD"   how the board reboots (default "reboot -f")
  --watchdog DEV           hardware watchdog to pet while healthy (e.g. /dev/watchdog)
  --watchdog-interval-ms N pet interval (default 5000)`;

function integer(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ConfigError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

function pemFiles(option: string, files: string[]): string[] {
  return files.map((file) => {
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(`--${option} ${file}: ${(error as Error).message}`);
    }
  });
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        store: { type: "string" },
        lxcpath: { type: "string" },
        "device-id": { type: "string" },
        runtime: { type: "string" },
        trust: { type: "string", multiple: true },
        "trust-mode": { type: "string" },
        "orchestrator-key": { type: "string", multiple: true },
        "commit-delay-ms": { type: "string" },
        "group-timeout-ms": { type: "string" },
        "gateway-timeout-ms": { type: "string" },
        revision: { type: "string" },
        "mount-only": { type: "boolean" },
        "crash-at": { type: "string" },
        nats: { type: "string" },
        "nats-ca": { type: "string" },
        creds: { type: "string" },
        "enrollment-creds": { type: "string" },
        "enrollment-token-file": { type: "string" },
        fleet: { type: "string" },
        "fault-download-bps": { type: "string" },
        "metrics-interval-ms": { type: "string" },
        "js-api-prefix": { type: "string" },
        quiet: { type: "boolean" },
        boot: { type: "string" },
        esp: { type: "string" },
        grubenv: { type: "string" },
        "fw-env-config": { type: "string" },
        cmdline: { type: "string" },
        "reboot-command": { type: "string" },
        watchdog: { type: "string" },
        "watchdog-interval-ms": { type: "string" },
      },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${USAGE}`);
  }
}

function enrollmentSettings(
  values: ReturnType<typeof parseCommandLine>["values"],
  env: NodeJS.ProcessEnv,
  storeDir: string,
): EnrollmentSettings | undefined {
  const credsFile = values["enrollment-creds"];
  if (!credsFile) {
    if (values.fleet || values["enrollment-token-file"])
      throw new ConfigError("--fleet and --enrollment-token-file need --enrollment-creds FILE");
    return undefined;
  }
  const fleet = values.fleet ?? "";
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(fleet))
    throw new ConfigError(
      `--fleet ${JSON.stringify(fleet)} is not a fleet name (needed to enroll)`,
    );
  const [enrollmentCreds] = pemFiles("enrollment-creds", [credsFile]);
  const tokenFile = values["enrollment-token-file"];
  const token = (
    tokenFile ? pemFiles("enrollment-token-file", [tokenFile])[0] : env.STATECAST_ENROLLMENT_TOKEN
  )?.trim();
  return {
    fleet,
    enrollmentCreds: enrollmentCreds!,
    ...(token ? { enrollmentToken: token } : {}),
    identityFile: join(storeDir, "device.nk"),
  };
}

/** The pinned CA: a PEM CA certificate; `tls://` servers are only reached with one. */
function natsCaSettings(urls: string | undefined, file: string | undefined): string | undefined {
  if (file === undefined) {
    if (urls?.split(",").some((url) => url.trim().startsWith("tls://")))
      throw new ConfigError("a tls:// --nats URL needs --nats-ca PEM_FILE (the CA the agent pins)");
    return undefined;
  }
  const [pem] = pemFiles("nats-ca", [file]);
  let isCa = false;
  try {
    isCa = new X509Certificate(pem!).ca;
  } catch {
    throw new ConfigError(`--nats-ca ${file}: not a PEM certificate`);
  }
  if (!isCa) throw new ConfigError(`--nats-ca ${file}: the certificate is not a CA`);
  return pem;
}

function watchdogInterval(value: string | undefined): number {
  const ms = integer("watchdog-interval-ms", value, 5000)!;
  if (ms < 100) throw new ConfigError(`--watchdog-interval-ms must be at least 100, got ${ms}`);
  return ms;
}

function boardSettings(
  values: ReturnType<typeof parseCommandLine>["values"],
  env: NodeJS.ProcessEnv,
): BoardSettings | undefined {
  const boot = values.boot ?? env.STATECAST_AGENT_BOOT ?? "file";
  if (boot !== "grub" && boot !== "uboot" && boot !== "file")
    throw new ConfigError(`--boot must be grub, uboot or file, got ${JSON.stringify(boot)}`);
  if (boot === "file") {
    for (const flag of ["esp", "grubenv", "fw-env-config", "cmdline", "reboot-command"] as const)
      if (values[flag] !== undefined) throw new ConfigError(`--${flag} needs --boot grub|uboot`);
    return undefined;
  }
  const esp = values.esp ?? env.STATECAST_AGENT_ESP ?? "/boot/efi";
  const reboot = (values["reboot-command"] ?? "reboot -f").trim().split(/\s+/);
  if (reboot[0] === "") throw new ConfigError("--reboot-command is empty");
  return {
    boot,
    esp,
    grubenv: values.grubenv ?? join(esp, "grubenv"),
    fwEnvConfig: values["fw-env-config"] ?? "/etc/fw_env.config",
    cmdline: values.cmdline ?? env.STATECAST_AGENT_CMDLINE ?? "/proc/cmdline",
    reboot,
  };
}

export function parseSettings(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentSettings {
  const { values, positionals } = parseCommandLine(argv);
  const [command, bundle] = positionals;
  if (command !== "install" && command !== "run")
    throw new ConfigError(`unknown command ${JSON.stringify(command ?? "")}\n${USAGE}`);
  if (command === "install" && !bundle) throw new ConfigError("install needs a BUNDLE.tgz path");
  const storeDir = values.store ?? env.STATECAST_AGENT_STORE ?? "/var/lib/statecast";
  const runtime = values.runtime ?? "lxc";
  if (runtime !== "lxc" && runtime !== "sim")
    throw new ConfigError(`--runtime must be lxc or sim, got ${runtime}`);
  const mode = values["trust-mode"] ?? "strict";
  if (mode !== "strict" && mode !== "lenient")
    throw new ConfigError(`--trust-mode must be strict or lenient, got ${mode}`);
  const trusted = pemFiles("trust", values.trust ?? []).map((pem, i) => ({
    pem,
    name: values.trust?.[i] ?? "",
  }));
  if (trusted.length === 0)
    throw new ConfigError(
      "at least one --trust PEM_FILE is required (nothing unsigned is applied)",
    );
  const deviceId =
    values["device-id"] ?? env.STATECAST_DEVICE_ID ?? (command === "install" ? "offline" : "");
  if (!isDeviceId(deviceId))
    throw new ConfigError(
      `--device-id ${JSON.stringify(deviceId)} is not a valid device id (${DEVICE_ID_RULE})`,
    );
  const orchestratorKeys = pemFiles("orchestrator-key", values["orchestrator-key"] ?? []);
  if (command === "run" && (!values.nats || orchestratorKeys.length === 0)) {
    throw new ConfigError("run needs --nats URL and at least one --orchestrator-key PEM");
  }
  const natsCa = natsCaSettings(values.nats, values["nats-ca"] ?? env.STATECAST_AGENT_NATS_CA);
  const enrollment = enrollmentSettings(values, env, storeDir);
  const board = boardSettings(values, env);
  if (values["watchdog-interval-ms"] !== undefined && !values.watchdog)
    throw new ConfigError("--watchdog-interval-ms needs --watchdog DEV");
  const crashAt = values["crash-at"];
  if (crashAt !== undefined && !FAULTS_ENABLED)
    throw new ConfigError("--crash-at exists only in the test build of the agent");
  if (crashAt !== undefined && !(CRASH_POINTS as readonly string[]).includes(crashAt))
    throw new ConfigError(`--crash-at must be one of ${CRASH_POINTS.join(", ")}`);
  return {
    command,
    ...(bundle ? { bundle } : {}),
    deviceId,
    storeDir,
    lxcpath: values.lxcpath ?? join(storeDir, "lxc"),
    runtime,
    commitDelayMs: integer("commit-delay-ms", values["commit-delay-ms"], 25_000)!,
    ...(values["group-timeout-ms"]
      ? { groupTimeoutMs: integer("group-timeout-ms", values["group-timeout-ms"]) }
      : {}),
    gatewayTimeoutMs: integer("gateway-timeout-ms", values["gateway-timeout-ms"], 120_000)!,
    trustPolicy: { mode, trusted },
    orchestratorKeys,
    ...(values.revision ? { revision: values.revision } : {}),
    mountOnly: values["mount-only"] ?? false,
    ...(crashAt ? { crashAt } : {}),
    ...(values.nats ? { natsUrl: values.nats } : {}),
    ...(natsCa ? { natsCa } : {}),
    ...(values.creds || enrollment
      ? { credsFile: values.creds ?? join(storeDir, "device.creds") }
      : {}),
    ...(enrollment ? { enrollment } : {}),
    ...(values["js-api-prefix"] ? { jsApiPrefix: values["js-api-prefix"] } : {}),
    downloadBytesPerSecond: integer("fault-download-bps", values["fault-download-bps"], 0)!,
    metricsIntervalMs: integer(
      "metrics-interval-ms",
      values["metrics-interval-ms"],
      METRICS_INTERVAL_MS,
    )!,
    quiet: values.quiet ?? false,
    ...(board ? { board } : {}),
    ...(values.watchdog
      ? {
          watchdog: {
            device: values.watchdog,
            intervalMs: watchdogInterval(values["watchdog-interval-ms"]),
          },
        }
      : {}),
  };
}
