/**
 * A FAKE Job controller and kubelet over the fake API server (`test/support/fake-kube-api.ts`), so the Kubernetes
 * executor can run the conformance suite without a cluster. For every Job it sees it creates the pod, then runs the
 * pod's three steps on this machine: `setup` and `result` through the same `runStep` the Gangplank image runs
 * (in-process, on a temporary pod folder), `train` as a real child process of the entry script `setup` wrote. It
 * writes what the kubelet would: container states with termination messages, the `train` log with timestamps, the
 * Job's `Complete`/`Failed` condition, `DeadlineExceeded` past `activeDeadlineSeconds`, and it stops the pod of a
 * suspended Job. It is not Kubernetes: no images (commands run on the host), no restarts, one pod per Job.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep } from '../../../src/executors/kubernetes/step.js';
import type { FakeKubeApi } from '../../support/fake-kube-api.js';

interface PodRun {
  job: string;
  pod: string;
  root: string;
  startedAt: number;
  train?: ChildProcess;
  ended: boolean;
}

type Terminated = { exitCode: number; message?: string };

const terminated = (name: string, t: Terminated) => ({
  name,
  image: name,
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode: t.exitCode, ...(t.message ? { message: t.message } : {}) } },
});
const running = (name: string) => ({
  name,
  image: name,
  imageID: '',
  ready: true,
  restartCount: 0,
  state: { running: {} },
});

export class FakeKubelet {
  private readonly pods = new Map<string, PodRun>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: FakeKubeApi,
    private readonly namespace: string,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.tick(), 50);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const run of this.pods.values()) {
      if (run.train?.pid !== undefined && !run.ended) killGroup(run.train.pid);
      rmSync(run.root, { recursive: true, force: true });
    }
  }

  private tick(): void {
    for (const [key, job] of this.api.objects) {
      if (!key.startsWith(`jobs/${this.namespace}/`)) continue;
      const name = job.metadata.name;
      const run = this.pods.get(name);
      const spec = job.spec as { suspend?: boolean; activeDeadlineSeconds?: number };
      if (!run) {
        const secret = this.api.get('secrets', this.namespace, `${name}-spec`);
        if (secret && !spec.suspend) void this.startPod(name, secret.stringData as Record<string, string>);
        continue;
      }
      if (run.ended) continue;
      if (spec.suspend) this.stopPod(run, undefined);
      else if (
        spec.activeDeadlineSeconds !== undefined &&
        Date.now() - run.startedAt > spec.activeDeadlineSeconds * 1000
      ) {
        this.stopPod(run, {
          type: 'Failed',
          status: 'True',
          reason: 'DeadlineExceeded',
          message: 'deadline',
        });
      }
    }
  }

  private async startPod(job: string, secret: Record<string, string>): Promise<void> {
    const jobObject = this.api.get('jobs', this.namespace, job);
    if (!jobObject) return;
    const root = mkdtempSync(join(tmpdir(), 'gp-kubelet-'));
    const run: PodRun = { job, pod: `${job}-pod`, root, startedAt: Date.now(), ended: false };
    this.pods.set(job, run);
    const labels = (jobObject.spec as { template: { metadata: { labels: Record<string, string> } } }).template
      .metadata.labels;
    this.api.put('pods', {
      metadata: {
        name: run.pod,
        namespace: this.namespace,
        labels,
        ownerReferences: [{ uid: jobObject.metadata.uid ?? '' }],
      },
    });
    this.api.setStatus('jobs', this.namespace, job, { startTime: new Date(run.startedAt).toISOString() });
    this.setPod(run, 'Pending', [running('setup')], []);
    const specFile = join(root, 'run.json');
    writeFileSync(specFile, secret['run.json'] ?? '{}');
    const setup = await this.step(run, 'setup', specFile);
    if (run.ended) return;
    if (setup.exitCode !== 0) {
      this.setPod(run, 'Failed', [terminated('setup', setup)], []);
      return this.endJob(run, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' });
    }
    this.setPod(run, 'Running', [terminated('setup', setup)], [running('train'), running('result')]);
    const child = spawn('/bin/sh', [join(root, 'state', 'entry.sh')], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    run.train = child;
    // One line buffer per stream, as the kubelet keeps: a line is logged when it ends, whatever the other stream does.
    let log = '';
    const rest = { stdout: '', stderr: '' };
    const append = (stream: 'stdout' | 'stderr', data: Buffer) => {
      const lines = (rest[stream] + data.toString('utf8')).split('\n');
      rest[stream] = lines.pop() ?? '';
      for (const line of lines) log += `${new Date().toISOString()} ${line}\n`;
      this.api.setLog(this.namespace, run.pod, 'train', log);
    };
    child.stdout.on('data', (d: Buffer) => append('stdout', d));
    child.stderr.on('data', (d: Buffer) => append('stderr', d));
    const code = await new Promise<number>((r) => child.once('close', (c) => r(c ?? 137)));
    for (const tail of [rest.stdout, rest.stderr]) if (tail) log += `${new Date().toISOString()} ${tail}\n`;
    this.api.setLog(this.namespace, run.pod, 'train', log);
    if (run.ended) return;
    const result = await this.step(run, 'result', specFile);
    if (run.ended) return;
    const ok = code === 0 && result.exitCode === 0;
    this.setPod(
      run,
      ok ? 'Succeeded' : 'Failed',
      [terminated('setup', setup)],
      [terminated('train', { exitCode: code }), terminated('result', result)],
    );
    this.endJob(
      run,
      ok
        ? { type: 'Complete', status: 'True' }
        : { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' },
    );
  }

  private async step(run: PodRun, step: 'setup' | 'result', specFile: string): Promise<Terminated> {
    const terminationLog = join(run.root, `${step}.termination`);
    const exitCode = await runStep(step, specFile, { root: run.root, terminationLog });
    let message: string | undefined;
    try {
      message = readFileSync(terminationLog, 'utf8');
    } catch {
      message = undefined;
    }
    return message === undefined ? { exitCode } : { exitCode, message };
  }

  /** The pod of a suspended Job (or one past its deadline) is stopped; a deadline also fails the Job. */
  private stopPod(run: PodRun, condition: object | undefined): void {
    run.ended = true;
    if (run.train?.pid !== undefined) killGroup(run.train.pid);
    if (condition) this.endJob(run, condition);
  }

  private endJob(run: PodRun, condition: object): void {
    run.ended = true;
    const job = this.api.get('jobs', this.namespace, run.job);
    if (!job) return;
    const status = (job.status ?? {}) as Record<string, unknown>;
    job.status = { ...status, completionTime: new Date().toISOString(), conditions: [condition] };
  }

  private setPod(run: PodRun, phase: string, init: object[], containers: object[]): void {
    if (!this.api.get('pods', this.namespace, run.pod)) return;
    this.api.setStatus('pods', this.namespace, run.pod, {
      phase,
      initContainerStatuses: init,
      containerStatuses: containers,
    });
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
