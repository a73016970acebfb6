import type { DevicePage } from "@statecast/contract/http";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import type { CliContext } from "../cli/context.js";
import { type DeviceView, devicePath, retagDevice } from "../remote/devices-api.js";
import { metricsLines } from "../remote/metrics-view.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";
import { formatRevision, formatTags, table } from "../remote/table.js";
import { transferText } from "../remote/transfer-view.js";
import { type EventView, eventLines } from "./audit.command.js";

interface ListOptions {
  fleet?: string;
  tag?: string;
  status?: string;
  presence?: string;
  approval?: string;
  limit?: string;
  after?: string;
  remote?: string;
}

/** `devices ls|show|tag|approve|rekey|decommission|revoke` and `device history ID`. */
export const registerDevicesCommands: CommandGroup = (program, ctx) => {
  const devices = program.command("devices").description("the fleet's devices (see `devices ls`)");

  remoteOption(
    devices
      .command("ls")
      .description("list devices, filtered")
      .option("--fleet <name>", "only this fleet")
      .option("--tag <tag>", "key=value (tag equals) or key (tag present)")
      .option("--status <status>", "last update status, e.g. DONE, ERROR")
      .option("--presence <online|offline>", "only online or offline devices")
      .option("--approval <state>", "pending, approved or decommissioned")
      .option("--limit <n>", "page size (default 100)")
      .option("--after <cursor>", "continue after this cursor (printed when there is more)")
      .addHelpText(
        "after",
        "\nExample:\n  $ statecast devices ls --fleet lab --tag site=berlin --presence online\n",
      ),
  ).action((opts: ListOptions, command: Command) =>
    remoteCommand(ctx, async () => {
      const { remote, ...query } = opts;
      const client = await connect(ctx, { remote });
      const page = await client.get<Pick<DevicePage, "next"> & { items: DeviceView[] }>(
        "/v1/devices",
        query,
      );
      const rows = page.items.map((d) => [
        d.deviceId,
        d.fleet ?? "-",
        d.approval,
        d.online ? "online" : "offline",
        formatRevision(d.currentRevision),
        d.lastStatus ?? "-",
        d.keyFingerprint ?? "-",
        formatTags(d.tags),
      ]);
      const human = table(
        ["DEVICE", "FLEET", "APPROVAL", "PRESENCE", "REVISION", "STATUS", "KEY", "TAGS"],
        rows,
      );
      if (page.next) human.push(`more: statecast devices ls --after ${page.next}`);
      ctx.emit(command, { ok: true, human, data: page });
    }),
  );

  remoteOption(
    devices
      .command("show")
      .description("one device, now or as it was at an instant")
      .argument("<id>", "device id")
      .option("--at <instant>", "ISO-8601 instant (time travel, to the millisecond)")
      .addHelpText(
        "after",
        "\nExamples:\n  $ statecast devices show dev-42\n  $ statecast devices show dev-42 --at 2026-01-01T00:00:00Z\n",
      ),
  ).action((id: string, opts: { at?: string; remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const client = await connect(ctx, { remote: opts.remote });
      const device = await client.get<DeviceView>(
        devicePath(id),
        opts.at ? { at: opts.at } : undefined,
      );
      ctx.emit(command, { ok: true, human: describeDevice(device), data: device });
    }),
  );

  remoteOption(
    devices
      .command("tag")
      .description("set (key=value) or remove (key-) tags of a device")
      .argument("<id>", "device id")
      .argument("<edits...>", "key=value or key-")
      .addHelpText(
        "after",
        "\nExample:\n  $ statecast devices tag dev-42 site=berlin ring=canary old-\n",
      ),
  ).action((id: string, edits: string[], opts: { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const device = await retagDevice(await connect(ctx, { remote: opts.remote }), id, edits);
      ctx.emit(command, {
        ok: true,
        human: [`${device.deviceId}: ${formatTags(device.tags)}`],
        data: device,
      });
    }),
  );

  decision(ctx, devices, "approve", "let a pending device's key into its fleet", "approve");
  decision(
    ctx,
    devices,
    "rekey",
    "re-key a device: its key's credentials are revoked; its next hello with a new key waits for approval",
    "rekey",
  );
  decision(
    ctx,
    devices,
    "decommission",
    "decommission a device: it gets no more updates",
    "decommission",
  );
  decision(
    ctx,
    devices,
    "revoke",
    "revoke a device's NATS credentials: its access is cut",
    "revoke",
  );

  const device = program.command("device").description("one device's records");
  remoteOption(
    device
      .command("history")
      .description("everything that happened to a device, oldest first")
      .argument("<id>", "device id")
      .option("--after <n>", "only events after this stream version")
      .option("--limit <n>", "at most this many events (default 100)")
      .addHelpText("after", "\nExample:\n  $ statecast device history dev-42 --limit 20\n"),
  ).action(
    (id: string, opts: { after?: string; limit?: string; remote?: string }, command: Command) =>
      remoteCommand(ctx, async () => {
        const client = await connect(ctx, { remote: opts.remote });
        const events = await client.get<EventView[]>(`${devicePath(id)}/history`, {
          after: opts.after,
          limit: opts.limit,
        });
        ctx.emit(command, {
          ok: true,
          human: events.length ? eventLines(events) : [`no events for device ${id}`],
          data: { events },
        });
      }),
  );
};

