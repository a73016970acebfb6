import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cli } from "./cli.test-helper.js";

const run = promisify(execFile);

/** Sources the generated script in a real bash and asks it to complete `words` (last = current). */
async function complete(script: string, words: string[]): Promise<string[]> {
  const array = words.map((w) => `'${w}'`).join(" ");
  const program = `${script}\nCOMP_WORDS=(statecast ${array}); COMP_CWORD=${words.length}; _statecast; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run("bash", ["-c", program]);
  return stdout.split("\n").filter(Boolean);
}

describe("statecast completion", () => {
  it("completes top-level commands, subcommands and options in bash", async () => {
    const { code, out } = await cli(["completion", "bash"]);
    expect(code).toBe(0);
    expect(await complete(out, ["ro"])).toEqual(["rollout"]);
    expect(await complete(out, ["devices", ""])).toEqual(
      expect.arrayContaining(["ls", "show", "tag", "approve", "revoke", "--help"]),
    );
    expect(await complete(out, ["rollout", "wa"])).toEqual(["watch"]);
    expect(await complete(out, ["fleet", "token", ""])).toEqual(
      expect.arrayContaining(["create", "ls", "revoke", "--help"]),
    );
    expect(await complete(out, ["fleet", "token", "create", "lab", "--m"])).toEqual(["--max-uses"]);
    // An option's value is skipped: still completing `devices ls` options.
    expect(await complete(out, ["devices", "ls", "--fleet", "lab", "--pre"])).toEqual([
      "--presence",
    ]);
    expect(await complete(out, ["post", "--"])).toEqual(
      expect.arrayContaining(["--message", "--fleet", "--remote", "--help"]),
    );
  });

  it("prints a zsh script built on bashcompinit, and refuses other shells", async () => {
    const zsh = await cli(["completion", "zsh"]);
    expect(zsh.out.startsWith("#compdef statecast\n")).toBe(true);
    expect(zsh.out).toContain("bashcompinit");
    expect(zsh.out).toContain("complete -o default -F _statecast statecast");
    const fish = await cli(["completion", "fish"]);
    expect(fish.code).toBe(2);
    expect(fish.err).toBe('statecast: completion "fish": supported shells are bash and zsh\n');
  });

  it("gives every server-facing command's --help an example", async () => {
    const script = (await cli(["completion", "bash"])).out;
    const paths = [...script.matchAll(/^ {2}\['([^']*)'\]=/gm)].map((m) => m[1] ?? "");
    const mine =
      /^statecast (login|whoami|remotes|clone|post|devices|device|fleet|audit|objects|rollout|why|completion)( |$)/;
    const leaves = paths.filter((p) => mine.test(p) && !paths.some((q) => q.startsWith(`${p} `)));
    expect(leaves.length).toBe(32);
    const missing: string[] = [];
    for (const leaf of leaves) {
      const help = await cli([...leaf.split(" ").slice(1), "--help"]);
      if (!/Examples?:\n {2}\$ (source <\()?statecast /.test(help.out)) missing.push(leaf);
    }
    expect(missing).toEqual([]);
  });
});
