/**
 * The `Executor` conformance suite: what the dispatcher relies on, run against every executor: local
 * (`local-conformance.test.ts`), Slurm on a scripted command runner that runs the job script as a child process
 * (`slurm/slurm-fake.test.ts`), the real Slurm when it can be started (`slurm/slurm-real.test.ts`), and Kubernetes
 * against the fake API server with a fake kubelet that runs the pod's steps (`kubernetes/kubernetes-conformance.test.ts`).
 * Specs use the `command` toolchain and the fixture programs, so an adapter only has to be able to start
 * `node <script>`. A case an executor cannot meet is switched off through `ExecutorContext.skip`, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunSpec } from '../../src/domain/run-spec.js';
import type { Executor, ExecutorHandle, ExecutorStatus } from '../../src/executors/executor.js';
import { isFinalPhase } from '../../src/executors/executor.js';
import { nodeSpec } from '../fixtures/specs.js';
import { allLogs } from '../support/all-logs.js';

/** The cases of the suite, by name, so that an executor can say which one it cannot meet and why. */
export type ConformanceCase = 'success' | 'failure' | 'logs' | 'cancel' | 'timeout' | 'lost';

export interface ExecutorContext {
  make(): Executor;
  /** A spec running a fixture script; adapters may rewrite paths. @default nodeSpec */
  spec?: (script: string, overrides?: Partial<RunSpec>) => RunSpec;
  /** Cases this executor cannot meet, each with the reason (shown as the skipped test's name). */
  skip?: Partial<Record<ConformanceCase, string>>;
  /** How long a run may take to end (a real Slurm polls slower). @default 30_000 */
  timeoutMs?: number;
}

export function describeExecutorConformance(name: string, context: ExecutorContext): void {
  const spec = context.spec ?? nodeSpec;
  const wait = { timeout: context.timeoutMs ?? 30_000, interval: 50 };
  const settle = (executor: Executor, handle: ExecutorHandle): Promise<ExecutorStatus> =>
    vi.waitFor(async () => {
      const status = await executor.status(handle);
      if (!isFinalPhase(status.phase)) throw new Error(`run ${handle.runId} still ${status.phase}`);
      return status;
    }, wait);
  const test = (id: ConformanceCase, title: string, body: () => Promise<void>) => {
    const why = context.skip?.[id];
    if (why === undefined) it(title, body, wait.timeout + 10_000);
    else it.skip(`${title} (not for ${name}: ${why})`, body);
  };

  describe(`Executor conformance: ${name}`, () => {
    // Made before the first case, so an adapter's fake (an API server) can start in the file's own beforeAll.
    let executor: Executor;
    beforeAll(() => {
      executor = context.make();
    });
    afterAll(() => executor.close());

    test(
      'success',
      'returns a JSON handle that works after a round trip, and reports success with exit code and artifact',
      async () => {
        const handle = await executor.submit(spec('succeed.mjs'));
        const copy = JSON.parse(JSON.stringify(handle)) as ExecutorHandle;
        expect(copy).toEqual(handle);
        expect(copy.executor).toBe(executor.kind);
        const status = await settle(executor, copy);
        expect(status).toMatchObject({ phase: 'succeeded', exitCode: 0, reason: 'Succeeded' });
        expect(status.artifacts?.[0]?.runId).toBe(handle.runId);
        expect(await executor.status(copy)).toEqual(status); // final status is stable
      },
    );

    test('failure', 'reports a failure with the exit code', async () => {
      const handle = await executor.submit(spec('fail.mjs'));
      expect(await settle(executor, handle)).toMatchObject({
        phase: 'failed',
        exitCode: 3,
        reason: 'Failed',
      });
    });

    test(
      'logs',
      'gives logs with contiguous sequence numbers; paging by cursor gives the same sequence',
      async () => {
        const handle = await executor.submit(spec('print-lot.mjs', { args: ['3000'] }));
        await settle(executor, handle);
        const whole = await allLogs(executor, handle, 100_000);
        const paged = await allLogs(executor, handle, 7);
        expect(paged).toEqual(whole);
        expect(whole.map((c) => c.seq)).toEqual(whole.map((_, i) => i));
        expect(whole.filter((c) => c.stream === 'stdout' || c.stream === 'stderr')).toHaveLength(3001);
        const page = await executor.logs(handle, undefined, 5);
        expect(page.chunks).toHaveLength(5);
      },
    );

    test(
      'cancel',
      'cancels a running run with the given reason; cancelling again changes nothing',
      async () => {
        const handle = await executor.submit(spec('hang.mjs'));
        await expect.poll(async () => (await executor.status(handle)).phase, wait).toBe('running');
        await executor.cancel(handle, 'no longer needed');
        const status = await settle(executor, handle);
        expect(status).toMatchObject({ phase: 'failed', reason: 'Cancelled', message: 'no longer needed' });
        await executor.cancel(handle, 'again');
        expect(await executor.status(handle)).toEqual(status);
      },
    );

    test('timeout', 'stops a run at its timeout', async () => {
      const handle = await executor.submit(spec('hang.mjs', { timeoutMs: 1000 }));
      expect(await settle(executor, handle)).toMatchObject({ phase: 'failed', reason: 'Timeout' });
    });

    test('lost', 'reports a run it cannot find as lost when asked to re-attach', async () => {
      const ghost = spec('succeed.mjs');
      const status = await executor.attach({ executor: executor.kind, runId: ghost.runId }, ghost);
      expect(status).toMatchObject({ phase: 'failed', reason: 'Lost' });
    });
  });
}
