import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { RunSpec } from '../../src/domain/run-spec.js';
import type { ExecutorHandle } from '../../src/executors/executor.js';
import { LocalExecutor } from '../../src/executors/local.js';
import { isAlive } from '../../src/executors/process-tree.js';
import { nodeSpec, tempDir } from '../fixtures/specs.js';
import { allLogs } from '../support/all-logs.js';

const root = tempDir();
const executors: LocalExecutor[] = [];
function makeExecutor(options: Partial<ConstructorParameters<typeof LocalExecutor>[0]> = {}): LocalExecutor {
  const executor = new LocalExecutor({ root: join(root, 'runs'), graceMs: 500, pollMs: 50, ...options });
  executors.push(executor);
  return executor;
}

/** How long `expect.poll` waits for a run to get somewhere. */
const WAIT = { timeout: 20_000, interval: 50 };

afterAll(async () => {
  await Promise.all(executors.map((e) => e.close()));
  rmSync(root, { recursive: true, force: true });
});

/** Submits the hanging fixture and waits for its "hanging" line: by then its signal handlers are in place. */
async function submitHanging(executor: LocalExecutor): Promise<{ spec: RunSpec; handle: ExecutorHandle }> {
  const spec = nodeSpec('hang.mjs');
  const handle = await executor.submit(spec);
  await expect
    .poll(async () => (await allLogs(executor, handle)).some((c) => c.text.startsWith('hanging')), WAIT)
    .toBe(true);
  return { spec, handle };
}

