// node:child_process is loaded on the first command, not at start: an idle agent with nothing
// to run keeps it out of its memory (bench:agent idle RSS).

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never rejects, the caller decides what a failure means. */
export async function run(
  command: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<ExecResult> {
  const { execFile } = await import("node:child_process");
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr || (error && !stderr ? error.message : "")),
        });
      },
    );
  });
}

/** Runs a command and throws with its stderr when it fails. */
export async function runOrThrow(
  command: string,
  args: string[],
  timeoutMs?: number,
): Promise<string> {
  const result = await run(command, args, timeoutMs);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.code}): ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}
