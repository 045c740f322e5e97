import { ApiError } from '../../../client/index.js';
import { defineCommand } from '../../command.js';
import { UsageError } from '../../errors.js';
import { APPLY_ORDER, manifestKind } from '../../manifest.js';
import { readManifestFiles } from '../../manifest-files.js';

export default defineCommand({
  args: '<files...>',
  description: 'Documents that do not exist are skipped. Trainings are deleted before what they use.',
  examples: ['gangplank bulk delete manifests.yaml'],
  async run(ctx, { args }) {
    const files = (args[0] as string[] | undefined) ?? [];
    if (files.length === 0) throw new UsageError('pass at least one file');
    const manifests = readManifestFiles(files, ctx.io.cwd, ctx.io.readStdin).map((m) => ({
      m,
      kind: manifestKind(m),
    }));
    for (const { m } of manifests) if (!m.id) throw new UsageError(`${m.source}: the document has no id`);
    manifests.sort((a, b) => APPLY_ORDER[b.kind] - APPLY_ORDER[a.kind]);
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
