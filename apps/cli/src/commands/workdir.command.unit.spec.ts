import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aContainer, aRunJson } from "../workdir/container.test-helper.js";
import { cli, cliJson } from "./cli.test-helper.js";

let base: string;
let wd: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "sc-authoring-"));
  wd = join(base, "device");
  expect((await cli(["init", "device", "--fleet", "lab"], base)).code).toBe(0);
  await mkdir(join(wd, "web"));
  for (const [path, text] of Object.entries(aContainer("web", { n: 1 })))
    await writeFile(join(wd, path), text);
});
afterEach(() => rm(base, { recursive: true, force: true }));

describe("statecast authoring commands (in-process)", () => {
  it("init → status → add → commit → diff → checkout, as text and --json", async () => {
    const status = await cli(["status"], join(wd, "web"));
    expect(status).toMatchObject({
      code: 0,
      out: "?  web/lxc.container.conf\n?  web/root.squashfs\n?  web/run.json\n",
    });
    expect((await cli(["add", "run.json", "lxc.container.conf"], join(wd, "web"))).out).toBe(
      "A  web/lxc.container.conf\nA  web/run.json\n",
    );
    const invalid = await cli(["commit", "-m", "no root yet"], wd);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/"root-volume" refers to missing key web\/root.squashfs/);
    expect((await cli(["add", "web/root.squashfs"], wd)).code).toBe(0);
    const committed = await cliJson<{ digest: string; changes: unknown[] }>(
      ["commit", "-m", "web config"],
      wd,
    );
    expect(committed.code).toBe(0);
    expect(committed.json.changes).toEqual([
      { path: "web/lxc.container.conf", change: "added" },
      { path: "web/root.squashfs", change: "added" },
      { path: "web/run.json", change: "added" },
    ]);

    await writeFile(join(wd, "web/run.json"), aRunJson("web", { n: 2 }));
    const diff = await cli(["diff"], wd);
    expect(diff.out).toBe("M  web/run.json\n    ~ /n: 1 → 2\n");
    const diffJson = await cliJson<{ diffs: unknown[] }>(["diff", "web"], wd);
    expect(diffJson.json.diffs).toEqual([
      {
        path: "web/run.json",
        change: "modified",
        kind: "json",
        changes: [{ op: "replace", pointer: "/n", before: 1, after: 2 }],
      },
    ]);

    const refused = await cli(["checkout"], wd);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/uncommitted change.*--force/);
    expect((await cli(["checkout", "--force"], wd)).code).toBe(0);
    expect(await readFile(join(wd, "web/run.json"), "utf8")).toContain('"n": 1,');

    const log = await cliJson<{ commits: { message: string }[] }>(["log"], wd);
    expect(log.json.commits.map((c) => c.message)).toEqual(["web config", "init"]);
    const status2 = await cliJson<{ changes: unknown[] }>(["status"], wd);
    expect(status2.json.changes).toEqual([]);
  });

  it("says what to do, with exit 2 for usage and 1 for refused content", async () => {
    const outside = await cli(["status"], base);
    expect(outside.code).toBe(2);
    expect(outside.err).toMatch(/not inside a statecast working directory; run `statecast init`/);
    expect((await cli(["commit"], wd)).code).toBe(2);
    const empty = await cli(["commit", "-m", "x"], wd);
    expect(empty).toMatchObject({ code: 1 });
    expect(empty.err).toMatch(/nothing to commit/);
    expect((await cli(["add", "../elsewhere"], wd)).err).toMatch(/is outside/);
    expect((await cli(["checkout", "beef"], wd)).err).toMatch(/no committed revision/);
    await symlink("/etc/hostname", join(wd, "web/host"));
    const link = await cli(["status"], wd);
    expect(link.code).toBe(1);
    expect(link.err).toMatch(/web\/host is a symbolic link; a state holds regular files only/);
    expect((await cli(["init", "device"], base)).err).toMatch(
      /already a statecast working directory/,
    );
  });

  it("documents every authoring command with an example", async () => {
    for (const command of [
      ["init"],
      ["status"],
      ["diff"],
      ["add"],
      ["commit"],
      ["checkout"],
      ["log"],
      ["app", "add"],
      ["sign"],
      ["sig", "ls"],
      ["export"],
      ["import"],
    ]) {
      const help = await cli([...command, "--help"], wd);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(/Examples?:\n {2}\$ statecast /);
    }
  });
});
