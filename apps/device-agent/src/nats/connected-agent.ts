import type { Agent } from "../agent/agent.js";
import type { AgentSettings } from "../config.js";

export async function runConnected(_agent: Agent, _settings: AgentSettings): Promise<number> {
  throw new Error("not yet");
}
