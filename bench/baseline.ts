// `--baseline <git-ref>` for a bench: the same bench, as an earlier revision has it, built and run
// in the same invocation just before this one, so the old and the new figures come from the same
// machine in the same state (on a shared machine, figures from different hours do not compare).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Teardown } from "./teardown.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface Baseline {
  ref: string;
  commit: string;
  /** The baseline bench's last stdout line (its JSON result). */
  result: Record<string, unknown>;
}

export interface BaselineOptions {
  ref: string;
  /** The npm script, e.g. `bench:fleet`. */
  script: string;
  /** Arguments for the script; by default this process's own, without `--baseline`. */
  args?: string[];
  log: (line: string) => void;
  teardown: Teardown;
}

/**
 * Extracts `ref` (with `git archive`: no worktree is registered in the repository) into a
 * directory under the temp dir kept between runs, links this checkout's installed packages into
 * it when its lockfile is the same (else `npm ci` there), builds it with `tsc -b`, and runs its
 * `npm run <script>`; returns its JSON result. Its stderr is passed on, prefixed.
 */
export async function runBaseline(options: BaselineOptions): Promise<Baseline> {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  const commit = git("rev-parse", "--verify", `${options.ref}^{commit}`);
  const dir = join(tmpdir(), `statecast-baseline-${commit.slice(0, 12)}`);
  const ready = join(dir, ".baseline-built");
  const run = async (command: string, args: string[]) => {
    const child = spawn(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    return collect(child, options);
  };
  if (!existsSync(ready)) {
    options.log(`baseline ${options.ref} (${commit.slice(0, 12)}): extracting into ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", `git archive --format=tar ${commit} | tar -x -C "${dir}"`], {
      cwd: ROOT,
    });
    if (sameLockfile(dir)) linkPackages(dir);
    else {
      options.log("baseline: its package-lock.json differs from ours; npm ci there");
      await run("npm", ["ci", "--no-audit", "--no-fund"]);
    }
    options.log("baseline: building (tsc -b tsconfig.build.json)");
    await run("npx", ["tsc", "-b", "tsconfig.build.json"]);
    writeFileSync(ready, `${commit}\n`);
  }
  const args = options.args ?? argsWithoutBaseline(process.argv.slice(2));
  options.log(`baseline: npm run ${options.script} -- ${args.join(" ")}`);
  const stdout = await run("npm", ["run", "--silent", options.script, "--", ...args]);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  let result: Record<string, unknown>;
  try {
    result = JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`baseline ${options.ref}: no JSON on its last line: ${last.slice(0, 200)}`);
  }
  return { ref: options.ref, commit, result };
}

/** Runs `child` to its end (stopped with the bench on any way out); resolves with its stdout. */
async function collect(child: ChildProcess, options: BaselineOptions): Promise<string> {
  options.teardown.add(
    `the baseline's ${child.spawnargs.slice(0, 2).join(" ")}`,
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT"); // the baseline bench stops what it started, then exits
      await once(child, "exit");
    },
    () => [child.pid],
  );
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n"))
      if (line) options.log(`[baseline] ${line}`);
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`baseline: ${child.spawnargs.join(" ")} exited ${code}`);
  return stdout;
}

function sameLockfile(dir: string): boolean {
  const read = (root: string) => readFileSync(join(root, "package-lock.json"), "utf8");
  return read(dir) === read(ROOT);
}

/**
 * The same lockfile: each installed package is a link to ours, and the workspace packages
 * (`@statecast/*`) link to the baseline's own `apps/` and `libs/`, so its code runs, not ours.
 */
function linkPackages(dir: string): void {
  const ours = join(ROOT, "node_modules");
  const theirs = join(dir, "node_modules");
  mkdirSync(theirs);
  for (const entry of readdirSync(ours)) {
    if (entry === "@statecast") continue;
    symlinkSync(join(ours, entry), join(theirs, entry));
  }
  mkdirSync(join(theirs, "@statecast"));
  for (const group of ["apps", "libs"]) {
    for (const name of readdirSync(join(dir, group))) {
      const workspace = join(dir, group, name);
      const manifest = join(workspace, "package.json");
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
      if (pkg.name?.startsWith("@statecast/"))
        symlinkSync(relative(join(theirs, "@statecast"), workspace), join(theirs, pkg.name));
      // A workspace's own installed packages (versions that could not be hoisted).
      const nested = join(ROOT, group, name, "node_modules");
      if (existsSync(nested)) symlinkSync(nested, join(workspace, "node_modules"));
    }
  }
}

/** Numeric fields both results have, as `name: baseline → ours (×ratio)` lines. */
export function sideBySide(
  baseline: Record<string, unknown>,
  ours: Record<string, unknown>,
): string[] {
  return Object.entries(ours).flatMap(([key, value]) => {
    const before = baseline[key];
    if (typeof value !== "number" || typeof before !== "number") return [];
    const ratio = before === 0 ? "" : ` (×${(value / before).toFixed(2)})`;
    return [`${key}: ${before} → ${value}${ratio}`];
  });
}

/** This bench's arguments without `--baseline <ref>` / `--baseline=<ref>`: for the baseline's run. */
export function argsWithoutBaseline(argv: string[]): string[] {
  return argv.filter(
    (arg, i) =>
      arg !== "--baseline" && argv[i - 1] !== "--baseline" && !arg.startsWith("--baseline="),
  );
}
