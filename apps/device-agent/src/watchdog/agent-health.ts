import type { GatewayLink } from "../agent/gateway-link.js";
import type { RevisionSpec } from "../model/revision.js";
import type { ContainerRuntime } from "../runtime/runtime.js";
import { type HealthVerdict, healthVerdict } from "./health.js";

export interface AgentHealthFacts {
  /** The committed revision whose system containers must run (none while applying). */
  committed: RevisionSpec | undefined;
  runtime: ContainerRuntime;
  gateway: GatewayLink;
  rebooting: boolean;
  testingTry: boolean;
  applying: boolean;
}

/** Gathers what the health decision needs from the agent and the runtime, then decides. */
export async function agentHealth(facts: AgentHealthFacts): Promise<HealthVerdict> {
  const down: string[] = [];
  for (const part of facts.committed?.parts ?? []) {
    if (part.restartPolicy !== "system" || part.statusGoal === "MOUNTED") continue;
    if ((await facts.runtime.state(part.containerName)) !== "RUNNING")
      down.push(part.containerName);
  }
  return healthVerdict({
    rebooting: facts.rebooting,
    testingTry: facts.testingTry,
    gatewayLostForMs: facts.gateway.lostForMs(),
    gatewayTimeoutMs: facts.gateway.timeoutMs,
    applying: facts.applying,
    systemContainersDown: down,
  });
}
