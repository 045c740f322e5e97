/**
 * ModelTraining validation and defaults: Odahu's checks in Odahu's order and texts (so its CLI output and test
 * suites match), every problem collected into one message, then Gangplank's extra checks (artifact name template,
 * entry point, label lengths, request ≤ limit, env names) appended after them.
 * Pure apart from the injected look-ups.
 */
import { artifactNameTemplateProblems, DEFAULT_ARTIFACT_NAME_TEMPLATE } from './artifact-name.js';
import { TRAINING_VALIDATION_PREFIX, ValidationError } from './errors.js';
import { hasControlCharacters, idProblems, labelProblems } from './id.js';
import type { Connection, ModelTrainingSpec, ResourceRequirements, ToolchainIntegration } from './types.js';
import { OBJECT_STORAGE_CONNECTION_TYPES } from './types.js';
import { requestAboveLimitProblems, resourceQuantityProblems } from './validate-resources.js';

/** Odahu's Go defaults for `resources` when a training gives none. */
export const DEFAULT_RESOURCES: ResourceRequirements = {
  limits: { cpu: '250m', memory: '256Mi' },
  requests: { cpu: '125m', memory: '128Mi' },
};

export const DEFAULT_WORK_DIR = './';

export interface NodePool {
  nodeSelector: Record<string, string>;
}

export interface TrainingValidationContext {
  getConnection(id: string): Promise<Connection | undefined>;
  getToolchain(id: string): Promise<ToolchainIntegration | undefined>;
  /** Used when the spec names no `outputConnection`. Unset: trainings may have none (artifacts stay local). */
  defaultOutputConnection?: string;
  /** @default DEFAULT_RESOURCES */
  defaultResources?: ResourceRequirements;
  /** Allowed `nodeSelector`s (Odahu `training.nodePools`). Empty: any non-empty selector is refused, as in Odahu. */
  nodePools?: readonly NodePool[];
  gpuNodePools?: readonly NodePool[];
}

const objectStorageList = `[${OBJECT_STORAGE_CONNECTION_TYPES.join(' ')}]`;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Go's `fmt` rendering of a `map[string]string`: `map[a:1 b:2]` with sorted keys. */
export function goMap(map: Record<string, string>): string {
  const keys = Object.keys(map).sort();
  return `map[${keys.map((k) => `${k}:${map[k]}`).join(' ')}]`;
}

/**
 * Why connection `id` cannot hold an algorithm source or a data binding, in Odahu's words (`use`: "object storage"
 * or "data binding"), or undefined when it can.
 */
