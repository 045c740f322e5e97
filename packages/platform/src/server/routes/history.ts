/**
 * The run-history routes (see `domain/history.ts`, ADR 0050): read one run as JSON or CSV, read several runs for the
 * compare view, and record a batch of points from any language.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../domain/errors.js';
import {
  MAX_HISTORY_RUNS,
  recordedPointProblems,
  type HistorySeries,
  type RecordedPoint,
} from '../../domain/history.js';
import { FINISHED_STATES, type TrainingRun } from '../../domain/types.js';
import type { Store } from '../../store/store.js';
import { typed } from '../typed-app.js';
import { historyCsv } from './history-csv.js';
import {
  RecordBodySchema,
  RecordResultSchema,
  RunHistorySchema,
  RunsHistorySchema,
} from './history-schemas.js';
import { Type } from '@sinclair/typebox';

export interface HistoryRoutesOptions {
  store: Store;
  /** Points a run may hold. @default 200000 */
  maxPointsPerRun?: number;
}

const RunParams = Type.Object({ id: Type.String(), runId: Type.String() });

async function runOf(store: Store, trainingId: string, runId: string): Promise<TrainingRun> {
  const run = await store.getRun(runId);
  if (!run || run.trainingId !== trainingId) throw new NotFoundError(runId);
  return run;
}

/** JSON has no NaN or Infinity: such values go out as null (the CSV form keeps them). */
function wire(series: HistorySeries[]): HistorySeries[] {
  for (const s of series) {
    if (s.kind === 'histogram') continue;
    for (const p of s.points) if (!Number.isFinite(p.value)) (p as { value: number | null }).value = null;
  }
  return series;
}

/** `NaN` / `Infinity` / `-Infinity` strings become numbers. */
function toRecorded(points: Static<typeof RecordBodySchema>['points']): RecordedPoint[] {
  return points.map((p) => (p.kind === 'histogram' ? p : { ...p, value: Number(p.value) }));
}

export function registerHistoryRoutes(untyped: FastifyInstance, options: HistoryRoutesOptions): void {
  const app = typed(untyped);
  const { store } = options;

  app.get(
    '/api/v1/model/training/:id/runs/:runId/history',
    {
      schema: {
        tags: ['ModelTraining'],
        summary:
          'Gangplank: every point the run recorded, as series (phase, name; points by step). ?format=csv downloads phase,name,step,time,value (histograms left out)',
        params: RunParams,
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
        }),
        response: { 200: RunHistorySchema },
      },
    },
    async (request, reply) => {
      const { id, runId } = request.params;
      await runOf(store, id, runId);
      const series = await store.readHistory(runId);
      if (request.query.format === 'csv') {
        const name = `${id}-${runId}-history.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
        // The CSV form is outside the JSON response schema: sent through the plain reply with its own serializer.
        const plain: FastifyReply = reply;
        return plain
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .serializer((payload: unknown) => String(payload))
          .send(historyCsv(series));
      }
      return { series: wire(series) };
    },
  );

  app.get(
    '/api/v1/model/training-history',
    {
      schema: {
        tags: ['ModelTraining'],
        summary: `Gangplank: the history of several runs in one request (runs=<id>/<runId>,…; at most ${MAX_HISTORY_RUNS}); runs that do not exist (deleted) are named in missing, the others still answered`,
        querystring: Type.Object({ runs: Type.String({ minLength: 1 }) }),
        response: { 200: RunsHistorySchema },
      },
    },
    async (request) => {
      const wanted = request.query.runs
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (wanted.length > MAX_HISTORY_RUNS) {
        throw new BadRequestError(
          `runs names ${wanted.length} runs; at most ${MAX_HISTORY_RUNS} per request`,
        );
      }
      const pairs = wanted.map((item) => {
        const slash = item.lastIndexOf('/');
        if (slash <= 0 || slash === item.length - 1) {
          throw new BadRequestError(`runs: "${item}" is not <trainingId>/<runId>`);
        }
        return { id: item.slice(0, slash), runId: item.slice(slash + 1) };
      });
      // A deleted run must not cost the others their answer (the compare view names it instead).
      const runs = [];
      const missing = [];
      for (const pair of pairs) {
        const run = await store.getRun(pair.runId);
        if (!run || run.trainingId !== pair.id) missing.push(pair);
        else runs.push({ ...pair, series: wire(await store.readHistory(pair.runId)) });
      }
      return { runs, missing };
    },
  );

  app.post(
    '/api/v1/model/training/:id/runs/:runId/history',
    {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['ModelTraining'],
        summary:
          'Gangplank: records a batch of history points; idempotent per (phase, name, step): repeats are ignored, so a failed batch may be sent again. 413 past the per-run bound',
        params: RunParams,
        body: RecordBodySchema,
        response: { 200: RecordResultSchema },
      },
    },
    async (request) => {
      const { id, runId } = request.params;
      const grant = request.runGrant;
      if (grant && (grant.trainingId !== id || grant.runId !== runId)) {
        throw new ForbiddenError(`this run credential may only record the history of run ${grant.runId}`);
      }
      const run = await runOf(store, id, runId);
      if (grant && FINISHED_STATES.includes(run.state)) {
        throw new ForbiddenError(`run ${runId} has ended (${run.state}): its credential no longer records`);
      }
      const points = toRecorded(request.body.points);
      const problems = recordedPointProblems(points);
      if (problems.length > 0) throw new BadRequestError(`invalid body: ${problems.slice(0, 5).join('; ')}`);
      return store.appendHistory(runId, points, {
        ...(options.maxPointsPerRun !== undefined ? { maxPoints: options.maxPointsPerRun } : {}),
      });
    },
  );
}
