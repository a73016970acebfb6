import { formatRevision } from "@statecast/contract";
import type { DeviceWhyView, RolloutPlanView, RolloutSummaryView } from "@statecast/contract/http";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import type { CliContext } from "../cli/context.js";
import { CommandFailed, UsageError } from "../cli/exit-codes.js";
import type { RemoteClient } from "../remote/http-client.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";
import { type DefinitionFlags, definitionFromFlags } from "../remote/rollout-definition.js";
import { registerReplay } from "../remote/rollout-replay.js";
import { type RolloutView, rolloutBlock } from "../remote/rollout-view.js";
import { watchRollout } from "../remote/rollout-watch.js";
import { repeatable, table } from "../remote/table.js";

const CONTROLS = {
  start: "plan the waves and assign the first wave's targets",
  pause: "stop assigning new targets",
  resume: "continue a paused rollout (overrides a failed gate)",
  promote: "end the current soak early, or pass a manual gate",
  abort: "stop: no new assignments, queued targets cancelled",
  rollback: "new staged rollouts back to each device's previous revision",
} as const;

const rolloutPath = (id: string) => `/v1/rollouts/${encodeURIComponent(id)}`;

/** A rollout id as given; `latest` names the newest rollout (what the demo just ran). */
async function rolloutIdOf(client: RemoteClient, id: string): Promise<string> {
  if (id !== "latest") return id;
  const rows = await client.get<RolloutSummaryView[]>("/v1/rollouts");
  const newest = rows.at(-1);
  if (!newest) throw new UsageError("there is no rollout yet, so no `latest`");
  return newest.rolloutId;
}

function definitionOptions(command: Command): Command {
  return command
    .requiredOption("--revision <fleet#n>", "the revision to roll out, e.g. lab#4 (or lab@4)")
    .option("--fleet <name>", "devices of this fleet (default: the revision's)")
    .option("--tag <tag>", "only devices with this tag, key=value (repeatable)", repeatable)
    .option("--device <id>", "only these devices (repeatable)", repeatable)
    .option("--waves <percents>", "wave sizes in percent, e.g. 5,25,70 (default: server's)")
    .option("--soak <seconds>", "soak time of every wave")
    .option("--min-sample <n>", "finished devices before a wave's gate may decide")
    .option("--max-failures <percent>", "failures a wave tolerates, in percent")
    .option("--on-failure <action>", "pause, abort or rollback")
    .option("--on-success <action>", "next or pause")
    .option("--device-timeout <seconds>", "a device silent this long counts as failed")
    .option("--max-in-flight <n>", "at most n devices updating at once (default: no limit)")
    .option("--start-at <instant>", "ISO-8601: the first wave starts no earlier")
    .option("--end-at <instant>", "ISO-8601: nothing is assigned after it")
    .option("--at-end <what>", "stop_assigning (default) or cancel_pending");
}

