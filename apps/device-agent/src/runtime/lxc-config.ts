import type { ContainerDirs } from "./runtime.js";

/** Keys the agent always sets itself; the part's own values for them are dropped. */
const OVERRIDDEN = [
  "lxc.rootfs.path",
  "lxc.uts.name",
  "lxc.apparmor.profile",
  "lxc.log.file",
  "lxc.log.level",
  "lxc.console.logfile",
  "lxc.namespace.keep",
  "lxc.net.",
  "lxc.hook.",
];

/** Pantavisor-internal host paths (volumes, pv runtime) that do not exist under this agent. */
const HOST_ONLY = /^\/(volumes|pantavisor|storage|pv)\//;

function keyOf(line: string): string {
  return line.slice(0, line.indexOf("=")).trim();
}

function keep(line: string): boolean {
  const key = keyOf(line);
  if (OVERRIDDEN.some((k) => (k.endsWith(".") ? key.startsWith(k) : key === k))) return false;
  if (key === "lxc.mount.entry") {
    const source =
      line
        .slice(line.indexOf("=") + 1)
        .trim()
        .split(/\s+/)[0] ?? "";
    return !HOST_ONLY.test(source);
  }
  return true;
}

export interface RenderOptions {
  name: string;
  dirs: ContainerDirs;
  logFile: string;
}

/**
 * The container's LXC config: the part's `lxc.container.conf` minus the keys the agent
 * owns, plus the agent's overrides (rootfs, no network, unconfined AppArmor, control socket).
 */
export function renderLxcConfig(partConfig: string, options: RenderOptions): string {
  const lines = partConfig
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && line.includes("="))
    .filter(keep);
  for (const line of lines) {
    if (/[\0\r]/.test(line))
      throw new Error(`lxc config line of ${options.name} has control characters`);
  }
  const overrides = [
    `lxc.uts.name = ${options.name}`,
    `lxc.rootfs.path = dir:${options.dirs.rootfs}`,
    "lxc.net.0.type = empty",
    "lxc.apparmor.profile = unconfined",
    `lxc.mount.entry = ${options.dirs.control} run/statecast none bind,create=dir 0 0`,
    `lxc.log.file = ${options.logFile}`,
    // INFO is the level at which LXC logs how init ended (auto-recovery's on-failure reads it).
    "lxc.log.level = INFO",
  ];
  return `# rendered by statecast-agent for ${options.name}\n${[...lines, ...overrides].join("\n")}\n`;
}
