/**
 * The store conformance suite: every adapter runs it (PGlite and PostgreSQL). Ids are unique per test so one
 * store serves the whole file.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, LeaseLostError, NotFoundError } from '../../src/domain/errors.js';
import type { RecordedPoint } from '../../src/domain/history.js';
import { HistoryLimitError } from '../../src/domain/history-limit-error.js';
import type { ModelTrainingSpec } from '../../src/domain/types.js';
import type { SqlStore } from '../../src/store/sql-store.js';

export interface ConformanceContext {
  /**
   * Opens the store under test with a controllable clock. The SQL adapter itself: one case reads the table
   * behind the port to check that secrets are sealed.
   */
  open(clock: () => Date): Promise<SqlStore>;
}

export function uid(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function spec(overrides: Partial<ModelTrainingSpec> = {}): ModelTrainingSpec {
  return {
    model: { name: 'wine', version: '1.0' },
    toolchain: 'mlflow',
    entrypoint: 'main',
    algorithmSource: { vcs: { connection: 'repo' } },
    ...overrides,
  };
}

export function describeStoreConformance(name: string, context: ConformanceContext): void {
  describe(`Store conformance: ${name}`, () => {
    let store: SqlStore;
    let now = new Date('2026-01-01T00:00:00.000Z');
    const advance = (ms: number): void => {
      now = new Date(now.getTime() + ms);
    };

    beforeAll(async () => {
      store = await context.open(() => now);
    });
    afterAll(async () => {
      await store.close();
    });

    it('creates, reads, updates and deletes toolchain integrations', async () => {
      const id = uid('tc');
      const created = await store.createToolchain(id, { entrypoint: '/run', defaultImage: 'img:1' });
      expect(created).toMatchObject({ id, spec: { entrypoint: '/run' }, status: {} });
      await expect(store.createToolchain(id, { entrypoint: 'x', defaultImage: 'y' })).rejects.toThrow(
        `entity "${id}" already exists`,
      );
      advance(1000);
      const updated = await store.updateToolchain(id, { entrypoint: '/run2', defaultImage: 'img:2' });
      expect(updated.spec.defaultImage).toBe('img:2');
      expect(updated.createdAt).toBe(created.createdAt);
      expect(updated.updatedAt > created.updatedAt).toBe(true);
      await expect(
        store.updateToolchain(uid('none'), { entrypoint: 'x', defaultImage: 'y' }),
      ).rejects.toThrow('is not found');
      expect(await store.deleteToolchain(id)).toBe(true);
      expect(await store.deleteToolchain(id)).toBe(false);
      expect(await store.getToolchain(id)).toBeUndefined();
    });

    it('stores connection secrets sealed and reads them back decrypted, filtered by type', async () => {
      const id = uid('s3');
      await store.createConnection(id, {
        type: 's3',
        uri: 's3://b',
        region: 'r',
        keyID: 'AKIA',
        keySecret: 'top-secret',
      });
      const raw = await store.driver.query<{ spec: unknown; secrets: string }>(
        'SELECT spec, secrets FROM connections WHERE id = $1',
        [id],
      );
      expect(JSON.stringify(raw[0])).not.toContain('top-secret');
      expect(JSON.stringify(raw[0])).not.toContain('AKIA');
      expect((await store.getConnection(id))?.spec).toMatchObject({ keyID: 'AKIA', keySecret: 'top-secret' });
      const gitId = uid('git');
      await store.createConnection(gitId, { type: 'git', uri: 'https://example.com/r.git' });
      const s3Only = await store.listConnections({ size: 500, page: 0, type: ['s3'] });
      expect(s3Only.items.map((c) => c.id)).toContain(id);
      expect(s3Only.items.map((c) => c.id)).not.toContain(gitId);
      expect(s3Only.total).toBe(s3Only.items.length);
      await store.updateConnection(gitId, { type: 'git', uri: 'https://example.com/r.git', password: 'tok' });
      expect((await store.getConnection(gitId))?.spec.password).toBe('tok');
    });

    it('creates a training with a first scheduling run that its status mirrors', async () => {
      const id = uid('mt');
      const { training, run } = await store.createTraining(id, spec());
      expect(run).toMatchObject({
        trainingId: id,
        seq: 1,
        state: 'scheduling',
        cancelRequested: false,
        artifacts: [],
      });
      expect(training.status).toEqual({ state: 'scheduling', runId: run.id });
      await expect(store.createTraining(id, spec())).rejects.toThrow(`entity "${id}" already exists`);
      await expect(store.createTraining(id, spec())).rejects.toBeInstanceOf(AlreadyExistsError);
      await store.updateRun(run.id, {
        state: 'failed',
        exitCode: 3,
        reason: 'Error',
        message: 'boom',
        podName: 'p1',
      });
      expect((await store.getTraining(id))?.status).toMatchObject({
        state: 'failed',
        exitCode: 3,
        reason: 'Error',
        message: 'boom',
        podName: 'p1',
      });
    });

    it('reruns on every update, even unchanged, keeping earlier runs readable', async () => {
      const id = uid('mt');
      const first = await store.createTraining(id, spec());
      advance(1000);
      const second = await store.updateTraining(id, spec());
      expect(second.run.seq).toBe(2);
      expect(second.training.status.runId).toBe(second.run.id);
      expect(second.training.createdAt).toBe(first.training.createdAt);
      const runs = await store.listRuns(id);
      expect(runs.map((r) => r.seq)).toEqual([1, 2]);
      expect(runs[0]).toMatchObject({ state: 'failed', reason: 'Cancelled', cancelRequested: true });
      expect(runs[1]?.state).toBe('scheduling');
      const third = await store.createRun(id);
      expect(third.seq).toBe(3);
      await expect(store.updateTraining(uid('none'), spec())).rejects.toThrow('is not found');
    });

    it('lists with Odahu filters, state filter, sort, paging and a total', async () => {
      const model = uid('model');
      const ids = [uid('a'), uid('b'), uid('c')].sort();
      for (const [i, id] of ids.entries()) {
        advance(10);
        await store.createTraining(id, spec({ model: { name: model, version: String(i) } }));
      }
      const firstRun = (await store.listRuns(ids[0] ?? ''))[0];
      await store.updateRun(firstRun?.id ?? '', { state: 'succeeded' });
      const all = await store.listTrainings({ size: 500, page: 0, modelName: [model] });
      expect(all.items.map((t) => t.id)).toEqual(ids);
      expect(all.total).toBe(3);
      const page1 = await store.listTrainings({ size: 2, page: 1, modelName: [model] });
      expect(page1.items.map((t) => t.id)).toEqual([ids[2]]);
      expect(page1.total).toBe(3);
      const beyond = await store.listTrainings({ size: 2, page: 5, modelName: [model] });
      expect(beyond).toEqual({ items: [], total: 3 });
      const versions = await store.listTrainings({
        size: 500,
        page: 0,
        modelName: [model],
        modelVersion: ['0', '2'],
      });
      expect(versions.items.map((t) => t.id)).toEqual([ids[0], ids[2]]);
      const succeeded = await store.listTrainings({
        size: 500,
        page: 0,
        modelName: [model],
        state: ['succeeded'],
      });
      expect(succeeded.items.map((t) => t.id)).toEqual([ids[0]]);
      const newest = await store.listTrainings({
        size: 500,
        page: 0,
        modelName: [model],
        sort: { field: 'createdAt', descending: true },
      });
      expect(newest.items.map((t) => t.id)).toEqual([...ids].reverse());
      const none = await store.listTrainings({ size: 500, page: 0, toolchain: [uid('none')] });
      expect(none).toEqual({ items: [], total: 0 });
      const counts = await store.countTrainingsByState();
      expect(counts.succeeded).toBeGreaterThanOrEqual(1);
    });

    it('claims runs once, honours leases, renewals and expiry', async () => {
      const id = uid('claim');
      const { run } = await store.createTraining(id, spec());
      // Drain what earlier tests left so this test sees only its own run.
      const workerA = uid('worker');
      const workerB = uid('worker');
      const claimed = await store.claimRuns(workerA, 1000, 30_000);
      expect(claimed.map((r) => r.id)).toContain(run.id);
      const mine = claimed.find((r) => r.id === run.id);
      expect(mine?.claimedBy).toBe(workerA);
      expect(await store.claimRuns(workerB, 1000, 30_000)).toEqual([]);
      await expect(store.updateRun(run.id, { state: 'running' }, { workerId: workerB })).rejects.toThrow(
        'claimed by another worker',
      );
      await expect(store.updateRun(run.id, {}, { workerId: workerB })).rejects.toBeInstanceOf(LeaseLostError);
      const running = await store.updateRun(
        run.id,
        { state: 'running', startedAt: now.toISOString() },
        { workerId: workerA },
      );
      expect(running.state).toBe('running');
      expect((await store.listActiveRuns(workerA)).map((r) => r.id)).toContain(run.id);
      advance(20_000);
      expect((await store.renewLeases(workerA, [run.id], 30_000)).map((r) => r.id)).toEqual([run.id]);
      expect(await store.renewLeases(workerB, [run.id], 30_000)).toEqual([]);

      // A scheduling run whose holder died is claimable again after its lease expires.
      const other = await store.createTraining(uid('claim'), spec());
      expect((await store.claimRuns(workerA, 1000, 1000)).map((r) => r.id)).toEqual([other.run.id]);
      advance(2000);
      expect((await store.claimRuns(workerB, 1000, 1000)).map((r) => r.id)).toEqual([other.run.id]);
      const done = await store.updateRun(
        other.run.id,
        {
          state: 'succeeded',
          exitCode: 0,
          artifacts: [{ runId: 'r', artifactName: 'a.zip' }],
          release: true,
        },
        { workerId: workerB },
      );
      expect(done).toMatchObject({
        state: 'succeeded',
        exitCode: 0,
        artifacts: [{ runId: 'r', artifactName: 'a.zip' }],
      });
      expect(done.claimedBy).toBeUndefined();
      await expect(store.updateRun('no-such-run', { state: 'failed' })).rejects.toThrow('is not found');
      await expect(store.updateRun('no-such-run', {})).rejects.toBeInstanceOf(NotFoundError);
    });

    it('cancels: unclaimed scheduling runs finish at once, held ones get a request', async () => {
      const a = await store.createTraining(uid('cancel'), spec());
      const cancelled = await store.requestCancel(a.run.id, 'user asked');
      expect(cancelled).toMatchObject({
        state: 'failed',
        reason: 'Cancelled',
        message: 'user asked',
        cancelRequested: true,
      });
      const b = await store.createTraining(uid('cancel'), spec());
      const worker = uid('worker');
      await store.claimRuns(worker, 1000, 60_000);
      await store.updateRun(b.run.id, { state: 'running' }, { workerId: worker });
      const flagged = await store.requestCancel(b.run.id, 'stop');
      expect(flagged).toMatchObject({ state: 'running', cancelRequested: true, cancelReason: 'stop' });
      await expect(store.requestCancel('no-such-run', 'x')).rejects.toThrow('is not found');
    });

    it('appends and reads logs in order, after a sequence number', async () => {
      const { run } = await store.createTraining(uid('logs'), spec());
      expect(await store.appendLogs(run.id, [])).toBe(0);
      expect(
        await store.appendLogs(run.id, [
          { stream: 'stdout', text: 'epoch 1\n' },
          { stream: 'stderr', text: 'warn\n' },
        ]),
      ).toBe(2);
      expect(
        await store.appendLogs(run.id, [{ stream: 'stdout', text: "epoch 2 '; DROP TABLE x; --\n" }]),
      ).toBe(3);
      const all = await store.readLogs(run.id);
      expect(all.map((c) => [c.seq, c.stream, c.text])).toEqual([
        [1, 'stdout', 'epoch 1\n'],
        [2, 'stderr', 'warn\n'],
        [3, 'stdout', "epoch 2 '; DROP TABLE x; --\n"],
      ]);
      expect((await store.readLogs(run.id, { afterSeq: 2 })).map((c) => c.seq)).toEqual([3]);
      await store.appendLogs(run.id, [{ stream: 'stdout', text: 'nul\u0000 and \ud800 lone' }]);
      expect((await store.readLogs(run.id, { afterSeq: 3 }))[0]?.text).toBe('nul\uFFFD and \uFFFD lone');
      const updated = await store.updateRun(run.id, {
        message: 'bad \u0000',
        artifacts: [{ runId: '\udc00' }],
      });
      expect(updated.message).toBe('bad \uFFFD');
      await expect(store.appendLogs('no-such-run', [{ stream: 'stdout', text: 'x' }])).rejects.toThrow(
        'is not found',
      );
    });

    it('tells the last log sequence number without writing', async () => {
      const { run } = await store.createTraining(uid('seq'), spec());
      expect(await store.lastLogSeq(run.id)).toBe(0);
      const last = await store.appendLogs(run.id, [
        { stream: 'stdout', text: 'a\n' },
        { stream: 'stdout', text: 'b\n' },
      ]);
      expect(await store.lastLogSeq(run.id)).toBe(last);
      expect(last).toBe(2);
      expect(await store.appendLogs(run.id, [])).toBe(2);
      await store.appendLogs(run.id, [{ stream: 'stderr', text: 'c' }]);
      expect(await store.lastLogSeq(run.id)).toBe(3);
      expect((await store.readLogs(run.id)).map((c) => c.seq)).toEqual([1, 2, 3]);
      await expect(store.lastLogSeq('no-such-run')).rejects.toBeInstanceOf(NotFoundError);
      await store.deleteTraining(run.trainingId);
      await expect(store.lastLogSeq(run.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('deletes a training with its runs and logs', async () => {
      const id = uid('del');
      const { run } = await store.createTraining(id, spec());
      await store.appendLogs(run.id, [{ stream: 'stdout', text: 'x' }]);
      expect(await store.deleteTraining(id)).toBe(true);
      expect(await store.getTraining(id)).toBeUndefined();
      expect(await store.getRun(run.id)).toBeUndefined();
      expect(await store.readLogs(run.id)).toEqual([]);
      expect(await store.deleteTraining(id)).toBe(false);
    });
    it('records history points once per (phase, name, step), whatever the retries, and reads them as series', async () => {
      const { run } = await store.createTraining(uid('hist'), spec());
      const epoch = (step: number): RecordedPoint[] => [
        { phase: 'train', name: 'loss', step, time: 1733090000.125 + step, value: 1 / (step + 1) },
        { phase: 'train', name: 'val_loss', step, time: 1733090000.5 + step, value: 2 / (step + 1) },
      ];
      // A histogram point goes in and comes back out as it was: the same object on both sides.
      const weightsPoint = {
        step: 0,
        time: 1733090000.75,
        buckets: [
          { le: 0.1, count: 3 },
          { le: 1, count: 7 },
          { le: '+Inf' as const, count: 8 },
        ],
        sum: 3.5,
        count: 8,
      };
      expect(await store.appendHistory(run.id, [...epoch(1), ...epoch(0)])).toEqual({ stored: 4, total: 4 });
      // A retry of the same batch, and a batch that repeats a point within itself, store nothing twice.
      expect(await store.appendHistory(run.id, [...epoch(1), ...epoch(0)])).toEqual({ stored: 0, total: 4 });
      expect(await store.appendHistory(run.id, [...epoch(2), ...epoch(2)])).toEqual({ stored: 2, total: 6 });
      await store.appendHistory(run.id, [
        { phase: 'train', name: 'loss', step: 3, time: 1733090003, value: Number.NaN },
        { phase: 'train', name: 'learning_rate', step: 0, time: 1733090000, value: Number.POSITIVE_INFINITY },
        { phase: 'test', name: 'accuracy', step: 0, time: 1733090009, value: 0.875 },
        { phase: 'train', name: 'model_weights', kind: 'histogram', ...weightsPoint },
      ]);
      const series = await store.readHistory(run.id);
      expect(series.map((s) => `${s.phase}/${s.name}/${s.kind ?? 'scalar'}`)).toEqual([
        'test/accuracy/scalar',
        'train/learning_rate/scalar',
        'train/loss/scalar',
        'train/model_weights/histogram',
        'train/val_loss/scalar',
      ]);
      const loss = series.find((s) => s.name === 'loss');
      expect(loss?.points.map((p) => p.step)).toEqual([0, 1, 2, 3]);
      expect(loss?.points[0]).toEqual({ step: 0, time: 1733090000.125, value: 1 });
      expect(loss?.points[3]).toMatchObject({ step: 3, value: Number.NaN });
      expect(series.find((s) => s.name === 'learning_rate')?.points[0]).toMatchObject({ value: Infinity });
      expect(series.find((s) => s.kind === 'histogram')?.points).toEqual([weightsPoint]);
      // The first stored value of a step wins; later values for it are ignored (a retry, not a correction).
      await store.appendHistory(run.id, [{ phase: 'train', name: 'loss', step: 0, time: 1, value: 42 }]);
      expect((await store.readHistory(run.id)).find((s) => s.name === 'loss')?.points[0]).toMatchObject({
        value: 1,
      });
    });

    it('bounds a run history: a batch past the bound stores nothing, and history goes with its training', async () => {
      const id = uid('histmax');
      const { run } = await store.createTraining(id, spec());
      const points = (from: number, n: number): RecordedPoint[] =>
        Array.from({ length: n }, (_, i) => ({
          phase: 'train' as const,
          name: 'batch_loss',
          step: from + i,
          time: 1733090000 + i,
          value: i,
        }));
      expect(await store.appendHistory(run.id, points(0, 8), { maxPoints: 10 })).toEqual({
        stored: 8,
        total: 8,
      });
      const full = store.appendHistory(run.id, points(5, 6), { maxPoints: 10 });
      await expect(full).rejects.toBeInstanceOf(HistoryLimitError);
      await expect(full).rejects.toThrow('holds 8 of at most 10 points and the batch adds 3 new ones');
      // Repeats cost nothing against the bound.
      expect(await store.appendHistory(run.id, points(0, 10), { maxPoints: 10 })).toEqual({
        stored: 2,
        total: 10,
      });
      expect((await store.readHistory(run.id))[0]?.points).toHaveLength(10);
      await expect(store.appendHistory('no-such-run', points(0, 1))).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.readHistory('no-such-run')).rejects.toBeInstanceOf(NotFoundError);
      const other = await store.createTraining(uid('histother'), spec());
      expect(await store.readHistory(other.run.id)).toEqual([]);
      await store.deleteTraining(id);
      await expect(store.readHistory(run.id)).rejects.toBeInstanceOf(NotFoundError);
      const left = await store.driver.query('SELECT 1 FROM training_run_history WHERE run_id = $1', [run.id]);
      expect(left).toEqual([]);
    });

    it('stores a batch of 10,000 points in one call', async () => {
      const { run } = await store.createTraining(uid('histbig'), spec());
      const batch: RecordedPoint[] = Array.from({ length: 10_000 }, (_, i) => ({
        phase: 'train',
        name: `m${i % 10}`,
        step: Math.floor(i / 10),
        time: 1733090000 + i / 1000,
        value: i,
      }));
      expect(await store.appendHistory(run.id, batch)).toEqual({ stored: 10_000, total: 10_000 });
      const series = await store.readHistory(run.id);
      expect(series).toHaveLength(10);
      expect(series.every((s) => s.points.length === 1000)).toBe(true);
    });
  });
}
