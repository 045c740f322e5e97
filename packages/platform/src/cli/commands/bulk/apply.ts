import { ApiError, type WireResource } from '../../../client/index.js';
import { defineCommand } from '../../command.js';
import { UsageError } from '../../errors.js';
import { APPLY_ORDER, manifestKind } from '../../manifest.js';
import { readManifestFiles } from '../../manifest-files.js';

export default defineCommand({
  args: '<files...>',
  description:
    'For each document: GET by id, then POST when missing or PUT when present (odahuflowctl bulk apply). ' +
    'Connections and toolchains are applied before trainings, whatever the order in the files.',
  examples: ['gangplank bulk apply manifests.yaml', 'gangplank bulk apply connections.json trainings/'],
  async run(ctx, { args }) {
    const files = (args[0] as string[] | undefined) ?? [];
    if (files.length === 0) throw new UsageError('pass at least one file');
    const manifests = readManifestFiles(files, ctx.io.cwd, ctx.io.readStdin).map((m) => ({
      m,
      kind: manifestKind(m),
    }));
    for (const { m } of manifests) if (!m.id) throw new UsageError(`${m.source}: the document has no id`);
    manifests.sort((a, b) => APPLY_ORDER[a.kind] - APPLY_ORDER[b.kind]);
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