/** `rollout create|plan|start|…|status|watch|ls` and `why ROLLOUT DEVICE`. */
export const registerRolloutCommands: CommandGroup = (program, ctx) => {
  const rollout = program
    .command("rollout")
    .description("staged rollouts of a revision to devices");

  remoteOption(
    definitionOptions(
      rollout.command("create").description("create a rollout (start it with `rollout start`)"),
    ).addHelpText(
      "after",
      "\nExample:\n  $ statecast rollout create --revision lab@4 --tag ring=canary --waves 10,90 --soak 300\n",
    ),
  ).action((opts: DefinitionFlags & { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const client = await connect(ctx, { remote: opts.remote });
      const view = await client.json<RolloutView>("POST", "/v1/rollouts", {
        json: definitionFromFlags(opts),
      });
      ctx.emit(command, {
        ok: true,
        human: [
          `created rollout ${view.rolloutId} (start it with \`statecast rollout start ${view.rolloutId}\`)`,
        ],
        data: view,
      });
    }),
  );

  remoteOption(
    definitionOptions(
      rollout
        .command("plan")
        .description("dry-run: which devices go in which wave; writes nothing"),
    ).addHelpText(
      "after",
      "\nExample:\n  $ statecast rollout plan --revision lab@4 --waves 10,30,60\n",
    ),
  ).action((opts: DefinitionFlags & { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const client = await connect(ctx, { remote: opts.remote });
      const plan = await client.json<RolloutPlanView>("POST", "/v1/rollouts/plan", {
        json: definitionFromFlags(opts),
      });
      const human = [
        `${plan.devices} device(s) in ${plan.waves.length} wave(s)`,
        ...plan.waves.map(
          (w, i) =>
            `  wave ${i + 1}: ${w.devices.length} device(s)${w.devices.length ? ` (${preview(w.devices.map((d) => d.deviceId))})` : ""}`,
        ),
      ];
      ctx.emit(command, { ok: true, human, data: plan });
    }),
  );

  for (const [name, what] of Object.entries(CONTROLS)) control(ctx, rollout, name, what);

  remoteOption(
    rollout
      .command("status")
      .description("progress per wave: counts, gate, soak, ETA")
      .argument("<id>", "rollout id, or latest")
      .option("--at <instant>", "ISO-8601: the rollout as it stood then (to the millisecond)")
      .addHelpText("after", "\nExample:\n  $ statecast rollout status r-1a2b\n"),
  ).action((id: string, opts: { at?: string; remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const client = await connect(ctx, { remote: opts.remote });
      const view = await client.get<RolloutView>(
        rolloutPath(await rolloutIdOf(client, id)),
        opts.at ? { at: opts.at } : undefined,
      );
      ctx.emit(command, { ok: true, human: rolloutBlock(view), data: view });
    }),
  );

  remoteOption(
    rollout
      .command("ls")
      .description("every rollout, oldest first")
      .addHelpText("after", "\nExample:\n  $ statecast rollout ls\n"),
  ).action((opts: { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const rows = await (await connect(ctx, { remote: opts.remote })).get<RolloutSummaryView[]>(
        "/v1/rollouts",
      );
      const human = table(
        ["ROLLOUT", "STATUS", "REVISION", "CREATED"],
        rows.map((r) => [r.rolloutId, r.status, formatRevision(r.revision), r.createdAt]),
      );
      ctx.emit(command, {
        ok: true,
        human: rows.length ? human : ["no rollouts"],
        data: { rollouts: rows },
      });
    }),
  );

  remoteOption(
    rollout
      .command("watch")
      .description("follow a rollout until it ends: live bars on a terminal, plain lines otherwise")
      .argument("<id>", "rollout id, or latest")
      .option("--interval <ms>", "poll interval in milliseconds", "1000")
      .addHelpText(
        "after",
        "\nExit code 0 when the rollout completes, 1 when it is aborted or rolled back.\n\nExample:\n  $ statecast rollout watch r-1a2b\n",
      ),
  ).action((id: string, opts: { interval: string; remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const interval = Number(opts.interval);
      if (!Number.isInteger(interval) || interval < 10 || interval > 600_000)
        throw new UsageError(
          `--interval ${opts.interval}: expected milliseconds between 10 and 600000`,
        );
      const client = await connect(ctx, { remote: opts.remote });
      const json = ctx.json(command);
      const view = await watchRollout(client, await rolloutIdOf(client, id), {
        write: (text) => (json ? ctx.io.stderr(text) : ctx.io.stdout(text)),
        tty: (ctx.io.isTTY ?? false) && !json,
        intervalMs: interval,
      });
      if (json) ctx.io.stdout(`${JSON.stringify(view, null, 2)}\n`);
      if (view.status !== "completed") {
        ctx.io.stderr(`statecast: rollout ${id} ended ${view.status}\n`);
        throw new CommandFailed(`rollout ${view.status}`);
      }
    }),
  );

  registerReplay(ctx, rollout);

  remoteOption(
    program
      .command("why")
      .description("why a device of a rollout is not updated yet")
      .argument("<rollout>", "rollout id, or latest")
      .argument("<device>", "device id")
      .addHelpText(
        "after",
        "\nExample:\n  $ statecast why r-1a2b dev-42\n  dev-42 (wave 2): not_in_wave_yet\n",
      ),
  ).action((rolloutId: string, deviceId: string, opts: { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const client = await connect(ctx, { remote: opts.remote });
      const why = await client.get<DeviceWhyView>(
        `${rolloutPath(await rolloutIdOf(client, rolloutId))}/devices/${encodeURIComponent(deviceId)}/why`,
      );
      ctx.emit(command, {
        ok: true,
        human: [
          `${why.deviceId} (wave ${why.waveIndex + 1}): ${why.reason}${why.detail ? ` (${why.detail})` : ""}`,
          `  status ${why.status} since ${why.since}, ${why.online ? "online" : "offline"}`,
          ...(why.until ? [`  until ${why.until}`] : []),
        ],
        data: why,
      });
    }),
  );
};

function control(ctx: CliContext, group: Command, name: string, what: string) {
  remoteOption(
    group
      .command(name)
      .description(what)
      .argument("<id>", "rollout id, or latest")
      .option("--reason <text>", "why (recorded in the audit trail)")
      .addHelpText(
        "after",
        `\nExample:\n  $ statecast rollout ${name} r-1a2b --reason "${name} requested by ops"\n`,
      ),
  ).action((id: string, opts: { reason?: string; remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const client = await connect(ctx, { remote: opts.remote });
      const path = rolloutPath(await rolloutIdOf(client, id));
      const view = await client.json<RolloutView>("POST", `${path}/${name}`, {
        json: opts.reason === undefined ? {} : { reason: opts.reason },
      });
      ctx.emit(command, {
        ok: true,
        human: [`rollout ${view.rolloutId}: ${view.status}`],
        data: view,
      });
    }),
  );
}

function preview(ids: string[]): string {
  return ids.length <= 3 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")}, …`;
}
