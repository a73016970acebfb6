import { ConfigError } from "@statecast/platform";
import { loadOrchestratorConfig } from "../config/orchestrator.config.js";

const base = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5433/statecast",
  NATS_URL: "nats://127.0.0.1:4223",
  STATECAST_ADMIN_TOKEN: "admin-token-0123456789abcdef",
};

describe("STATECAST_MAX_OBJECT_BYTES", () => {
  it("defaults to 8 GiB and reads a byte count", () => {
    expect(loadOrchestratorConfig(base).maxObjectBytes).toBe(8 * 1024 ** 3);
    expect(
      loadOrchestratorConfig({ ...base, STATECAST_MAX_OBJECT_BYTES: "1048576" }).maxObjectBytes,
    ).toBe(1048576);
  });

  it("names itself when malformed", () => {
    for (const bad of ["abc", "0", "-5", "1.5"]) {
      expect(() => loadOrchestratorConfig({ ...base, STATECAST_MAX_OBJECT_BYTES: bad })).toThrow(
        ConfigError,
      );
      expect(() => loadOrchestratorConfig({ ...base, STATECAST_MAX_OBJECT_BYTES: bad })).toThrow(
        /STATECAST_MAX_OBJECT_BYTES: expected a positive number of bytes/,
      );
    }
  });
});
