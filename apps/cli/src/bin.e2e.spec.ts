import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { fixture } from "./commands/cli.test-helper.js";

// The shipped entry point: bin/statecast.js → dist/main.js (needs `npm run build`, which
// `npm test` runs before this tier).
const BIN = fileURLToPath(new URL("../bin/statecast.js", import.meta.url));
const exec = promisify(execFile);

async function statecast(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("the built statecast binary", () => {
  it("runs state and bundle commands with their exit codes", async () => {
    const digest = await statecast("state", "digest", fixture("os.json"));
    expect(digest).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[0-9a-f]{64}\n$/) });
    const bundle = await statecast("--json", "bundle", "verify", fixture("watchdog_pinger.tar"));
    expect(bundle.code).toBe(0);
    expect(JSON.parse(bundle.stdout).missing).toEqual([]);
    expect((await statecast("state", "verify", fixture("bsp_init.json"), "--strict")).code).toBe(1);
    expect((await statecast("state")).code).toBe(2);
  });
});
