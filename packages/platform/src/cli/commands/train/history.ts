import { writeFile } from 'node:fs/promises';
import { defineCommand, stringOpt } from '../../command.js';
import { UsageError } from '../../errors.js';
import { historyTable } from '../../history-table.js';

export default defineCommand({
  description:
    'Every point the run recorded (epoch values, test results, batch samples), from the server. -o table (default) prints one row per step, json the series, csv phase,name,step,time,value.',
  examples: [
    'gangplank train history wine',
    'gangplank train history wine --run wine-2-1a2b3c4d -o json',
    'gangplank train history wine -o csv --file wine-history.csv',
  ],
  options: (cmd) => {
    cmd
      .argument('[id]', 'training id')
      .option('--id <id>', 'training id')
      .option('--run <runId>', 'run id (default: the latest run)')
      .option('-o, --output <format>', 'table, json or csv', 'table')
      .option('--file <path>', 'write to this file instead of stdout');
  },
  async run(ctx, { opts, args }) {
    const id = stringOpt(opts, 'id') ?? (typeof args[0] === 'string' ? args[0] : undefined);
    if (id === undefined) throw new UsageError('pass a training id: gangplank train history ID');
    const format = stringOpt(opts, 'output') ?? 'table';
    if (!['table', 'json', 'csv'].includes(format))
      throw new UsageError(`-o must be table, json or csv, got ${format}`);
    const client = ctx.client();
    let runId = stringOpt(opts, 'run');
    if (runId === undefined) {
      const runs = await client.trainings.runs(id);
      runId = runs[runs.length - 1]?.id;
      if (runId === undefined) throw new UsageError(`training ${id} has no run yet`);
    }
    const text =
      format === 'csv'
        ? await client.trainings.historyCsv(id, runId)
        : format === 'json'
          ? `${JSON.stringify(await client.trainings.history(id, runId), null, 2)}\n`
          : historyTable((await client.trainings.history(id, runId)).series);
    const file = stringOpt(opts, 'file');
    if (file === undefined) {
      ctx.print(text.replace(/\n$/, ''));
      return;
    }
    await writeFile(file, text);
    ctx.note(`wrote the history of run ${runId} to ${file}`);
  },
});
