import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { type BundleContent, readBundle, stateDigest, verifyState } from "@statecast/state";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import type { CliContext } from "../cli/context.js";
import { UsageError } from "../cli/exit-codes.js";
import { trustOptions, trustPolicyFrom } from "./trust-options.js";
import { verifyReportLines } from "./verify-output.js";

async function openBundle(ctx: CliContext, file: string): Promise<BundleContent> {
  try {
    await access(ctx.path(file));
  } catch {
    throw new UsageError(`cannot read ${file}: no such file`);
  }
  return readBundle(createReadStream(ctx.path(file)));
}

function keysByObject(bundle: BundleContent): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const [key, value] of Object.entries(bundle.state)) {
    if (typeof value === "string" && !key.startsWith("_sigs/") && key !== "#spec") {
      keys.set(value, [...(keys.get(value) ?? []), key]);
    }
  }
  return keys;
}

function inspectLines(file: string, bundle: BundleContent): string[] {
  const referenced = keysByObject(bundle);
  const lines = [
    `${file}: state ${stateDigest(bundle.state)}, ${Object.keys(bundle.state).length} keys, ${bundle.objects.length} objects`,
    `  parts: ${bundle.model.parts.map((p) => `${p.name || "(root)"} [${p.kind}]`).join(", ")}`,
    `  signatures: ${bundle.model.signatures.join(", ") || "none"}`,
    "  objects:",
    ...bundle.objects.map(
      (o) =>
        `    ${o.sha}  ${o.size} bytes  ${(referenced.get(o.sha) ?? ["(unreferenced)"]).join(", ")}`,
    ),
  ];
  if (bundle.missing.length > 0) lines.push(`  missing objects: ${bundle.missing.join(", ")}`);
  return lines;
}

/** `statecast bundle …`: verify and inspect pvr export bundles. */
export const registerBundleCommands: CommandGroup = (program, ctx) => {
  const bundle = program.command("bundle").description("check pvr export bundles (tar / tar.gz)");

  bundle
    .command("inspect <file>")
    .description("list the bundle's state and objects (every object hash-checked)")
    .action(async (file: string, _opts, command: Command) => {
      const content = await openBundle(ctx, file);
      ctx.emit(command, {
        ok: true,
        human: inspectLines(file, content),
        data: {
          digest: stateDigest(content.state),
          state: content.state,
          objects: content.objects,
          missing: content.missing,
          extra: content.extra,
        },
      });
    });

  const verify = bundle
    .command("verify <file>")
    .description("check every object's hash, the state, and its signatures (exit 1 on failure)");
  for (const option of trustOptions()) verify.addOption(option);
  verify.action(
    async (file: string, opts: { trust: string[]; strict?: boolean }, command: Command) => {
      const policy = await trustPolicyFrom(ctx, opts);
      const content = await openBundle(ctx, file);
      const report = verifyState(content.state, policy);
      const complete = content.missing.length === 0;
      const lines = [
        `${file}: ${content.objects.length} objects verified by sha256${complete ? "" : `; MISSING ${content.missing.join(", ")}`}`,
        ...verifyReportLines("signatures", report),
      ];
      ctx.emit(command, {
        ok: complete && report.ok,
        human: lines,
        data: {
          objects: content.objects,
          missing: content.missing,
          extra: content.extra,
          signatures: report,
        },
      });
    },
  );
};
