import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { FsObjectStore, readBundle, StateValidationError, stateDigest } from "@statecast/state";
import type { Agent } from "../agent/agent.js";
import { DirObjectSource } from "../fetch/dir-source.js";
import type { StatusReport } from "../report/report.js";

/**
 * `statecast-agent install BUNDLE`: a pvr export bundle applied with no server. The bundle
 * is read into a staging store (every member path and object hash checked by libs/state),
 * then goes through the agent's own checks and apply; the reports stay in the journal
 * until a gateway is reachable.
 */
export async function installBundle(
  agent: Agent,
  bundlePath: string,
  ref?: string,
): Promise<StatusReport> {
  const staging = join(agent.store.root, "staging", `${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  // Every report of this install says the revision came by bundle (the audit keeps it).
  agent.journal.via = "bundle";
  try {
    let content: Awaited<ReturnType<typeof readBundle>>;
    try {
      content = await readBundle(createReadStream(bundlePath), {
        targetStore: new FsObjectStore(staging),
      });
    } catch (error) {
      const reason = error instanceof StateValidationError ? error.code : "bundle_unreadable";
      const revision = ref ?? `bundle:${bundlePath}`;
      return agent.journal.report({
        revision,
        status: "WONTGO",
        reason: reasonOf(reason),
        message: (error as Error).message,
      });
    }
    const digest = stateDigest(content.state);
    const revision = ref ?? `bundle:${digest.slice(0, 12)}`;
    if (content.missing.length > 0) {
      return agent.journal.report({
        revision,
        status: "WONTGO",
        reason: "invalid_state",
        message: `bundle lacks ${content.missing.length} object(s) the state references: ${content.missing.slice(0, 3).join(", ")}`,
      });
    }
    return await agent.installState(content.state, digest, revision, new DirObjectSource(staging));
  } finally {
    agent.journal.via = undefined;
    await rm(staging, { recursive: true, force: true });
  }
}

function reasonOf(code: string): string {
  return code === "hash_mismatch" || code === "object_hash_mismatch"
    ? "object_hash_mismatch"
    : "invalid_state";
}
