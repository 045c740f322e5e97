/** The API routes the page calls, typed with the server's domain types (type-only imports: nothing bundled). */
import type { ModelTraining, ModelTrainingSpec, TrainingRun } from '../../src/domain/types.js';
import { getJson, send } from './api.js';
import type { RunHistory, RunsHistory } from './history.js';
import { formatRunRefs, type RunRef } from './route.js';

/** A run as served: the dispatcher's bookkeeping fields are not on the wire. */
export type WireRun = Omit<TrainingRun, 'claimedBy' | 'leaseExpiresAt' | 'executorHandle'>;

export interface UiConfig {
  prometheus: boolean;
  pushgateway: boolean;
  auth: boolean;
}

export interface UserInfo {
  username: string;
  email: string;
  roles: string[];
}

const API = '/api/v1/model/training';

function one(id: string): string {
  return `${API}/${encodeURIComponent(id)}`;
}

export const uiConfig = (): Promise<UiConfig> => getJson<UiConfig>('/ui/config.json');
export const userInfo = (): Promise<UserInfo> => getJson<UserInfo>('/api/v1/user/info');

/** Newest first; the total counts every training, beyond the page. */
export async function listTrainings(size: number): Promise<{ items: ModelTraining[]; total: number }> {
  const response = await send(`${API}?sort=-createdAt&size=${size}`);
  const items = (await response.json()) as ModelTraining[];
  return { items, total: Number(response.headers.get('x-total-count') ?? items.length) };
}

export const getTraining = (id: string): Promise<ModelTraining> => getJson<ModelTraining>(one(id));
export const listRuns = (id: string): Promise<WireRun[]> => getJson<WireRun[]>(`${one(id)}/runs`);
export const getRun = (ref: RunRef): Promise<WireRun> =>
  getJson<WireRun>(`${one(ref.trainingId)}/runs/${encodeURIComponent(ref.runId)}`);

export const runHistory = (ref: RunRef, signal?: AbortSignal): Promise<RunHistory> =>
  getJson<RunHistory>(`${one(ref.trainingId)}/runs/${encodeURIComponent(ref.runId)}/history`, signal);

export const runsHistory = (refs: readonly RunRef[], signal?: AbortSignal): Promise<RunsHistory> =>
  getJson<RunsHistory>(`/api/v1/model/training-history?runs=${formatRunRefs(refs)}`, signal);

export function artifactUrl(trainingId: string, artifactName: string): string {
  return `${one(trainingId)}/artifact/${encodeURIComponent(artifactName)}`;
}

export function logUrl(ref: RunRef, follow: boolean): string {
  return `${one(ref.trainingId)}/log?run=${encodeURIComponent(ref.runId)}${follow ? '&follow=true' : ''}`;
}

/** Create (POST) or update and rerun (PUT) from a YAML manifest; the server parses YAML bodies itself. */
export async function saveManifest(method: 'POST' | 'PUT', yaml: string): Promise<ModelTraining> {
  const response = await send(API, { method, headers: { 'content-type': 'application/yaml' }, body: yaml });
  return response.json() as Promise<ModelTraining>;
}

/** What the CLI's edit does to rerun: PUT the spec unchanged (every PUT makes a new run). */
export async function rerun(training: { id: string; spec: ModelTrainingSpec }): Promise<ModelTraining> {
  const response = await send(API, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: training.id, spec: training.spec }),
  });
  return response.json() as Promise<ModelTraining>;
}

export async function cancel(id: string): Promise<ModelTraining> {
  const response = await send(`${one(id)}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'cancelled from the web app' }),
  });
  return response.json() as Promise<ModelTraining>;
}

export async function remove(id: string): Promise<void> {
  await send(one(id), { method: 'DELETE' });
}
