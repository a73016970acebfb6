import { ConfigError } from "@statecast/platform/config";
import { loadDemoConfig } from "./demo.config.js";

describe("demo settings", () => {
  it("runs 50 sim and 3 LXC agents and a QEMU board by default", () => {
    expect(loadDemoConfig({})).toEqual({
      enabled: true,
      simAgents: 50,
      lxcAgents: 3,
      board: true,
    });
  });

  it("leaves the board out with STATECAST_DEMO_BOARD=off", () => {
    expect(loadDemoConfig({ STATECAST_DEMO_BOARD: "off" }).board).toBe(false);
    expect(() => loadDemoConfig({ STATECAST_DEMO_BOARD: "0" })).toThrow(
      /STATECAST_DEMO_BOARD: expected on or off/,
    );
  });

  it("is turned off with STATECAST_DEMO=0 and sized by the agent counts", () => {
    expect(
      loadDemoConfig({
        STATECAST_DEMO: "0",
        STATECAST_DEMO_SIM_AGENTS: "5",
        STATECAST_DEMO_LXC_AGENTS: "0",
      }),
    ).toEqual({ enabled: false, simAgents: 5, lxcAgents: 0, board: true });
  });

  it("names each bad setting", () => {
    const load = () => loadDemoConfig({ STATECAST_DEMO: "yes", STATECAST_DEMO_LXC_AGENTS: "-1" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/STATECAST_DEMO: expected 0 \(off\) or 1 \(on\)/);
    expect(load).toThrow(/STATECAST_DEMO_LXC_AGENTS: expected a whole number 0-10/);
  });
});
