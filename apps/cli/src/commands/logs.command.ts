import type { DeviceLogs } from "@statecast/contract/http";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import type { CliContext } from "../cli/context.js";
import { devicePath } from "../remote/devices-api.js";
import type { RemoteClient } from "../remote/http-client.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";
import { serverEvents } from "../remote/sse.js";

/** `statecast logs DEVICE [PART] [--since] [-f]`: asks the device for its logs. */
export const registerLogsCommand: CommandGroup = (program, ctx) => {
  remoteOption(
    program
      .command("logs")
      .description("a device's agent log, or one part's console output, asked of the device")
      .argument("<device>", "device id")
      .argument("[part]", "a part name (default: the agent's own log)")
      .option("--since <instant>", "only lines from this ISO-8601 instant on")
      .option("-f, --follow", "then print new lines as the device writes them, until Ctrl-C")
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
        const query = { ...(part ? { part } : {}), ...(opts.since ? { since: opts.since } : {}) };
        if (opts.follow) return follow(ctx, command, client, device, query);
        const logs = await client.get<DeviceLogs>(`${devicePath(device)}/logs`, query);
        const lines = logs.text.split("\n");
        if (lines.at(-1) === "") lines.pop();
        ctx.emit(command, { ok: true, human: lines, data: logs });
      }),
  );
};

/**
 * `-f`: one follow (one DeviceLogsRequested event) streamed as Server-Sent Events; text as it
 * comes (`--json`: one `{"text"}` object per line), and why it ended on stderr.
 */
async function follow(
  ctx: CliContext,
  command: Command,
  client: RemoteClient,
  device: string,
  query: Record<string, string>,
): Promise<void> {
  const json = ctx.json(command);
  const response = await client.request("GET", `${devicePath(device)}/logs`, {
    query: { ...query, follow: "true" },
    headers: { accept: "text/event-stream" },
  });
  if (!response.body) return;
  for await (const { event, data } of serverEvents(response.body)) {
    const frame = JSON.parse(data) as { text?: string; reason?: string };
    if (event === "log" && frame.text !== undefined)
      ctx.io.stdout(json ? `${JSON.stringify({ text: frame.text })}\n` : frame.text);
    else if (event === "end") {
      ctx.io.stderr(`statecast: the follow ended (${frame.reason ?? "unknown"})\n`);
      return;
    }
  }
}
