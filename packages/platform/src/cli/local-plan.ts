/**
 * `local train run`: finds, among the given manifest documents, the training to run, its toolchain integration
 * and the connections it names (pure). What is missing is reported by name, so the caller can fetch it from a
 * server or fail with a clear message.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { UsageError } from './errors.js';
import type { Manifest } from './manifest.js';

export interface LocalPlan {
  training: Record<string, unknown>;
  toolchainId: string | undefined;
  toolchain: Record<string, unknown> | undefined;
  connections: Record<string, unknown>[];
  /** Connection ids the training names that no document provides. */
  missingConnections: string[];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Every connection id a training spec names (1.5+ fields and the pre-1.5 `vcsName` / `connName`). */
export function referencedConnections(spec: Record<string, unknown>): string[] {
  const source = obj(spec['algorithmSource']);
  const names = [
    str(obj(source['vcs'])['connection']),
    str(obj(source['objectStorage'])['connection']),
    str(spec['vcsName']),
    str(spec['outputConnection']),
    ...(Array.isArray(spec['data']) ? spec['data'] : []).flatMap((d) => [
      str(obj(d)['connection']),
      str(obj(d)['connName']),
    ]),
  ];
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

/**
 * Picks the training with `id` (or the only training when `id` is omitted), then its toolchain and connections.
 */
export function resolveLocalPlan(manifests: readonly Manifest[], id: string | undefined): LocalPlan {
  const trainings = manifests.filter((m) => m.kind === 'ModelTraining');
  if (trainings.length === 0) throw new UsageError('no ModelTraining document among the manifest files');
  let chosen: Manifest | undefined;
  if (id === undefined) {
    if (trainings.length > 1) {
      throw new UsageError(
        `several trainings (${trainings.map((t) => t.id ?? '?').join(', ')}); pick one with --id`,
      );
    }
    chosen = trainings[0];
  } else {
    chosen = trainings.find((t) => t.id === id);
    if (!chosen) {
      throw new UsageError(
        `no ModelTraining with id ${id}; found ${trainings.map((t) => t.id ?? '?').join(', ')}`,
      );
    }
  }
  const training = chosen!.body;
  const spec = obj(training['spec']);
  const toolchainId = str(spec['toolchain']);
  const toolchain = manifests.find((m) => m.kind === 'ToolchainIntegration' && m.id === toolchainId)?.body;
  const wanted = referencedConnections(spec);
  const byId = new Map(manifests.filter((m) => m.kind === 'Connection' && m.id).map((m) => [m.id!, m.body]));
  return {
    training,
    toolchainId,
    toolchain,
    connections: wanted.filter((c) => byId.has(c)).map((c) => byId.get(c)!),
    missingConnections: wanted.filter((c) => !byId.has(c)),
  };
}

/**
 * For local runs, a `local` connection's relative `uri` is read relative to the folder of the file that holds it,
 * so a project's manifests work from any working directory (the server itself requires absolute paths).
 */
export function resolveLocalUris(manifests: readonly Manifest[], cwd: string): Manifest[] {
  return manifests.map((m) => {
    const spec = obj(m.body['spec']);
    const uri = str(spec['uri']);
    if (
      m.kind !== 'Connection' ||
      spec['type'] !== 'local' ||
      !uri ||
      isAbsolute(uri) ||
      uri.startsWith('file:')
    )
      return m;
    const file = m.source.replace(/#\d+$/, '');
    const base = file === 'stdin' ? cwd : dirname(resolve(cwd, file));
    return { ...m, body: { ...m.body, spec: { ...spec, uri: resolve(base, uri) } } };
  });
}
