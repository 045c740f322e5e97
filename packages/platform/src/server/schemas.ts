/**
 * One TypeBox schema per resource. Each gives the TypeScript type (checked against the domain types below), the
 * response serializer, the OpenAPI 3.1 document, and — through {@link lenient} — the request-body check that
 * accepts what Odahu's CLI sends (explicit nulls, numbers and booleans for strings, unknown fields such as `kind`).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type {
  Connection,
  ConnectionType,
  ModelTraining,
  ToolchainIntegration,
  TrainingRun,
  TrainingState,
} from '../domain/types.js';
import { CONNECTION_TYPES, TRAINING_STATES } from '../domain/types.js';

const Str = (description?: string) => Type.String(description ? { description } : {});
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const StringMap = (description: string) => Type.Record(Type.String(), Type.String(), { description });

// A string enum, not a union of literals: fast-json-stringify checks every anyOf branch with Ajv per item,
// which made a 500-item list 2× slower.
export const TrainingStateSchema = Type.Unsafe<TrainingState>({
  type: 'string',
  enum: [...TRAINING_STATES],
  description: 'scheduling | running | succeeded | failed | unknown',
});

const ResourceListSchema = Type.Object({
  cpu: Opt(Str('Kubernetes CPU quantity, e.g. 500m or 2')),
  memory: Opt(Str('Kubernetes memory quantity, e.g. 256Mi')),
  gpu: Opt(Str('number of GPUs')),
});

export const ArtifactSchema = Type.Object({
  runId: Opt(Str('toolchain run id (MLflow run id)')),
  artifactName: Opt(Str('object name of the zipped output in the output connection')),
  commitID: Opt(Str('VCS commit of the algorithm source')),
});

export const ModelTrainingSpecSchema = Type.Object({
  model: Type.Object({
    name: Str('model name (Kubernetes label rules, ≤ 63 characters)'),
    version: Str('model version (Kubernetes label rules, ≤ 63 characters)'),
    artifactNameTemplate: Opt(
      Str(
        'default {{ .Name }}-{{ .Version }}-{{ .RandomUUID }}.zip; fields .Name .Version .RandomUUID .CommitID',
      ),
    ),
  }),
  toolchain: Str('ToolchainIntegration id'),
  entrypoint: Str('MLproject entry point (mlflow) or program argument'),
  args: Opt(Type.Array(Type.String())),
  envs: Opt(Type.Array(Type.Object({ name: Type.String(), value: Type.String() }))),
  hyperParameters: Opt(StringMap('passed to the entry point')),
  workDir: Opt(Str('folder of the MLproject inside the source; default ./')),
  algorithmSource: Type.Object(
    {
      vcs: Opt(
        Type.Object({ connection: Str('git Connection id'), reference: Opt(Str('branch, tag or commit')) }),
      ),
      objectStorage: Opt(Type.Object({ connection: Str('object storage Connection id'), path: Opt(Str()) })),
    },
    { description: 'exactly one of vcs and objectStorage' },
  ),
  outputConnection: Opt(Str('Connection id receiving the artifact; default from server configuration')),
  image: Opt(Str('default: the toolchain defaultImage')),
  resources: Opt(Type.Object({ limits: Opt(ResourceListSchema), requests: Opt(ResourceListSchema) })),
  data: Opt(
    Type.Array(Type.Object({ connection: Str('Connection id'), localPath: Str(), remotePath: Opt(Str()) })),
  ),
  nodeSelector: Opt(StringMap('must equal one configured node pool selector')),
});

export const ModelTrainingStatusSchema = Type.Object({
  state: TrainingStateSchema,
  podName: Opt(Str('process or pod running the latest run')),
  exitCode: Opt(Type.Integer()),
  reason: Opt(Str()),
  message: Opt(Str()),
  artifacts: Opt(Type.Array(ArtifactSchema)),
  runId: Opt(Str('Gangplank: the run this status mirrors (the latest)')),
});

const Timestamps = {
  createdAt: Str('RFC 3339, set by the server'),
  updatedAt: Str('RFC 3339, set by the server'),
};

export const ModelTrainingSchema = Type.Object(
  {
    id: Str('^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$'),
    ...Timestamps,
    spec: ModelTrainingSpecSchema,
    status: ModelTrainingStatusSchema,
  },
  { $id: 'ModelTraining', description: 'Odahu-flow 1.6 ModelTraining envelope' },
);

export const ToolchainIntegrationSchema = Type.Object(
  {
    id: Str(),
    ...Timestamps,
    spec: Type.Object({
      entrypoint: Str('program the runner starts'),
      defaultImage: Str('image used when a training names none'),
      additionalEnvironments: Opt(StringMap('environment set before the training envs')),
      kind: Opt(Str('Gangplank local execution: mlflow or command')),
      command: Opt(
        Type.Array(Type.String(), { description: 'Gangplank, command kind: program and first arguments' }),
      ),
    }),
    status: Type.Object({}),
  },
  { $id: 'ToolchainIntegration' },
);

export const ConnectionSchema = Type.Object(
  {
    id: Str(),
    ...Timestamps,
    spec: Type.Object({
      type: Type.Unsafe<ConnectionType>({
        type: 'string',
        enum: [...CONNECTION_TYPES],
        description: 's3 | gcs | azureblob | git | docker | ecr | local',
      }),
      uri: Str(),
      region: Opt(Str()),
      username: Opt(Str()),
      password: Opt(Str('base64; ***** on reads except /decrypted; a PUT resending ***** keeps it')),
      role: Opt(Str()),
      keyID: Opt(Str('base64; masked like password')),
      keySecret: Opt(Str('base64; masked like password')),
      publicKey: Opt(Str('base64, never masked')),
      reference: Opt(Str('git: default branch, tag or commit')),
      description: Opt(Str()),
      webUILink: Opt(Str()),
      vital: Opt(Type.Boolean({ description: 'a vital connection cannot be deleted' })),
      endpoint: Opt(Str('Gangplank: custom object storage endpoint')),
    }),
    status: Type.Object({ secretName: Opt(Str()), serviceAccount: Opt(Str()) }),
  },
  { $id: 'Connection' },
);

export const TrainingRunSchema = Type.Object(
  {
    id: Str(),
    trainingId: Str(),
    seq: Type.Integer({ description: '1 for the first run of the training, then 2, 3…' }),
    spec: ModelTrainingSpecSchema,
    state: TrainingStateSchema,
    reason: Opt(Str()),
    message: Opt(Str()),
    exitCode: Opt(Type.Integer()),
    podName: Opt(Str()),
    artifacts: Type.Array(ArtifactSchema),
    createdAt: Str(),
    startedAt: Opt(Str()),
    finishedAt: Opt(Str()),
    cancelRequested: Type.Boolean(),
    cancelReason: Opt(Str()),
  },
  {
    $id: 'TrainingRun',
    description: 'Gangplank: one run of a training (every create and every PUT makes one)',
  },
);

export const TrainingResultSchema = Type.Object({
  commitID: Opt(Str()),
  artifactName: Opt(Str()),
  runId: Opt(Str()),
});

export const MessageSchema = Type.Object({ message: Type.String() }, { $id: 'HTTPResult' });

// Compile-time checks that the schemas and the domain types describe the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTraining: Same<Static<typeof ModelTrainingSchema>, ModelTraining> = true;
const sameToolchain: Same<Static<typeof ToolchainIntegrationSchema>['spec'], ToolchainIntegration['spec']> =
  true;
const sameConnection: Same<
  Omit<Static<typeof ConnectionSchema>['spec'], 'type'>,
  Omit<Connection['spec'], 'type'>
> = true;
const sameRun: Same<
  Static<typeof TrainingRunSchema>,
  Omit<TrainingRun, 'claimedBy' | 'leaseExpiresAt' | 'executorHandle'>
> = true;
void [sameTraining, sameToolchain, sameConnection, sameRun];

/**
 * The request-body form of a schema: fields optional and nullable (Odahu's CLI sends explicit nulls, meaning
 * unset), unknown fields allowed (`kind`), but every value of its declared type: `entrypoint: 0`, `workDir: true`
 * or `hyperParameters: {"a": null}` are refused with a 400 naming the field, as Odahu's Go server refuses them,
 * instead of being coerced. List items and map values are not nullable. The CLI turns a manifest's YAML numbers
 * into the strings the API expects before sending.
 */
