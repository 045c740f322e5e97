/**
 * Domain types of the Model Training API: the Odahu-flow 1.6 REST envelopes (`{id, createdAt, updatedAt, spec,
 * status}`) as stored and served, plus Gangplank's training runs. Pure data, no I/O.
 */

/** Odahu's five training states. A training's state mirrors its latest run; `unknown` means no run yet. */
export type TrainingState = 'scheduling' | 'running' | 'succeeded' | 'failed' | 'unknown';

export const TRAINING_STATES: readonly TrainingState[] = [
  'scheduling',
  'running',
  'succeeded',
  'failed',
  'unknown',
];

/** States after which a run never changes again. */
export const FINISHED_STATES: readonly TrainingState[] = ['succeeded', 'failed'];

export interface ModelIdentity {
  name: string;
  version: string;
  /** Go-template subset: `{{ .Name }}`, `{{ .Version }}`, `{{ .RandomUUID }}`, `{{ .CommitID }}`. */
  artifactNameTemplate?: string;
}

export interface EnvironmentVariable {
  name: string;
  value: string;
}

export interface VcsSource {
  connection: string;
  reference?: string;
}

export interface ObjectStorageSource {
  connection: string;
  path?: string;
}

/** Exactly one of `vcs` / `objectStorage` is set in a valid spec. */
export interface AlgorithmSource {
  vcs?: VcsSource;
  objectStorage?: ObjectStorageSource;
}

export interface DataBinding {
  connection: string;
  localPath: string;
  remotePath?: string;
}

/** Kubernetes quantities as strings: cpu `500m`/`2`, memory `256Mi`, gpu `1`. */
export interface ResourceList {
  cpu?: string;
  memory?: string;
  gpu?: string;
}

export interface ResourceRequirements {
  limits?: ResourceList;
  requests?: ResourceList;
}

export interface ModelTrainingSpec {
  model: ModelIdentity;
  toolchain: string;
  entrypoint: string;
  /** Passed to the entry point after it (Odahu stores them and never uses them; Gangplank's executors do). */
  args?: string[];
  envs?: EnvironmentVariable[];
  hyperParameters?: Record<string, string>;
  /** @default "./" */
  workDir?: string;
  algorithmSource: AlgorithmSource;
  outputConnection?: string;
  image?: string;
  resources?: ResourceRequirements;
  data?: DataBinding[];
  nodeSelector?: Record<string, string>;
}

export interface TrainingArtifact {
  runId?: string;
  artifactName?: string;
  commitID?: string;
}

export interface ModelTrainingStatus {
  state: TrainingState;
  podName?: string;
  exitCode?: number;
  reason?: string;
  message?: string;
  artifacts?: TrainingArtifact[];
  /** Gangplank: id of the run this status mirrors (the latest one). */
  runId?: string;
}

export interface ModelTraining {
  id: string;
  /** RFC 3339 with milliseconds, UTC. */
  createdAt: string;
  updatedAt: string;
  spec: ModelTrainingSpec;
  status: ModelTrainingStatus;
}

export interface ToolchainIntegrationSpec {
  entrypoint: string;
  defaultImage: string;
  additionalEnvironments?: Record<string, string>;
  /** Gangplank: how local executors start the entry point (`mlflow` or `command`). */
  kind?: string;
  /** Gangplank, `command` kind: the program and its first arguments. */
  command?: string[];
}

export interface ToolchainIntegration {
  id: string;
  createdAt: string;
  updatedAt: string;
  spec: ToolchainIntegrationSpec;
  status: Record<string, never>;
}

/** Odahu's six connection types plus Gangplank's `local` (a folder on the machine). */
export type ConnectionType = 's3' | 'gcs' | 'azureblob' | 'git' | 'docker' | 'ecr' | 'local';

export const CONNECTION_TYPES: readonly ConnectionType[] = [
  's3',
  'gcs',
  'azureblob',
  'git',
  'docker',
  'ecr',
  'local',
];

/** Types a data binding or an object-storage algorithm source may use. */
export const OBJECT_STORAGE_CONNECTION_TYPES: readonly ConnectionType[] = ['gcs', 's3', 'azureblob', 'local'];

/** Fields that are secret: masked as `*****` on reads, encrypted at rest. */
export const SECRET_FIELDS = ['password', 'keySecret', 'keyID'] as const;

/** Fields that travel base64-encoded on the wire (the secrets plus `publicKey`). */
export const BASE64_FIELDS = ['password', 'keySecret', 'keyID', 'publicKey'] as const;

/**
 * A connection spec as the domain holds it: secret values **decoded** (plain text). The wire form base64-encodes
 * `password`, `keySecret`, `keyID` and `publicKey`.
 */
export interface ConnectionSpec {
  type: ConnectionType;
  uri: string;
  region?: string;
  username?: string;
  password?: string;
  role?: string;
  keyID?: string;
  keySecret?: string;
  publicKey?: string;
  reference?: string;
  description?: string;
  webUILink?: string;
  vital?: boolean;
  /** Gangplank: custom object-storage endpoint (MinIO, s3rver, azurite). */
  endpoint?: string;
}

export interface Connection {
  id: string;
  createdAt: string;
  updatedAt: string;
  spec: ConnectionSpec;
  status: { secretName?: string; serviceAccount?: string };
}

/** Run states, the same five as trainings. A new run starts in `scheduling`. */
export type RunState = TrainingState;

/** One execution of a training. Every create and every PUT makes a new one; earlier runs stay readable. */
export interface TrainingRun {
  id: string;
  trainingId: string;
  /** 1 for the first run of a training, then 2, 3… */
  seq: number;
  /** The spec as it was when the run was created. */
  spec: ModelTrainingSpec;
  state: RunState;
  reason?: string;
  message?: string;
  exitCode?: number;
  podName?: string;
  artifacts: TrainingArtifact[];
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  claimedBy?: string;
  leaseExpiresAt?: string;
  cancelRequested: boolean;
  cancelReason?: string;
  /** Executor-specific JSON that lets a dispatcher re-attach to the process after a restart. */
  executorHandle?: unknown;
}

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogChunk {
  stream: LogStream;
  text: string;
  /** @default now */
  time?: string;
}

export interface StoredLogChunk {
  seq: number;
  stream: LogStream;
  text: string;
  time: string;
}
