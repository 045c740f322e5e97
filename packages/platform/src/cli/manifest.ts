/**
 * Manifest files: YAML with any number of `---` documents, or JSON (an object or an array of objects), everywhere
 * a file is taken (Odahu #410: its CLI refused multi-document files with "should contain 1 item, but 1 found").
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { UsageError } from './errors.js';

/** The kinds Gangplank serves, with their CLI names. */
export const MANIFEST_KINDS = ['ModelTraining', 'ToolchainIntegration', 'Connection'] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

/** Kinds odahuflowctl's bulk knows that Gangplank does not serve (named in the error instead of "unknown"). */
const ODAHU_ONLY_KINDS = [
  'ModelDeployment',
  'ModelRoute',
  'ModelPackaging',
  'PackagingIntegration',
  'InferenceService',
  'InferenceJob',
];

/** One document of a manifest file. */
export interface Manifest {
  /** `kind` of the document, if it has one. */
  kind: string | undefined;
  /** `id` of the document, if it has one. */
  id: string | undefined;
  /** The document without `kind`, ready to send. */
  body: Record<string, unknown>;
  /** `file#n` (1-based document number), for messages. */
  source: string;
}

/** Boolean fields that stay booleans; every other boolean (and every number) is sent as a string. */
const BOOLEAN_KEYS = new Set(['vital', 'deletionMark']);

/**
 * Parses a file's text into its documents. Numbers keep their written form as strings (`version: 1.10` stays
 * `"1.10"`, where odahuflowctl sends `"1.1"`), because every scalar of the three specs is a string except
 * `vital`.
 */
export function parseManifests(text: string, source: string): Manifest[] {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) throw new UsageError(`${source}: not a YAML or JSON manifest file`);
  const out: Manifest[] = [];
  let n = 0;
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new UsageError(`${source}: ${err.message.split('\n')[0] ?? err.message}`);
    const value = toPlain(doc.contents, { doc, aliases: 0, active: new Set(), source }, '');
    const items: unknown[] = Array.isArray(value)
      ? value
      : value === null || value === undefined
        ? []
        : [value];
    for (const item of items) {
      n++;
      const where = `${source}#${n}`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new UsageError(
          `${where}: a manifest must be a mapping with id and spec, got ${describe(item)}`,
        );
      }
      const { kind, ...body } = item as Record<string, unknown>;
      const id = body['id'];
      out.push({
        kind:
          kind === undefined || kind === null
            ? inferKind(body)
            : typeof kind === 'string'
              ? kind
              : JSON.stringify(kind),
        id: typeof id === 'string' && id ? id : undefined,
        body,
        source: where,
      });
    }
  }
  return out;
}

/** Checks a document's kind against the kinds Gangplank serves; `expected` fills in a missing kind. */
export function manifestKind(manifest: Manifest, expected?: ManifestKind): ManifestKind {
  const kind = manifest.kind ?? expected;
  if (kind === undefined) {
    throw new UsageError(`${manifest.source}: no kind; set kind to one of ${MANIFEST_KINDS.join(', ')}`);
  }
  if ((MANIFEST_KINDS as readonly string[]).includes(kind)) return kind as ManifestKind;
  if (ODAHU_ONLY_KINDS.includes(kind)) {
    throw new UsageError(
      `${manifest.source}: kind ${kind} is an Odahu-flow kind that Gangplank does not serve`,
    );
  }
  throw new UsageError(
    `${manifest.source}: unknown kind ${kind}; expected one of ${MANIFEST_KINDS.join(', ')}`,
  );
}

/**
 * Picks the documents of one kind for `train create -f` and the like. Documents of other kinds are skipped so
 * that one file can hold a training with its toolchain and connections. With `id`: a single document is
 * renamed to it (odahuflowctl's `--id` override); among several, the one with that id is picked.
 */
export function selectManifests(manifests: readonly Manifest[], kind: ManifestKind, id?: string): Manifest[] {
  const ofKind = manifests.filter((m) => (m.kind ?? kind) === kind);
  if (ofKind.length === 0) {
    const sources =
      [...new Set(manifests.map((m) => m.source.replace(/#\d+$/, '')))].join(', ') || 'the file';
    throw new UsageError(`no ${kind} document in ${sources}`);
  }
  if (id === undefined) {
    for (const m of ofKind)
      if (!m.id) throw new UsageError(`${m.source}: ${kind} has no id; add one or pass --id`);
    return ofKind;
  }
  if (ofKind.length === 1) {
    const only = ofKind[0]!;
    return [{ ...only, id, body: { ...only.body, id } }];
  }
  const match = ofKind.filter((m) => m.id === id);
  if (match.length === 0) {
    throw new UsageError(`no ${kind} with id ${id} among ${ofKind.map((m) => m.id ?? '?').join(', ')}`);
  }
  return match;
}

/**
 * Aliases resolved per document at most: yaml's own `maxAliasCount` default. Each alias is expanded in place, so
 * a "billion laughs" file of nine nested levels of nine aliases would otherwise build 9^9 nodes and hang the CLI.
 */
const MAX_ALIASES = 100;

interface Walk {
  doc: Document;
  aliases: number;
  /** Nodes being expanded through an alias: meeting one again is a cycle (`a: &a [*a]`). */
  active: Set<Node>;
  source: string;
}

function toPlain(node: Node | null | undefined, walk: Walk, key: string): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    if (++walk.aliases > MAX_ALIASES)
      throw new UsageError(`${walk.source}: more than ${MAX_ALIASES} YAML aliases`);
    const target = node.resolve(walk.doc) as Node | undefined;
    if (!target) return null;
    if (walk.active.has(target))
      throw new UsageError(`${walk.source}: a YAML alias refers to itself (*${node.source})`);
    walk.active.add(target);
    try {
      return toPlain(target, walk, key);
    } finally {
      walk.active.delete(target);
    }
  }
  if (isMap(node)) {
    const obj: Record<string, unknown> = {};
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? (pair.key.source ?? String(pair.key.value)) : String(pair.key);
      obj[k] = toPlain(pair.value as Node | null, walk, k);
    }
    return obj;
  }
  if (isSeq(node)) return node.items.map((item) => toPlain(item as Node, walk, key));
  if (isScalar(node)) {
    const value = node.value;
    if (typeof value === 'number' || typeof value === 'bigint') return node.source ?? String(value);
    if (typeof value === 'boolean') return BOOLEAN_KEYS.has(key) ? value : String(value);
    return value;
  }
  return null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}

/**
 * Guesses the kind of a document without `kind` from its spec (a training names a toolchain and a model, a
 * toolchain has a default image, a connection a type and a URI); undefined when unsure.
 */
export function inferKind(body: Record<string, unknown>): ManifestKind | undefined {
  const spec = body['spec'];
  if (typeof spec !== 'object' || spec === null) return undefined;
  const keys = new Set(Object.keys(spec));
  if (keys.has('toolchain') || keys.has('model')) return 'ModelTraining';
  if (keys.has('defaultImage')) return 'ToolchainIntegration';
  if (keys.has('type') && keys.has('uri')) return 'Connection';
  return undefined;
}

/** Order of `bulk apply`: connections and toolchains before the trainings validated against them. */
export const APPLY_ORDER: Record<ManifestKind, number> = {
  Connection: 0,
  ToolchainIntegration: 1,
  ModelTraining: 2,
};
