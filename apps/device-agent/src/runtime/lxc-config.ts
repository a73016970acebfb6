import { type AgentMode, decideLine, type PartScope } from "./lxc-policy.js";
import type { ContainerDirs } from "./runtime.js";

/** Pantavisor-internal host paths (volumes, pv runtime) that do not exist under this agent. */
const HOST_ONLY = /^\/(volumes|pantavisor|storage|pv)\//;

/** A part's LXC config asks for something its scope may not have (WONTGO invalid_state). */
export class LxcConfigRefused extends Error {
  override readonly name = "LxcConfigRefused";
  readonly reason = "invalid_state";
}

export interface RenderOptions {
  name: string;
  dirs: ContainerDirs;
  logFile: string;
  /** Which part (for messages) and what it may ask for. */
  part?: string;
  scope?: PartScope;
  /** `host-process` forces `lxc.net.0.type = empty`; `board` honours the part's networking. */
  mode?: AgentMode;
  /** `/volumes/<part>/<name>` → the host directory the agent made for that volume. */
  volumes?: Record<string, string>;
  /** `_config/<part>/<path>` files: the trail's own copy and the path in the container. */
  configFiles?: { source: string; path: string }[];
}

interface Line {
  key: string;
  value: string;
}

/** `/volumes/<part>/<name>` mount sources mapped to the agent's directories (or dropped). */
function mapVolume(line: Line, volumes: Record<string, string>): Line | "drop" | "mapped-keep" {
  const source = line.value.trim().split(/\s+/)[0] ?? "";
  const host = volumes[source];
  if (host === undefined) return HOST_ONLY.test(source) ? "drop" : line;
  line.value = `${host}${line.value.trim().slice(source.length)}`;
  return "mapped-keep";
}

/**
 * The container's LXC config: the part's `lxc.container.conf` line by line through the
 * scope policy (lxc-policy.ts; a refused key throws), minus the keys the agent owns, plus
 * the agent's overrides (rootfs, unconfined AppArmor, control socket, `_config` files, log;
 * no network in the host-process mode).
 */
export function renderLxcConfig(partConfig: string, options: RenderOptions): string {
  const scope = options.scope ?? "app";
  const mode = options.mode ?? "host-process";
  const kept: string[] = [];
  for (const raw of partConfig.split("\n")) {
    const text = raw.trim();
    if (text === "" || text.startsWith("#")) continue;
    if (/[\0\r]/.test(text))
      throw new LxcConfigRefused(`lxc config line of ${options.name} has control characters`);
    const eq = text.indexOf("=");
    if (eq < 0)
      throw new LxcConfigRefused(
        `part ${options.part ?? options.name}: ${JSON.stringify(text)} is not key = value`,
      );
    const line: Line = { key: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim() };
    let mapped = false;
    if (line.key === "lxc.mount.entry") {
      const result = mapVolume(line, options.volumes ?? {});
      if (result === "drop") continue;
      mapped = result === "mapped-keep";
    }
    const decision = decideLine(line.key, line.value, scope, mode, mapped);
    if (decision === "drop") continue;
    if (decision !== "keep")
      throw new LxcConfigRefused(
        `part ${options.part ?? options.name} (${scope} scope): ${decision.refused}`,
      );
    kept.push(`${line.key} = ${line.value}`);
  }
  // A board keeps the host's network namespace for a part that configures no network, as
  // Pantavisor does; the host-process mode never shares the machine's network.
  const hostNet =
    mode === "board" &&
    !kept.some((l) => l.startsWith("lxc.net.") || /^lxc\.namespace\.keep = .*\bnet\b/.test(l));
  const appCaps =
    scope === "app"
      ? ["lxc.cap.drop = sys_module sys_rawio sys_boot sys_time mac_admin mac_override"]
      : [];
  const overrides = [
    `lxc.uts.name = ${options.name}`,
    `lxc.rootfs.path = dir:${options.dirs.rootfs}`,
    ...(mode === "host-process" ? ["lxc.net.0.type = empty"] : []),
    ...(hostNet ? ["lxc.net.0.type = none"] : []),
    ...appCaps,
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
  return `# rendered by statecast-agent for ${options.name}\n${[...kept, ...overrides].join("\n")}\n`;
}
