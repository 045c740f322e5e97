/**
 * The verbs shared by `train`, `toolchain-integration` and `connection`: get, create, edit, delete. Each command
 * file is one line that applies a factory to its {@link ResourceSpec}.
 */
import { ApiError, type WireResource } from '../client/index.js';
import { defineCommand, stringOpt, stringsOpt, type CommandDef } from './command.js';
import type { CliContext } from './context.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { selectManifests, type Manifest } from './manifest.js';
import { readManifestFiles } from './manifest-files.js';
import { fileOption, outputFormatOpt, outputOption, timeoutMs, waitOptions } from './options.js';
import { renderOutput } from './output.js';
import { ProgressPrinter } from './progress.js';
import type { ResourceSpec } from './resources.js';
import { historyReader } from './progress-history.js';
import { gatewayReader, prometheusReader, type MetricsReader } from './progress-metrics.js';
import { describeOutcome, waitForTraining } from './wait.js';

export function makeGetCommand(
  spec: ResourceSpec,
  extra: { decrypted?: boolean; filters?: boolean } = {},
): CommandDef {
  const g = `gangplank ${spec.group}`;
  return defineCommand({
    examples: [
      `${g} get`,
      `${g} get --id ${spec.exampleId} -o json`,
      `${g} get -o table`,
      ...(spec.kind === 'ModelTraining'
        ? [
            `${g} get -o 'jsonpath=$[0].status.artifacts[0].runId'`,
            `${g} get -o 'jsonpath=[*].spec.model.name'`,
          ]
        : [`${g} get -o 'jsonpath=[*].id'`]),
      ...(extra.decrypted ? [`${g} get --id ${spec.exampleId} --decrypted`] : []),
      ...(extra.filters ? [`${g} get --model-name wine --state failed -o table`] : []),
    ],
    options: (cmd) => {
      cmd.option('--id <id>', `id of one ${spec.noun} (prints a one-item list, as odahuflowctl does)`);
      outputOption(cmd);
      if (extra.decrypted) cmd.option('-d, --decrypted', 'show secrets in clear (base64), for admins');
      if (extra.filters) {
        cmd
          .option('--model-name <name>', 'only trainings of this model name')
          .option('--model-version <version>', 'only trainings of this model version')
          .option('--toolchain <id>', 'only trainings using this toolchain')
          .option('--state <state>', 'only trainings in this state (filtered by the CLI)');
      }
    },
    async run(ctx, { opts }) {
      const format = outputFormatOpt(opts);
      const id = stringOpt(opts, 'id');
      const client = ctx.client();
      let items: WireResource[];
      if (id !== undefined) {
        items = [
          extra.decrypted && opts['decrypted'] === true
            ? await client.connections.getDecrypted(id)
            : await client.resource(spec.kind).get(id),
        ];
      } else {
        const query: Record<string, string> = {};
        if (extra.filters) {
          for (const [flag, param] of [
            ['modelName', 'model_name'],
            ['modelVersion', 'model_version'],
            ['toolchain', 'toolchain'],
          ] as const) {
            const v = stringOpt(opts, flag);
            if (v !== undefined) query[param] = v;
          }
        }
        items = await client.resource(spec.kind).list(query);
        if (extra.decrypted && opts['decrypted'] === true) {
          items = await Promise.all(items.map((c) => client.connections.getDecrypted(c.id)));
        }
      }
      const state = stringOpt(opts, 'state');
      if (state !== undefined) items = items.filter((t) => t.status?.state === state);
      ctx.print(renderOutput(items, format, spec.columns(ctx.io.now())));
    },
  });
}

type Verb = 'create' | 'edit';

