/** `GET /api/v1/model/training/{id}/metrics`: a run's train series for the web page's plots (Gangplank). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../domain/errors.js';
import { readString } from '../../domain/wire.js';
import type { Store } from '../../store/store.js';
import type { MetricsSource } from '../metrics-source.js';
import { typed } from '../typed-app.js';
import { IdParams, Repeatable } from './route-params.js';

const SeriesSchema = Type.Object({
  name: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  points: Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), {
    description: '[unix seconds, value] pairs, oldest first',
  }),
});

const TrainingMetricsSchema = Type.Object({
  source: Type.Union([Type.Literal('prometheus'), Type.Literal('pushgateway'), Type.Literal('none')]),
  series: Type.Array(SeriesSchema),
  warning: Type.Optional(Type.String()),
});

export interface TrainingMetricsRouteOptions {
  store: Store;
  source: MetricsSource;
  /** @default Date.now */
  now?: () => number;
}

export function registerTrainingMetricsRoute(
  untyped: FastifyInstance,
  options: TrainingMetricsRouteOptions,
): void {
  const app = typed(untyped);
  const { store, source } = options;
  const now = options.now ?? Date.now;
  app.get(
    '/api/v1/model/training/:id/metrics',
    {
      schema: {
        tags: ['ModelTraining'],
        summary:
          "Gangplank: gangplank_train_* series of a run (default the latest): Prometheus query_range over the run, else the Pushgateway's current values",
        params: IdParams,
        querystring: Type.Object({ run: Repeatable }),
        response: { 200: TrainingMetricsSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { query } = request;
      const training = await store.getTraining(id);
      if (!training) throw new NotFoundError(id);
      const runId = readString(Array.isArray(query.run) ? query.run[0] : query.run) ?? training.status.runId;
      const run = runId === undefined ? undefined : await store.getRun(runId);
      if (runId !== undefined && (!run || run.trainingId !== id)) throw new NotFoundError(runId);
      const seconds = (iso: string | undefined): number | undefined =>
        iso === undefined ? undefined : Math.floor(Date.parse(iso) / 1000);
      // The run's span plus a minute either side, never past now (Prometheus would repeat the last sample there).
      const nowSeconds = Math.floor(now() / 1000);
      const finished = seconds(run?.finishedAt);
      const end = Math.min(nowSeconds, finished === undefined ? nowSeconds : finished + 60);
      const begin = seconds(run?.startedAt) ?? seconds(run?.createdAt) ?? seconds(training.createdAt) ?? end;
      const start = Math.min(begin, end) - 60;
      return source({ trainingId: id, ...(runId ? { runId } : {}), start, end });
    },
  );
}
