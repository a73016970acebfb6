import { ConfigError } from "@statecast/platform/config";
import { loadDemoConfig } from "./demo.config.js";

describe("demo settings", () => {
  it("runs 50 sim and 3 LXC agents by default", () => {
    expect(loadDemoConfig({})).toEqual({ enabled: true, simAgents: 50, lxcAgents: 3 });
  });

  it("is turned off with STATECAST_DEMO=0 and sized by the agent counts", () => {
    expect(
      loadDemoConfig({
        STATECAST_DEMO: "0",
        STATECAST_DEMO_SIM_AGENTS: "5",
        STATECAST_DEMO_LXC_AGENTS: "0",
      }),
    ).toEqual({ enabled: false, simAgents: 5, lxcAgents: 0 });
  });

  it("names each bad setting", () => {
    const load = () => loadDemoConfig({ STATECAST_DEMO: "yes", STATECAST_DEMO_LXC_AGENTS: "-1" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/STATECAST_DEMO: expected 0 \(off\) or 1 \(on\)/);
    expect(load).toThrow(/STATECAST_DEMO_LXC_AGENTS: expected a whole number 0-10/);
  });
});
