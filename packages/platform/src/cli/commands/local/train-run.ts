import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { defineCommand, stringOpt, stringsOpt } from '../../command.js';
import { UsageError } from '../../errors.js';
import { resolveLocalPlan, resolveLocalUris } from '../../local-plan.js';
import { readManifestFiles } from '../../manifest-files.js';
import { fileOption } from '../../options.js';

export default defineCommand({
  description:
    'Runs the training through the same local executor as the server: code and data fetched from its ' +
    'connections, toolchain, envs, artifacts zipped under the artifact name template, metrics pushed to the ' +
    'Pushgateway when one is configured. The toolchain and connections are looked up among the files; what is ' +
    'missing is fetched from the server when --url (or a saved login) is set. A relative uri of a local ' +
    "connection is read relative to its manifest file's folder.",
  examples: [
    'gangplank local train run -f training.yaml --id wine',
    'gangplank local train run -d manifests/ --id wine --output-dir ./out',
    'gangplank local train run -f training.yaml --dry-run',
  ],
  options: (cmd) => {
    fileOption(cmd, false);
    cmd
      .option(
        '-d, --manifest-dir <dir>',
        'folder of manifest files (.yaml, .yml, .json); repeatable',
        (v: string, p?: string[]) => [...(p ?? []), v],
      )
      .option('--id <id>', 'training to run (optional when the files hold one training)')
      .option(
        '--output-dir <dir>',
        'where the artifact zip and output folder go (default $LOCAL_MODEL_OUTPUT_DIR or ~/.local/share/gangplank/training_output)',
      )
      .option('--dry-run', 'print the resolved training, toolchain and connections, and run nothing');
  },
  async run(ctx, { opts }) {
    const paths = [...stringsOpt(opts, 'file'), ...stringsOpt(opts, 'manifestDir')];
    if (paths.length === 0) throw new UsageError('pass -f FILE or -d DIR');
    const manifests = resolveLocalUris(readManifestFiles(paths, ctx.io.cwd, ctx.io.readStdin), ctx.io.cwd);
    const plan = resolveLocalPlan(manifests, stringOpt(opts, 'id'));
    const { settings, sources } = ctx.settings();
    const serverKnown = sources.url !== 'default';
    if (serverKnown && (plan.missingConnections.length > 0 || (plan.toolchainId && !plan.toolchain))) {
      const client = ctx.client();
      for (const id of plan.missingConnections)
        plan.connections.push(await client.connections.getDecrypted(id));
      plan.missingConnections = [];
      if (plan.toolchainId && !plan.toolchain) plan.toolchain = await client.toolchains.get(plan.toolchainId);
    }
    if (plan.missingConnections.length > 0) {
      throw new UsageError(
        `connection ${plan.missingConnections.join(', ')} not found among the files; add its manifest with -f ` +
          `or point at a server with --url`,
      );
    }
    if (opts['dryRun'] === true) {
      ctx.print(
        stringify(
          {
            training: plan.training,
            toolchain: plan.toolchain ?? plan.toolchainId ?? null,
            connections: plan.connections,
          },
          { lineWidth: 0 },
        ).trimEnd(),
      );
      return 0;
    }
    const { runLocal } = await import('../../local-run.js');
    const outputDir = stringOpt(opts, 'outputDir');
    return runLocal(ctx, plan, {
      ...(outputDir !== undefined ? { outputDir: resolve(ctx.io.cwd, outputDir) } : {}),
      pushgatewayUrl: settings.pushgatewayUrl,
    });
  },
});
