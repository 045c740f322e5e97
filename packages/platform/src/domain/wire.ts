/**
 * Reading request bodies into domain shapes, the way Odahu's CLI sends them: `kind` and unknown fields ignored,
 * explicit `null` meaning unset, numbers and booleans accepted where strings are expected (the Python SDK
 * stringifies YAML scalars: `version: 1.0` arrives as `"1.0"`), and the pre-1.5 fields `vcsName`, `reference`
 * and `data[].connName` mapped onto the 1.5 shape. Never throws: shapes that cannot be read become "unset" and
 * the validators report them.
 */
import type {
  AlgorithmSource,
  DataBinding,
  EnvironmentVariable,
  ModelTrainingSpec,
  ResourceList,
  ResourceRequirements,
} from './types.js';

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string from a string, number or boolean; `undefined` for null, absent or anything else. */
export function readString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

/** Like {@link readString} but an empty string is unset too (Go `omitempty`). */
function optionalString(value: unknown): string | undefined {
  const text = readString(value);
  return text === undefined || text === '' ? undefined : text;
}

/** Go `strconv.ParseBool`'s spellings; `undefined` when none matches. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

function readBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = readString(value);
  return text === undefined ? undefined : parseGoBool(text);
}

function readStringMap(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    const text = readString(item);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

function readArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function readResourceList(value: unknown): ResourceList | undefined {
  if (!isObject(value)) return undefined;
  const list: ResourceList = {};
  for (const key of ['cpu', 'memory', 'gpu'] as const) {
    const text = optionalString(value[key]);
    if (text !== undefined) list[key] = text;
  }
  return list;
}

function readResources(value: unknown): ResourceRequirements | undefined {
  if (!isObject(value)) return undefined;
  const resources: ResourceRequirements = {};
  const limits = readResourceList(value.limits);
  const requests = readResourceList(value.requests);
  if (limits) resources.limits = limits;
  if (requests) resources.requests = requests;
  return resources;
}

/** The id of any resource envelope (`""` when absent). */
export function readId(body: unknown): string {
  return isObject(body) ? (readString(body.id) ?? '') : '';
}

/** Reads a ModelTraining request body. */
export function readTrainingBody(body: unknown): { id: string; spec: ModelTrainingSpec } {
  const root = isObject(body) ? body : {};
  const spec = isObject(root.spec) ? root.spec : {};
  const model = isObject(spec.model) ? spec.model : {};

  const source = isObject(spec.algorithmSource) ? spec.algorithmSource : {};
  const vcs = isObject(source.vcs) ? source.vcs : {};
  const objectStorage = isObject(source.objectStorage) ? source.objectStorage : {};
  const algorithmSource: AlgorithmSource = {};
  // Pre-1.5 manifests put the git connection and reference at the top of the spec.
  const vcsConnection = optionalString(vcs.connection) ?? optionalString(spec.vcsName);
  const vcsReference = optionalString(vcs.reference) ?? optionalString(spec.reference);
  if (vcsConnection !== undefined || vcsReference !== undefined) {
    algorithmSource.vcs = { connection: vcsConnection ?? '' };
    if (vcsReference !== undefined) algorithmSource.vcs.reference = vcsReference;
  }
  const osConnection = optionalString(objectStorage.connection);
  const osPath = optionalString(objectStorage.path);
  if (osConnection !== undefined || osPath !== undefined) {
    algorithmSource.objectStorage = { connection: osConnection ?? '' };
    if (osPath !== undefined) algorithmSource.objectStorage.path = osPath;
  }

  const out: ModelTrainingSpec = {
    model: { name: readString(model.name) ?? '', version: readString(model.version) ?? '' },
    toolchain: readString(spec.toolchain) ?? '',
    entrypoint: readString(spec.entrypoint) ?? '',
    algorithmSource,
  };
  const template = optionalString(model.artifactNameTemplate);
  if (template !== undefined) out.model.artifactNameTemplate = template;

  const args = readArray(spec.args)
    ?.map(readString)
    .filter((a): a is string => a !== undefined);
  if (args && args.length > 0) out.args = args;

  const envs = readArray(spec.envs)
    ?.filter(isObject)
    .map((e): EnvironmentVariable => ({ name: readString(e.name) ?? '', value: readString(e.value) ?? '' }));
  if (envs && envs.length > 0) out.envs = envs;

  const hyperParameters = readStringMap(spec.hyperParameters);
  if (hyperParameters && Object.keys(hyperParameters).length > 0) out.hyperParameters = hyperParameters;

  for (const key of ['workDir', 'outputConnection', 'image'] as const) {
    const text = optionalString(spec[key]);
    if (text !== undefined) out[key] = text;
  }

  const resources = readResources(spec.resources);
  if (resources) out.resources = resources;

  const data = readArray(spec.data)
    ?.filter(isObject)
    .map((d): DataBinding => {
      const binding: DataBinding = {
        connection: readString(d.connection) || (readString(d.connName) ?? ''),
        localPath: readString(d.localPath) ?? '',
      };
      const remotePath = optionalString(d.remotePath);
      if (remotePath !== undefined) binding.remotePath = remotePath;
      return binding;
    });
  if (data && data.length > 0) out.data = data;

  const nodeSelector = readStringMap(spec.nodeSelector);
  if (nodeSelector && Object.keys(nodeSelector).length > 0) out.nodeSelector = nodeSelector;
  return { id: readId(body), spec: out };
}

