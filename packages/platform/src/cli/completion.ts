/**
 * Shell completion scripts generated from the command tree (commands, aliases and each command's flags), so they
 * never drift from the CLI. zsh reuses the bash function through bashcompinit.
 */
import type { Command } from 'commander';

export interface CompletionNode {
  /** Command words from the root, aliases expanded (`ti get` and `toolchain-integration get` both appear). */
  path: string;
  subcommands: string[];
  flags: string[];
}

/** Flattens a commander tree into completion nodes. */
export function completionNodes(root: Command): CompletionNode[] {
  const out: CompletionNode[] = [];
  const rootFlags = root.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
  const walk = (cmd: Command, paths: string[]): void => {
    const subs = cmd.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    const flags = [
      ...new Set([
        ...cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)),
        ...rootFlags,
        '--help',
      ]),
    ];
    for (const path of paths) out.push({ path, subcommands: subs, flags });
    for (const c of cmd.commands) {
      const names = [c.name(), ...c.aliases()];
      walk(
        c,
        paths.flatMap((p) => names.map((n) => (p ? `${p} ${n}` : n))),
      );
    }
  };
  walk(root, ['']);
  return out;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function bashCompletion(nodes: readonly CompletionNode[]): string {
  const subs = nodes.map((n) => `  [${quote(n.path || '.')}]=${quote(n.subcommands.join(' '))}`).join('\n');
  const flags = nodes.map((n) => `  [${quote(n.path || '.')}]=${quote(n.flags.join(' '))}`).join('\n');
  return `# gangplank completion for bash (and zsh through bashcompinit)
# Install: gangplank completion bash > ~/.local/share/bash-completion/completions/gangplank
declare -gA _gangplank_subs=(
${subs}
)
declare -gA _gangplank_flags=(
${flags}
)
_gangplank() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word next i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ $word == -* ]] && continue
    next="\${path:+$path }$word"
    [[ -n "\${_gangplank_flags[$next]+set}" ]] && path="$next"
  done
  local key="\${path:-.}"
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "\${_gangplank_flags[$key]}" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "\${_gangplank_subs[$key]}" -- "$cur"))
    [[ \${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _gangplank gangplank
`;
}

export function zshCompletion(nodes: readonly CompletionNode[]): string {
  return `# gangplank completion for zsh
# Install: gangplank completion zsh > "\${fpath[1]}/_gangplank"  (or: source <(gangplank completion zsh))
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(nodes).split('\n').slice(2).join('\n')}`;
}
