import { execFileSync } from "node:child_process";
import { guestInit } from "./guest-init.js";

describe("guest init: the agent's command line", () => {
  const script = guestInit("agent");

  it("pins the NATS CA the image carries (config/nats-ca.pem), and only when it carries one", () => {
    const line = script.split("\n").find((l) => l.startsWith('CA=""'));
    expect(line).toBeDefined();
    const run = (exists: boolean) =>
      execFileSync(
        "sh",
        ["-c", `${line!.replace(/\[ -f [^\]]+\]/, exists ? "true" : "false")}; echo "$CA"`],
        {
          encoding: "utf8",
        },
      ).trim();
    expect(run(true)).toMatch(/^--nats-ca \S+\/nats-ca\.pem$/);
    expect(run(false)).toBe("");
    expect(script).toMatch(/--enrollment-creds \S+ \$TOKEN \$CA /);
  });
});

describe("guest init: the BSP's watchdog timeout", () => {
  const watchdogAfterConfig = (script: string) => {
    const lines = script.split("\n");
    return lines.slice(lines.findIndex((l) => l.includes("board.env")) + 1);
  };

  it("overrides the image's SC_WATCHDOG_S after board.env is read, before the watchdog is armed", () => {
    const after = watchdogAfterConfig(guestInit("hang", { watchdogSeconds: 20 }));
    expect(after[0]).toBe("SC_WATCHDOG_S=20");
    expect(after.findIndex((l) => l.includes('heartbeat="$SC_WATCHDOG_S"'))).toBeGreaterThan(0);
  });

  it("leaves the image's value when the BSP sets none, and refuses a non-positive timeout", () => {
    expect(guestInit("agent")).not.toMatch(/^SC_WATCHDOG_S=\d+$/m);
    expect(() => guestInit("hang", { watchdogSeconds: 0 })).toThrow(/positive integer/);
  });
});
