import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBoardImage, buildBsp, chooseAccel, startBoard } from "@statecast/board";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import type { CliContext } from "../cli/context.js";
import { UsageError } from "../cli/exit-codes.js";
import { exportBundle } from "../workdir/bundle-io.js";
import { findWorkdir } from "../workdir/layout.js";
import { authoring } from "./authoring-errors.js";

/** The agent bundle `npm run build` writes (apps/device-agent/dist). */
const BUILT_AGENT = fileURLToPath(
  new URL("../../../device-agent/dist/statecast-agent.js", import.meta.url),
);

const collect = (value: string, all: string[]) => [...all, value];

interface BuildOpts {
  bundle?: string;
  out: string;
  deviceId: string;
  fleet: string;
  enrollmentCreds: string;
  enrollmentTokenFile?: string;
  orchestratorKey: string;
  trust: string;
  nats?: string;
  natsCa?: string;
  watchdogSeconds?: string;
  factoryCommitDelayMs?: string;
  agentArgs?: string;
  dataMib?: string;
}

async function buildImage(ctx: CliContext, opts: BuildOpts) {
  const scratch = mkdtempSync(join(tmpdir(), "statecast-board-cli-"));
  try {
    let bundle = opts.bundle ? ctx.path(opts.bundle) : join(scratch, "factory.tgz");
    if (!opts.bundle) await exportBundle(await findWorkdir(ctx.io.cwd), bundle);
    if (!existsSync(bundle)) throw new UsageError(`cannot read ${opts.bundle}: no such file`);
    bundle = ctx.path(bundle);
    return await buildBoardImage({
      bundle,
      out: ctx.path(opts.out),
      deviceId: opts.deviceId,
      fleet: opts.fleet,
      enrollmentCreds: await ctx.readText(opts.enrollmentCreds),
      ...(opts.enrollmentTokenFile
        ? { enrollmentToken: (await ctx.readText(opts.enrollmentTokenFile)).trim() }
        : {}),
      orchestratorKeyPem: await ctx.readText(opts.orchestratorKey),
      signerPem: await ctx.readText(opts.trust),
      ...(opts.nats ? { natsUrl: opts.nats } : {}),
      ...(opts.natsCa ? { natsCaPem: await ctx.readText(opts.natsCa) } : {}),
      ...(opts.watchdogSeconds ? { watchdogSeconds: Number(opts.watchdogSeconds) } : {}),
      ...(opts.factoryCommitDelayMs
        ? { factoryCommitDelayMs: Number(opts.factoryCommitDelayMs) }
        : {}),
      ...(opts.agentArgs ? { agentArgs: opts.agentArgs } : {}),
      ...(opts.dataMib ? { dataMiB: Number(opts.dataMib) } : {}),
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `statecast board bsp|build|run`: the QEMU reference board (see libs/board). */
export const registerBoardCommands: CommandGroup = (program, ctx) => {
  const board = program
    .command("board")
    .description("build and run the QEMU x86_64 reference board");

  board
    .command("bsp")
    .description(
      "write a board BSP (Debian kernel, initramfs with busybox + agent, run.json) into DIR",
    )
    .requiredOption("--out <dir>", "the working directory's bsp/ folder")
    .option("--kernel-package <pkg>", "Debian kernel package (apt-get download)")
    .option("--agent <file>", "agent bundle to carry in the initramfs", BUILT_AGENT)
    .option("--cmdline <text>", "extra kernel command line for this BSP")
    .option("--init <kind>", "agent | hang | none (test BSPs)", "agent")
    .action(
      (
        opts: {
          out: string;
          kernelPackage?: string;
          agent: string;
          cmdline?: string;
          init: string;
        },
        command: Command,
      ) =>
        authoring(ctx, async () => {
          if (!["agent", "hang", "none"].includes(opts.init))
            throw new UsageError(`--init ${opts.init}: use agent, hang or none`);
          if (!existsSync(opts.agent))
            throw new UsageError(`no agent bundle at ${opts.agent} (npm run build)`);
          const { release } = await buildBsp(ctx.path(opts.out), {
            agentBundle: ctx.path(opts.agent),
            init: opts.init as "agent",
            ...(opts.kernelPackage ? { kernelPackage: opts.kernelPackage } : {}),
            ...(opts.cmdline ? { cmdline: opts.cmdline } : {}),
          });
          ctx.emit(command, {
            ok: true,
            human: [`wrote ${opts.out}: kernel ${release}`],
            data: { release },
          });
        }),
    );

  board
    .command("build")
    .description(
      "a bootable GPT disk image (ESP + GRUB try-boot, data with runtime + factory revision)",
    )
    .option("--bundle <file>", "factory revision bundle (default: export this working directory)")
    .requiredOption("--out <image>", "raw disk image to write")
    .requiredOption("--device-id <id>", "the board's device id")
    .requiredOption("--fleet <name>", "fleet to enroll in")
    .requiredOption("--enrollment-creds <file>", "the fleet's enrollment .creds")
    .option("--enrollment-token-file <file>", "enrollment token")
    .requiredOption("--orchestrator-key <pem>", "orchestrator target key")
    .requiredOption("--trust <pem>", "trusted state signer")
    .option("--nats <url>", "gateway URL as the guest sees it (default nats://10.0.2.100:4222)")
    .option("--nats-ca <pem>", "the NATS servers' CA: the agent connects over TLS trusting only it")
    .option("--watchdog-seconds <n>", "i6300esb heartbeat (default 90)")
    .option(
      "--factory-commit-delay-ms <n>",
      "TESTING of the factory install on the first boot (default 25000)",
    )
    .option("--agent-args <flags>", "extra agent flags")
    .option("--data-mib <n>", "data partition size (default 1024)")
    .action((opts: BuildOpts, command: Command) =>
      authoring(ctx, async () => {
        const built = await buildImage(ctx, opts);
        ctx.emit(command, {
          ok: true,
          human: [
            `wrote ${opts.out}: ${(built.bytes / 2 ** 20).toFixed(0)} MiB (ESP ${built.espMiB} MiB, data ${built.dataMiB} MiB), factory revision ${built.revision.slice(0, 12)}`,
          ],
          data: built,
        });
      }),
    );

  board
    .command("run <image>")
    .description("boot IMAGE in QEMU (OVMF, i6300esb, serial log, QMP socket) until Ctrl-C")
    .option("--dir <dir>", "run directory (serial.log, qmp.sock, OVMF vars)", ".board-run")
    .option(
      "--forward <guest:host>",
      "guest 10.0.2.100:<guest> → host 127.0.0.1:<host> (repeatable)",
      collect,
      [],
    )
    .option(
      "--accel <accel>",
      "tcg | kvm | auto (KVM only if a probe boot works, else TCG)",
      "auto",
    )
    .action(async (image: string, opts: { dir: string; forward: string[]; accel: string }) => {
      const forwards = opts.forward.map((f) => {
        const [guest, host] = f.split(":").map(Number);
        if (!guest || !host) throw new UsageError(`--forward ${f}: use GUEST_PORT:HOST_PORT`);
        return { guestPort: guest, hostPort: host };
      });
      if (!["tcg", "kvm", "auto"].includes(opts.accel))
        throw new UsageError("--accel: tcg, kvm or auto");
      const accel = await chooseAccel(opts.accel as "auto");
      mkdirSync(ctx.path(opts.dir), { recursive: true });
      const running = await startBoard({
        image: ctx.path(image),
        runDir: ctx.path(opts.dir),
        forwards,
        accel,
      });
      ctx.io.stdout(
        `board running (${accel}): serial ${running.serialLog}, QMP ${join(opts.dir, "qmp.sock")}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        void running.exited.then(() => resolve());
      });
      await running.stop();
    });
};