export function makeWriteCommand(spec: ResourceSpec, verb: Verb): CommandDef {
  const g = `gangplank ${spec.group}`;
  const isTraining = spec.kind === 'ModelTraining';
  return defineCommand({
    description:
      verb === 'edit' && isTraining
        ? 'Every edit starts a new run, even when the spec is unchanged; earlier runs stay readable (train runs).'
        : 'Documents of other kinds in the same files are skipped, so one file can hold a training with its toolchain and connections.',
    examples: [
      `${g} ${verb} -f ${spec.exampleFile}`,
      `${g} ${verb} -f ${spec.exampleFile} --id ${spec.exampleId}-2`,
      ...(isTraining ? [`${g} ${verb} -f ${spec.exampleFile} --wait --timeout 600`] : []),
      `cat ${spec.exampleFile} | ${g} ${verb} -f -`,
    ],
    options: (cmd) => {
      fileOption(cmd, true);
      cmd.option('--id <id>', 'use this id (one document) or pick the document with this id (several)');
      if (verb === 'create') cmd.option('--ignore-if-exists', 'do not fail when it already exists');
      if (isTraining) waitOptions(cmd);
    },
    async run(ctx, { opts }) {
      const timeout = isTraining && opts['wait'] === true ? parseTimeout(opts['timeout']) : 0;
      const manifests = selectManifests(readFiles(ctx, opts), spec.kind, stringOpt(opts, 'id'));
      const client = ctx.client().resource(spec.kind);
      const done: string[] = [];
      for (const m of manifests) {
        try {
          if (verb === 'create') await client.create(m.body as unknown as WireResource);
          else await client.update(m.body as unknown as WireResource);
        } catch (err) {
          if (
            verb === 'create' &&
            err instanceof ApiError &&
            err.status === 409 &&
            opts['ignoreIfExists'] === true
          ) {
            ctx.note(`${spec.kind} ${m.id ?? ''} already exists; skipped (--ignore-if-exists)`);
            continue;
          }
          throw err;
        }
        ctx.print(
          `${spec.kind} ${m.id ?? ''} ${verb === 'create' ? 'created' : isTraining ? 'updated (new run started)' : 'updated'}`,
        );
        done.push(m.id ?? '');
      }
      if (isTraining && opts['wait'] === true) {
        let code = EXIT_OK;
        for (const id of done) code = Math.max(code, await waitAndReport(ctx, id, timeout));
        return code;
      }
      return EXIT_OK;
    },
  });
}

export function makeDeleteCommand(spec: ResourceSpec): CommandDef {
  const g = `gangplank ${spec.group}`;
  return defineCommand({
    examples: [
      `${g} delete --id ${spec.exampleId}`,
      `${g} delete -f ${spec.exampleFile}`,
      `${g} delete --id ${spec.exampleId} --ignore-not-found`,
    ],
    options: (cmd) => {
      cmd.option('--id <id>', `id of the ${spec.noun} to delete`);
      fileOption(cmd, false);
      cmd.option('--ignore-not-found', 'do not fail when it does not exist');
    },
    async run(ctx, { opts }) {
      const id = stringOpt(opts, 'id');
      const files = stringsOpt(opts, 'file');
      if (id === undefined && files.length === 0) throw new UsageError('pass --id ID or -f FILE');
      if (id !== undefined && files.length > 0) throw new UsageError('pass either --id or -f, not both');
      const ids =
        id !== undefined ? [id] : selectManifests(readFiles(ctx, opts), spec.kind).map((m) => m.id!);
      const client = ctx.client().resource(spec.kind);
      for (const one of ids) {
        try {
          ctx.print(await client.delete(one));
        } catch (err) {
          if (err instanceof ApiError && err.status === 404 && opts['ignoreNotFound'] === true) {
            ctx.note(`${spec.kind} ${one} not found; ignored (--ignore-not-found)`);
            continue;
          }
          throw err;
        }
      }
    },
  });
}

export function readFiles(ctx: CliContext, opts: Record<string, unknown>): Manifest[] {
  return readManifestFiles(stringsOpt(opts, 'file'), ctx.io.cwd, ctx.io.readStdin);
}

export function parseTimeout(value: unknown): number {
  const ms = timeoutMs(value ?? '3600');
  if (ms === undefined)
    throw new UsageError(`--timeout must be a positive number of seconds, got ${String(value)}`);
  return ms;
}

/** The metrics source for progress: the Pushgateway if configured, else Prometheus, else none. */
export function metricsReader(ctx: CliContext): MetricsReader | undefined {
  const { settings } = ctx.settings();
  if (settings.pushgatewayUrl) return gatewayReader(settings.pushgatewayUrl);
  if (settings.prometheusUrl) return prometheusReader(settings.prometheusUrl);
  return undefined;
}

/**
 * Waits for a training with live progress on stderr; returns 1 if it failed (unless `failureExpected`: a cancelled
 * run ends as failed, and that is what `train cancel --wait` waits for).
 */
export async function waitAndReport(
  ctx: CliContext,
  id: string,
  timeout: number,
  failureExpected = false,
): Promise<number> {
  const printer = new ProgressPrinter(ctx.io.stderr, ctx.io.stderr.isTTY === true, `${id}: `);
  const final = await waitForTraining(ctx.client(), id, {
    timeoutMs: timeout,
    now: ctx.io.now,
    sleep: ctx.io.sleep,
    printer,
    metrics: historyReader(ctx.client(), id, metricsReader(ctx)),
  });
  const line = describeOutcome(final);
  if (final.status?.state === 'failed' && !failureExpected) {
    ctx.note(`Error: ${line}`);
    return EXIT_FAILURE;
  }
  ctx.print(line);
  return EXIT_OK;
}
