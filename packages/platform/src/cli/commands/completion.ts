import { defineCommand } from '../command.js';
import { bashCompletion, completionNodes, zshCompletion } from '../completion.js';
import { UsageError } from '../errors.js';

export default defineCommand({
  args: '<shell>',
  description: 'Shells: bash, zsh.',
  examples: [
    'gangplank completion bash > ~/.local/share/bash-completion/completions/gangplank',
    'source <(gangplank completion zsh)',
  ],
  async run(ctx, { args, fullProgram }) {
    const shell = String(args[0]);
    if (shell !== 'bash' && shell !== 'zsh')
      throw new UsageError(`unsupported shell ${shell}; use bash or zsh`);
    const root = await fullProgram();
    const nodes = completionNodes(root);
    ctx.print(shell === 'bash' ? bashCompletion(nodes) : zshCompletion(nodes));
  },
});
