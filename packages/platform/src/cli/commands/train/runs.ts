import { defineCommand, stringOpt } from '../../command.js';
import { runColumns } from '../../columns.js';
import { UsageError } from '../../errors.js';
import { outputFormatOpt, outputOption } from '../../options.js';
import { renderOutput } from '../../output.js';

export default defineCommand({
  description: 'Every create and every edit starts a run; earlier runs keep their status and artifacts.',
  examples: [
    'gangplank train runs --id wine',
    'gangplank train runs --id wine -o table',
    "gangplank train runs --id wine -o 'jsonpath=$[-1:].state'",
  ],
  options: (cmd) => {
    cmd.option('--id <id>', 'training id');
    outputOption(cmd);
  },
  async run(ctx, { opts }) {
    const format = outputFormatOpt(opts);
    const id = stringOpt(opts, 'id');
    if (id === undefined) throw new UsageError('pass --id ID');
    const runs = await ctx.client().trainings.runs(id);
    ctx.print(renderOutput(runs, format, runColumns(ctx.io.now())));
  },
});
