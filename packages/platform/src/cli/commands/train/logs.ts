import { defineCommand, stringOpt } from '../../command.js';
import { UsageError } from '../../errors.js';
import { followLogs } from '../../follow-logs.js';
import { selectManifests } from '../../manifest.js';
import { readFiles } from '../../resource-commands.js';
import { FINAL_STATES } from '../../wait.js';

export default defineCommand({
  description: 'Following survives dropped connections and never prints a line twice.',
  examples: [
    'gangplank train logs --id wine',
    'gangplank train logs --id wine --follow',
    `gangplank train logs --id wine --run "$(gangplank train runs --id wine -o 'jsonpath=$[0].id')"`,
    'gangplank train logs -f training.yaml --follow',
  ],
  options: (cmd) => {
    cmd
      .option('--id <id>', 'training id')
      .option('-f, --file <path>', 'take the id from this manifest file')
      .option('--run <runId>', 'logs of an earlier run (see train runs); default the latest')
      .option('--follow', 'keep printing until the training ends')
      .option('--not-follow', "print what there is and return (odahuflowctl's spelling; the default)");
  },
  async run(ctx, { opts }) {
    let id = stringOpt(opts, 'id');
    const file = stringOpt(opts, 'file');
    if (id === undefined && file === undefined) throw new UsageError('pass --id ID or -f FILE');
    if (id === undefined) {
      const [first] = selectManifests(readFiles(ctx, { file: [file] }), 'ModelTraining');
      id = first!.id!;
    }
    const trainingId = id;
    const trainings = ctx.client().trainings;
    await followLogs({
      open: (follow) => trainings.logs(trainingId, { follow, run: stringOpt(opts, 'run') }),
      write: (text) => ctx.io.stdout.write(text),
      isFinished: async () => FINAL_STATES.has((await trainings.get(trainingId)).status?.state ?? 'unknown'),
      follow: opts['follow'] === true && opts['notFollow'] !== true,
      sleep: ctx.io.sleep,
    });
  },
});
