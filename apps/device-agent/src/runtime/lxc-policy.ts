/**
 * What a part's `lxc.container.conf` may ask for, key by key, by the part's trust scope
 * (DESIGN §8: a state is untrusted input even when signed; an app part's signer must not
 * get the host). `platform` parts (groups `root` and `platform`) may reach the host; `app`
 * parts (every other group) get a container.
 */
export type PartScope = "platform" | "app";

/** `host-process`: a shared machine (no network, no hooks); `board`: the device itself. */
export type AgentMode = "host-process" | "board";

/** `keep` the line, `drop` it (the agent owns the key), or a refusal message. */
export type LineDecision = "keep" | "drop" | { refused: string };

export function scopeOf(group: string): PartScope {
  return group === "root" || group === "platform" ? "platform" : "app";
}

/** Keys the agent sets itself: the part's values are replaced, silently (pvr templates set them). */
const AGENT_OWNED = /^lxc\.(rootfs\.|uts\.name$|apparmor\.|log\.(file|level)$|console\.logfile$)/;
/** Host-process mode on a shared machine: no networking, no host namespaces, no hooks. */
const HOST_PROCESS_DROPPED = /^lxc\.(net\.|namespace\.|hook\.)/;

/** Keys any part may set: they shape its own container only. */
const ANY_PART = [
  /^lxc\.init\.(cmd|cwd|uid|gid)$/,
  /^lxc\.(environment|autodev|autodev\.tmpfs\.size|tty\.max|tty\.dir|pty\.max|arch|ephemeral)$/,
  /^lxc\.(signal\.(halt|reboot|stop)|start\.(auto|delay|order)|cap\.drop|idmap|console\.(size|rotate|buffer\.size))$/,
  /^lxc\.(prlimit\.[a-z]+|cgroup2?\.(?!devices\.allow)[a-z_.]+|cgroup\.(dir|relative))$/,
];
/** Keys only platform parts may set: they reach the host (files, devices, capabilities, code). */
const PLATFORM_ONLY = [
  /^lxc\.include$/,
  /^lxc\.cap\.keep$/,
  /^lxc\.cgroup2?\.devices\.allow$/,
  /^lxc\.hook\./,
  /^lxc\.(seccomp\.|selinux\.|sysctl\.|mount\.fstab$|namespace\.share\.|keyring\.session$|proc\.|console\.path$)/,
];
const APP_NET_TYPES = new Set(["empty", "none", "veth"]);
const APP_KEPT_NAMESPACES = new Set(["net", "ipc", "uts", "user"]);
const APP_MOUNT_AUTO = /^(proc(:mixed|:rw)?|sys(:mixed|:ro)?|cgroup(:mixed|:ro)?)$/;
const VIRTUAL_FS = new Set(["proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2"]);

function refused(key: string, why: string): LineDecision {
  return { refused: `${key} ${why}` };
}

/**
 * `lxc.mount.entry` after volume mapping: `source target fstype options dump pass`. In the
 * host-process mode (development, CI, the demo: many agents on one machine) an app part may
 * bind a host path read-only, as the demo and e2e states do with the host's static busybox;
 * on a board it may not.
 */
function mountEntry(value: string, scope: PartScope, mode: AgentMode): LineDecision {
  const [source = "", target = "", fstype = "", options = ""] = value.trim().split(/\s+/);
  if (target === "" || target.startsWith("/") || target.split("/").includes(".."))
    return refused(
      "lxc.mount.entry",
      `target ${JSON.stringify(target)} is not inside the container`,
    );
  if (scope === "platform") return "keep";
  const flags = options.split(",");
  const bind = flags.some((o) => o === "bind" || o === "rbind");
  if (!bind && VIRTUAL_FS.has(fstype)) return "keep";
  if (bind && mode === "host-process" && flags.includes("ro") && !flags.includes("rw"))
    return "keep";
  return refused(
    "lxc.mount.entry",
    `${bind ? "bind-mounts host path" : `mounts ${fstype} from`} ${source}: platform parts only`,
  );
}

/**
 * One line's fate. `value` of `lxc.mount.entry` comes after `/volumes/…` sources were
 * mapped to the agent's own directories (those are always the part's to mount).
 */
export function decideLine(
  key: string,
  value: string,
  scope: PartScope,
  mode: AgentMode,
  mappedVolume = false,
): LineDecision {
  const decision = byScope(key, value, scope, mode, mappedVolume);
  // The scope decides first: an app part asking for a hook is refused in either mode.
  if (decision === "keep" && mode === "host-process" && HOST_PROCESS_DROPPED.test(key))
    return "drop";
  return decision;
}

function byScope(
  key: string,
  value: string,
  scope: PartScope,
  mode: AgentMode,
  mappedVolume: boolean,
): LineDecision {
  if (!key.startsWith("lxc.")) return refused(key, "is not an LXC key");
  if (AGENT_OWNED.test(key)) return "drop";
  if (key === "lxc.console.path" && value.trim() === "none") return "keep";
  if (key === "lxc.mount.entry") return mappedVolume ? "keep" : mountEntry(value, scope, mode);
  if (ANY_PART.some((re) => re.test(key))) return "keep";
  if (PLATFORM_ONLY.some((re) => re.test(key)))
    return scope === "platform" ? "keep" : refused(key, "is for platform parts only");
  if (scope === "platform") return "keep";
  if (key === "lxc.mount.auto") {
    const bad = value
      .trim()
      .split(/\s+/)
      .find((v) => !APP_MOUNT_AUTO.test(v));
    return bad ? refused(key, `${bad} is for platform parts only`) : "keep";
  }
  if (/^lxc\.net\.\d+\.type$/.test(key))
    return APP_NET_TYPES.has(value.trim())
      ? "keep"
      : refused(key, `${value.trim()} is for platform parts only`);
  if (
    /^lxc\.net\.\d+\.(flags|name|hwaddr|mtu|ipv4\.address|ipv6\.address|ipv4\.gateway|ipv6\.gateway|link|veth\.pair)$/.test(
      key,
    )
  )
    return "keep";
  if (key === "lxc.namespace.keep") {
    const bad = value
      .trim()
      .split(/\s+/)
      .find((ns) => !APP_KEPT_NAMESPACES.has(ns));
    return bad ? refused(key, `${bad} is for platform parts only`) : "keep";
  }
  return refused(key, "is not allowed for app parts");
}
