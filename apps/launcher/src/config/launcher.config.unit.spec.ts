import { ConfigError } from "@statecast/platform/config";
import { loadLauncherConfig } from "./launcher.config.js";

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadLauncherConfig(env, "/srv");
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("launcher settings", () => {
  it("defaults to embedded services on ports away from the machine's own", () => {
    expect(loadLauncherConfig({}, "/srv", { isTTY: false })).toEqual({
      dataDir: "/srv/.statecast",
      databaseUrl: undefined,
      natsUrl: undefined,
      adminToken: undefined,
      logLevel: "info",
      logFormat: "json",
      otlpEndpoint: undefined,
      orchestratorPort: 8080,
      gatewayPort: 8081,
      postgresPort: 5433,
      natsPort: 4223,
      legacyObjectRead: false,
    });
  });

  it("shows logs readably on a terminal unless LOG_FORMAT=json; LOG_LEVEL sets the level", () => {
    expect(loadLauncherConfig({}, "/srv", { isTTY: true }).logFormat).toBe("pretty");
    const json = loadLauncherConfig({ LOG_FORMAT: "json", LOG_LEVEL: "debug" }, "/srv", {
      isTTY: true,
    });
    expect([json.logFormat, json.logLevel]).toEqual(["json", "debug"]);
    const both = { LOG_LEVEL: "debug", STATECAST_LOG_LEVEL: "warn" };
    expect(loadLauncherConfig(both, "/srv").logLevel).toBe("warn");
    expect(problemsOf({ LOG_FORMAT: "xml" })[0]).toMatch(/^LOG_FORMAT: /);
  });

  it("takes external services and an absolute data dir as given", () => {
    const config = loadLauncherConfig(
      {
        STATECAST_DATA_DIR: "/var/lib/statecast",
        DATABASE_URL: "postgres://sc:pw@db.example:5432/statecast",
        NATS_URL: "nats://n1:4222,nats://n2:4222",
      },
      "/srv",
    );
    expect(config.dataDir).toBe("/var/lib/statecast");
    expect(config.databaseUrl).toBe("postgres://sc:pw@db.example:5432/statecast");
    expect(config.natsUrl).toBe("nats://n1:4222,nats://n2:4222");
  });

  it("names every bad setting", () => {
    expect(
      problemsOf({
        DATABASE_URL: "db.example",
        NATS_URL: "http://n1",
        STATECAST_ORCHESTRATOR_PORT: "http",
        STATECAST_GATEWAY_PORT: "-1",
        STATECAST_POSTGRES_PORT: "5433.5",
        STATECAST_NATS_PORT: "99999",
        STATECAST_LOG_LEVEL: "trace",
      }),
    ).toEqual([
      'DATABASE_URL: expected a postgres:// URL such as postgres://user:password@127.0.0.1:5432/statecast, got "db.example"',
      'NATS_URL: expected nats:// URLs separated by commas, got "http://n1"',
      'STATECAST_LOG_LEVEL: expected one of fatal, error, warn, info, debug, verbose, got "trace"',
      'STATECAST_ORCHESTRATOR_PORT: expected a port number 1-65535, got "http"',
      'STATECAST_GATEWAY_PORT: expected a port number 1-65535, got "-1"',
      'STATECAST_POSTGRES_PORT: expected a port number 1-65535, got "5433.5"',
      'STATECAST_NATS_PORT: expected a port number 1-65535, got "99999"',
    ]);
  });
});
