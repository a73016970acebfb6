import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { USAGE } from "../apps/device-agent/src/config.js";

const UNIT = join(dirname(fileURLToPath(import.meta.url)), "systemd/statecast-agent.service");

/** `Section → key → values` of a unit file, continuation lines joined. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const section = /^\[(\w+)\]$/.exec(trimmed);
    if (section) {
      current = new Map();
      sections.set(section[1] ?? "", current);
      continue;
    }
    const eq = trimmed.indexOf("=");
    if (!current || eq < 0) throw new Error(`not a unit line: ${trimmed}`);
    const key = trimmed.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), trimmed.slice(eq + 1).replace(/\s+/g, " ")]);
  }
  return sections;
}

describe("statecast-agent.service", () => {
  const unit = parseUnit(readFileSync(UNIT, "utf8"));
  const service = unit.get("Service");
  const one = (key: string) => service?.get(key)?.[0];

  it("runs the bundled agent with its config, state in /var/lib/statecast, restarting", () => {
    const exec = one("ExecStart") ?? "";
    expect(exec).toMatch(
      /^\/usr\/bin\/node --max-semi-space-size=1 --max-old-space-size=64 \/usr\/lib\/statecast\/statecast-agent\.js run /,
    );
    const agentArgs = exec.slice(exec.indexOf(" run "));
    const options = [...agentArgs.matchAll(/ (--[a-z-]+)/g)].map((m) => m[1] ?? "");
    for (const option of options) expect(USAGE, `${option} is an agent option`).toContain(option);
    expect(exec).toContain("--store /var/lib/statecast");
    // The example env names a tls:// URL: the agent pins the deployment's CA.
    expect(exec).toContain("--nats-ca /etc/statecast/trust/nats-ca.pem");
    expect(one("StateDirectory")).toBe("statecast");
    expect(one("EnvironmentFile")).toBe("/etc/statecast/agent.env");
    expect(one("Restart")).toBe("always");
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
  });

  it("is hardened where LXC allows it", () => {
    for (const [key, value] of [
      ["NoNewPrivileges", "yes"],
      ["ProtectSystem", "full"],
      ["ProtectHome", "yes"],
      ["PrivateTmp", "yes"],
      ["ProtectKernelModules", "yes"],
      ["RestrictSUIDSGID", "yes"],
      ["UMask", "0077"],
    ]) {
      expect(one(key ?? ""), key).toBe(value);
    }
  });

  it("passes systemd-analyze verify", () => {
    // Present wherever systemd is (scripts/setup.mjs installs nothing for it); throws on a bad unit.
    const out = execFileSync("systemd-analyze", ["verify", UNIT], { encoding: "utf8" });
    expect(out).toBe("");
  });
});
