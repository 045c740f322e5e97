/**
 * The Slurm executor against scripted command runners (no Slurm): the conformance suite on a runner that runs the
 * job scripts as child processes (`scripted-slurm.ts`), and the control flow on one whose job states the test sets:
 * fallbacks once slurmctld has purged a job, sbatch refusals, node failures, re-attach after a restart.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ExecutorHandle, ExecutorStatus } from '../../../src/executors/executor.js';
import type { CommandResult, CommandRunner } from '../../../src/executors/slurm/command-runner.js';
import { SlurmExecutor, type SlurmExecutorOptions } from '../../../src/executors/slurm/slurm-executor.js';
import { nodeSpec, tempDir } from '../../fixtures/specs.js';
import { describeExecutorConformance } from '../conformance.js';
import { ScriptedSlurm } from './scripted-slurm.js';

const root = tempDir('gp-slurm-fake-');
const executors: SlurmExecutor[] = [];
const scripted = new ScriptedSlurm();
afterAll(async () => {
  await Promise.all(executors.map((e) => e.close()));
  scripted.stop();
  rmSync(root, { recursive: true, force: true });
});

describeExecutorConformance('slurm (scripted command runner)', {
  make: () => new SlurmExecutor({ workRoot: join(root, 'conformance'), run: scripted.run, pollMs: 50 }),
});

/** A fake Slurm: job states are set by the test; records every command. */
class FakeSlurm {
  calls: string[][] = [];
  jobs = new Map<string, string | undefined>(); // job id → scontrol line, undefined = purged
  sbatchAnswer: CommandResult | undefined;
  sacct: CommandResult = { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled' };
  next = 100;
  run: CommandRunner = (command, args) => {
    this.calls.push([command, ...args]);
    const ok = (stdout: string): Promise<CommandResult> => Promise.resolve({ code: 0, stdout, stderr: '' });
    if (command === 'sbatch') {
      if (this.sbatchAnswer) return Promise.resolve(this.sbatchAnswer);
      const id = String(this.next++);
      this.jobs.set(id, `JobId=${id} JobState=PENDING Reason=Priority ExitCode=0:0`);
      return ok(`${id}\n`);
    }
    if (command === 'scontrol') {
      const line = this.jobs.get(args[3] ?? '');
      if (line === undefined) {
        return Promise.resolve({
          code: 1,
          stdout: '',
          stderr: 'slurm_load_jobs error: Invalid job id specified',
        });
      }
      return ok(`${line}\n`);
    }
    if (command === 'sacct') return Promise.resolve(this.sacct);
    if (command === 'scancel') return ok('');
    return Promise.resolve({ code: 127, stdout: '', stderr: `no ${command}` });
  };
  set(id: string, state: string, exitCode = '0:0', reason = 'None'): void {
    this.jobs.set(id, `JobId=${id} JobState=${state} Reason=${reason} ExitCode=${exitCode} NodeList=node7`);
  }
}

function make(fake: FakeSlurm, options: Partial<SlurmExecutorOptions> = {}): SlurmExecutor {
  const executor = new SlurmExecutor({ workRoot: join(root, 'runs'), run: fake.run, pollMs: 20, ...options });
  executors.push(executor);
  return executor;
}

/** The run's status once `ok` holds (vitest polls it). */
function until(executor: SlurmExecutor, handle: ExecutorHandle, ok: (s: ExecutorStatus) => boolean) {
  return vi.waitFor(
    async () => {
      const status = await executor.status(handle);
      if (!ok(status)) throw new Error(`still ${JSON.stringify(status)}`);
      return status;
    },
    { timeout: 10_000, interval: 20 },
  );
}

const jobOf = (fake: FakeSlurm) => String(fake.next - 1);

describe('Slurm executor control flow (scripted Slurm)', () => {
  it('follows a job from queued to running; a purged job is read from the job-completion file', async () => {
    const fake = new FakeSlurm();
    const jobComp = join(root, 'jobcomp.txt');
    const executor = make(fake, { jobCompFile: jobComp });
    const handle = await executor.submit(nodeSpec('succeed.mjs'));
    await until(executor, handle, (s) => s.phase === 'queued');
    const id = jobOf(fake);
    fake.set(id, 'RUNNING');
    expect(await until(executor, handle, (s) => s.phase === 'running')).toMatchObject({
      processName: `slurm-${id}@node7`,
    });
    writeFileSync(jobComp, `JobId=${id} UserId=root(0) JobState=FAILED ExitCode=4:0\n`);
    fake.jobs.set(id, undefined);
    const status = await until(executor, handle, (s) => s.phase === 'failed');
    expect(status).toMatchObject({ reason: 'Failed', exitCode: 4 });
    // sacct said accounting is off once; it is not asked again for every purged job.
    expect(fake.calls.filter((c) => c[0] === 'sacct').length).toBe(1);
  });

  it('uses sacct when accounting exists', async () => {
    const fake = new FakeSlurm();
    const executor = make(fake);
    const handle = await executor.submit(nodeSpec('succeed.mjs'));
    await until(executor, handle, (s) => s.phase === 'queued');
    const id = jobOf(fake);
    fake.sacct = { code: 0, stdout: `${id}|TIMEOUT|0:0|TimeLimit|Unknown|Unknown\n`, stderr: '' };
    fake.jobs.set(id, undefined);
    expect(await until(executor, handle, (s) => s.phase === 'failed')).toMatchObject({ reason: 'Timeout' });
  });

  it('reports a node failure and an out-of-memory job with their reasons', async () => {
    const fake = new FakeSlurm();
    const executor = make(fake);
    const a = await executor.submit(nodeSpec('succeed.mjs'));
    await until(executor, a, (s) => s.phase === 'queued');
    fake.set(jobOf(fake), 'NODE_FAIL', '0:0', 'NodeDown');
    expect((await until(executor, a, (s) => s.phase === 'failed')).message).toContain('NODE_FAIL');
    const b = await executor.submit(nodeSpec('succeed.mjs'));
    await until(executor, b, (s) => s.phase === 'queued');
    fake.set(jobOf(fake), 'OUT_OF_MEMORY', '0:125');
    expect(await until(executor, b, (s) => s.phase === 'failed')).toMatchObject({ reason: 'ResourceError' });
  });

  it("fails a run sbatch refuses with sbatch's words", async () => {
    const fake = new FakeSlurm();
    fake.sbatchAnswer = {
      code: 1,
      stdout: '',
      stderr: 'sbatch: error: Batch job submission failed: Invalid partition name specified',
    };
    const executor = make(fake, { partition: 'nope' });
    const handle = await executor.submit(nodeSpec('succeed.mjs'));
    const status = await until(executor, handle, (s) => s.phase === 'failed');
    expect(status.reason).toBe('ResourceError');
    expect(status.message).toContain('Invalid partition name specified');
  });

  it('takes the partition from the node selector, and re-attaches to a job after a restart', async () => {
    const fake = new FakeSlurm();
    const first = make(fake, { partition: 'cpu' });
    const spec = { ...nodeSpec('succeed.mjs'), nodeSelector: { 'slurm.gangplank.io/partition': 'gpu' } };
    const handle = await first.submit(spec);
    await until(first, handle, (s) => s.phase === 'queued');
    await first.close();
    const id = jobOf(fake);
    fake.set(id, 'RUNNING');
    const second = make(fake);
    expect((await second.attach(JSON.parse(JSON.stringify(handle)) as ExecutorHandle, spec)).phase).toBe(
      'running',
    );
    fake.set(id, 'CANCELLED', '0:15');
    expect(await until(second, handle, (s) => s.phase === 'failed')).toMatchObject({ reason: 'Cancelled' });
    expect(readFileSync(join(String(handle.dir), '.gangplank', 'job.sh'), 'utf8')).toContain(
      '--partition=gpu',
    );
  });

  it('reports a job no Slurm source knows as lost after the grace period', async () => {
    const fake = new FakeSlurm();
    const executor = make(fake, { unknownGraceMs: 50 });
    const handle = await executor.submit(nodeSpec('succeed.mjs'));
    await until(executor, handle, (s) => s.phase === 'queued');
    fake.jobs.set(jobOf(fake), undefined);
    expect(await until(executor, handle, (s) => s.phase === 'failed')).toMatchObject({ reason: 'Lost' });
  });
});
