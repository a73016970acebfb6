import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./cli/run-cli.js";

export { type CliIo, memoryIo, processIo } from "./cli/io.js";
export { run };

// Run when this module is the process entry: directly, or through bin/statecast.js
// (which npx reaches via a node_modules/.bin symlink, hence realpath).
function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  let entry: string;
  try {
    entry = realpathSync(script);
  } catch {
    return false;
  }
  const self = fileURLToPath(import.meta.url);
  return entry === self || entry === join(dirname(self), "..", "bin", "statecast.js");
}

if (isEntry()) {
  process.exitCode = await run(process.argv.slice(2));
}
