/**
 * The `Executor` conformance suite: what the dispatcher relies on, run against every executor (local today; Slurm
 * and Kubernetes adapters run the same suite with their fakes). Specs use the `command` toolchain and the fixture
 * programs, so an adapter only has to be able to start `node <script>`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Executor, ExecutorHandle, ExecutorStatus, ExecutorLogChunk } from '../../src/executors/executor.js';
import type { RunSpec } from '../../src/domain/run-spec.js';
import { nodeSpec } from '../fixtures/specs.js';

export interface ExecutorContext {
  make(): Executor;
  /** A spec running a fixture script; adapters may rewrite paths. @default nodeSpec */
  spec?: (script: string, overrides?: Partial<RunSpec>) => RunSpec;
}

async function settle(
  executor: Executor,
  handle: ExecutorHandle,
  timeoutMs = 30_000,
): Promise<ExecutorStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await executor.status(handle);
    if (status.phase === 'succeeded' || status.phase === 'failed') return status;
    if (Date.now() > deadline) throw new Error(`run ${handle.runId} still ${status.phase}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function readAll(
  executor: Executor,
  handle: ExecutorHandle,
  limit = 1000,
): Promise<ExecutorLogChunk[]> {
  const out: ExecutorLogChunk[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await executor.logs(handle, cursor, limit);
    out.push(...page.chunks);
    cursor = page.cursor;
    if (page.chunks.length === 0) return out;
  }
}

export function describeExecutorConformance(name: string, context: ExecutorContext): void {
  const spec = context.spec ?? nodeSpec;
  describe(`Executor conformance: ${name}`, () => {
    const executor = context.make();
    afterAll(() => executor.close());

    it('returns a JSON handle that works after a round trip, and reports success with exit code and artifact', async () => {
      const handle = await executor.submit(spec('succeed.mjs'));
      const copy = JSON.parse(JSON.stringify(handle)) as ExecutorHandle;
      expect(copy).toEqual(handle);
      expect(copy.executor).toBe(executor.kind);
      const status = await settle(executor, copy);
      expect(status).toMatchObject({ phase: 'succeeded', exitCode: 0, reason: 'Succeeded' });
      expect(status.artifacts?.[0]?.runId).toBe(handle.runId);
      expect(await executor.status(copy)).toEqual(status); // final status is stable
    });

    it('reports a failure with the exit code', async () => {
      const handle = await executor.submit(spec('fail.mjs'));
      expect(await settle(executor, handle)).toMatchObject({
        phase: 'failed',
        exitCode: 3,
        reason: 'Failed',
      });
    });

    it('gives logs with contiguous sequence numbers; paging by cursor gives the same sequence', async () => {
      const handle = await executor.submit(spec('print-lot.mjs', { args: ['3000'] }));
      await settle(executor, handle);
      const whole = await readAll(executor, handle, 100_000);
      const paged = await readAll(executor, handle, 7);
      expect(paged).toEqual(whole);
      expect(whole.map((c) => c.seq)).toEqual(whole.map((_, i) => i));
      expect(whole.filter((c) => c.stream === 'stdout' || c.stream === 'stderr')).toHaveLength(3001);
      const page = await executor.logs(handle, undefined, 5);
      expect(page.chunks).toHaveLength(5);
    });

    it('cancels a running run with the given reason; cancelling again changes nothing', async () => {
      const handle = await executor.submit(spec('hang.mjs'));
      const deadline = Date.now() + 20_000;
      while ((await executor.status(handle)).phase !== 'running' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await executor.cancel(handle, 'no longer needed');
      const status = await settle(executor, handle);
      expect(status).toMatchObject({ phase: 'failed', reason: 'Cancelled', message: 'no longer needed' });
      await executor.cancel(handle, 'again');
      expect(await executor.status(handle)).toEqual(status);
    });

    it('stops a run at its timeout', async () => {
      const handle = await executor.submit(spec('hang.mjs', { timeoutMs: 1000 }));
      expect(await settle(executor, handle)).toMatchObject({ phase: 'failed', reason: 'Timeout' });
    });

    it('reports a run it cannot find as lost when asked to re-attach', async () => {
      const ghost = spec('succeed.mjs');
      const status = await executor.attach({ executor: executor.kind, runId: ghost.runId }, ghost);
      expect(status).toMatchObject({ phase: 'failed', reason: 'Lost' });
    });
  });
}
