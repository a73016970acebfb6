import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo } from "../cli/io.js";
import { run } from "../cli/run-cli.js";

export interface RemoteCli {
  /** the environment every run sees (STATECAST_CONFIG points into a private temp dir). */
  env: Record<string, string | undefined>;
  configFile: string;
  sc(
    args: string[],
    cwd?: string,
    extra?: { isTTY?: boolean; env?: Record<string, string> },
  ): Promise<{ code: number; out: string; err: string }>;
  scJson<T = Record<string, unknown>>(
    args: string[],
    cwd?: string,
  ): Promise<{ code: number; out: string; err: string; json: T }>;
}

/** Runs the CLI in-process with its own config file, never the user's. */
export async function remoteCli(): Promise<RemoteCli> {
  const home = await mkdtemp(join(tmpdir(), "sc-remote-home-"));
  const configFile = join(home, "statecast", "config.json");
  const env = { STATECAST_CONFIG: configFile, HOME: home };
  const sc: RemoteCli["sc"] = async (args, cwd = process.cwd(), extra = {}) => {
    const io = { ...memoryIo(cwd), env: { ...env, ...extra.env }, isTTY: extra.isTTY ?? false };
    // memoryIo's writers close over its own object: keep them pointing at this one.
    io.stdout = (text: string) => {
      io.out += text;
    };
    io.stderr = (text: string) => {
      io.err += text;
    };
    const code = await run(args, io);
    return { code, out: io.out, err: io.err };
  };
  return {
    env,
    configFile,
    sc,
    async scJson<T>(args: string[], cwd?: string) {
      const result = await sc(["--json", ...args], cwd);
      let json: T;
      try {
        json = JSON.parse(result.out) as T;
      } catch {
        throw new Error(`not JSON (exit ${result.code}): ${result.out}\n${result.err}`);
      }
      return { ...result, json };
    },
  };
}
