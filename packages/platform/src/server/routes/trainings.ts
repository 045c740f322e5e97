/** `/api/v1/model/training`: Odahu's seven routes plus Gangplank's runs, run logs and cancel. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import type { ModelTraining, TrainingArtifact, TrainingRun } from '../../domain/types.js';
import { FINISHED_STATES } from '../../domain/types.js';
import { validateTraining, type TrainingValidationContext } from '../../domain/validate-training.js';
import { isObject, parseGoBool, readString, readTrainingBody } from '../../domain/wire.js';
import type { Store } from '../../store/store.js';
import { filter, parsePage, parseSort, parseStates, rejectUnknown } from '../query.js';
import {
  lenient,
  MessageSchema,
  ModelTrainingSchema,
  TrainingResultSchema,
  TrainingRunSchema,
} from '../schemas.js';

export interface TrainingRoutesOptions {
  store: Store;
  validation: Omit<TrainingValidationContext, 'getConnection' | 'getToolchain'>;
  /** How often a followed log stream polls the store. @default 500 */
  logPollMs: number;
  /** Called after a create, update, delete or cancel. */
  onChange: () => void;
}

const PATH = '/api/v1/model/training';
const TAGS = ['ModelTraining'];
const IdParams = Type.Object({ id: Type.String() });
const LIST_PARAMS = ['size', 'page', 'toolchain', 'model_name', 'model_version', 'state', 'sort'];
const Repeatable = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())]));
const ListQuery = Type.Object({
  size: { ...Repeatable, description: 'page size, default 500' },
  page: { ...Repeatable, description: '0-based page, default 0' },
  toolchain: Repeatable,
  model_name: Repeatable,
  model_version: Repeatable,
  state: { ...Repeatable, description: 'Gangplank: filter by the state of the latest run' },
  sort: {
    ...Repeatable,
    description: 'Gangplank: id, createdAt, updatedAt, state or modelName; prefix - for descending',
  },
});
const LogQuery = Type.Object({
  follow: { ...Repeatable, description: 'Go boolean: 1 t T TRUE true True 0 f F FALSE false False' },
  run: { ...Repeatable, description: 'Gangplank: a run id (default: the latest run)' },
});

export function toWireRun(
  run: TrainingRun,
): Omit<TrainingRun, 'claimedBy' | 'leaseExpiresAt' | 'executorHandle'> {
  const { claimedBy: _claimedBy, leaseExpiresAt: _lease, executorHandle: _handle, ...wire } = run;
  return wire;
}

function textStream(lines: AsyncIterable<string>): Readable {
  return Readable.from(lines, { objectMode: false });
}

