import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOperatorSetup, writeGatewaySetup } from "@statecast/nats-auth";
import { loadGatewayConfig } from "./gateway.config.js";

describe("gateway config: STATECAST_NATS_AUTH_DIR", () => {
  const root = mkdtempSync(join(tmpdir(), "statecast-gw-config-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const base = { DATABASE_URL: "postgres://u:p@127.0.0.1/db", NATS_URL: "nats://127.0.0.1:4222" };

  it("is optional (enrollment disabled) and takes a gateway's setup directory", async () => {
    expect(loadGatewayConfig(base).natsAuthDir).toBeUndefined();
    const setup = await createOperatorSetup(join(root, "auth"));
    const gateway = await writeGatewaySetup(setup, join(root, "gateway"));
    expect(loadGatewayConfig({ ...base, STATECAST_NATS_AUTH_DIR: gateway.dir }).natsAuthDir).toBe(
      gateway.dir,
    );
    // The operator's whole setup (the root seed included) is not for a gateway.
    expect(() => loadGatewayConfig({ ...base, STATECAST_NATS_AUTH_DIR: setup.dir })).toThrow(
      /STATECAST_NATS_AUTH_DIR: holds the operator root seed \(operator.nk\)/,
    );
  });

  it("refuses a directory without a gateway setup, naming the setting", () => {
    expect(() => loadGatewayConfig({ ...base, STATECAST_NATS_AUTH_DIR: root })).toThrow(
      /STATECAST_NATS_AUTH_DIR: expected a directory holding a Statecast gateway NATS setup/,
    );
  });
});

describe("gateway config: STATECAST_OBJECT_CACHE_MB", () => {
  const base = { DATABASE_URL: "postgres://u:p@127.0.0.1/db", NATS_URL: "nats://127.0.0.1:4222" };

  it("keeps 64 MiB of object chunks by default, the MiB given, or none with 0", () => {
    expect(loadGatewayConfig(base).objectCacheBytes).toBe(64 * 1024 * 1024);
    expect(loadGatewayConfig({ ...base, STATECAST_OBJECT_CACHE_MB: "8" }).objectCacheBytes).toBe(
      8 * 1024 * 1024,
    );
    expect(loadGatewayConfig({ ...base, STATECAST_OBJECT_CACHE_MB: "0" }).objectCacheBytes).toBe(0);
  });

  it("refuses a negative or fractional size, naming the setting", () => {
    for (const value of ["-1", "1.5"])
      expect(() => loadGatewayConfig({ ...base, STATECAST_OBJECT_CACHE_MB: value })).toThrow(
        /STATECAST_OBJECT_CACHE_MB/,
      );
  });
});
