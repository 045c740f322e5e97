/**
 * The run description an executor receives: everything needed to run one training run, resolved (connections with
 * decoded secrets, the toolchain, the metrics wiring). It is built by the dispatcher from the store's training,
 * toolchain and connections, or by `runTrainingLocally` from manifests, so executors never read the store.
 *
 * Glossary: a *training* is the declared ModelTraining; a *run* is one execution of it (every create and every
 * PUT makes a new run); the *work folder* is the run's private folder; the *workspace* holds the algorithm source
 * and the data (Odahu's `/workspace`); the *output folder* is what gets zipped into the artifact.
 */
import type { TransferConnection } from './transfer-connection.js';

/** How the entry point is turned into a process. */
export type ToolchainKind = 'mlflow' | 'command';

export interface ToolchainSpec {
  /** Toolchain integration id, e.g. `mlflow`. */
  id: string;
  /**
   * `mlflow`: `entrypoint` of the training names an MLproject entry point, whose command is rendered with the
   * hyperparameters. `command`: the toolchain's `command` followed by the training's `entrypoint`, `args` and the
   * hyperparameters as `--name=value`; run without a shell.
   */
  kind: ToolchainKind;
  /** `command` kind: the program and its first arguments, e.g. `['node']` or `['python3', '-u']`. @default [] */
  command?: string[];
  /** Set before the training's own `envs` (Odahu order). */
  additionalEnvironments?: Record<string, string>;
  /**
   * The integration's `defaultImage`, kept apart from {@link RunSpec.image} so a container executor can tell a
   * training's own image from the toolchain default Odahu copies into it (and let its configuration override the
   * latter, e.g. with a mirror). Used as is: no value (Odahu placeholders such as `none` included) is special.
   */
  defaultImage?: string;
}

export interface SourceSpecGit {
  kind: 'git';
  connection: TransferConnection;
  /** Branch, tag or commit; falls back to the connection's `reference`, then the remote's default branch. */
  reference?: string;
}

export interface SourceSpecObjectStorage {
  kind: 'objectStorage';
  connection: TransferConnection;
  /** Path inside the bucket; empty means the connection URI's path. */
  path?: string;
}

export type SourceSpec = SourceSpecGit | SourceSpecObjectStorage;

export interface DataBindingSpec {
  connection: TransferConnection;
  /** Relative to the workspace root (Odahu: relative to the repository root). */
  localPath: string;
  /** Inside the connection; empty means the connection URI's path. */
  remotePath?: string;
}

export interface ResourceQuantities {
  /** Kubernetes CPU quantity: `2`, `500m`, `1.5`. */
  cpu?: string;
  /** Kubernetes memory quantity: `1Gi`, `512Mi`, `1G`, bytes. */
  memory?: string;
  /** Number of GPUs. */
  gpu?: string;
}

export interface ResourcesSpec {
  limits?: ResourceQuantities;
  requests?: ResourceQuantities;
}

export interface MetricsWiring {
  /** PersiaML's `enable_metrics`: when false, no gateway address reaches the process. @default true */
  enabled: boolean;
  /** `host:port` or URL of the Pushgateway handed to the process; absent means none configured. */
  pushgatewayAddr?: string;
  /** The run's history endpoint (`GANGPLANK_HISTORY_URL`), reachable from where the run's process runs. */
  historyUrl?: string;
  /** The run's own credential for it (`GANGPLANK_HISTORY_TOKEN`); absent when auth is off. */
  historyToken?: string;
  /** PersiaML's `job_name`: the `job` of every push from the run. */
  job: string;
  /** Extra grouping labels of the run besides `run_id` (sent as `GANGPLANK_RUN_ID`), e.g. `{training: 'wine'}`. */
  grouping: Record<string, string>;
}

export interface RunSpec {
  runId: string;
  trainingId: string;
  model: { name: string; version: string; artifactNameTemplate?: string };
  toolchain: ToolchainSpec;
  /** MLproject entry point name (`mlflow`) or script/program (`command`). */
  entrypoint: string;
  /** Extra arguments (`command` kind only; Odahu stores `spec.args` and ignores them). */
  args?: string[];
  hyperParameters?: Record<string, string>;
  envs?: { name: string; value: string }[];
  /** Folder inside the workspace holding the MLproject / the script. @default './' */
  workDir?: string;
  /** Where the code comes from; absent means an empty workspace (the command must be on PATH). */
  source?: SourceSpec;
  data?: DataBindingSpec[];
  /** Where the zipped output goes; absent means the artifact stays in the work folder. */
  output?: { connection: TransferConnection };
  resources?: ResourcesSpec;
  /** Kill the run after this long. @default 14_400_000 (4 h, Odahu's default) */
  timeoutMs?: number;
  /**
   * Container image: the training's `image`, else the toolchain's `defaultImage`. Read by container executors
   * (Kubernetes); the local and Slurm executors run on the host and ignore it.
   */
  image?: string;
  /**
   * The training's node selector (validated against the server's node pools at the API). Kubernetes merges it over
   * its configured one; Slurm reads a partition from it (`partitionLabel`); the local executor ignores it.
   */
  nodeSelector?: Record<string, string>;
  metrics: MetricsWiring;
}

/** Odahu's default artifact name template. */
export const DEFAULT_ARTIFACT_NAME_TEMPLATE = '{{ .Name }}-{{ .Version }}-{{ .RandomUUID }}.zip';

/** Odahu's default training timeout: 4 h. */
export const DEFAULT_TIMEOUT_MS = 4 * 60 * 60 * 1000;
