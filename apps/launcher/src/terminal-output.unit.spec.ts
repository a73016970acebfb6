import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const moduleUrl = new URL("./terminal-output.ts", import.meta.url).href;

// A real pipe whose reader exits at once, as `tee` does on a Ctrl-C: the writer learns it from
// EPIPE, stops writing, and goes on to its clean stop instead of spinning on failed writes.
describe("terminal output", () => {
  it("stops writing at the first EPIPE and tells its owner once", () => {
    const writer = [
      `import { terminalOutput } from ${JSON.stringify(moduleUrl)};`,
      "let told = 0;",
      "const out = terminalOutput(() => { told++; setTimeout(() => { console.error('told', told); process.exit(0); }, 300); });",
      "const timer = setInterval(() => { for (let i = 0; i < 100; i++) out.print('a line of demo output'); }, 1);",
      "setTimeout(() => { clearInterval(timer); console.error('never told'); process.exit(1); }, 10000);",
    ].join("\n");
    const run = spawnSync(
      "sh",
      ["-c", `${JSON.stringify(process.execPath)} --import tsx -e "$WRITER" | true`],
      {
        env: { ...process.env, WRITER: writer },
        cwd: fileURLToPath(new URL(".", import.meta.url)),
        encoding: "utf8",
        timeout: 20_000,
      },
    );
    expect(run.stderr).toContain("told 1");
    expect(run.stderr).not.toContain("never told");
  }, 30_000);
});
