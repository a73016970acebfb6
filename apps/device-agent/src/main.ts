#!/usr/bin/env node
import { join } from "node:path";
import { Agent } from "./agent/agent.js";
import type { BoardConfig } from "./agent/agent-config.js";
import { GrubBootBackend } from "./boot/grub-env.js";
import { UbootBootBackend } from "./boot/uboot-env.js";
import { type BoardSettings, ConfigError, parseSettings } from "./config.js";
import { surviveResourceErrors } from "./fs/last-resort.js";
import { LxcRuntime } from "./runtime/lxc-runtime.js";
import { SimRuntime } from "./runtime/sim-runtime.js";

async function main(argv: string[]): Promise<number> {
  const settings = parseSettings(argv);
  const runtime =
    settings.runtime === "sim"
      ? new SimRuntime(join(settings.storeDir, "sim"))
      : new LxcRuntime(settings.lxcpath);
  const agent = new Agent({
    deviceId: settings.deviceId,
    storeDir: settings.storeDir,
    runtime,
    commitDelayMs: settings.commitDelayMs,
    ...(settings.groupTimeoutMs !== undefined ? { groupTimeoutMs: settings.groupTimeoutMs } : {}),
    gatewayTimeoutMs: settings.gatewayTimeoutMs,
    orchestratorKeys: settings.orchestratorKeys,
    trustPolicy: settings.trustPolicy,
    mountOnly: settings.mountOnly,
    ...(settings.crashAt ? { crashAt: settings.crashAt } : {}),
    quiet: settings.quiet,
    ...(settings.board ? { board: boardConfig(settings.board) } : {}),
    ...(settings.watchdog ? { watchdog: settings.watchdog } : {}),
    expectGateway: settings.command === "run",
  });
  // A resource error no caller awaited (EMFILE, ENOSPC…) is logged and survived, not fatal.
  surviveResourceErrors({ log: agent.log });
  await agent.start();
  if (settings.command === "install") {
    await agent.settleInterruptedApply();
    // Loaded only for `install`: the bundle reader (tar, gzip) stays out of an idle `run`.
    const { installBundle } = await import("./install/install-bundle.js");
    const report = await installBundle(agent, settings.bundle!, settings.revision);
    await agent.stop();
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report.status === "DONE" || report.status === "UPDATED" ? 0 : 1;
  }
  const { runConnected } = await import("./nats/connected-agent.js");
  return runConnected(agent, settings);
}

function boardConfig(board: BoardSettings): BoardConfig {
  return {
    boot:
      board.boot === "grub"
        ? new GrubBootBackend(board.grubenv)
        : new UbootBootBackend(board.fwEnvConfig),
    cmdlinePath: board.cmdline,
    esp: board.esp,
    reboot: board.reboot,
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A refused enrollment is an operator's decision, not a crash: say why and stop (exit 3).
    if ((error as Error).name === "EnrollmentRefused") {
      process.stderr.write(`statecast-agent: ${(error as Error).message}\n`);
      process.exit(3);
    }
    const message =
      error instanceof ConfigError
        ? error.message
        : `statecast-agent: ${(error as Error).stack ?? error}`;
    process.stderr.write(`${message}\n`);
    process.exit(2);
  },
);
