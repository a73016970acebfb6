import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import {
  type CreatedEnrollmentTokenView,
  createdLines,
  createTokenRequest,
  type EnrollmentTokenView,
  formatUses,
  type TokenFlags,
  tokenPath,
  tokenState,
  tokensPath,
} from "../remote/enrollment-tokens.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";
import { formatTags, repeatable, table } from "../remote/table.js";

/** `fleet token create|ls|revoke`: a fleet's enrollment tokens. */
export const registerFleetCommands: CommandGroup = (program, ctx) => {
  const fleet = program.command("fleet").description("a fleet's settings (see `fleet token`)");
  const token = fleet
    .command("token")
    .description("enrollment tokens: a device saying hello with one is enrolled and approved");

  remoteOption(
    token
      .command("create")
      .description("create an enrollment token (operator); prints its secret, only this once")
      .argument("<fleet>", "fleet name")
      .option("--expires <when>", "ISO-8601 instant or duration (30m, 12h, 7d, 2w); default never")
      .option("--max-uses <n>", "devices it may enroll (default unlimited)")
      .option("--tag <key=value>", "tag given to every device it enrolls (repeatable)", repeatable)
      .addHelpText(
        "after",
        "\nExamples:\n  $ statecast fleet token create lab --expires 7d --max-uses 50 --tag ring=canary\n  $ statecast --json fleet token create lab | jq -r .secret > lab.token\n",
      ),
  ).action((name: string, opts: TokenFlags & { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const path = tokensPath(name);
      const json = createTokenRequest(opts);
      const client = await connect(ctx, { remote: opts.remote });
      const created = await client.json<CreatedEnrollmentTokenView>("POST", path, { json });
      ctx.emit(command, { ok: true, human: createdLines(created), data: created });
    }),
  );

  remoteOption(
    token
      .command("ls")
      .description("a fleet's enrollment tokens with their uses (never the secrets)")
      .argument("<fleet>", "fleet name")
      .addHelpText("after", "\nExample:\n  $ statecast fleet token ls lab\n"),
  ).action((name: string, opts: { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const path = tokensPath(name);
      const client = await connect(ctx, { remote: opts.remote });
      const tokens = await client.get<EnrollmentTokenView[]>(path);
      const now = new Date();
      const rows = tokens.map((t) => [
        t.tokenId,
        tokenState(t, now),
        formatUses(t),
        t.expiresAt ?? "never",
        t.createdBy,
        formatTags(t.tags),
      ]);
      ctx.emit(command, {
        ok: true,
        human: rows.length
          ? table(["TOKEN", "STATE", "USES", "EXPIRES", "CREATED BY", "TAGS"], rows)
          : [`no enrollment tokens for fleet ${name}`],
        data: { tokens },
      });
    }),
  );

  remoteOption(
    token
      .command("revoke")
      .description("revoke an enrollment token (operator); devices it enrolled keep their access")
      .argument("<fleet>", "fleet name")
      .argument("<tokenId>", "token id, as `fleet token ls` shows it")
      .option("--reason <text>", "why (recorded in the audit trail)")
      .addHelpText(
        "after",
        '\nExample:\n  $ statecast fleet token revoke lab 0b6f3c2e-8d1a-4c57-9a0e-2f4d6b8c1e3a --reason "leaked"\n',
      ),
  ).action(
    (name: string, tokenId: string, opts: { reason?: string; remote?: string }, cmd: Command) =>
      remoteCommand(ctx, async () => {
        const path = tokenPath(name, tokenId);
        const client = await connect(ctx, { remote: opts.remote });
        const revoked = await client.json<EnrollmentTokenView>("DELETE", path, {
          query: { reason: opts.reason },
        });
        ctx.emit(cmd, {
          ok: true,
          human: [
            `enrollment token ${revoked.tokenId}: revoked after ${revoked.uses} use(s); it enrolls no more devices`,
          ],
          data: revoked,
        });
      }),
  );
};
