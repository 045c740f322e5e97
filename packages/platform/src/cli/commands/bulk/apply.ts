import { ApiError, type WireResource } from '../../../client/index.js';
import { defineCommand } from '../../command.js';
import { readBulkManifests } from '../../manifest-files.js';

export default defineCommand({
  args: '<files...>',
  description:
    'For each document: GET by id, then POST when missing or PUT when present (odahuflowctl bulk apply). ' +
    'Connections and toolchains are applied before trainings, whatever the order in the files.',
  examples: ['gangplank bulk apply manifests.yaml', 'gangplank bulk apply connections.json trainings/'],
  async run(ctx, { args }) {
    const files = (args[0] as string[] | undefined) ?? [];
    const manifests = readBulkManifests(files, ctx.io.cwd, ctx.io.readStdin, 'apply');
    for (const { m, kind } of manifests) {
      const resource = ctx.client().resource(kind);
      let exists = true;
      try {
        await resource.get(m.id!);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
        exists = false;
      }
      const body = m.body as unknown as WireResource;
      if (exists) await resource.update(body);
      else await resource.create(body);
      ctx.print(`${kind} ${m.id!} ${exists ? 'updated' : 'created'}`);
    }
  },
});
