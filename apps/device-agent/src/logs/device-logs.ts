import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { RevisionSpec } from "../model/revision.js";
import { containerLogFiles } from "../runtime/container-logs.js";
import { LogFollower } from "./log-follower.js";
import { LOG_RING_BYTES, readRing, trimFile } from "./log-ring.js";

/** What an operator asks for: the agent's log, or one part's console output. */
export interface LogsQuery {
  /** `agent` or a part name of the committed revision (default: agent). */
  part?: string;
  /** Only lines from this instant on (agent lines carry their time; console files by mtime). */
  since?: string;
  maxBytes?: number;
}

export const MAX_LOGS_BYTES = 256 * 1024;

/**
 * The device's logs as it keeps them on disk: the agent's own ring (`<store>/logs/agent.log`)
 * and each LXC container's console log (`<store>/container-logs/<name>/console.log`, kept after
 * the container is removed), trimmed to {@link LOG_RING_BYTES} each. A part's log is its
 * committed container's, else its newest one's.
 */
export class DeviceLogs {
  constructor(
    private readonly logsDir: string,
    private readonly storeRoot: string,
    private readonly committed: () => RevisionSpec | undefined,
    /** Whether the runtime writes console logs at all (`sim` writes none: nothing to trim). */
    private readonly consoleLogs = true,
  ) {}

  get agentLog(): string {
    return join(this.logsDir, "agent.log");
  }

  async read(query: LogsQuery): Promise<{ part: string; text: string }> {
    const part = query.part ?? "agent";
    const maxBytes = Math.min(query.maxBytes ?? 64 * 1024, MAX_LOGS_BYTES);
    const since = query.since ? Date.parse(query.since) : Number.NaN;
    if (part === "agent") {
      const text = await readRing(this.agentLog, maxBytes);
      return { part, text: Number.isNaN(since) ? text : agentLinesSince(text, since) };
    }
    const file = await this.consoleOf(part);
    if (!file) return { part, text: "" };
    const info = await stat(file).catch(() => undefined);
    if (!info || (!Number.isNaN(since) && info.mtimeMs < since)) return { part, text: "" };
    return { part, text: await readRing(file, maxBytes) };
  }

  /** Follows what the part's log (or the agent's) gets from now on; undefined: no such part. */
  async follow(part = "agent"): Promise<LogFollower | undefined> {
    const file = part === "agent" ? this.agentLog : await this.consoleOf(part);
    return file ? LogFollower.fromEnd(file) : undefined;
  }

  /** The console log of the part's container: the committed one's, else the newest one's. */
  private async consoleOf(part: string): Promise<string | undefined> {
    const spec = this.committed()?.parts.find((p) => p.name === part);
    if (spec) return containerLogFiles(this.storeRoot, spec.containerName).console;
    let newest: { path: string; at: number } | undefined;
    for (const name of await this.containers()) {
      if (!name.startsWith(`${part}.`)) continue;
      const path = containerLogFiles(this.storeRoot, name).console;
      const at = (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
      if (!newest || at > newest.at) newest = { path, at };
    }
    return newest?.path;
  }

  private containers(): Promise<string[]> {
    return readdir(join(this.storeRoot, "container-logs")).catch(() => [] as string[]);
  }

  /** Keeps every console log within its bound (called now and then). */
  async trim(): Promise<void> {
    if (!this.consoleLogs) return;
    for (const name of await this.containers())
      await trimFile(containerLogFiles(this.storeRoot, name).console, LOG_RING_BYTES);
  }
}

function agentLinesSince(text: string, since: number): string {
  return text
    .split("\n")
    .filter((line) => {
      const t = /"t":"([^"]+)"/.exec(line)?.[1];
      return t !== undefined && Date.parse(t) >= since;
    })
    .map((line) => `${line}\n`)
    .join("");
}
