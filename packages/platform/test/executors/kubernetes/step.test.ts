/**
 * The in-pod program of a Kubernetes run (setup → entry script → result), run here on a temp folder standing for
 * the pod's shared volume: the same code the Job's init and result containers execute.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStepMessage } from '../../../src/executors/kubernetes/job-status.js';
import { renderEntryScript, runStep } from '../../../src/executors/kubernetes/step.js';
import { nodeSpec } from '../../fixtures/specs.js';

const root = mkdtempSync(join(tmpdir(), 'gp-k8s-step-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function podRun(script: string, args: string[] = []) {
  const pod = mkdtempSync(join(root, 'pod-'));
  const specFile = join(pod, 'run.json');
  const spec = nodeSpec(script, { args });
  writeFileSync(specFile, JSON.stringify(spec));
  return { pod, specFile, spec, termination: join(pod, 'termination-log') };
}

describe('Kubernetes run steps', () => {
  it('setup writes the entry script, train runs it, result publishes the artifact in its termination message', async () => {
    const { pod, specFile, spec, termination } = podRun('write-artifacts.mjs');
    expect(await runStep('setup', specFile, { root: pod, terminationLog: termination })).toBe(0);
    const entry = join(pod, 'state', 'entry.sh');
    const train = spawnSync('/bin/sh', [entry], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', GANGPLANK_OUTPUT_DIR: join(pod, 'output') },
    });
    expect(train.status).toBe(0);
    expect(readFileSync(join(pod, 'state', 'exit'), 'utf8').trim()).toBe('0');
    expect(await runStep('result', specFile, { root: pod, terminationLog: termination })).toBe(0);
    const message = parseStepMessage(readFileSync(termination, 'utf8'));
    expect(message?.artifacts?.[0]).toMatchObject({ runId: spec.runId });
    expect(existsSync(join(pod, 'artifacts', message?.artifacts?.[0]?.artifactName ?? 'none'))).toBe(true);
  });

  it('the entry script keeps the exit code; result then publishes nothing', async () => {
    const { pod, specFile, termination } = podRun('fail.mjs');
    await runStep('setup', specFile, { root: pod, terminationLog: termination });
    const train = spawnSync('/bin/sh', [join(pod, 'state', 'entry.sh')], {
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(train.status).toBe(3);
    rmSync(termination, { force: true });
    expect(await runStep('result', specFile, { root: pod, terminationLog: termination })).toBe(0);
    expect(existsSync(termination)).toBe(false);
  });

  it('setup reports a bad workDir with its reason', async () => {
    const { pod, specFile, termination } = podRun('succeed.mjs');
    const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(specFile, JSON.stringify({ ...spec, workDir: '../../etc' }));
    expect(await runStep('setup', specFile, { root: pod, terminationLog: termination })).toBe(1);
    expect(parseStepMessage(readFileSync(termination, 'utf8'))).toMatchObject({ reason: 'ToolchainError' });
  });

  it('renders an entry script that quotes what it runs', () => {
    const script = renderEntryScript(
      {
        command: '/usr/bin/python3',
        args: ["it's"],
        cwd: '/gangplank/workspace/a b',
        env: { VIRTUAL_ENV: '/c' },
      },
      '/gangplank/state',
    );
    expect(script).toContain("/usr/bin/python3 'it'\\''s'");
    expect(script).toContain("cd '/gangplank/workspace/a b'");
    expect(script).toContain('export VIRTUAL_ENV=/c');
  });
});
