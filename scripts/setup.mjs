#!/usr/bin/env node
// Installs what `npm start` and `npm test` need and is missing: system packages (apt, as root)
// and npm dependencies. Uses Node built-ins only, since it runs before `npm install`.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { currentHost, missingPackages, planSystemPackages } from "./system-packages.mjs";

export { SYSTEM_PACKAGES } from "./system-packages.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    log(`Node ${process.versions.node} is too old: Statecast needs Node >= 20.19.`);
    process.exit(1);
  }
}

/** LXC's package would otherwise bring up lxcbr0 on a private range: keep it off. */
function keepLxcNetOff() {
  const defaults = "/etc/default/lxc-net";
  if (!existsSync(defaults)) writeFileSync(defaults, 'USE_LXC_BRIDGE="false"\n');
}

function aptInstall(pkgs) {
  log(`installing system packages with apt: ${pkgs.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  // No daemon (lxc-net, docker-registry, nats-server) may start as a side effect of installing.
  if (ownPolicy) writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    if (pkgs.includes("lxc")) keepLxcNetOff();
    execFileSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
    const keepOurConfig = ["-o", "Dpkg::Options::=--force-confold"];
    const args = ["install", "-y", "-q", "--no-install-recommends", ...keepOurConfig, ...pkgs];
    execFileSync("apt-get", args, {
      stdio: "inherit",
      env,
    });
  } finally {
    if (ownPolicy) spawnSync("rm", ["-f", policy]);
  }
}

function ensureSystemPackages() {
  const plan = planSystemPackages(missingPackages(), currentHost());
  if (plan.action === "fail") {
    log(plan.message);
    process.exit(1);
  }
  if (plan.action === "install") aptInstall(plan.packages);
}

function lockHash() {
  const lock = join(root, "package-lock.json");
  return createHash("sha256")
    .update(readFileSync(lock))
    .update(readFileSync(join(root, "package.json")))
    .digest("hex");
}

function ensureNpmDependencies() {
  const stamp = join(root, "node_modules", ".statecast-installed");
  const want = lockHash();
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  log("installing npm dependencies (npm ci)");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    log("npm ci failed; see the output above.");
    process.exit(r.status ?? 1);
  }
  writeFileSync(stamp, want);
}

checkNode();
ensureSystemPackages();
ensureNpmDependencies();
