import type { TargetEnvelope } from "@statecast/contract";
import type { StatusReport } from "../report/report.js";
import { checkTarget, TargetRejected } from "../target/check-target.js";
import type { Agent } from "./agent.js";
import { isAlreadyRunning, lastFinalReport } from "./already-running.js";
import type { Install } from "./install-revision.js";
import { alreadySettled } from "./settled.js";

/**
 * A target from the gateway before anything is done with it: its shape, a seq that already
 * has its final report (that report stands), then every check of `checkTarget`. Returns the
 * install to run, or the report that ends the target here.
 */
export async function checkEnvelope(
  agent: Agent,
  envelope: TargetEnvelope,
): Promise<Install | StatusReport> {
  if (typeof envelope !== "object" || envelope === null || typeof envelope.revision !== "string") {
    return agent.journal.report({
      revision: "",
      status: "WONTGO",
      reason: "invalid_target",
      message: "target is not a target envelope",
    });
  }
  const record = await agent.store.readRecord();
  if (isAlreadyRunning(envelope, record, agent.committed)) {
    agent.log.info("target already running; nothing to do", { revision: envelope.revision });
    const last = await lastFinalReport(agent.journal, envelope.revision);
    if (last) return last;
    return agent.finish({
      revision: envelope.revision,
      status: record.lastCommit?.outcome ?? "DONE",
      message: "already running this revision",
    });
  }
  // The same seq settled otherwise (an ERROR after a board's rollback reboot): that report stands.
  const settled = await alreadySettled(agent.journal, agent.log, envelope, record);
  if (settled) return settled;
  try {
    await agent.traced("agent.verify", async () =>
      checkTarget(envelope, {
        deviceId: agent.config.deviceId,
        lastSeq: record.lastSeq,
        lastSeqSettled: record.lastSeqSettled,
        now: new Date(),
        orchestratorKeys: agent.config.orchestratorKeys,
        trustPolicy: agent.config.trustPolicy,
      }),
    );
  } catch (error) {
    if (!(error instanceof TargetRejected)) throw error;
    return agent.journal.report({
      revision: String(envelope.revision),
      status: "WONTGO",
      reason: error.reason,
      message: error.message,
    });
  }
  const { state, stateDigest, revision, seq, maintenanceWindows, installNow } = envelope;
  return {
    state,
    digest: stateDigest,
    ref: revision,
    seq,
    ...(maintenanceWindows ? { windows: maintenanceWindows } : {}),
    ...(installNow ? { installNow } : {}),
    ...(envelope.consentRequired ? { consentRequired: true } : {}),
  };
}
