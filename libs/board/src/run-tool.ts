import { spawn } from "node:child_process";

export class BoardToolError extends Error {
  override readonly name = "BoardToolError";
}

/** Runs a host tool; fails with its stderr and the command line. Returns stdout. */
export function runTool(
  cmd: string,
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => reject(new BoardToolError(`${cmd}: ${e.message} (is it installed?)`)));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(
          new BoardToolError(
            `${cmd} ${args.join(" ")} exited ${code}: ${Buffer.concat(err).toString("utf8").trim()}`,
          ),
        );
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input);
  });
}
