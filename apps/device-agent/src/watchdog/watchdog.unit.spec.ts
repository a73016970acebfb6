import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../log.js";
import { type HealthInput, type HealthVerdict, healthVerdict } from "./health.js";
import { Watchdog } from "./watchdog.js";

const steady: HealthInput = {
  rebooting: false,
  testingTry: false,
  gatewayLostForMs: 0,
  gatewayTimeoutMs: 120_000,
  applying: false,
  systemContainersDown: [],
};

describe("watchdog health decision", () => {
  it("a steady board with its containers up is healthy, connected or not", () => {
    expect(healthVerdict(steady)).toEqual({ healthy: true });
    expect(healthVerdict({ ...steady, gatewayLostForMs: 3_600_000 })).toEqual({ healthy: true });
  });

  it("a try tested while the gateway is lost past its timeout is not", () => {
    const testing = { ...steady, testingTry: true };
    expect(healthVerdict({ ...testing, gatewayLostForMs: 60_000 })).toEqual({ healthy: true });
    expect(healthVerdict({ ...testing, gatewayLostForMs: 120_001 })).toMatchObject({
      healthy: false,
      why: expect.stringMatching(/gateway lost/),
    });
  });

  it("a system container down outside an apply is not; during an apply it is the apply's", () => {
    const down = { ...steady, systemContainersDown: ["net.0123"] };
    expect(healthVerdict(down)).toEqual({
      healthy: false,
      why: "system containers not running: net.0123",
    });
    expect(healthVerdict({ ...down, applying: true })).toEqual({ healthy: true });
  });

  it("a requested reboot stops petting, so a reboot that hangs resets the board", () => {
    expect(healthVerdict({ ...steady, rebooting: true })).toMatchObject({ healthy: false });
  });
});

describe("watchdog device", () => {
  it("pets only while healthy and disarms with the magic 'V' on a clean stop", async () => {
    const dir = mkdtempSync("/tmp/sc-watchdog-");
    const device = join(dir, "watchdog"); // a file stands in for /dev/watchdog's write side
    let verdict: HealthVerdict = { healthy: true };
    const dog = new Watchdog(
      device,
      3_600_000,
      async () => verdict,
      createLogger("d", "lxc", true),
    );
    try {
      await dog.start(); // pets once at start
      expect(await dog.pet()).toBe(true);
      verdict = { healthy: false, why: "test" };
      expect(await dog.pet()).toBe(false);
      verdict = { healthy: true };
      expect(await dog.pet()).toBe(true);
      await dog.stop();
      expect(readFileSync(device, "latin1")).toBe("\0\0\0V");
      expect(await dog.pet()).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
