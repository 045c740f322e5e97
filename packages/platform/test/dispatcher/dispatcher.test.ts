import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { gatewayGroups } from '../../../../test/support/prometheus.js';
import { createDispatcher, type Dispatcher } from '../../src/dispatcher/dispatcher.js';
import type { ModelTrainingSpec, TrainingRun } from '../../src/domain/types.js';
import { LocalExecutor } from '../../src/executors/local.js';
import { isAlive } from '../../src/executors/process-tree.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { TRAININGS, tempDir } from '../fixtures/specs.js';

const root = tempDir('gp-disp-');
let store: Store;
const dispatchers: Dispatcher[] = [];
const pushgateway = inject('pushgatewayUrl');

beforeAll(async () => {
  store = await createStore({});
  await store.createToolchain('node', {
    entrypoint: 'node',
    defaultImage: 'none',
    kind: 'command',
    command: [process.execPath],
  });
});

// Every test's dispatchers stop with it: a dispatcher left running would claim the next test's runs.
afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
});

afterAll(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

function uid(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

function dispatcher(options: Partial<Parameters<typeof createDispatcher>[0]> = {}): Dispatcher {
  const d = createDispatcher({
    store,
    executor: new LocalExecutor({ root: join(root, 'runs'), graceMs: 500 }),
    workerId: uid('worker'),
    concurrency: 2,
    pushgateway,
    warn: () => {},
    ...options,
  });
  dispatchers.push(d);
  return d;
}

function spec(script: string, overrides: Partial<ModelTrainingSpec> = {}): ModelTrainingSpec {
  return {
    model: { name: 'fixture', version: '1.0' },
    toolchain: 'node',
    entrypoint: join(TRAININGS, script),
    algorithmSource: {},
    ...overrides,
  };
}

/** How long a condition on a real process may take to hold. */
const WAIT = { timeout: 20_000, interval: 50 };

/** The run once `ok` holds for it. */
function waitRun(runId: string, ok: (run: TrainingRun) => boolean): Promise<TrainingRun> {
  return vi.waitFor(async () => {
    const run = await store.getRun(runId);
    if (!run || !ok(run)) throw new Error(`run ${runId} did not get there: ${JSON.stringify(run)}`);
    return run;
  }, WAIT);
}
const final = (r: TrainingRun) => r.state === 'succeeded' || r.state === 'failed';

/** A fresh dispatcher runs a new training of `trainingSpec` (id from `name`) to its end: the finished run. */
async function runToEnd(name: string, trainingSpec: ModelTrainingSpec): Promise<TrainingRun> {
  const d = dispatcher();
  await d.start();
  const { run } = await store.createTraining(uid(name), trainingSpec);
  d.wake();
  return waitRun(run.id, final);
}

/**
 * A server going down under a live run: a dispatcher of one worker starts `trainingSpec` in its run folder
 * `<root>/<name>`, waits until the run is running and `whileUp` (say, the process logged its pid) is done, then
 * stops; the training goes on. `restart()` starts the next dispatcher of that worker on that folder.
 */
async function serverDownWhileRunning<T = undefined>(
  name: string,
  trainingSpec: ModelTrainingSpec,
  whileUp: (run: TrainingRun) => Promise<T> = () => Promise.resolve(undefined as T),
): Promise<{ run: TrainingRun; up: T; runs: string; restart: () => Promise<Dispatcher> }> {
  const workerId = uid('stable');
  const runs = join(root, name);
  const server = (): Dispatcher =>
    dispatcher({ workerId, executor: new LocalExecutor({ root: runs, graceMs: 500 }) });
  const a = server();
  await a.start();
  const { run } = await store.createTraining(uid(name), trainingSpec);
  a.wake();
  await waitRun(run.id, (r) => r.state === 'running');
  const up = await whileUp(run);
  await a.stop();
  const restart = async (): Promise<Dispatcher> => {
    const b = server();
    await b.start();
    return b;
  };
  return { run, up, runs, restart };
}

async function logText(runId: string): Promise<string[]> {
  // complete lines are stored with their newline (raw text, as the log endpoint serves it)
  return (await store.readLogs(runId)).map((c) => `${c.stream}:${c.text.replace(/\n$/, '')}`);
}

describe('dispatcher with the local executor', () => {
  it('runs a training to success and mirrors the run on the training', async () => {
    const done = await runToEnd('ok', spec('succeed.mjs', { args: ['--x', '1'] }));
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0, reason: 'Succeeded' });
    expect(done.podName).toMatch(/^local-\d+$/);
    expect(done.startedAt).toBeDefined();
    expect(done.finishedAt).toBeDefined();
    expect(done.artifacts[0]?.artifactName).toMatch(/^fixture-1\.0-[0-9a-f-]{36}\.zip$/);
    expect(done.claimedBy).toBeUndefined(); // released
    const training = await store.getTraining(done.trainingId);
    expect(training?.status).toMatchObject({ state: 'succeeded', exitCode: 0, runId: done.id });
    const logs = await logText(done.id);
    expect(logs).toContain('stdout:training started');
    expect(logs).toContain('stderr:a warning on stderr');
    expect(new Set(logs).size).toBe(logs.length); // no line twice
    const raw = (await store.readLogs(done.id)).map((c) => c.text).join('');
    expect(raw).toContain('training started\n');
    expect(raw).toContain('training done\n');
    // succeeded without an output connection: the work folder (holding the only copy of the zip) stays
    expect(existsSync(join(root, 'runs', done.id, 'artifacts', done.artifacts[0]!.artifactName!))).toBe(true);
  });

  it('records exit code, reason and message of a failing training', async () => {
    const done = await runToEnd('fail', spec('fail.mjs'));
    expect(done).toMatchObject({
      state: 'failed',
      exitCode: 3,
      reason: 'Failed',
      // The cause, from the tail of its stderr, is in the status message (issue 15 item 7).
      message:
        'the entry point exited with code 3; last lines of its error output:\nError: the loss became NaN',
    });
    // failed: its logs are stored, the folder goes
    await expect.poll(() => existsSync(join(root, 'runs', done.id)), WAIT).toBe(false);
    expect((await logText(done.id)).join('\n')).toContain('NaN');
  });

  it('fails a run whose toolchain or connection is missing, with the reason in the log', async () => {
    const done = await runToEnd('bad', spec('succeed.mjs', { toolchain: 'nope' }));
    expect(done).toMatchObject({
      state: 'failed',
      reason: 'InvalidSpec',
      message: 'toolchain integration "nope" is not found',
    });
    expect((await logText(done.id)).join('\n')).toContain('toolchain integration "nope" is not found');
  });

  it('keeps queued runs in scheduling beyond the concurrency limit, then runs them all', async () => {
    const d = dispatcher({ concurrency: 1 });
    const runs = [];
    for (let i = 0; i < 3; i++)
      runs.push((await store.createTraining(uid('q'), spec('sleep.mjs', { args: ['1500'] }))).run);
    await d.start();
    const first = await waitRun(runs[0]!.id, (r) => r.state === 'running');
    expect(first.state).toBe('running');
    const others = await Promise.all(runs.slice(1).map((r) => store.getRun(r.id)));
    expect(others.map((r) => r?.state)).toEqual(['scheduling', 'scheduling']);
    expect(others.map((r) => r?.claimedBy)).toEqual([undefined, undefined]);
    for (const r of runs) expect((await waitRun(r.id, final)).state).toBe('succeeded');
  });

  it('stops the process tree when the training is deleted, and when a run is cancelled', async () => {
    const d = dispatcher();
    await d.start();
    const id = uid('del');
    const { run } = await store.createTraining(id, spec('hang.mjs'));
    d.wake();
    await waitRun(run.id, (r) => r.state === 'running');
    const pid = await pidOf(run.id);
    await store.deleteTraining(id);
    d.wake();
    await expect.poll(() => isAlive(pid), WAIT).toBe(false);
    expect(d.activeRunIds()).not.toContain(run.id);

    const cancelled = (await store.createTraining(uid('cancel'), spec('hang.mjs'))).run;
    d.wake();
    await waitRun(cancelled.id, (r) => r.state === 'running');
    const pid2 = await pidOf(cancelled.id);
    await store.requestCancel(cancelled.id, 'stopped by bob');
    d.wake();
    const done = await waitRun(cancelled.id, final);
    expect(done).toMatchObject({ state: 'failed', reason: 'Cancelled', message: 'stopped by bob' });
    expect(isAlive(pid2)).toBe(false);
  });

  it('reruns on PUT even with an unchanged spec, cancelling the active run (Odahu #561)', async () => {
    const d = dispatcher();
    await d.start();
    const id = uid('put');
    const first = (await store.createTraining(id, spec('hang.mjs'))).run;
    d.wake();
    await waitRun(first.id, (r) => r.state === 'running');
    const second = (await store.updateTraining(id, spec('hang.mjs'))).run;
    d.wake();
    expect((await waitRun(first.id, final)).reason).toBe('Cancelled');
    await waitRun(second.id, (r) => r.state === 'running');
    await store.requestCancel(second.id, 'done');
    d.wake();
    await waitRun(second.id, final);
    expect((await store.listRuns(id)).map((r) => r.id)).toEqual([first.id, second.id]);
  });

  it('re-attaches live runs after a restart without storing a log line twice', async () => {
    const { run, up, restart } = await serverDownWhileRunning('restart', spec('hang.mjs'), (r) =>
      pidOf(r.id),
    );
    expect(isAlive(up)).toBe(true); // the server went down; the training keeps running
    const b = await restart();
    expect(b.activeRunIds()).toContain(run.id);
    await store.requestCancel(run.id, 'after restart');
    b.wake();
    const done = await waitRun(run.id, final);
    expect(done).toMatchObject({ state: 'failed', reason: 'Cancelled' });
    const logs = await logText(run.id);
    expect(logs.filter((l) => l.startsWith('stdout:hanging'))).toHaveLength(1);
    expect(logs.some((l) => l.includes('re-attached'))).toBe(true);
  });

  it('stores no line twice when the saved log cursor trails the stored log (a crash between two writes)', async () => {
    const { run, restart } = await serverDownWhileRunning('cursor', spec('hang.mjs'), (r) => pidOf(r.id));
    // as if the server died after appending the lines but before saving the cursor
    const handle = (await store.getRun(run.id))!.executorHandle as Record<string, unknown>;
    await store.updateRun(run.id, { executorHandle: { ...handle, logCursor: undefined } });
    const before = await logText(run.id);
    const b = await restart();
    await store.requestCancel(run.id, 'done');
    b.wake();
    await waitRun(run.id, final);
    const after = await logText(run.id);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.filter((l) => l.startsWith('stdout:hanging'))).toHaveLength(1);
    expect(after.filter((l) => l.startsWith('system:running '))).toHaveLength(1);
  });

  it('tells its events of each run it claims and each it fails Lost', async () => {
    const claimed: string[] = [];
    const lost: string[] = [];
    const events = {
      claimed: (r: TrainingRun) => claimed.push(r.id),
      lost: (r: TrainingRun) => lost.push(r.id),
    };
    // A hand-over cut off by a dead worker: claimed here, then failed Lost instead of started.
    const { run: cut } = await store.createTraining(uid('events-lost'), spec('succeed.mjs'));
    await store.claimRuns('died-mid-submit', 1, 1);
    await store.updateRun(cut.id, { startedAt: new Date().toISOString() }, { workerId: 'died-mid-submit' });
    await new Promise((r) => setTimeout(r, 20)); // the 1 ms lease expires
    const d = dispatcher({ events });
    await d.start();
    expect(await waitRun(cut.id, final)).toMatchObject({ state: 'failed', reason: 'Lost' });
    const { run: fresh } = await store.createTraining(uid('events-ok'), spec('succeed.mjs'));
    d.wake();
    expect(await waitRun(fresh.id, final)).toMatchObject({ state: 'succeeded' });
    expect(claimed.filter((id) => id === cut.id || id === fresh.id).sort()).toEqual(
      [cut.id, fresh.id].sort(),
    );
    expect(lost).toContain(cut.id);
    expect(lost).not.toContain(fresh.id);
  });

  it('fails a run whose process died while the server was down, keeping its logs', async () => {
    const { run, runs, restart } = await serverDownWhileRunning('died', spec('hang.mjs'), (r) => pidOf(r.id));
    const { readFileSync } = await import('node:fs');
    const state = JSON.parse(readFileSync(join(runs, run.id, '.gangplank', 'state.json'), 'utf8'));
    process.kill(-state.shimPid, 'SIGKILL');
    await expect.poll(() => isAlive(state.shimPid), WAIT).toBe(false);
    await restart();
    const done = await waitRun(run.id, final);
    expect(done).toMatchObject({ state: 'failed', reason: 'Lost' });
    expect((await logText(run.id)).some((l) => l.startsWith('stdout:hanging'))).toBe(true);
  });

  it('finishes a run that ended while the server was down, artifacts included', async () => {
    const { run, restart } = await serverDownWhileRunning('ended', spec('sleep.mjs', { args: ['600'] }));
    await new Promise((r) => setTimeout(r, 1200)); // the training ends with nobody watching
    expect((await store.getRun(run.id))?.state).toBe('running');
    await restart();
    const done = await waitRun(run.id, final);
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect(done.artifacts).toHaveLength(1);
    expect((await logText(run.id)).filter((l) => l === 'stdout:woke up')).toHaveLength(1);
  });

  it('applies a per-training timeout from GANGPLANK_TIMEOUT', async () => {
    const done = await runToEnd(
      'timeout',
      spec('hang.mjs', { envs: [{ name: 'GANGPLANK_TIMEOUT', value: '1s' }] }),
    );
    expect(done).toMatchObject({
      state: 'failed',
      reason: 'Timeout',
      message: 'the run exceeded its timeout of 1s',
    });
  });

  it('fails runs of a worker that stopped renewing its lease', async () => {
    const { run } = await store.createTraining(uid('orphan'), spec('hang.mjs'));
    const [claimed] = await store.claimRuns('gone-worker', 1, 1);
    expect(claimed?.id).toBe(run.id);
    await store.updateRun(run.id, { state: 'running' }, { workerId: 'gone-worker' });
    await new Promise((r) => setTimeout(r, 20)); // the 1 ms lease expires
    const d = dispatcher();
    await d.start();
    const done = await waitRun(run.id, final);
    expect(done).toMatchObject({ state: 'failed', reason: 'Lost' });
    expect(done.message).toContain('gone-worker stopped renewing its lease');
  });

  it('stops the process an orphaned run left running before failing it Lost', async () => {
    // The gone worker's dispatcher lets go of its run (as a SIGKILLed server does) and never renews the lease.
    const goneExecutor = new LocalExecutor({ root: join(root, 'runs'), graceMs: 500 });
    const gone = dispatcher({ workerId: uid('gone'), leaseMs: 300, executor: goneExecutor });
    await gone.start();
    const { run } = await store.createTraining(uid('orphan-process'), spec('hang.mjs'));
    gone.wake();
    const running = await waitRun(
      run.id,
      (r) => r.state === 'running' && /^local-\d+$/.test(r.podName ?? ''),
    );
    const pid = Number(running.podName!.slice('local-'.length));
    expect(isAlive(pid)).toBe(true);
    await gone.stop();
    await goneExecutor.close();
    await new Promise((r) => setTimeout(r, 400)); // its lease expires
    expect(isAlive(pid)).toBe(true); // closing a dispatcher leaves its runs going
    const survivor = dispatcher();
    await survivor.start();
    const done = await waitRun(run.id, final);
    expect(done).toMatchObject({ state: 'failed', reason: 'Lost' });
    await expect.poll(() => isAlive(pid), WAIT).toBe(false);
  });

  it('never starts twice a run whose worker died while handing it to the executor', async () => {
    // The dead worker claimed the run and recorded the hand-over (startedAt) but not the process: the process may
    // be running, so a survivor must fail the run Lost instead of starting it again.
    const { run } = await store.createTraining(uid('handover'), spec('succeed.mjs'));
    const [claimed] = await store.claimRuns('died-mid-submit', 1, 1);
    expect(claimed?.id).toBe(run.id);
    await store.updateRun(run.id, { startedAt: new Date().toISOString() }, { workerId: 'died-mid-submit' });
    await new Promise((r) => setTimeout(r, 20)); // the 1 ms lease expires
    const local = new LocalExecutor({ root: join(root, 'runs'), graceMs: 500 });
    const submitted: string[] = [];
    const submit = local.submit.bind(local);
    local.submit = (s) => {
      submitted.push(s.runId);
      return submit(s);
    };
    const d = dispatcher({ executor: local });
    await d.start();
    const done = await waitRun(run.id, final);
    expect(done).toMatchObject({ state: 'failed', reason: 'Lost' });
    expect(done.message).toContain('not started again');
    expect(submitted).not.toContain(run.id);
    // A run claimed but never handed over is simply started by the survivor.
    const { run: fresh } = await store.createTraining(uid('claimed-only'), spec('succeed.mjs'));
    await store.claimRuns('died-before-submit', 1, 1);
    await new Promise((r) => setTimeout(r, 20));
    d.wake();
    expect(await waitRun(fresh.id, final)).toMatchObject({ state: 'succeeded' });
    expect(submitted).toContain(fresh.id);
  });

  it('hands the gateway to the run, pushes run metrics, and deletes finished runs’ groups after the retention', async () => {
    const d = dispatcher({ retainFinishedMs: 1500 });
    await d.start();
    const id = uid('metrics');
    const { run } = await store.createTraining(
      id,
      spec('push-metric.mjs', { envs: [{ name: 'GANGPLANK_JOB', value: `job-${id}` }] }),
    );
    d.wake();
    await waitRun(run.id, final);
    const groups = async () => (await gatewayGroups(pushgateway)).filter((g) => g.labels.run_id === run.id);
    type StateMetric = { metrics: { labels: { state: string }; value: string }[] };
    // The final push follows the stored final state (it is not awaited by the sync that stores it): wait for it.
    const found = await vi.waitFor(async () => {
      const now = await groups();
      expect(now).toHaveLength(2);
      const state = now.find((g) => g.labels.instance === 'gangplank-dispatcher')?.gangplank_run_state;
      expect((state as StateMetric).metrics.find((m) => m.labels.state === 'succeeded')?.value).toBe('1');
      return now;
    }, WAIT);
    const mine = found.find((g) => g.labels.instance === 'gangplank-dispatcher')!;
    expect(mine.labels).toMatchObject({ job: `job-${id}`, training: id });
    expect(mine.gangplank_run_exit_code).toBeDefined();
    const worker = found.find((g) => g.labels.instance === 'worker-0')!;
    expect(worker.labels).toMatchObject({ job: `job-${id}`, training: id, run_id: run.id });
    await expect.poll(groups, WAIT).toHaveLength(0);
  });
});

async function pidOf(runId: string): Promise<number> {
  const line = await vi.waitFor(async () => {
    const found = (await logText(runId)).find((l) => l.startsWith('stdout:hanging pid='));
    if (found === undefined) throw new Error(`run ${runId} logged no pid yet`);
    return found;
  }, WAIT);
  return Number(line.split('=')[1]);
}
