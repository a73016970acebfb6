import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { UsageError } from "../cli/exit-codes.js";

/** Every command path (space-separated, from "statecast") → the words that may follow it. */
export function completionTable(program: Command): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const visit = (command: Command, path: string) => {
    const children = command.commands.map((c) => c.name());
    const options = command.options.flatMap((o) => (o.long ? [o.long] : []));
    table.set(path, [...children, ...options, "--help"]);
    for (const child of command.commands) visit(child, `${path} ${child.name()}`);
  };
  visit(program, "statecast");
  return table;
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * A bash completion script: walks the words typed so far down the command tree (skipping option
 * values), then offers that command's subcommands and options; files otherwise.
 */
export function bashCompletion(program: Command): string {
  const entries = [...completionTable(program)]
    .map(([path, words]) => `  [${quote(path)}]=${quote(words.join(" "))}`)
    .join("\n");
  return `# statecast completion for bash: source <(statecast completion bash)
declare -gA _statecast_words=(
${entries}
)
_statecast() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path=statecast next i
  for ((i = 1; i < COMP_CWORD; i++)); do
    next="$path \${COMP_WORDS[i]}"
    [[ -n "\${_statecast_words[$next]+set}" ]] && path="$next"
  done
  COMPREPLY=($(compgen -W "\${_statecast_words[$path]}" -- "$cur"))
}
complete -o default -F _statecast statecast
`;
}

/** zsh runs the bash script through bashcompinit. */
export function zshCompletion(program: Command): string {
  return `#compdef statecast
# statecast completion for zsh: source <(statecast completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split("\n").slice(1).join("\n")}`;
}

/** `statecast completion bash|zsh`. */
export const registerCompletionCommand: CommandGroup = (program, ctx) => {
  program
    .command("completion")
    .description("print a shell completion script")
    .argument("<shell>", "bash or zsh")
    .addHelpText(
      "after",
      "\nExamples:\n  $ source <(statecast completion bash)        # in ~/.bashrc\n  $ source <(statecast completion zsh)         # in ~/.zshrc\n",
    )
    .action((shell: string) => {
      if (shell === "bash") ctx.io.stdout(bashCompletion(program));
      else if (shell === "zsh") ctx.io.stdout(zshCompletion(program));
      else
        throw new UsageError(
          `completion ${JSON.stringify(shell)}: supported shells are bash and zsh`,
        );
    });
};
