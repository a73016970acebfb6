import type { TrustPolicy } from "@statecast/state";
import { compileSigner } from "@statecast/state";
import { Option } from "commander";
import type { CliContext } from "../cli/context.js";
import { UsageError } from "../cli/exit-codes.js";

/** `--trust PEM` (repeatable) and `--strict`, shared by `state verify` and `bundle verify`. */
export function trustOptions(): Option[] {
  return [
    new Option("--trust <pem>", "trusted public key or CA certificate (PEM file); repeatable")
      .argParser((value: string, previous: string[] = []) => [...previous, value])
      .default([]),
    new Option(
      "--strict",
      "require every key to be covered by a valid signature from a trusted key",
    ),
  ];
}

/** Builds the trust policy from the options, reading each PEM file. */
export async function trustPolicyFrom(
  ctx: CliContext,
  options: { trust: string[]; strict?: boolean },
): Promise<TrustPolicy> {
  const trusted = [];
  for (const [index, file] of options.trust.entries()) {
    const signer = { pem: await ctx.readText(file), name: file };
    try {
      compileSigner(signer, index);
    } catch (error) {
      throw new UsageError(`--trust ${error instanceof Error ? error.message : String(error)}`);
    }
    trusted.push(signer);
  }
  return { mode: options.strict ? "strict" : "lenient", trusted };
}
