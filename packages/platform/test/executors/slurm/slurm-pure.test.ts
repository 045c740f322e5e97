/** Pure parts of the Slurm executor: state mapping, output parsing, batch script rendering. */
import { describe, expect, it } from 'vitest';
import {
  isUnknownJob,
  parseJobCompFile,
  parseKeyValues,
  parseSacct,
  parseSbatchJobId,
  parseScontrolJob,
} from '../../../src/executors/slurm/parse.js';
import {
  renderBatchScript,
  slurmPartition,
  slurmResourceArgs,
  timeLimitMinutes,
} from '../../../src/executors/slurm/script.js';
import { shellQuote } from '../../../src/toolchains/shell-quote.js';
import { exitNumber, mapSlurmState } from '../../../src/executors/slurm/slurm-state.js';

const SCONTROL =
  'JobId=5 JobName=gangplank-run-1 UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=1 Nice=0 Account=(null) ' +
  'QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 ' +
  'Reboot=0 ExitCode=3:0 RunTime=00:00:01 TimeLimit=00:01:00 SubmitTime=2026-11-22T08:00:00 ' +
  'StartTime=2026-11-22T08:00:01 EndTime=2026-11-22T08:00:02 Partition=debug NodeList=localhost ' +
  'WorkDir=/tmp/a b/c Command=/tmp/x/job.sh';

const JOBCOMP =
  'JobId=6 UserId=root(0) GroupId=root(0) Name=wrap JobState=CANCELLED Partition=debug TimeLimit=UNLIMITED ' +
  'StartTime=2026-11-22T08:00:01 EndTime=2026-11-22T08:00:03 NodeList=localhost NodeCnt=1 ProcCnt=1 ' +
  'WorkDir=/root ReservationName= Tres=cpu=1,mem=24105M,node=1,billing=1 Account= QOS= WcKey= Cluster=unknown ' +
  'SubmitTime=2026-11-22T08:00:00 EligibleTime=2026-11-22T08:00:00 DerivedExitCode=0:0 ExitCode=0:0';

describe('Slurm output parsing', () => {
  it('reads scontrol -o show job, keeping a value with a space together', () => {
    const info = parseScontrolJob(SCONTROL, '5');
    expect(info).toMatchObject({ jobId: '5', state: 'FAILED', reason: 'NonZeroExitCode', exitCode: '3:0' });
    expect(info?.nodeList).toBe('localhost');
    expect(info?.startTime).toBeInstanceOf(Date);
    expect(parseKeyValues(SCONTROL).get('WorkDir')).toBe('/tmp/a b/c');
    expect(parseScontrolJob(SCONTROL, '6')).toBeUndefined();
  });

  it('reads the last job-completion line of a job, and sacct lines', () => {
    expect(parseJobCompFile(`${JOBCOMP}\n${JOBCOMP.replace('JobId=6', 'JobId=60')}\n`, '6')).toMatchObject({
      jobId: '6',
      state: 'CANCELLED',
      exitCode: '0:0',
    });
    expect(parseJobCompFile(JOBCOMP, '7')).toBeUndefined();
    expect(parseSacct('12|CANCELLED by 0|0:0|None|2026-11-22T08:00:01|Unknown\n', '12')).toMatchObject({
      jobId: '12',
      state: 'CANCELLED',
    });
  });

  it('reads sbatch --parsable and recognises an unknown job', () => {
    expect(parseSbatchJobId('42\n')).toBe('42');
    expect(parseSbatchJobId('42;cluster\n')).toBe('42');
    expect(parseSbatchJobId('sbatch: error: nope')).toBeUndefined();
    expect(isUnknownJob('slurm_load_jobs error: Invalid job id specified')).toBe(true);
  });
});

describe('Slurm states onto run phases', () => {
  const map = (state: string, exitCode?: string, reason?: string) =>
    mapSlurmState({ jobId: '9', state, ...(exitCode ? { exitCode } : {}), ...(reason ? { reason } : {}) });

  it.each([
    ['PENDING', 'queued'],
    ['CONFIGURING', 'queued'],
    ['RUNNING', 'running'],
    ['COMPLETING', 'running'],
    ['SUSPENDED', 'running'],
  ])('%s is %s', (state, phase) => {
    expect(map(state).phase).toBe(phase);
  });

  it('maps final states with reasons and exit codes', () => {
    expect(map('COMPLETED', '0:0')).toMatchObject({ phase: 'succeeded', reason: 'Succeeded', exitCode: 0 });
    expect(map('FAILED', '3:0', 'NonZeroExitCode')).toEqual({
      phase: 'failed',
      reason: 'Failed',
      message: 'the entry point exited with code 3',
      exitCode: 3,
    });
    expect(map('FAILED', '0:9', 'JobLaunchFailure')).toMatchObject({ reason: 'Failed', exitCode: 137 });
    expect(map('FAILED', '0:9').message).toContain('killed by signal 9');
    expect(map('CANCELLED', '0:15').message).toContain('cancelled outside Gangplank');
    expect(map('CANCELLED by 0', '0:0').reason).toBe('Cancelled');
    expect(map('TIMEOUT', '0:15', 'TimeLimit')).toMatchObject({ reason: 'Timeout', exitCode: 143 });
    expect(map('NODE_FAIL').message).toContain('NODE_FAIL');
    expect(map('NODE_FAIL').reason).toBe('Lost');
    expect(map('PREEMPTED').reason).toBe('Lost');
    expect(map('OUT_OF_MEMORY', '0:125')).toMatchObject({ reason: 'ResourceError' });
    expect(map('BOOT_FAIL').reason).toBe('ResourceError');
    expect(map('DEADLINE').reason).toBe('Timeout');
    expect(map('SOMETHING_NEW')).toMatchObject({ phase: 'failed', reason: 'Failed' });
  });

  it("keeps Gangplank's own cancel reason, and reports its timeout as such", () => {
    const cancelled = mapSlurmState(
      { jobId: '9', state: 'CANCELLED', exitCode: '0:15' },
      { reason: 'stop', timedOut: false },
    );
    expect(cancelled).toMatchObject({ phase: 'failed', reason: 'Cancelled', message: 'stop' });
    const timedOut = mapSlurmState(
      { jobId: '9', state: 'FAILED', exitCode: '143:0' },
      { reason: 'late', timedOut: true },
    );
    expect(timedOut).toMatchObject({ reason: 'Timeout', message: 'late' });
    // A job that completed before the cancel reached it still succeeded.
    expect(
      mapSlurmState({ jobId: '9', state: 'COMPLETED', exitCode: '0:0' }, { reason: 'x', timedOut: false })
        .phase,
    ).toBe('succeeded');
  });

  it('turns code:signal into one number', () => {
    expect(exitNumber('0:0')).toBe(0);
    expect(exitNumber('2:0')).toBe(2);
    expect(exitNumber('0:15')).toBe(143);
    expect(exitNumber('junk')).toBeUndefined();
  });
});