export function lenient(schema: unknown, nullable = true): Record<string, unknown> {
  if (typeof schema !== 'object' || schema === null) return {};
  const s = schema as Record<string, unknown>;
  const base: Record<string, unknown> = {};
  if (typeof s.description === 'string') base.description = s.description;
  const typed = (type: unknown): Record<string, unknown> => ({
    ...base,
    type: nullable ? [type, 'null'] : type,
  });
  if (Array.isArray(s.anyOf)) return {};
  switch (s.type) {
    case 'object': {
      const out = typed('object');
      if (s.properties && typeof s.properties === 'object') {
        out.properties = Object.fromEntries(
          Object.entries(s.properties as Record<string, unknown>).map(([k, v]) => [k, lenient(v)]),
        );
      }
      if (s.patternProperties && typeof s.patternProperties === 'object') {
        const [valueSchema] = Object.values(s.patternProperties as Record<string, unknown>);
        out.additionalProperties = lenient(valueSchema, false);
      }
      return out;
    }
    case 'array':
      return { ...typed('array'), items: lenient(s.items, false) };
    case 'boolean':
      // odahuflowctl's SDK sends YAML booleans as Go spellings ("True"): wire.ts reads them with ParseBool.
      return { ...base, type: nullable ? ['boolean', 'string', 'null'] : ['boolean', 'string'] };
    case 'string':
    case 'integer':
    case 'number':
      return typed(s.type);
    default:
      return {};
  }
}

/** A request body: the {@link lenient} form of an envelope, with `status` unchecked (the server ignores it). */
export function requestBody(schema: unknown): Record<string, unknown> {
  const body = lenient(schema);
  const properties = (body.properties ?? {}) as Record<string, unknown>;
  if ('status' in properties) properties.status = {};
  return { ...body, type: 'object' };
}
