import { type Environment, loadConfig } from "@statecast/platform/config";
import { z } from "zod";

const count = (max: number) =>
  z.coerce
    .number({ error: `expected a whole number 0-${max}` })
    .int(`expected a whole number 0-${max}`)
    .min(0, `expected a whole number 0-${max}`)
    .max(max, `expected a whole number 0-${max}`);

/** The demo fleet `npm start` runs after the services are ready. */
export const demoSettings = z.object({
  STATECAST_DEMO: z.enum(["0", "1"], { error: "expected 0 (off) or 1 (on)" }).default("1"),
  STATECAST_DEMO_SIM_AGENTS: count(1000).default(50),
  STATECAST_DEMO_LXC_AGENTS: count(10).default(3),
  STATECAST_DEMO_BOARD: z.enum(["on", "off"], { error: "expected on or off" }).default("on"),
});

export interface DemoConfig {
  enabled: boolean;
  simAgents: number;
  lxcAgents: number;
  /** One QEMU board (libs/board) joins the fleet where QEMU can run. */
  board: boolean;
}

export function loadDemoConfig(env: Environment): DemoConfig {
  const s = loadConfig(demoSettings, env);
  return {
    enabled: s.STATECAST_DEMO === "1",
    simAgents: s.STATECAST_DEMO_SIM_AGENTS,
    lxcAgents: s.STATECAST_DEMO_LXC_AGENTS,
    board: s.STATECAST_DEMO_BOARD === "on",
  };
}
