import { ApiError } from '../../../client/index.js';
import { defineCommand } from '../../command.js';
import { readBulkManifests } from '../../manifest-files.js';

export default defineCommand({
  args: '<files...>',
  description: 'Documents that do not exist are skipped. Trainings are deleted before what they use.',
  examples: ['gangplank bulk delete manifests.yaml'],
  async run(ctx, { args }) {
    const files = (args[0] as string[] | undefined) ?? [];
    const manifests = readBulkManifests(files, ctx.io.cwd, ctx.io.readStdin, 'delete');
    for (const { m, kind } of manifests) {
      try {
        await ctx.client().resource(kind).delete(m.id!);
        ctx.print(`${kind} ${m.id!} deleted`);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
        ctx.print(`${kind} ${m.id!} not found, skipped`);
      }
    }
  },
});
