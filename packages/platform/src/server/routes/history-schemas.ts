/** TypeBox schemas of the run-history routes (the wire contract the web app, the CLI and any language use). */
import { Type } from '@sinclair/typebox';
import { MAX_HISTORY_BATCH } from '../../domain/history.js';

const Phase = Type.Union([Type.Literal('train'), Type.Literal('test')]);
const Le = Type.Union([Type.Number(), Type.Literal('+Inf')]);
const Bucket = Type.Object({ le: Le, count: Type.Number({ minimum: 0 }) });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z_:][A-Za-z0-9_:.-]*$' });

const ScalarPointOut = Type.Object({
  step: Type.Integer(),
  time: Type.Number({ description: 'Unix seconds' }),
  value: Type.Union([Type.Number(), Type.Null()], {
    description: 'null for NaN or ±Infinity (JSON has none)',
  }),
});
const HistogramPointOut = Type.Object({
  step: Type.Integer(),
  time: Type.Number(),
  buckets: Type.Array(Bucket, { description: 'cumulative; the last has le "+Inf"' }),
  sum: Type.Number(),
  count: Type.Number(),
});

export const SeriesSchema = Type.Object({
  name: Type.String({
    description: 'metric name without gangplank_train_/gangplank_test_; batch samples are batch_<key>',
  }),
  phase: Phase,
  kind: Type.Optional(Type.Union([Type.Literal('scalar'), Type.Literal('histogram')])),
  points: Type.Array(Type.Union([ScalarPointOut, HistogramPointOut])),
});

export const RunHistorySchema = Type.Object({ series: Type.Array(SeriesSchema) });

export const RunsHistorySchema = Type.Object({
  runs: Type.Array(
    Type.Object({ id: Type.String(), runId: Type.String(), series: Type.Array(SeriesSchema) }),
    { description: 'the runs asked for that exist, in the order asked' },
  ),
  missing: Type.Array(Type.Object({ id: Type.String(), runId: Type.String() }), {
    description:
      'the runs asked for that do not exist (deleted, or not of that training), in the order asked',
  }),
});

const Step = Type.Integer({
  minimum: 0,
  description: 'epoch (1 = the first), or batch number for batch_* series',
});
const Time = Type.Number({ minimum: 0, description: 'Unix seconds, with a fraction' });

const ScalarPointIn = Type.Object(
  {
    phase: Phase,
    name: Name,
    kind: Type.Optional(Type.Literal('scalar')),
    step: Step,
    time: Time,
    value: Type.Union([
      Type.Number(),
      Type.Literal('NaN'),
      Type.Literal('Infinity'),
      Type.Literal('-Infinity'),
    ]),
  },
  { additionalProperties: false },
);
const HistogramPointIn = Type.Object(
  {
    phase: Phase,
    name: Name,
    kind: Type.Literal('histogram'),
    step: Step,
    time: Time,
    buckets: Type.Array(Bucket, { minItems: 1, maxItems: 1000 }),
    sum: Type.Number(),
    count: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const RecordBodySchema = Type.Object({
  points: Type.Array(Type.Union([ScalarPointIn, HistogramPointIn]), { maxItems: MAX_HISTORY_BATCH }),
});

export const RecordResultSchema = Type.Object({
  stored: Type.Integer({ description: 'points of the batch that were new (repeats are ignored)' }),
  total: Type.Integer({ description: 'points the run holds now' }),
});