/** The least a batch script needs but its environment: each test adds what it is about. */
const minimalScript = {
  jobName: 'j',
  timeLimitMinutes: 1,
  stdoutFile: '/o',
  stderrFile: '/e',
  workDir: '/w',
  command: 'x',
  args: [],
};

describe('sbatch script', () => {
  it('maps resources: CPUs rounded up, memory in MiB rounded up, GPUs as gres', () => {
    expect(slurmResourceArgs({ limits: { cpu: '1500m', memory: '1Gi', gpu: '2' } })).toEqual([
      '--cpus-per-task=2',
      '--mem=1024M',
      '--gres=gpu:2',
    ]);
    expect(slurmResourceArgs({ requests: { cpu: '250m', memory: '1G' } })).toEqual([
      '--cpus-per-task=1',
      '--mem=954M',
    ]);
    expect(slurmResourceArgs(undefined)).toEqual([]);
    expect(timeLimitMinutes(1000)).toBe(1);
    expect(timeLimitMinutes(4 * 3_600_000)).toBe(240);
    expect(timeLimitMinutes(61_000)).toBe(2);
  });

  it('renders #SBATCH lines, quoted exports and the command', () => {
    const script = renderBatchScript({
      jobName: 'gangplank-run-1',
      partition: 'gpu',
      resources: { limits: { gpu: '1' } },
      timeLimitMinutes: 5,
      stdoutFile: '/shared/run-1/.gangplank/slurm-%j.out',
      stderrFile: '/shared/run-1/.gangplank/slurm-%j.err',
      workDir: '/shared/run-1/workspace',
      env: { GANGPLANK_JOB: 'wine', B: "it's $HOME" },
      command: '/usr/bin/python3',
      args: ['train.py', '--alpha=0.5', 'two words'],
      extraArgs: ['--constraint=a100'],
    });
    expect(script).toMatchInlineSnapshot(`
      "#!/bin/bash
      #SBATCH --job-name=gangplank-run-1
      #SBATCH --output=/shared/run-1/.gangplank/slurm-%j.out
      #SBATCH --error=/shared/run-1/.gangplank/slurm-%j.err
      #SBATCH --chdir=/shared/run-1/workspace
      #SBATCH --time=5
      #SBATCH --nodes=1
      #SBATCH --ntasks=1
      #SBATCH --partition=gpu
      #SBATCH --gres=gpu:1
      #SBATCH --constraint=a100

      # generated by gangplank
      export B='it'\\''s $HOME'
      export GANGPLANK_JOB=wine
      cd /shared/run-1/workspace || exit 127
      exec /usr/bin/python3 train.py --alpha=0.5 'two words'
      "
    `);
  });

  it("takes the partition from the training's node selector, else the configured one, else Slurm's default", () => {
    const base = { ...minimalScript, env: {} };
    const line = (
      nodeSelector: Record<string, string> | undefined,
      options: Parameters<typeof slurmPartition>[1],
    ) => {
      const partition = slurmPartition(nodeSelector, options);
      return renderBatchScript({ ...base, ...(partition ? { partition } : {}) })
        .split('\n')
        .filter((l) => l.startsWith('#SBATCH --partition'));
    };
    const selector = { 'hpc.example/queue': 'gpu', 'slurm.gangplank.io/partition': 'debug' };
    expect(line(selector, { partition: 'cpu', partitionLabel: 'hpc.example/queue' })).toEqual([
      '#SBATCH --partition=gpu',
    ]);
    expect(line(selector, { partition: 'cpu' })).toEqual(['#SBATCH --partition=debug']); // default label
    expect(
      line({ 'hpc.example/queue': '' }, { partition: 'cpu', partitionLabel: 'hpc.example/queue' }),
    ).toEqual(['#SBATCH --partition=cpu']);
    expect(line({ other: 'x' }, { partition: 'cpu' })).toEqual(['#SBATCH --partition=cpu']);
    expect(line(undefined, {})).toEqual([]);
  });

  it('refuses what a script cannot carry', () => {
    const base = minimalScript;
    expect(() => renderBatchScript({ ...base, env: { 'A-B': '1' } })).toThrow(/not valid in a shell/);
    expect(() => renderBatchScript({ ...base, workDir: '/a b', env: {} })).toThrow(/white space/);
    expect(shellQuote('')).toBe("''");
  });
});
