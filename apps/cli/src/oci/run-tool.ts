import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";

/** A failed external tool (skopeo, umoci, mksquashfs, tar), with its stderr tail. */
export class ToolError extends Error {
  override readonly name = "ToolError";
  constructor(
    message: string,
    readonly tool: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export interface ToolRun {
  timeoutMs?: number;
  cwd?: string;
}

/** Runs `tool args…`, resolves with stdout; rejects with the tool's own error text. */
export function runTool(tool: string, args: string[], options: ToolRun = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 120_000,
      killSignal: "SIGKILL",
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (cause) =>
      reject(new ToolError(`cannot run ${tool}: ${cause.message}`, tool, "")),
    );
    child.on("close", (code, signal) => {
      const stderr = Buffer.concat(err).toString("utf8").trim().slice(-2000);
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const how = signal ? `was killed (${signal}, time limit reached?)` : `exited with ${code}`;
      reject(new ToolError(`${tool} ${how}: ${lastLine(stderr)}`, tool, stderr));
    });
  });
}

/** The absolute path of an executable found on PATH, or null. */
export async function findExecutable(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function lastLine(text: string): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines.at(-1) ?? "(no error output)";
}
