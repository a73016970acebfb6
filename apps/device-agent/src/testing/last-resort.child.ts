// Run by last-resort.unit.spec.ts as its own process under a low `ulimit -n`: installs the
// agent's last-resort handlers, takes every free descriptor, and leaves a real EMFILE rejection
// (and a thrown one) unhandled; then, with the descriptors back, reads a file to show it still
// works, and last leaves a plain error unhandled, which must end it with exit 70. Prints one JSON
// line before that last step.
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { surviveResourceErrors } from "../fs/last-resort.js";
import { resourceErrorCounts } from "../fs/resource-retry.js";

const file = process.argv[2] ?? "";
if (!file) throw new Error("usage: last-resort.child.ts <a file to read>");

const lines: string[] = [];
const log = {
  info() {},
  warn: (msg: string, fields?: Record<string, unknown>) => lines.push(`${msg} ${fields?.code}`),
  error: (msg: string) => process.stderr.write(`${msg}\n`),
};
surviveResourceErrors({ log });

const held: number[] = [];
/** Takes every free descriptor (the runtime may have closed one meanwhile); the EMFILE it met. */
function takeAll(): Error {
  for (;;) {
    try {
      held.push(openSync(file, "r"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EMFILE") return error as Error;
      throw error;
    }
  }
}
const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
/**
 * Leaves a real EMFILE rejection unhandled: the promise chained on the read has no rejection
 * handler, so its rejection reaches the last resort, while the read's own outcome is watched. A
 * read that found a descriptor freed meanwhile (the runtime's own, on a busy machine) is tried again.
 */
async function unhandledEmfile(): Promise<void> {
  for (let attempt = 1; attempt <= 50; attempt++) {
    takeAll();
    const read = readFile(file);
    void read.then(() => undefined); // rejects with EMFILE, and nobody handles it
    if (
      await read.then(
        () => false,
        () => true,
      )
    )
      return;
  }
  throw new Error("every read found a free descriptor");
}
await unhandledEmfile();
await pause();
setTimeout(() => {
  throw takeAll(); // a real EMFILE thrown in a timer, and nobody catches it
});
await pause();
for (const fd of held.splice(0)) closeSync(fd);
const read = (await readFile(file, "utf8")).trim();
console.log(JSON.stringify({ alive: true, read, warnings: lines, counts: resourceErrorCounts() }));
void Promise.reject(new Error("a bug"));
await new Promise((resolve) => setTimeout(resolve, 5_000)); // exit 70 comes first
console.log("still running after a bug");
