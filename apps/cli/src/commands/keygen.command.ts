import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { generateEd25519Key } from "@statecast/state";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { UsageError } from "../cli/exit-codes.js";

/** `statecast keygen --out DIR`: a new Ed25519 signing key (private key file mode 0600). */
export const registerKeygenCommand: CommandGroup = (program, ctx) => {
  program
    .command("keygen")
    .description("create an Ed25519 signing key pair")
    .requiredOption("--out <dir>", "directory for <name>.key (private) and <name>.pub")
    .option("--name <name>", "file name stem", "statecast")
    .action(async (opts: { out: string; name: string }, command: Command) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.name)) {
        throw new UsageError(
          `--name ${JSON.stringify(opts.name)}: use letters, digits, '.', '_' or '-'`,
        );
      }
      await mkdir(ctx.path(opts.out), { recursive: true });
      const keyFile = join(opts.out, `${opts.name}.key`);
      const pubFile = join(opts.out, `${opts.name}.pub`);
      const key = generateEd25519Key();
      await ctx.writeFileAtomic(pubFile, key.publicKeyPem, 0o644);
      await ctx.writeFileAtomic(keyFile, key.privateKeyPem, 0o600);
      ctx.emit(command, {
        ok: true,
        human: [
          `wrote ${keyFile} (private, keep it secret) and ${pubFile}`,
          key.publicKeyPem.trimEnd(),
        ],
        data: { privateKeyFile: keyFile, publicKeyFile: pubFile, publicKeyPem: key.publicKeyPem },
      });
    });
};