async function objectStorageProblem(
  context: TrainingValidationContext,
  id: string,
  use: 'object storage' | 'data binding',
): Promise<string | undefined> {
  const connection = await context.getConnection(id);
  if (!connection) return `entity "${id}" is not found`;
  if (OBJECT_STORAGE_CONNECTION_TYPES.includes(connection.spec.type)) return undefined;
  return `${id} ${use} has wrong data type. Currently supported the following types of connections for ${use === 'data binding' ? 'data bindings' : use}: ${objectStorageList}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function selectorMatches(selector: Record<string, string>, pools: readonly NodePool[]): boolean {
  const wanted = goMap(selector);
  return pools.some((pool) => goMap(pool.nodeSelector) === wanted);
}

/**
 * Validates a training and fills the defaults Odahu persists into the spec (artifact name template, resources,
 * work dir, VCS reference from the connection, image from the toolchain, output connection from configuration).
 * Throws {@link ValidationError} with every problem, else returns the completed spec.
 */
export async function validateTraining(
  id: string,
  input: ModelTrainingSpec,
  context: TrainingValidationContext,
): Promise<ModelTrainingSpec> {
  const spec = clone(input);
  const problems: string[] = [];

  // 1. main parameters
  problems.push(...idProblems(id));
  if (spec.model.name === '') problems.push('empty model.name');
  else problems.push(...labelProblems('training name', spec.model.name));
  if (spec.model.version === '') problems.push('empty model.version');
  else problems.push(...labelProblems('training version', spec.model.version));
  spec.model.artifactNameTemplate ??= DEFAULT_ARTIFACT_NAME_TEMPLATE;
  spec.resources ??= clone(context.defaultResources ?? DEFAULT_RESOURCES);
  problems.push(...resourceQuantityProblems(spec.resources));
  spec.workDir ??= DEFAULT_WORK_DIR;

  // 2. algorithm source
  const vcs = spec.algorithmSource.vcs;
  const objectStorage = spec.algorithmSource.objectStorage;
  const hasVcs = vcs !== undefined && vcs.connection !== '';
  const hasObjectStorage = objectStorage !== undefined && objectStorage.connection !== '';
  if (hasVcs && hasObjectStorage) {
    problems.push('both VCS and ObjectStorage names are specified, must be only one');
  } else if (!hasVcs && !hasObjectStorage) {
    problems.push('both VCS and ObjectStorage names are empty');
  } else if (hasVcs) {
    const connection = await context.getConnection(vcs.connection);
    if (!connection) {
      problems.push(`entity "${vcs.connection}" is not found`);
    } else {
      // Odahu skipped the type check when a reference was given; Gangplank always checks.
      if (connection.spec.type !== 'git') {
        problems.push(
          `VCS connection must have the GIT type. You pass the connection of ${connection.spec.type} type`,
        );
      }
      if (vcs.reference === undefined && connection.spec.reference) vcs.reference = connection.spec.reference;
    }
  } else if (objectStorage) {
    const problem = await objectStorageProblem(context, objectStorage.connection, 'object storage');
    if (problem) problems.push(problem);
  }

  // 3. data bindings
  for (const [index, binding] of (spec.data ?? []).entries()) {
    if (binding.localPath === '')
      problems.push(`you should specify local path for ${index} number of data binding`);
    if (binding.connection === '') {
      problems.push(`you should specify connection name for ${index} number of data binding`);
      continue;
    }
    const problem = await objectStorageProblem(context, binding.connection, 'data binding');
    if (problem) problems.push(problem);
  }

  // 4. toolchain
  if (spec.toolchain === '') {
    problems.push('empty toolchain parameter');
  } else {
    const labelIssues = labelProblems('training toolchain', spec.toolchain);
    problems.push(...labelIssues);
    if (labelIssues.length === 0) {
      const toolchain = await context.getToolchain(spec.toolchain);
      if (!toolchain) problems.push(`entity "${spec.toolchain}" is not found`);
      else if (spec.image === undefined && toolchain.spec.defaultImage)
        spec.image = toolchain.spec.defaultImage;
    }
  }

  // 5. output connection
  if (spec.outputConnection === undefined && context.defaultOutputConnection) {
    spec.outputConnection = context.defaultOutputConnection;
  }
  if (spec.outputConnection !== undefined) {
    if (!(await context.getConnection(spec.outputConnection))) {
      problems.push(`entity "${spec.outputConnection}" is not found`);
    }
  }

  // 6. node selector
  if (spec.nodeSelector) {
    const gpu = Boolean(spec.resources.limits?.gpu ?? spec.resources.requests?.gpu);
    const pools = gpu && (context.gpuNodePools?.length ?? 0) > 0 ? context.gpuNodePools : context.nodePools;
    if (!selectorMatches(spec.nodeSelector, pools ?? [])) {
      problems.push(`node selector ${goMap(spec.nodeSelector)} is not presented in ODAHU config`);
    }
  }

  // 7. resource requirements (Kubernetes refuses a request above its limit)
  problems.push(...requestAboveLimitProblems(spec.resources));

  // Gangplank: checks Odahu left to the run (which then failed or stuck in `unknown`).
  problems.push(...artifactNameTemplateProblems(spec.model.artifactNameTemplate));
  if (spec.entrypoint !== '' && (spec.entrypoint.trim() === '' || hasControlCharacters(spec.entrypoint))) {
    problems.push('invalid entrypoint: it must not be blank or contain control characters');
  }
  for (const env of spec.envs ?? []) {
    if (!ENV_NAME.test(env.name)) {
      problems.push(`invalid env name "${env.name}": use letters, digits and "_", not starting with a digit`);
    }
  }
  if (spec.workDir.includes('\u0000')) problems.push('invalid workDir: it must not contain NUL characters');

  if (problems.length > 0) throw new ValidationError(TRAINING_VALIDATION_PREFIX, problems);
  return spec;
}
