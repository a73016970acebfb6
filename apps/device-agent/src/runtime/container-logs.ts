import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ApplyError } from "../apply/apply-error.js";
import type { ContainerRuntime } from "./runtime.js";

/** Room for the exit and the last output in a report message (DESIGN: messages ≤ 4096 chars). */
const MAX_DETAIL = 3000;
const LAST_LINES = 20;

/**
 * A container's console output and LXC log, kept under `<store>/container-logs/<name>/`: not in
 * its working directory (deleted when it is removed, e.g. by a rollback) nor in the revision's
 * trail (collected), so the output of a failed container stays with the device.
 */
export function containerLogFiles(storeRoot: string, containerName: string) {
  const dir = join(storeRoot, "container-logs", containerName);
  return { dir, console: join(dir, "console.log"), lxc: join(dir, "lxc.log") };
}

export async function prepareContainerLogs(storeRoot: string, containerName: string) {
  const files = containerLogFiles(storeRoot, containerName);
  await mkdir(files.dir, { recursive: true });
  return files;
}

/** The rendered config plus the console log (LXC writes it only when the console has a devpts). */
export function withConsoleLog(config: string, consoleLog: string): string {
  const pty = /^lxc\.pty\.max\s*=/m.test(config) ? "" : "lxc.pty.max = 16\n";
  return `${config}lxc.console.logfile = ${consoleLog}\n${pty}`;
}

/** "exit code 2; last output: …" for a container that stopped, bounded for a report. */
export async function exitDetail(
  runtime: ContainerRuntime,
  storeRoot: string,
  name: string,
): Promise<string> {
  const exit = await runtime.exitStatus(name).catch(() => undefined);
  const how = !exit
    ? "exit status unknown"
    : "code" in exit
      ? `exit code ${exit.code}`
      : `killed by signal ${exit.signal}`;
  const output = await readFile(containerLogFiles(storeRoot, name).console, "utf8").catch(() => "");
  const lines = output.replace(/\r/g, "").trimEnd().split("\n").slice(-LAST_LINES).join("\n");
  const last = lines.length > MAX_DETAIL ? `…${lines.slice(-MAX_DETAIL)}` : lines;
  return last ? `${how}; last output:\n${last}` : `${how}; no console output`;
}

/** Runs a wait on containers; a `container_exited` failure gets the dead containers' exit and output. */
export async function explainExits<T>(
  wait: Promise<T>,
  names: string[],
  runtime: ContainerRuntime,
  storeRoot: string,
): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    if (!(error instanceof ApplyError) || error.reason !== "container_exited") throw error;
    const details: string[] = [];
    for (const name of names) {
      const state = await runtime.state(name);
      if (state === "STOPPED" || state === "ABSENT")
        details.push(`${name}: ${await exitDetail(runtime, storeRoot, name)}`);
    }
    if (details.length === 0) throw error;
    const message = `${error.message} (${details.join("\n")})`;
    throw new ApplyError(error.reason, message.slice(0, 4000), { cause: error });
  }
}
