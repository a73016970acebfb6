import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { UsageError } from "../cli/exit-codes.js";
import { RemoteClient } from "../remote/http-client.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";
import {
  configPath,
  normaliseUrl,
  readRemoteConfig,
  withRemote,
  writeRemoteConfig,
} from "../remote/remote-config.js";

interface Whoami {
  name: string;
  role: string;
  tokenId: string;
}

/** `login`, `whoami`, `remotes`: which orchestrator the CLI talks to, and as whom. */
export const registerLoginCommands: CommandGroup = (program, ctx) => {
  const env = () => ctx.io.env ?? process.env;

  program
    .command("login")
    .description("check a token against an orchestrator and store it (config file mode 0600)")
    .argument("<url>", "the orchestrator's base URL")
    .option(
      "--token <token>",
      "an API token (default: $STATECAST_TOKEN, kept out of shell history)",
    )
    .option("--name <remote>", "name of this remote", "default")
    .addHelpText(
      "after",
      "\nExample:\n  $ statecast login http://127.0.0.1:8080 --token $TOKEN --name lab\n",
    )
    .action((url: string, opts: { token?: string; name: string }, command: Command) =>
      remoteCommand(ctx, async () => {
        const token = opts.token ?? env().STATECAST_TOKEN;
        if (!token) throw new UsageError("give --token T (or set STATECAST_TOKEN)");
        const base = normaliseUrl(url);
        const path = configPath(env());
        const config = withRemote(await readRemoteConfig(path), opts.name, {
          url: base,
          token,
        });
        const who = await new RemoteClient({ url: base, token }).get<Whoami>("/v1/whoami");
        await writeRemoteConfig(path, config);
        ctx.emit(command, {
          ok: true,
          human: [
            `logged in to ${base} as ${who.name} (${who.role}); remote "${opts.name}" is current`,
          ],
          data: { remote: opts.name, url: base, name: who.name, role: who.role, config: path },
        });
      }),
    );

  remoteOption(
    program
      .command("whoami")
      .description("the name and role of the token in use")
      .addHelpText(
        "after",
        "\nExample:\n  $ statecast whoami\n  admin (admin) at http://127.0.0.1:8080\n",
      ),
  ).action((opts: { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const client = await connect(ctx, { remote: opts.remote });
      const who = await client.get<Whoami>("/v1/whoami");
      ctx.emit(command, {
        ok: true,
        human: [`${who.name} (${who.role}) at ${client.url}`],
        data: { ...who, url: client.url },
      });
    }),
  );

  program
    .command("remotes")
    .description("the remotes `statecast login` stored (tokens are never shown)")
    .addHelpText("after", "\nExample:\n  $ statecast remotes\n* lab  http://127.0.0.1:8080\n")
    .action((_opts, command: Command) =>
      remoteCommand(ctx, async () => {
        const config = await readRemoteConfig(configPath(env()));
        const remotes = Object.entries(config.remotes).map(([name, e]) => ({
          name,
          url: e.url,
          current: name === config.current,
        }));
        ctx.emit(command, {
          ok: true,
          human: remotes.length
            ? remotes.map((r) => `${r.current ? "*" : " "} ${r.name}  ${r.url}`)
            : ["no remotes; run `statecast login URL --token T`"],
          data: { remotes },
        });
      }),
    );
};
