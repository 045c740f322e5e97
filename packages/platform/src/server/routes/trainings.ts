/**
 * `/api/v1/model/training`: Odahu's seven routes plus Gangplank's runs, run logs and cancel, one handler each.
 * Parameters, query and body are typed from the routes' TypeBox schemas (typed-app.ts).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { assertResultArtifactName } from '../../domain/artifact-name.js';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import type { TrainingArtifact } from '../../domain/types.js';
import { FINISHED_STATES } from '../../domain/types.js';
import { validateTraining } from '../../domain/validate-training.js';
import { isObject, parseGoBool, readString, readTrainingBody } from '../../domain/wire.js';
import { filter, parsePage, parseSort, parseStates, rejectUnknown } from '../query.js';
import {
  requestBody,
  MessageSchema,
  ModelTrainingSchema,
  TrainingResultSchema,
  TrainingRunSchema,
} from '../schemas.js';
import { typed, type TypedApp } from '../typed-app.js';
import { sendRunLogs } from './training-logs.js';
import { trainingRoutes, type TrainingRoutes, type TrainingRoutesOptions } from './training-lookup.js';
import { IdParams, Repeatable } from './route-params.js';
import { toWireRun } from './wire-run.js';

export type { TrainingRoutesOptions };

const PATH = '/api/v1/model/training';
const TAGS = ['ModelTraining'];
const LIST_PARAMS = ['size', 'page', 'toolchain', 'model_name', 'model_version', 'state', 'sort'];
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

const RunParams = Type.Object({ id: Type.String(), runId: Type.String() });
const TrainingBody = requestBody(ModelTrainingSchema);
const ResultBody = requestBody(TrainingResultSchema);
const CancelBody = { type: ['object', 'null'], properties: { reason: { type: ['string', 'null'] } } };

/** The first value of a repeatable query parameter. */
function first(value: string | string[] | undefined): string | undefined {
  return readString(Array.isArray(value) ? value[0] : value);
}

function listTrainings(app: TypedApp, { store }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'List trainings (X-Total-Count header: matches ignoring paging)',
    querystring: ListQuery,
    response: { 200: Type.Array(ModelTrainingSchema) },
  };
  app.get(PATH, { schema }, async (request, reply) => {
    const { query } = request;
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
  });
}

function getTraining(app: TypedApp, { mustGet }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Get a training',
    params: IdParams,
    response: { 200: ModelTrainingSchema },
  };
  app.get(`${PATH}/:id`, { schema }, async (request) => mustGet(request.params.id));
}

function createTraining(app: TypedApp, { store, context, onChange }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Create a training and start its first run',
    body: TrainingBody,
    response: { 201: ModelTrainingSchema },
  };
  app.post(PATH, { schema }, async (request, reply) => {
    const { id, spec } = readTrainingBody(request.body);
    const { training } = await store.createTraining(id, await validateTraining(id, spec, context));
    onChange();
    return reply.status(201).send(training);
  });
}

function updateTraining(app: TypedApp, { store, context, onChange }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Update a training (id in the body) and rerun it, even with an unchanged spec',
    body: TrainingBody,
    response: { 200: ModelTrainingSchema },
  };
  app.put(PATH, { schema }, async (request) => {
    const { id, spec } = readTrainingBody(request.body);
    const { training } = await store.updateTraining(id, await validateTraining(id, spec, context));
    onChange();
    return training;
  });
}

function deleteTraining(app: TypedApp, { store, onChange }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Delete a training, its runs and logs',
    params: IdParams,
    response: { 200: MessageSchema },
  };
  app.delete(`${PATH}/:id`, { schema }, async (request) => {
    const { id } = request.params;
    if (!(await store.deleteTraining(id))) throw new NotFoundError(id);
    onChange();
    return { message: `Model training ${id} was deleted` };
  });
}

function trainingLog(app: TypedApp, { store, runOf, logPollMs }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Logs of the latest run (or ?run=), plain text; follow streams until the run ends',
    params: IdParams,
    querystring: LogQuery,
    produces: ['text/plain'],
  };
  app.get(`${PATH}/:id/log`, { schema }, async (request, reply) => {
    const followText = first(request.query.follow) ?? 'false';
    const follow = parseGoBool(followText);
    if (follow === undefined) throw new BadRequestError(`Convert ${followText} to bool`);
    const run = await runOf(request.params.id, first(request.query.run));
    return sendRunLogs(reply, store, run, { follow, pollMs: logPollMs });
  });
}

function recordResult(app: TypedApp, { store, runOf }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Record the result of the latest run (used by trainers)',
    params: IdParams,
    body: ResultBody,
    response: { 200: TrainingResultSchema },
  };
  app.put(`${PATH}/:id/result`, { schema }, async (request) => {
    const { id } = request.params;
    const raw = isObject(request.body) ? request.body : {};
    const result: TrainingArtifact = {};
    for (const key of ['commitID', 'artifactName', 'runId'] as const) {
      const value = readString(raw[key]);
      if (value !== undefined) result[key] = value;
    }
    assertResultArtifactName(result.artifactName);
    const run = await runOf(id, undefined);
    if (!run) throw new NotFoundError(id);
    // Odahu's merge: commitID always overwritten, artifactName and runId only when non-empty.
    const merged: TrainingArtifact = { ...run.artifacts[0], commitID: result.commitID ?? '' };
    if (result.artifactName) merged.artifactName = result.artifactName;
    if (result.runId) merged.runId = result.runId;
    await store.updateRun(run.id, { artifacts: [merged, ...run.artifacts.slice(1)] });
    return result;
  });
}

function listRuns(app: TypedApp, { store, mustGet }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Gangplank: every run of the training, oldest first',
    params: IdParams,
    response: { 200: Type.Array(TrainingRunSchema) },
  };
  app.get(`${PATH}/:id/runs`, { schema }, async (request) => {
    const { id } = request.params;
    await mustGet(id);
    return (await store.listRuns(id)).map(toWireRun);
  });
}

function getRun(app: TypedApp, { runOf }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Gangplank: one run',
    params: RunParams,
    response: { 200: TrainingRunSchema },
  };
  app.get(`${PATH}/:id/runs/:runId`, { schema }, async (request) => {
    const { id, runId } = request.params;
    const run = await runOf(id, runId);
    if (!run) throw new NotFoundError(runId);
    return toWireRun(run);
  });
}

function cancelTraining(app: TypedApp, { store, runOf, mustGet }: TrainingRoutes): void {
  const schema = {
    tags: TAGS,
    summary: 'Gangplank: ask the latest run to stop',
    params: IdParams,
    body: CancelBody,
    response: { 200: ModelTrainingSchema },
  };
  app.post(`${PATH}/:id/cancel`, { schema }, async (request) => {
    const { id } = request.params;
    const reason = isObject(request.body) ? readString(request.body.reason) : undefined;
    const run = await runOf(id, undefined);
    if (run && !FINISHED_STATES.includes(run.state))
      await store.requestCancel(run.id, reason ?? 'cancelled by a user');
    return mustGet(id);
  });
}

const ROUTES = [
  listTrainings,
  getTraining,
  createTraining,
  updateTraining,
  deleteTraining,
  trainingLog,
  recordResult,
  listRuns,
  getRun,
  cancelTraining,
];

export function registerTrainingRoutes(app: FastifyInstance, options: TrainingRoutesOptions): void {
  const routes = trainingRoutes(options);
  for (const register of ROUTES) register(typed(app), routes);
}