describe('local executor', () => {
  it('runs a training that succeeds: exit 0, logs of both streams, an artifact', async () => {
    const executor = makeExecutor();
    const spec = nodeSpec('succeed.mjs', { args: ['--epochs', '2'] });
    const handle = await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    expect(status).toMatchObject({ phase: 'succeeded', exitCode: 0, reason: 'Succeeded' });
    expect(status?.processName).toMatch(/^local-\d+$/);
    expect(status?.artifacts).toHaveLength(1);
    expect(status?.artifacts?.[0]?.artifactName).toMatch(/^fixture-1\.0-[0-9a-f-]{36}\.zip$/);
    expect(existsSync(join(handle.dir as string, 'artifacts', status!.artifacts![0]!.artifactName))).toBe(
      true,
    );
    const logs = await allLogs(executor, handle);
    const texts = logs.filter((l) => l.stream !== 'system').map((l) => `${l.stream}:${l.text}`);
    expect(texts).toContain('stdout:training started');
    expect(texts).toContain('stderr:a warning on stderr');
    expect(texts.indexOf('stdout:training started')).toBeLessThan(texts.indexOf('stdout:training done'));
    expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i));
    const model = JSON.parse(readFileSync(join(handle.dir as string, 'output', 'model.json'), 'utf8'));
    expect(model.args).toEqual(['--epochs', '2']);
  });

  it('reports a failing training with its exit code and reason', async () => {
    const executor = makeExecutor();
    const spec = nodeSpec('fail.mjs');
    const handle = await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    expect(status).toMatchObject({ phase: 'failed', exitCode: 3, reason: 'Failed' });
    expect(status?.message).toContain('exited with code 3');
    expect(status?.artifacts).toBeUndefined();
    const logs = await allLogs(executor, handle);
    expect(logs.some((l) => l.stream === 'stderr' && l.text.includes('NaN'))).toBe(true);
  });

  it('fails with a clear message when the program does not exist', async () => {
    const executor = makeExecutor();
    const spec = nodeSpec('succeed.mjs', {
      toolchain: { id: 'x', kind: 'command', command: ['/no/such/program'] },
    });
    await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    expect(status?.phase).toBe('failed');
    expect(status?.message).toContain('/no/such/program');
  });

  it('cancels a hanging training with SIGTERM and records why', async () => {
    const executor = makeExecutor();
    const { handle } = await submitHanging(executor);
    const pid = Number(
      /pid=(\d+)/.exec((await allLogs(executor, handle)).find((c) => c.text.startsWith('hanging'))!.text)![1],
    );
    await executor.cancel(handle, 'training deleted by alice');
    const status = await executor.status(handle);
    expect(status).toMatchObject({
      phase: 'failed',
      reason: 'Cancelled',
      message: 'training deleted by alice',
    });
    expect(status.exitCode).toBe(143);
    expect(isAlive(pid)).toBe(false);
  });

  it('kills a tree that ignores SIGTERM, including a grandchild in its own session, after the grace period', async () => {
    const executor = makeExecutor();
    const pidsFile = join(root, 'pids.json');
    const spec = nodeSpec('ignore-sigterm.mjs', { args: [pidsFile] });
    const handle = await executor.submit(spec);
    // Read once the fixture has written the whole file (it can exist, still empty, for a moment).
    const pids = await vi.waitFor(() => JSON.parse(readFileSync(pidsFile, 'utf8')) as number[], WAIT);
    expect(pids.every(isAlive)).toBe(true);
    await executor.cancel(handle, 'stop');
    const status = await executor.status(handle);
    expect(status).toMatchObject({ phase: 'failed', reason: 'Cancelled' });
    expect(pids.filter(isAlive)).toEqual([]);
    const logs = await allLogs(executor, handle);
    expect(logs.some((l) => l.text === 'SIGTERM received and ignored')).toBe(true);
  });

  it('stops a run at its timeout', async () => {
    const executor = makeExecutor();
    const spec = nodeSpec('hang.mjs', { timeoutMs: 1500 });
    await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    expect(status).toMatchObject({ phase: 'failed', reason: 'Timeout' });
    expect(status?.message).toContain('timeout of 1.5s');
  });

  it('captures a lot of output completely, in order per stream, without duplicates', async () => {
    const executor = makeExecutor();
    const spec = nodeSpec('print-lot.mjs', { args: ['20000'] });
    const handle = await executor.submit(spec);
    await executor.settled(spec.runId);
    const logs = await allLogs(executor, handle);
    const out = logs.filter((l) => l.stream === 'stdout').map((l) => l.text);
    const err = logs.filter((l) => l.stream === 'stderr').map((l) => l.text);
    expect(out).toHaveLength(10_001);
    expect(err).toHaveLength(10_000);
    expect(out.slice(0, -1)).toEqual(Array.from({ length: 10_000 }, (_, i) => `out ${i * 2}`));
    expect(out.at(-1)).toBe('no newline at the end');
    expect(logs.filter((l) => l.partial).map((l) => l.text)).toEqual(['no newline at the end']);
    expect(err).toEqual(Array.from({ length: 10_000 }, (_, i) => `err ${i * 2 + 1}`));
    // paging with a cursor gives the same sequence as one read
    const seqs = logs.map((l) => l.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('wires the metrics environment, the envs in Odahu order, and keeps server secrets out', async () => {
    const executor = makeExecutor({
      serverEnv: { PATH: process.env.PATH, DATABASE_URL: 'postgres://secret' },
    });
    const spec = nodeSpec('print-env.mjs', {
      toolchain: {
        id: 'node',
        kind: 'command',
        command: [process.execPath],
        additionalEnvironments: { FROM_TOOLCHAIN: 'toolchain', BOTH: 'toolchain' },
      },
      envs: [
        { name: 'BOTH', value: 'training' },
        { name: 'ONLY_TRAINING', value: 'yes' },
      ],
      hyperParameters: { alpha: '0.1; rm -rf /' },
      metrics: {
        enabled: true,
        job: 'wine-job',
        grouping: { training: 'wine', run_id: 'r1' },
        pushgatewayAddr: '127.0.0.1:9091',
      },
    });
    const handle = await executor.submit(spec);
    await executor.settled(spec.runId);
    const line = (await allLogs(executor, handle)).find((l) => l.stream === 'stdout')!;
    const { env, argv } = JSON.parse(line.text);
    expect(env).toMatchObject({
      GANGPLANK_PUSHGATEWAY_ADDR: '127.0.0.1:9091',
      GANGPLANK_JOB: 'wine-job',
      GANGPLANK_GROUPING: 'training=wine,run_id=r1',
      GANGPLANK_RUN_ID: spec.runId,
      GANGPLANK_METRICS_ENABLED: 'true',
      FROM_TOOLCHAIN: 'toolchain',
      BOTH: 'training',
      ONLY_TRAINING: 'yes',
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(argv).toEqual(['--alpha=0.1; rm -rf /']);
  });

  it('hands no gateway address to a training with metrics turned off', async () => {
    const executor = makeExecutor();
    const spec = nodeSpec('print-env.mjs', {
      metrics: { enabled: false, job: 'quiet', grouping: {}, pushgatewayAddr: '127.0.0.1:9091' },
    });
    const handle = await executor.submit(spec);
    await executor.settled(spec.runId);
    const { env } = JSON.parse((await allLogs(executor, handle)).find((l) => l.stream === 'stdout')!.text);
    expect(env.GANGPLANK_PUSHGATEWAY_ADDR).toBeUndefined();
    expect(env.GANGPLANK_METRICS_ENABLED).toBe('false');
    expect(env.GANGPLANK_JOB).toBe('quiet');
  });

  it('enforces a memory limit with prlimit', async () => {
    const executor = makeExecutor();
    const limited = nodeSpec('alloc.mjs', { args: ['512'], resources: { limits: { memory: '256Mi' } } });
    const free = nodeSpec('alloc.mjs', { args: ['64'], resources: { limits: { memory: '1Gi' } } });
    await executor.submit(limited);
    await executor.submit(free);
    expect((await executor.settled(limited.runId))?.phase).toBe('failed');
    expect((await executor.settled(free.runId))?.phase).toBe('succeeded');
  });

  it('pins a run to cores and hands out GPUs through CUDA_VISIBLE_DEVICES', async () => {
    const executor = makeExecutor({
      gpus: ['0', '1'],
      tools: { cores: 2, taskset: '/usr/bin/taskset', prlimit: undefined, nice: undefined },
    });
    const spec = nodeSpec('print-env.mjs', { resources: { limits: { cpu: '1', gpu: '1' } } });
    const none = nodeSpec('print-env.mjs');
    const handle = await executor.submit(spec);
    const noneHandle = await executor.submit(none);
    await executor.settled(spec.runId);
    await executor.settled(none.runId);
    const logs = await allLogs(executor, handle);
    const { env } = JSON.parse(logs.find((l) => l.stream === 'stdout')!.text);
    expect(env.CUDA_VISIBLE_DEVICES).toBe('0');
    expect(env.OMP_NUM_THREADS).toBe('1');
    expect(logs.some((l) => l.stream === 'system' && l.text.includes('taskset'))).toBe(true);
    const other = JSON.parse((await allLogs(executor, noneHandle)).find((l) => l.stream === 'stdout')!.text);
    expect(other.env.CUDA_VISIBLE_DEVICES).toBe('');
    const tooMany = nodeSpec('print-env.mjs', { resources: { limits: { gpu: '4' } } });
    await executor.submit(tooMany);
    expect(await executor.settled(tooMany.runId)).toMatchObject({ phase: 'failed', reason: 'ResourceError' });
  });

  it('re-attaches to a live run after a restart and sees it to the end', async () => {
    const first = makeExecutor();
    const { spec, handle } = await submitHanging(first);
    const before = await allLogs(first, handle);
    await first.close(); // the server goes away; the run keeps running
    const second = makeExecutor();
    const attached = await second.attach(JSON.parse(JSON.stringify(handle)) as ExecutorHandle, spec);
    expect(attached.phase).toBe('running');
    await second.cancel(handle, 'after restart');
    const status = await second.status(handle);
    expect(status).toMatchObject({ phase: 'failed', reason: 'Cancelled', message: 'after restart' });
    const after = await allLogs(second, handle);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.some((l) => l.text.includes('re-attached'))).toBe(true);
  });

  it('marks a run whose process died while no server watched it as lost', async () => {
    const first = makeExecutor();
    const spec = nodeSpec('hang.mjs');
    const handle = await first.submit(spec);
    await expect.poll(async () => (await first.status(handle)).phase, WAIT).toBe('running');
    const state = JSON.parse(readFileSync(join(handle.dir as string, '.gangplank', 'state.json'), 'utf8'));
    await first.close();
    process.kill(-state.shimPid, 'SIGKILL');
    await expect.poll(() => isAlive(state.shimPid), WAIT).toBe(false);
    const second = makeExecutor();
    const status = await second.attach(handle, spec);
    expect(status).toMatchObject({ phase: 'failed', reason: 'Lost' });
  });
});