function decision(ctx: CliContext, group: Command, name: string, what: string, action: string) {
  const command = remoteOption(
    group
      .command(name)
      .description(what)
      .argument("<id>", "device id")
      .addHelpText("after", `\nExample:\n  $ statecast devices ${name} dev-42\n`),
  );
  const takesReason = action !== "approve";
  if (takesReason) command.option("--reason <text>", "why (recorded in the audit trail)");
  else {
    command.option(
      "--key <fingerprint>",
      "approve only this key (its fingerprint from `devices show`); refused if the device is pending with another",
    );
  }
  command.action(
    (id: string, opts: { reason?: string; key?: string; remote?: string }, cmd: Command) =>
      remoteCommand(ctx, async () => {
        const client = await connect(ctx, { remote: opts.remote });
        const json = takesReason
          ? { reason: opts.reason ?? "" }
          : opts.key
            ? { keyFingerprint: opts.key }
            : {};
        const result = await client.json<DeviceView>("POST", `${devicePath(id)}/${action}`, {
          json,
        });
        ctx.emit(cmd, {
          ok: true,
          human: [`${result.deviceId}: ${outcome(action, result)}`],
          data: result,
        });
      }),
  );
}

function outcome(action: string, result: DeviceView): string {
  if (action === "revoke") return "credentials revoked";
  if (action === "rekey") return "re-keyed: its next hello with a new key waits for approval";
  const key = result.keyFingerprint ? ` (key ${result.keyFingerprint})` : "";
  return `${result.approval}${action === "approve" ? key : ""}`;
}

function describeDevice(d: DeviceView): string[] {
  return [
    `device     ${d.deviceId}`,
    `fleet      ${d.fleet ?? "-"}`,
    `approval   ${d.approval}`,
    `presence   ${d.online ? "online" : "offline"}${d.lastSeenAt ? ` (last seen ${d.lastSeenAt})` : ""}`,
    `revision   ${formatRevision(d.currentRevision)}${d.installedVia === "bundle" ? " (by bundle)" : ""}${d.drifted ? " DRIFTED from its target" : ""}`,
    `target     ${d.target ? formatRevision((d.target as { revision?: unknown }).revision) : "-"}`,
    `status     ${d.lastStatus ?? "-"}${d.lastReason ? ` (${d.lastReason})` : ""}`,
    `tags       ${formatTags(d.tags)}`,
    `enrolled   ${d.enrolledAt ?? "-"}`,
    ...(d.keyFingerprint !== undefined
      ? [`key        ${d.keyFingerprint ?? "none (re-keyed, waiting for a hello)"}`]
      : []),
    ...(d.transfer?.last
      ? [`last apply ${formatRevision(d.transfer.last.revision)}: ${transferText(d.transfer.last)}`]
      : []),
    ...(d.transfer ? [`transfer   ${transferText(d.transfer.total)} (all applies)`] : []),
    ...metricsLines(d.metrics),
  ];
}
