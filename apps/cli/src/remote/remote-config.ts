import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { RemoteConfigError } from "./remote-errors.js";

/** One orchestrator the CLI talks to. */
export interface RemoteEntry {
  url: string;
  token: string;
}

/** `$XDG_CONFIG_HOME/statecast/config.json`: named remotes and the one in use. */
export interface RemoteConfig {
  remotes: Record<string, RemoteEntry>;
  current: string | null;
}

export type Env = Record<string, string | undefined>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Where the config lives: STATECAST_CONFIG, else $XDG_CONFIG_HOME (or ~/.config)/statecast. */
export function configPath(env: Env): string {
  if (env.STATECAST_CONFIG) return env.STATECAST_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "statecast", "config.json");
}

export async function readRemoteConfig(path: string): Promise<RemoteConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { remotes: {}, current: null };
    throw new RemoteConfigError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RemoteConfigError(`${path} is not valid JSON; fix it or run \`statecast login\``);
  }
  return checkConfig(value, path);
}

function checkConfig(value: unknown, path: string): RemoteConfig {
  const bad = (what: string) => new RemoteConfigError(`${path}: ${what}`);
  if (typeof value !== "object" || value === null) throw bad("expected a JSON object");
  const { remotes = {}, current = null } = value as Partial<RemoteConfig>;
  if (typeof remotes !== "object" || remotes === null) throw bad("`remotes` must be an object");
  for (const [name, entry] of Object.entries(remotes)) {
    if (typeof entry?.url !== "string" || typeof entry?.token !== "string")
      throw bad(`remote "${name}" needs a string url and token`);
  }
  if (current !== null && typeof current !== "string") throw bad("`current` must be a name");
  return { remotes, current };
}

/** Writes the config with mode 0600 in a directory of mode 0700 (it holds tokens). */
export async function writeRemoteConfig(path: string, config: RemoteConfig): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temp = join(dir, `.config.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new RemoteConfigError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/** Adds or replaces remote `name` and makes it current. */
export function withRemote(config: RemoteConfig, name: string, entry: RemoteEntry): RemoteConfig {
  if (!NAME.test(name))
    throw new RemoteConfigError(
      `remote name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-'`,
      true,
    );
  return { remotes: { ...config.remotes, [name]: entry }, current: name };
}

/** Normalises an orchestrator URL (http/https only, no trailing slash). */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RemoteConfigError(
      `${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:8080)`,
      true,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new RemoteConfigError(
      `${url}: only http:// and https:// orchestrators are supported`,
      true,
    );
  return parsed.toString().replace(/\/+$/, "");
}
