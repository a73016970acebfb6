import { ConfigError, loadConfig, showValue } from "./load-config.js";
import { loadServiceConfig, serviceSettings } from "./service-config.js";

const valid = {
  DATABASE_URL: "postgres://statecast:pw@127.0.0.1:5433/statecast",
  NATS_URL: "nats://127.0.0.1:4223",
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(serviceSettings(8080), env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("fills defaults and parses typed values", () => {
    const config = loadServiceConfig(8080, { ...valid, STATECAST_HTTP_PORT: "9000" });
    expect(config).toEqual({
      dataDir: "./.statecast",
      databaseUrl: valid.DATABASE_URL,
      natsServers: ["nats://127.0.0.1:4223"],
      natsReplicas: 1,
      eventsStream: { maxAgeSeconds: 604_800, maxBytes: 1024 ** 3 },
      statusStream: { maxAgeSeconds: 604_800, maxBytes: 1024 ** 3 },
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
      httpHost: "127.0.0.1",
      httpPort: 9000,
      adminToken: undefined,
      logLevel: "info",
      otlpEndpoint: undefined,
    });
    expect(loadServiceConfig(8081, valid).httpPort).toBe(8081);
  });

  it("takes the Postgres timeouts in milliseconds and names a bad one", () => {
    const config = loadServiceConfig(8080, {
      ...valid,
      STATECAST_STATEMENT_TIMEOUT_MS: "5000",
      STATECAST_IDLE_IN_TRANSACTION_TIMEOUT_MS: "120000",
    });
    expect([config.statementTimeoutMs, config.idleInTransactionTimeoutMs]).toEqual([5000, 120_000]);
    expect(problemsOf({ ...valid, STATECAST_STATEMENT_TIMEOUT_MS: "0" }).join("\n")).toContain(
      "STATECAST_STATEMENT_TIMEOUT_MS: expected milliseconds 1-86400000",
    );
  });

  it("splits a comma-separated NATS_URL into servers", () => {
    const config = loadServiceConfig(8080, {
      ...valid,
      NATS_URL: "nats://127.0.0.1:4223, nats://127.0.0.1:4224",
    });
    expect(config.natsServers).toEqual(["nats://127.0.0.1:4223", "nats://127.0.0.1:4224"]);
  });

  it("takes 1, 3 or 5 JetStream replicas and refuses any other count", () => {
    expect(loadServiceConfig(8080, { ...valid, NATS_REPLICAS: "3" }).natsReplicas).toBe(3);
    expect(problemsOf({ ...valid, NATS_REPLICAS: "2" })).toHaveLength(1);
    expect(problemsOf({ ...valid, NATS_REPLICAS: "2" })[0]).toMatch(/^NATS_REPLICAS: /);
  });

  it("names the bad port and quotes the value", () => {
    expect(problemsOf({ ...valid, STATECAST_HTTP_PORT: "abc" })).toEqual([
      'STATECAST_HTTP_PORT: expected a port number 1-65535, got "abc"',
    ]);
    expect(problemsOf({ ...valid, STATECAST_HTTP_PORT: "70000" })).toEqual([
      'STATECAST_HTTP_PORT: expected a port number 1-65535, got "70000"',
    ]);
  });

  it("reports every bad setting at once, each by name", () => {
    const problems = problemsOf({
      DATABASE_URL: "mysql://x@y/z",
      STATECAST_HTTP_PORT: "0",
      STATECAST_LOG_LEVEL: "loud",
      STATECAST_ADMIN_TOKEN: "short",
      OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
      STATECAST_HTTP_HOST: "a b",
    });
    expect(problems).toEqual([
      'DATABASE_URL: expected a postgres:// URL such as postgres://user:password@127.0.0.1:5432/statecast, got "mysql://x@y/z"',
      "NATS_URL: not set; expected a nats:// URL such as nats://127.0.0.1:4222",
      'STATECAST_HTTP_HOST: expected an IP address or host name, got "a b"',
      'STATECAST_HTTP_PORT: expected a port number 1-65535, got "0"',
      "STATECAST_ADMIN_TOKEN: expected at least 16 characters, got a value of 5 characters (hidden)",
      'STATECAST_LOG_LEVEL: expected one of fatal, error, warn, info, debug, verbose, got "loud"',
      'OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:// or https:// URL, got "collector:4318"',
    ]);
  });

  it("treats empty values as unset", () => {
    expect(problemsOf({ ...valid, DATABASE_URL: "" })).toEqual([
      "DATABASE_URL: not set; expected a postgres:// URL such as postgres://user:password@127.0.0.1:5432/statecast",
    ]);
    expect(
      loadServiceConfig(8080, { ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: "" }).otlpEndpoint,
    ).toBe(undefined);
  });

  it("never echoes a password or a token in the message", () => {
    const [problem] = problemsOf({ ...valid, NATS_URL: "nats://u:hunter2@host:4222,bogus" });
    expect(problem).toContain("NATS_URL: expected nats:// URLs separated by commas");
    expect(problem).not.toContain("hunter2");
    expect(showValue("STATECAST_ADMIN_TOKEN", "s3cr3t-s3cr3t-s3cr3t")).not.toContain("s3cr3t");
    expect(showValue("DATABASE_URL", "postgres://a:hunter2@h/db")).toBe('"postgres://a:***@h/db"');
  });

  it("puts every problem in the error message", () => {
    expect(() => loadConfig(serviceSettings(8080), {})).toThrow(
      /invalid configuration:\n {2}- DATABASE_URL: not set.*\n {2}- NATS_URL: not set/,
    );
  });
});
