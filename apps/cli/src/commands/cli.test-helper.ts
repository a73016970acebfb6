import { fileURLToPath } from "node:url";
import { memoryIo } from "../cli/io.js";
import { run } from "../cli/run-cli.js";

/** Runs the CLI in-process and returns its exit code and captured output. */
export async function cli(args: string[], cwd = process.cwd()) {
  const io = memoryIo(cwd);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

/** Same, parsing stdout as JSON (the command must have been given --json). */
export async function cliJson<T = Record<string, unknown>>(args: string[], cwd = process.cwd()) {
  const result = await cli(["--json", ...args], cwd);
  return { ...result, json: JSON.parse(result.out) as T };
}

/** Real Pantavisor fixtures, at ../shared/fixtures/pantavisor relative to the repository root. */
export const FIXTURES =
  process.env.STATECAST_FIXTURES ??
  fileURLToPath(new URL("../../../../../shared/fixtures/pantavisor", import.meta.url));
export const fixture = (name: string) => `${FIXTURES}/${name}`;
