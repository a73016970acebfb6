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

function sourceOf(line: string): string {
  return (
    line
      .slice(line.indexOf("=") + 1)
      .trim()
      .split(/\s+/)[0] ?? ""
  );
}

function keyOf(line: string): string {
  return line.slice(0, line.indexOf("=")).trim();
}

/** The line as rendered: `/volumes/<part>/<name>` sources mapped to their host directory. */
function rewrite(line: string, volumes: Record<string, string>): string | undefined {
  const key = keyOf(line);
  if (OVERRIDDEN.some((k) => (k.endsWith(".") ? key.startsWith(k) : key === k))) return undefined;
  if (key !== "lxc.mount.entry") return line;
  const source = sourceOf(line);
  const host = volumes[source];
  if (host !== undefined) {
    const value = line.slice(line.indexOf("=") + 1).trim();
    return `lxc.mount.entry = ${host}${value.slice(source.length)}`;
  }
  return HOST_ONLY.test(source) ? undefined : line;
}

export interface RenderOptions {
  name: string;
  dirs: ContainerDirs;
  logFile: string;
  /** `/volumes/<part>/<name>` → the host directory the agent made for that volume. */
  volumes?: Record<string, string>;
  /** `_config/<part>/<path>` files: host object path and path in the container. */
  configFiles?: { source: string; path: string }[];
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
    .map((line) => rewrite(line, options.volumes ?? {}))
    .filter((line): line is string => line !== undefined);
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
    // Pantavisor's config overlay: each `_config/<part>/<path>` at /<path>, read-only.
    ...(options.configFiles ?? []).map(
      (file) => `lxc.mount.entry = ${file.source} ${file.path} none bind,ro,create=file 0 0`,
    ),
    `lxc.log.file = ${options.logFile}`,
    // INFO is the level at which LXC logs how init ended (auto-recovery's on-failure reads it).
    "lxc.log.level = INFO",
  ];
  return `# rendered by statecast-agent for ${options.name}\n${[...lines, ...overrides].join("\n")}\n`;
}
