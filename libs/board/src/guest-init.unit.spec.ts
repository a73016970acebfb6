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
