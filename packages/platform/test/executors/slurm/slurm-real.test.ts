/**
 * The Slurm executor against a real single-node Slurm (Debian slurm-wlm, auth/none, jobcomp/filetxt) that
 * `test/support/slurm.ts` installs and starts on its own state folder. Skipped, with the reason, when Slurm cannot
 * be installed (not root, no apt-get).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExecutorHandle, ExecutorStatus } from '../../../src/executors/executor.js';
import { isFinalPhase } from '../../../src/executors/executor.js';
import { SlurmExecutor } from '../../../src/executors/slurm/slurm-executor.js';
import { createStore } from '../../../src/store/create-store.js';
import { TRAININGS, nodeSpec } from '../../fixtures/specs.js';
import { allLogs } from '../../support/all-logs.js';
import { postAll, startApiWithDispatcher } from '../../support/api-dispatcher.js';
import { startSlurm, type SlurmCluster } from '../../support/slurm.js';
import { describeExecutorConformance } from '../conformance.js';

const started = await startSlurm();
const cluster = started.cluster as SlurmCluster;
if (started.skip) console.warn(`Slurm tests skipped: ${started.skip}`);

afterAll(async () => {
  await cluster?.stop();
});

function makeExecutor(): SlurmExecutor {
  return new SlurmExecutor({
    workRoot: join(cluster.dir, 'work', 'runs'),
    slurmConf: cluster.conf,
    jobCompFile: cluster.jobCompFile,
    partition: cluster.partition,
    pollMs: 200,
  });
}

/** A real slurmctld schedules and polls slower than a child process: up to 40 s for a run to end. */
const WAIT = { timeout: 40_000, interval: 100 };

function settle(executor: SlurmExecutor, handle: ExecutorHandle): Promise<ExecutorStatus> {
  return vi.waitFor(async () => {
    const status = await executor.status(handle);
    if (!isFinalPhase(status.phase)) throw new Error(`run ${handle.runId} still ${status.phase}`);
    return status;
  }, WAIT);
}

describe.skipIf(started.skip !== undefined)('Slurm executor on a real single-node Slurm', () => {
  let executor: SlurmExecutor;
  beforeAll(() => {
    executor = makeExecutor();
  });
  afterAll(() => executor.close());

  it('runs a training as a batch job with its resources and metrics environment, and reads its output', async () => {
    const spec = nodeSpec('print-env.mjs', {
      resources: { limits: { cpu: '1', memory: '256Mi' } },
      metrics: {
        enabled: true,
        job: 'slurm-env',
        grouping: { training: 'wine' },
        pushgatewayAddr: '127.0.0.1:9091',
      },
    });
    const handle = await executor.submit(spec);
    const status = await settle(executor, handle);
    expect(status).toMatchObject({ phase: 'succeeded', exitCode: 0, reason: 'Succeeded' });
    expect(status.processName).toMatch(/^slurm-\d+@localhost$/);
    const script = readFileSync(join(String(handle.dir), '.gangplank', 'job.sh'), 'utf8');
    expect(script).toContain('#SBATCH --cpus-per-task=1');
    expect(script).toContain('#SBATCH --mem=256M');
    expect(script).toContain(`#SBATCH --partition=${cluster.partition}`);
    const line = (await allLogs(executor, handle, 1000)).find((c) => c.stream === 'stdout')?.text ?? '{}';
    const { env } = JSON.parse(line) as { env: Record<string, string> };
    expect(env).toMatchObject({
      GANGPLANK_PUSHGATEWAY_ADDR: '127.0.0.1:9091',
      GANGPLANK_JOB: 'slurm-env',
      GANGPLANK_GROUPING: 'training=wine',
      GANGPLANK_RUN_ID: spec.runId,
      OMP_NUM_THREADS: '1',
    });
    // Slurm's own variables prove the process ran as a job, not beside it.
    expect(env.SLURM_JOB_ID).toMatch(/^\d+$/);
    expect(env.SLURM_JOB_PARTITION).toBe(cluster.partition);
  });

  it('reports a failure with its exit code, also recorded in the job-completion file', async () => {
    const handle = await executor.submit(nodeSpec('fail.mjs'));
    const status = await settle(executor, handle);
    expect(status).toMatchObject({ phase: 'failed', exitCode: 3, reason: 'Failed' });
    expect(status.message).toBe('the entry point exited with code 3');
    const jobId = /slurm-(\d+)/.exec(status.processName ?? '')?.[1] ?? '';
    const line = await vi.waitFor(() => {
      const found = readFileSync(cluster.jobCompFile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`JobId=${jobId} `));
      if (!found) throw new Error(`job ${jobId} not in the job-completion file yet`);
      return found;
    }, WAIT);
    expect(line).toContain('JobState=FAILED');
    expect(line).toContain('ExitCode=3:0');
  });
});

