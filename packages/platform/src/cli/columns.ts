import type {
  WireConnection,
  WireModelTraining,
  WireResource,
  WireToolchainIntegration,
  WireTrainingRun,
} from '../client/index.js';
import { age, type Column } from './table.js';

function spec(item: { spec?: Record<string, unknown> | undefined }, key: string): unknown {
  return item.spec?.[key];
}

/** Table columns of each resource; `now` is injected so tests can fix the AGE column. */
export function trainingColumns(now: number): Column<WireModelTraining>[] {
  return resourceColumns(now, [
    { header: 'STATE', get: (t) => t.status?.state },
    { header: 'TOOLCHAIN', get: (t) => t.spec?.toolchain },
    { header: 'MODEL', get: (t) => t.spec?.model?.name },
    { header: 'VERSION', get: (t) => t.spec?.model?.version },
    { header: 'ARTIFACT', get: (t) => t.status?.artifacts?.[0]?.artifactName },
  ]);
}

export function toolchainColumns(now: number): Column<WireToolchainIntegration>[] {
  return resourceColumns(now, [
    { header: 'ENTRYPOINT', get: (t) => spec(t, 'entrypoint') },
    { header: 'DEFAULT IMAGE', get: (t) => spec(t, 'defaultImage') },
  ]);
}

export function connectionColumns(now: number): Column<WireConnection>[] {
  return resourceColumns(now, [
    { header: 'TYPE', get: (c) => spec(c, 'type') },
    { header: 'URI', get: (c) => spec(c, 'uri') },
    { header: 'DESCRIPTION', get: (c) => spec(c, 'description') },
  ]);
}

/** A resource's own columns between ID and AGE (since its last change), as every resource table shows them. */
function resourceColumns<T extends WireResource>(now: number, own: Column<T>[]): Column<T>[] {
  return [
    { header: 'ID', get: (r) => r.id },
    ...own,
    { header: 'AGE', get: (r) => age(r.updatedAt ?? r.createdAt, now) },
  ];
}

export function runColumns(now: number): Column<WireTrainingRun>[] {
  return [
    { header: 'SEQ', get: (r) => r.seq },
    { header: 'RUN', get: (r) => r.id },
    { header: 'STATE', get: (r) => r.state },
    { header: 'EXIT', get: (r) => r.exitCode },
    { header: 'REASON', get: (r) => r.reason },
    { header: 'CREATED', get: (r) => age(r.createdAt, now) },
    { header: 'DURATION', get: (r) => duration(r.startedAt, r.finishedAt, now) },
    { header: 'ARTIFACT', get: (r) => r.artifacts?.[0]?.artifactName },
  ];
}

function duration(start: unknown, end: unknown, now: number): string {
  if (typeof start !== 'string') return '-';
  const from = Date.parse(start);
  const to = typeof end === 'string' ? Date.parse(end) : now;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return '-';
  return formatElapsed(to - from);
}

/** `42s`, `3m05s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
