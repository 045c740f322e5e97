import { defineCommand, stringOpt } from '../../command.js';
import { UsageError } from '../../errors.js';
import { parseTimeout, waitAndReport } from '../../resource-commands.js';

export default defineCommand({
  description: 'The run is stopped (SIGTERM, then SIGKILL after a grace period) and ends as cancelled (on the wire: failed, reason Cancelled).',
  examples: [
    'gangplank train cancel --id wine',
    'gangplank train cancel --id wine --reason "wrong data" --wait',
  ],
  options: (cmd) => {
    cmd
      .option('--id <id>', 'training id')
      .option('--reason <text>', 'why, recorded on the run')
      .option('--wait', 'wait until the run has stopped')
      .option('--timeout <seconds>', 'give up waiting after this many seconds', '300');
  },
  async run(ctx, { opts }) {
    const id = stringOpt(opts, 'id');
    if (id === undefined) throw new UsageError('pass --id ID');
    const training = await ctx.client().trainings.cancel(id, stringOpt(opts, 'reason'));
    const status = training.status;
    // On the wire a cancelled run is `failed` with reason `Cancelled` (Odahu's states); say what it means.
    const state =
      status?.state === 'failed' && status.reason === 'Cancelled' ? 'cancelled' : (status?.state ?? 'unknown');
    ctx.print(`ModelTraining ${id} cancel requested (state: ${state})`);
    if (opts['wait'] === true) return waitAndReport(ctx, id, parseTimeout(opts['timeout']), true);
    return 0;
  },
});