describe.skipIf(started.skip !== undefined)('re-attach on a real Slurm', () => {
  it('a second executor (a restarted server) picks a live job up from its handle and sees it finish', async () => {
    const first = makeExecutor();
    const spec = nodeSpec('sleep.mjs', { args: ['1500'] });
    const handle = JSON.parse(JSON.stringify(await first.submit(spec))) as ExecutorHandle;
    await expect.poll(async () => (await first.status(handle)).phase, WAIT).toBe('running');
    await first.close();
    const second = makeExecutor();
    try {
      expect((await second.attach(handle, spec)).phase).toBe('running');
      expect(await settle(second, handle)).toMatchObject({ phase: 'succeeded', exitCode: 0 });
      const text = (await allLogs(second, handle, 1000)).map((c) => c.text);
      expect(text).toContain('woke up');
      expect(text.some((t) => t.startsWith('re-attached to Slurm job'))).toBe(true);
    } finally {
      await second.close();
    }
  });
});

describe.skipIf(started.skip !== undefined)('a training through the API and dispatcher on Slurm', () => {
  it('succeeds with its logs and exit code stored, like on the local executor', async () => {
    const store = await createStore({});
    const server = await startApiWithDispatcher(store, {
      executor: makeExecutor(),
      workerId: 'slurm-e2e',
      pollMs: 200,
      syncMs: 200,
    });
    const { app } = server;
    try {
      const source = join(cluster.dir, 'work', 'source');
      mkdirSync(source, { recursive: true });
      writeFileSync(join(source, 'README'), 'empty algorithm source\n');
      await postAll(app, [
        [
          '/api/v1/toolchain/integration',
          {
            id: 'node',
            spec: { entrypoint: 'node', defaultImage: 'none', kind: 'command', command: [process.execPath] },
          },
        ],
        ['/api/v1/connection', { id: 'src', spec: { type: 'local', uri: source } }],
        [
          '/api/v1/model/training',
          {
            kind: 'ModelTraining',
            id: 'slurm-e2e',
            spec: {
              model: { name: 'slurm', version: '1.0' },
              toolchain: 'node',
              entrypoint: join(TRAININGS, 'succeed.mjs'),
              algorithmSource: { objectStorage: { connection: 'src' } },
              resources: { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '1', memory: '128Mi' } },
            },
          },
        ],
      ]);
      const status = await vi.waitFor(async () => {
        const res = await app.inject({ method: 'GET', url: '/api/v1/model/training/slurm-e2e' });
        const current = res.json<{ status: { state: string; exitCode?: number; podName?: string } }>().status;
        if (current.state !== 'succeeded' && current.state !== 'failed')
          throw new Error(`still ${current.state}`);
        return current;
      }, WAIT);
      const logs = (await app.inject({ method: 'GET', url: '/api/v1/model/training/slurm-e2e/log' })).body;
      expect(status.state, logs).toBe('succeeded');
      expect(status.exitCode).toBe(0);
      expect(logs).toContain('training done');
      expect(logs).toMatch(/submitted Slurm job \d+/);
    } finally {
      await server.stop();
      await store.close();
    }
  });
});

if (!started.skip) {
  // Succeeds, fails with its exit code, log paging, cancel, timeout, lost re-attach: the same suite as local.
  describeExecutorConformance('slurm (real single-node)', { make: makeExecutor, timeoutMs: 40_000 });
}
