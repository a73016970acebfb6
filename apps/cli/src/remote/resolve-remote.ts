import { configPath, type Env, type RemoteEntry, readRemoteConfig } from "./remote-config.js";
import { RemoteConfigError } from "./remote-errors.js";

/** The orchestrator a command talks to, and with which token. */
export interface ResolvedRemote {
  /** the config entry's name, or null when it came from the environment alone. */
  name: string | null;
  url: string;
  token: string;
}

export interface RemoteChoice {
  /** `--remote NAME` */
  remote?: string | undefined;
  /** a URL the working directory tracks (its token is looked up by URL) */
  url?: string | null | undefined;
}

/**
 * Picks the remote: `--remote NAME`, else the working directory's URL, else the current one;
 * STATECAST_URL / STATECAST_TOKEN override what the config says.
 */
export async function resolveRemote(env: Env, choice: RemoteChoice = {}): Promise<ResolvedRemote> {
  const path = configPath(env);
  const config = await readRemoteConfig(path);
  const entries = Object.entries(config.remotes);
  let picked: [string, RemoteEntry] | undefined;
  if (choice.remote !== undefined) {
    const entry = config.remotes[choice.remote];
    if (!entry)
      throw new RemoteConfigError(
        `no remote named "${choice.remote}" in ${path}; known: ${entries.map(([n]) => n).join(", ") || "none"} — add it with \`statecast login URL --token T --name ${choice.remote}\``,
        true,
      );
    picked = [choice.remote, entry];
  } else if (choice.url) {
    picked = entries.find(([, e]) => sameUrl(e.url, choice.url ?? ""));
  } else if (config.current) {
    const entry = config.remotes[config.current];
    if (entry) picked = [config.current, entry];
  }
  const url =
    env.STATECAST_URL || (choice.remote ? picked?.[1].url : choice.url) || picked?.[1].url;
  if (!url)
    throw new RemoteConfigError(
      "no orchestrator configured: run `statecast login URL --token T` (or set STATECAST_URL and STATECAST_TOKEN)",
    );
  const byUrl =
    picked && sameUrl(picked[1].url, url) ? picked : entries.find(([, e]) => sameUrl(e.url, url));
  const token = env.STATECAST_TOKEN || byUrl?.[1].token;
  if (!token)
    throw new RemoteConfigError(
      `no token for ${url}: run \`statecast login ${url} --token T\` (or set STATECAST_TOKEN)`,
    );
  return { name: byUrl?.[0] ?? null, url: url.replace(/\/+$/, ""), token };
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}