/** Raw (still base64, possibly `*****`) connection fields as sent. */
export interface ConnectionBody {
  id: string;
  type: string;
  fields: Partial<
    Record<
      | 'uri'
      | 'region'
      | 'username'
      | 'password'
      | 'role'
      | 'keyID'
      | 'keySecret'
      | 'publicKey'
      | 'reference'
      | 'description'
      | 'webUILink'
      | 'endpoint',
      string
    >
  >;
  vital?: boolean;
}

const CONNECTION_STRING_FIELDS = [
  'uri',
  'region',
  'username',
  'password',
  'role',
  'keyID',
  'keySecret',
  'publicKey',
  'reference',
  'description',
  'webUILink',
  'endpoint',
] as const;

/** Reads a Connection request body (secrets left as sent; the validator decodes them). */
export function readConnectionBody(body: unknown): ConnectionBody {
  const root = isObject(body) ? body : {};
  const spec = isObject(root.spec) ? root.spec : {};
  const fields: ConnectionBody['fields'] = {};
  for (const key of CONNECTION_STRING_FIELDS) {
    const text = optionalString(spec[key]);
    if (text !== undefined) fields[key] = text;
  }
  const out: ConnectionBody = { id: readId(body), type: readString(spec.type) ?? '', fields };
  const vital = readBool(spec.vital);
  if (vital !== undefined) out.vital = vital;
  return out;
}

/** Reads a ToolchainIntegration request body. */
export function readToolchainBody(body: unknown): {
  id: string;
  entrypoint: string;
  defaultImage: string;
  additionalEnvironments?: Record<string, string>;
  kind?: string;
  command?: string[];
} {
  const root = isObject(body) ? body : {};
  const spec = isObject(root.spec) ? root.spec : {};
  const out: ReturnType<typeof readToolchainBody> = {
    id: readId(body),
    entrypoint: readString(spec.entrypoint) ?? '',
    defaultImage: readString(spec.defaultImage) ?? '',
  };
  const env = readStringMap(spec.additionalEnvironments);
  if (env && Object.keys(env).length > 0) out.additionalEnvironments = env;
  const kind = optionalString(spec.kind);
  if (kind !== undefined) out.kind = kind;
  const command = readArray(spec.command)
    ?.map(readString)
    .filter((a): a is string => a !== undefined);
  if (command && command.length > 0) out.command = command;
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** False for NUL characters and lone UTF-16 surrogates, which PostgreSQL cannot store in text or jsonb. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/**
 * Paths of strings (keys or values) that are not {@link isStorableText}. Depth-limited; returns at most a few
 * paths.
 */
export function unstorablePaths(value: unknown, path = '', depth = 0, found: string[] = []): string[] {
  if (found.length >= 3 || depth > 20) return found;
  if (typeof value === 'string') {
    if (!isStorableText(value)) found.push(path === '' ? 'value' : path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorablePaths(item, `${path}[${i}]`, depth + 1, found));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const where = path === '' ? key : `${path}.${key}`;
      if (!isStorableText(key)) found.push(where);
      else unstorablePaths(item, where, depth + 1, found);
    }
  }
  return found;
}
