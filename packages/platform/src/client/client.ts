import type { HistorySeries } from '../domain/history.js';
import { HttpTransport, type HttpOptions } from './http.js';
import type {
  ListQuery,
  WireConnection,
  WireModelTraining,
  WireResource,
  WireToolchainIntegration,
  WireTrainingRun,
} from './types.js';

/** `/api/v1` paths of the three resources, exactly Odahu-flow's. */
export const RESOURCE_PATHS = {
  ModelTraining: '/api/v1/model/training',
  ToolchainIntegration: '/api/v1/toolchain/integration',
  Connection: '/api/v1/connection',
} as const;

export type ResourceKind = keyof typeof RESOURCE_PATHS;

/** CRUD over one resource path, with Odahu's verbs: POST creates, PUT (id in the body) updates. */
export class ResourceClient<T extends WireResource> {
  constructor(
    protected readonly http: HttpTransport,
    readonly path: string,
  ) {}

  /** `GET <path>`: always an array (a `null` page is read as empty). */
  async list(query: ListQuery = {}): Promise<T[]> {
    const list = await this.http.json<T[] | null>('GET', `${this.path}${queryString(query)}`);
    return list ?? [];
  }

  /** `GET <path>/<id>`; throws ApiError 404 when missing. */
  get(id: string): Promise<T> {
    return this.http.json<T>('GET', `${this.path}/${encodeURIComponent(id)}`);
  }

  /** `POST <path>`: 201 with the stored object (defaults filled). */
  create(resource: T): Promise<T> {
    return this.http.json<T>('POST', this.path, resource);
  }

  /** `PUT <path>` with the id in the body. For a training this starts a new run. */
  update(resource: T): Promise<T> {
    return this.http.json<T>('PUT', this.path, resource);
  }

  /** `DELETE <path>/<id>`; returns the server's message, e.g. `Model training wine was deleted`. */
  async delete(id: string): Promise<string> {
    const body = await this.http.json<{ message?: string } | undefined>(
      'DELETE',
      `${this.path}/${encodeURIComponent(id)}`,
    );
    return body?.message ?? `${id} was deleted`;
  }
}

/** Trainings add logs, runs and cancel to the CRUD verbs. */
export class TrainingClient extends ResourceClient<WireModelTraining> {
  /**
   * `GET <path>/<id>/log?follow=…`: the raw streaming answer (plain text). Use {@link followLogs} from the CLI
   * for a follow that survives reconnects without repeating lines.
   */
  logs(
    id: string,
    options: { follow?: boolean; run?: string; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const run = options.run === undefined ? '' : `&run=${encodeURIComponent(options.run)}`;
    return this.http.stream(
      `${this.path}/${encodeURIComponent(id)}/log?follow=${options.follow ? 'true' : 'false'}${run}`,
      options.signal,
    );
  }

  /** `GET <path>/<id>/runs`: every run of the training, oldest first. */
  async runs(id: string): Promise<WireTrainingRun[]> {
    const runs = await this.http.json<WireTrainingRun[] | null>(
      'GET',
      `${this.path}/${encodeURIComponent(id)}/runs`,
    );
    return runs ?? [];
  }

  /** `GET <path>/<id>/runs/<runId>/history`: every point the run recorded, as series (Gangplank). */
  async history(id: string, runId: string): Promise<{ series: HistorySeries[] }> {
    return this.http.json<{ series: HistorySeries[] }>('GET', this.historyPath(id, runId));
  }

  /** The same as CSV (`phase,name,step,time,value`; non-finite values as NaN/Inf, histograms left out). */
  async historyCsv(id: string, runId: string): Promise<string> {
    const res = await this.http.stream(
      `${this.historyPath(id, runId)}?format=csv`,
      AbortSignal.timeout(60_000),
    );
    return res.text();
  }

  private historyPath(id: string, runId: string): string {
    return `${this.path}/${encodeURIComponent(id)}/runs/${encodeURIComponent(runId)}/history`;
  }

  /** `POST <path>/<id>/cancel`: asks the latest run to stop. */
  cancel(id: string, reason?: string): Promise<WireModelTraining> {
    return this.http.json<WireModelTraining>(
      'POST',
      `${this.path}/${encodeURIComponent(id)}/cancel`,
      reason === undefined ? {} : { reason },
    );
  }
}

/** Connections add the `decrypted` read (secrets in clear, base64 as Odahu sends them). */
export class ConnectionClient extends ResourceClient<WireConnection> {
  getDecrypted(id: string): Promise<WireConnection> {
    return this.http.json<WireConnection>('GET', `${this.path}/${encodeURIComponent(id)}/decrypted`);
  }
}

/** Options of {@link GangplankClient}; see {@link HttpOptions}. */
export type ClientOptions = HttpOptions;

/**
 * Typed REST client of the Gangplank API (Odahu-flow 1.6 wire format), for scripts and the CLI.
 *
 * @example
 * ```ts
 * const client = new GangplankClient({ url: 'http://127.0.0.1:5000' });
 * const [training] = await client.trainings.list({ model_name: 'wine' });
 * ```
 */
export class GangplankClient {
  readonly http: HttpTransport;
  readonly trainings: TrainingClient;
  readonly toolchains: ResourceClient<WireToolchainIntegration>;
  readonly connections: ConnectionClient;

  constructor(options: ClientOptions) {
    this.http = new HttpTransport(options);
    this.trainings = new TrainingClient(this.http, RESOURCE_PATHS.ModelTraining);
    this.toolchains = new ResourceClient<WireToolchainIntegration>(
      this.http,
      RESOURCE_PATHS.ToolchainIntegration,
    );
    this.connections = new ConnectionClient(this.http, RESOURCE_PATHS.Connection);
  }

  /** The server's base URL. */
  get url(): string {
    return this.http.baseUrl;
  }

  /** The CRUD client of a manifest kind. */
  resource(kind: ResourceKind): ResourceClient<WireResource> {
    switch (kind) {
      case 'ModelTraining':
        return this.trainings;
      case 'ToolchainIntegration':
        return this.toolchains;
      case 'Connection':
        return this.connections;
    }
  }

  /** `GET /health` with the token: what `login` checks (as odahuflowctl does). */
  async health(): Promise<void> {
    await this.http.json<unknown>('GET', '/health');
  }
}

function queryString(query: ListQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(key, v);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
