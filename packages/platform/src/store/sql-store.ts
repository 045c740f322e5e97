/**
 * The one SQL implementation of the {@link Store} port, over a {@link SqlDriver} (PGlite or `pg`): a facade over
 * one module per aggregate (trainings, runs and leases, logs, history, toolchains, connections). Timestamps come from an
 * injectable clock so lease expiry is testable; with several servers their clocks should agree to well under a
 * lease (NTP).
 */
import type {
  Connection,
  ConnectionSpec,
  LogChunk,
  ModelTraining,
  ModelTrainingSpec,
  StoredLogChunk,
  ToolchainIntegration,
  ToolchainIntegrationSpec,
  TrainingRun,
  TrainingState,
} from '../domain/types.js';
import type { HistorySeries, RecordedPoint } from '../domain/history.js';
import { SqlConnections } from './connections-sql.js';
import { SqlHistory } from './history-sql.js';
import { SqlLogs } from './logs-sql.js';
import { SqlRuns } from './runs-sql.js';
import type { SecretBox } from './secret-box.js';
import type { SqlDriver } from './sql-driver.js';
import type { ConnectionListQuery, ListResult, Page, RunPatch, Store, TrainingListQuery } from './store.js';
import { TrainingChanges } from './training-changes.js';
import { SqlToolchains } from './toolchains-sql.js';
import { SqlTrainings } from './trainings-sql.js';

export interface SqlStoreOptions {
  /** Seals connection secrets; without it, storing a secret is refused. */
  secretBox?: SecretBox;
  /** @default () => new Date() */
  clock?: () => Date;
  /** Cache trainings read by id (see `training-cache.ts`). @default true */
  cache?: boolean;
}

export class SqlStore implements Store {
  readonly driver: SqlDriver;
  private readonly changes: TrainingChanges;
  private readonly trainings: SqlTrainings;
  private readonly runs: SqlRuns;
  private readonly logs: SqlLogs;
  private readonly history: SqlHistory;
  private readonly toolchains: SqlToolchains;
  private readonly connections: SqlConnections;

  constructor(driver: SqlDriver, options: SqlStoreOptions = {}) {
    this.driver = driver;
    this.changes = new TrainingChanges(driver, options.cache ?? true);
    const context = { driver, clock: options.clock ?? (() => new Date()), changes: this.changes };
    this.trainings = new SqlTrainings(context);
    this.runs = new SqlRuns(context);
    this.logs = new SqlLogs(context);
    this.history = new SqlHistory(context);
    this.toolchains = new SqlToolchains(context);
    this.connections = new SqlConnections(context, options.secretBox);
  }

  /** With PostgreSQL, follows other servers' training changes so the cache stays coherent. */
  startSharing(): Promise<void> {
    return this.changes.start();
  }

  /** Refuses to run when stored secrets cannot be read: no key configured, or a key that does not open them. */
  checkSecrets(): Promise<void> {
    return this.connections.checkSecrets();
  }

  listTrainings(query: TrainingListQuery): Promise<ListResult<ModelTraining>> {
    return this.trainings.list(query);
  }
  getTraining(id: string): Promise<ModelTraining | undefined> {
    return this.trainings.get(id);
  }
  createTraining(
    id: string,
    spec: ModelTrainingSpec,
  ): Promise<{ training: ModelTraining; run: TrainingRun }> {
    return this.trainings.create(id, spec);
  }
  updateTraining(
    id: string,
    spec: ModelTrainingSpec,
  ): Promise<{ training: ModelTraining; run: TrainingRun }> {
    return this.trainings.update(id, spec);
  }
  deleteTraining(id: string): Promise<boolean> {
    return this.trainings.delete(id);
  }
  countTrainingsByState(): Promise<Record<TrainingState, number>> {
    return this.trainings.countByState();
  }

  listToolchains(page: Page): Promise<ListResult<ToolchainIntegration>> {
    return this.toolchains.list(page);
  }
  getToolchain(id: string): Promise<ToolchainIntegration | undefined> {
    return this.toolchains.get(id);
  }
  createToolchain(id: string, spec: ToolchainIntegrationSpec): Promise<ToolchainIntegration> {
    return this.toolchains.create(id, spec);
  }
  updateToolchain(id: string, spec: ToolchainIntegrationSpec): Promise<ToolchainIntegration> {
    return this.toolchains.update(id, spec);
  }
  deleteToolchain(id: string): Promise<boolean> {
    return this.toolchains.delete(id);
  }

  listConnections(query: ConnectionListQuery): Promise<ListResult<Connection>> {
    return this.connections.list(query);
  }
  getConnection(id: string): Promise<Connection | undefined> {
    return this.connections.get(id);
  }
  createConnection(id: string, spec: ConnectionSpec): Promise<Connection> {
    return this.connections.create(id, spec);
  }
  updateConnection(id: string, spec: ConnectionSpec): Promise<Connection> {
    return this.connections.update(id, spec);
  }
  deleteConnection(id: string): Promise<boolean> {
    return this.connections.delete(id);
  }

  createRun(trainingId: string): Promise<TrainingRun> {
    return this.runs.create(trainingId);
  }
  claimRuns(workerId: string, limit: number, leaseMs: number): Promise<TrainingRun[]> {
    return this.runs.claim(workerId, limit, leaseMs);
  }
  renewLeases(workerId: string, runIds: readonly string[], leaseMs: number): Promise<TrainingRun[]> {
    return this.runs.renew(workerId, runIds, leaseMs);
  }
  updateRun(runId: string, patch: RunPatch, options?: { workerId?: string }): Promise<TrainingRun> {
    return this.runs.update(runId, patch, options);
  }
  requestCancel(runId: string, reason: string): Promise<TrainingRun> {
    return this.runs.requestCancel(runId, reason);
  }
  listRuns(trainingId: string): Promise<TrainingRun[]> {
    return this.runs.list(trainingId);
  }
  getRun(runId: string): Promise<TrainingRun | undefined> {
    return this.runs.get(runId);
  }
  listActiveRuns(workerId?: string): Promise<TrainingRun[]> {
    return this.runs.listActive(workerId);
  }

  appendLogs(runId: string, chunks: readonly LogChunk[]): Promise<number> {
    return this.logs.append(runId, chunks);
  }
  lastLogSeq(runId: string): Promise<number> {
    return this.logs.lastSeq(runId);
  }
  readLogs(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<StoredLogChunk[]> {
    return this.logs.read(runId, options);
  }

  appendHistory(
    runId: string,
    points: readonly RecordedPoint[],
    options?: { maxPoints?: number },
  ): Promise<{ stored: number; total: number }> {
    return this.history.append(runId, points, options);
  }
  readHistory(runId: string): Promise<HistorySeries[]> {
    return this.history.read(runId);
  }

  async close(): Promise<void> {
    await this.changes.stop();
    await this.driver.close();
  }
}
