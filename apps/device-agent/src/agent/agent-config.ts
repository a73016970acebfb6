import type { KeyInput } from "@statecast/contract";
import type { TrustPolicy } from "@statecast/state";
import type { BootBackend } from "../boot/boot-backend.js";
import type { HealthOptions } from "../health/health-monitor.js";
import type { LogSink } from "../log.js";
import type { ContainerRuntime } from "../runtime/runtime.js";

/** What one agent instance needs; built from the validated CLI settings (config.ts). */
export interface AgentConfig {
  deviceId: string;
  storeDir: string;
  runtime: ContainerRuntime;
  /** TESTING duration after every goal is reached (Pantavisor: 25 s). */
  commitDelayMs: number;
  /** Replaces every group's timeout (tests use short ones). */
  groupTimeoutMs?: number;
  orchestratorKeys: KeyInput[];
  trustPolicy: TrustPolicy;
  fetchConcurrency?: number;
  /** Tries per object request before the target is given up as `fetch_failed` (default 20). */
  fetchAttempts?: number;
  /** Bytes that must stay free after a download (trails, overlays, logs); default 16 MiB. */
  reserveBytes?: number;
  /**
   * Stage and mount every part but start none (status goals capped at MOUNTED), e.g. to
   * check a bundle built for another CPU.
   */
  mountOnly?: boolean;
  /**
   * How long TESTING tolerates a lost gateway before it rolls back (`gateway_lost`); a shorter
   * outage only holds the commit until the connection is back. Default 120 s.
   */
  gatewayTimeoutMs?: number;
  /** Board mode (a real bootloader and reboots); absent = the host-process mode. */
  board?: BoardConfig;
  /** A hardware watchdog the agent pets while healthy (board mode). */
  watchdog?: { device: string; intervalMs: number };
  /** `run` (connected): a try boot must reach the gateway before it commits. */
  expectGateway?: boolean;
  /** Fault injection (test builds only): the named point at which the agent SIGKILLs itself. */
  crashAt?: string;
  quiet?: boolean;
  /** The clock maintenance windows are read with (tests shift it; default: the system's). */
  clock?: () => Date;
  /** Where its log lines go (default: one JSON object per line on stderr). */
  logSink?: LogSink;
  /** Health reports after DONE: rate-bound window, poll interval (tests use short ones). */
  health?: HealthOptions;
}

/** How the agent drives a real board. */
export interface BoardConfig {
  /** GRUB's grubenv or U-Boot's env: where pv_rev/pv_try/pv_trying live. */
  boot: BootBackend;
  /** The kernel command line that names the booted revision (`statecast.rev=`). */
  cmdlinePath: string;
  /** Where the bootloader finds `trails/<rev>/{linux,initrd}` (the ESP for GRUB). */
  esp: string;
  /** argv of the reboot (e.g. `reboot -f`); it is expected not to return on a board. */
  reboot: string[];
}
