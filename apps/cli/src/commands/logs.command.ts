import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { devicePath } from "../remote/devices-api.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";

interface DeviceLogs {
  deviceId: string;
  part: string;
  requestId: string;
  text: string;
}

/** Between two asks of `logs -f` (each ask is a DeviceLogsRequested event). */
const FOLLOW_EVERY_MS = 5_000;

/** `statecast logs DEVICE [PART] [--since] [-f]`: asks the device for its logs. */
export const registerLogsCommand: CommandGroup = (program, ctx) => {
  remoteOption(
    program
      .command("logs")
      .description("a device's agent log, or one part's console output, asked of the device")
      .argument("<device>", "device id")
      .argument("[part]", "a part name (default: the agent's own log)")
      .option("--since <instant>", "only lines from this ISO-8601 instant on")
      .option("-f, --follow", "ask again every 5 s for what came since (each ask is recorded)")
      .addHelpText(
        "after",
        "\nExamples:\n  $ statecast logs dev-42 app --since 2026-01-01T00:00:00Z\n  $ statecast logs dev-42 -f\n",
      ),
  ).action(
    (
      device: string,
      part: string | undefined,
      opts: { since?: string; follow?: boolean; remote?: string },
      command: Command,
    ) =>
      remoteCommand(ctx, async () => {
        const client = await connect(ctx, { remote: opts.remote });
        let since = opts.since;
        for (;;) {
          const asked = new Date().toISOString();
          const logs = await client.get<DeviceLogs>(`${devicePath(device)}/logs`, {
            ...(part ? { part } : {}),
            ...(since ? { since } : {}),
          });
          const lines = logs.text.split("\n");
          if (lines.at(-1) === "") lines.pop();
          ctx.emit(command, { ok: true, human: lines, data: logs });
          if (!opts.follow) return;
          since = asked;
          await sleep(FOLLOW_EVERY_MS);
        }
      }),
  );
};