async function* runLogs(
  store: Store,
  runId: string,
  follow: boolean,
  pollMs: number,
  signal: AbortSignal,
): AsyncGenerator<string> {
  const page = 1000;
  let after = 0;
  let finishedSeen = false;
  while (!signal.aborted) {
    const chunks = await store.readLogs(runId, { afterSeq: after, limit: page });
    for (const chunk of chunks) {
      after = chunk.seq;
      yield chunk.text;
    }
    if (chunks.length === page) continue;
    if (!follow || finishedSeen) return;
    const run = await store.getRun(runId);
    // One more read after the run finished collects what was written just before the state changed.
    if (!run || FINISHED_STATES.includes(run.state)) finishedSeen = true;
    else await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
}

export function registerTrainingRoutes(app: FastifyInstance, options: TrainingRoutesOptions): void {
  const { store } = options;
  const context: TrainingValidationContext = {
    ...options.validation,
    getConnection: (id) => store.getConnection(id),
    getToolchain: (id) => store.getToolchain(id),
  };
  const body = { ...lenient(ModelTrainingSchema), type: 'object' };

  async function mustGet(id: string): Promise<ModelTraining> {
    const training = await store.getTraining(id);
    if (!training) throw new NotFoundError(id);
    return training;
  }

  async function runOf(trainingId: string, runId: string | undefined): Promise<TrainingRun | undefined> {
    const training = await mustGet(trainingId);
    const id = runId ?? training.status.runId;
    if (id === undefined) return undefined;
    const run = await store.getRun(id);
    if (!run || run.trainingId !== trainingId) throw new NotFoundError(id);
    return run;
  }

  function sendLogs(reply: FastifyReply, run: TrainingRun | undefined, follow: boolean): FastifyReply {
    const abort = new AbortController();
    reply.raw.on('close', () => abort.abort());
    reply.type('text/plain; charset=utf-8');
    if (!run) return reply.send('');
    return reply.send(textStream(runLogs(store, run.id, follow, options.logPollMs, abort.signal)));
  }

  app.get(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'List trainings (X-Total-Count header: matches ignoring paging)',
        querystring: ListQuery,
        response: { 200: Type.Array(ModelTrainingSchema) },
      },
    },
    async (request, reply) => {
      const query = request.query as Record<string, string | string[]>;
      rejectUnknown(query, LIST_PARAMS);
      const sort = parseSort(query);
      const states = parseStates(query);
      const toolchain = filter(query, 'toolchain');
      const modelName = filter(query, 'model_name');
      const modelVersion = filter(query, 'model_version');
      const result = await store.listTrainings({
        ...parsePage(query),
        ...(toolchain ? { toolchain } : {}),
        ...(modelName ? { modelName } : {}),
        ...(modelVersion ? { modelVersion } : {}),
        ...(states ? { state: states } : {}),
        ...(sort ? { sort } : {}),
      });
      void reply.header('x-total-count', String(result.total));
      return result.items;
    },
  );

  app.get(
    `${PATH}/:id`,
    {
      schema: {
        tags: TAGS,
        summary: 'Get a training',
        params: IdParams,
        response: { 200: ModelTrainingSchema },
      },
    },
    async (request) => mustGet((request.params as { id: string }).id),
  );

  app.post(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'Create a training and start its first run',
        body,
        response: { 201: ModelTrainingSchema },
      },
    },
    async (request, reply) => {
      const { id, spec } = readTrainingBody(request.body);
      const valid = await validateTraining(id, spec, context);
      const { training } = await store.createTraining(id, valid);
      options.onChange();
      return reply.status(201).send(training);
    },
  );

  app.put(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'Update a training (id in the body) and rerun it, even with an unchanged spec',
        body,
        response: { 200: ModelTrainingSchema },
      },
    },
    async (request) => {
      const { id, spec } = readTrainingBody(request.body);
      const valid = await validateTraining(id, spec, context);
      const { training } = await store.updateTraining(id, valid);
      options.onChange();
      return training;
    },
  );

  app.delete(
    `${PATH}/:id`,
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a training, its runs and logs',
        params: IdParams,
        response: { 200: MessageSchema },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      if (!(await store.deleteTraining(id))) throw new NotFoundError(id);
      options.onChange();
      return { message: `Model training ${id} was deleted` };
    },
  );

  app.get(
    `${PATH}/:id/log`,
    {
      schema: {
        tags: TAGS,
        summary: 'Logs of the latest run (or ?run=), plain text; follow streams until the run ends',
        params: IdParams,
        querystring: LogQuery,
        produces: ['text/plain'],
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const query = request.query as Record<string, string | string[] | undefined>;
      const followText = readString(Array.isArray(query.follow) ? query.follow[0] : query.follow) ?? 'false';
      const follow = parseGoBool(followText);
      if (follow === undefined) throw new BadRequestError(`Convert ${followText} to bool`);
      const runId = readString(Array.isArray(query.run) ? query.run[0] : query.run);
      return sendLogs(reply, await runOf(id, runId), follow);
    },
  );

  app.put(
    `${PATH}/:id/result`,
    {
      schema: {
        tags: TAGS,
        summary: 'Record the result of the latest run (used by trainers)',
        params: IdParams,
        body: { ...lenient(TrainingResultSchema), type: 'object' },
        response: { 200: TrainingResultSchema },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const raw = isObject(request.body) ? request.body : {};
      const result: TrainingArtifact = {};
      for (const key of ['commitID', 'artifactName', 'runId'] as const) {
        const value = readString(raw[key]);
        if (value !== undefined) result[key] = value;
      }
      const run = await runOf(id, undefined);
      if (!run) throw new NotFoundError(id);
      // Odahu's merge: commitID always overwritten, artifactName and runId only when non-empty.
      const merged: TrainingArtifact = { ...run.artifacts[0], commitID: result.commitID ?? '' };
      if (result.artifactName) merged.artifactName = result.artifactName;
      if (result.runId) merged.runId = result.runId;
      await store.updateRun(run.id, { artifacts: [merged, ...run.artifacts.slice(1)] });
      return result;
    },
  );

  app.get(
    `${PATH}/:id/runs`,
    {
      schema: {
        tags: TAGS,
        summary: 'Gangplank: every run of the training, oldest first',
        params: IdParams,
        response: { 200: Type.Array(TrainingRunSchema) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      await mustGet(id);
      return (await store.listRuns(id)).map(toWireRun);
    },
  );

  app.get(
    `${PATH}/:id/runs/:runId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Gangplank: one run',
        params: Type.Object({ id: Type.String(), runId: Type.String() }),
        response: { 200: TrainingRunSchema },
      },
    },
    async (request) => {
      const { id, runId } = request.params as { id: string; runId: string };
      const run = await runOf(id, runId);
      if (!run) throw new NotFoundError(runId);
      return toWireRun(run);
    },
  );

  app.post(
    `${PATH}/:id/cancel`,
    {
      schema: {
        tags: TAGS,
        summary: 'Gangplank: ask the latest run to stop',
        params: IdParams,
        body: { type: ['object', 'null'], properties: { reason: { type: ['string', 'null'] } } },
        response: { 200: ModelTrainingSchema },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const reason = isObject(request.body) ? readString(request.body.reason) : undefined;
      const run = await runOf(id, undefined);
      if (run && !FINISHED_STATES.includes(run.state))
        await store.requestCancel(run.id, reason ?? 'cancelled by a user');
      return mustGet(id);
    },
  );
}
