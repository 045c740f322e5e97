/**
 * End-to-end cases of the commands that need no API server of the test's own: local runs, `serve` (which starts
 * its own), the monitoring stack and shell completion. The built CLI runs as a child process.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expect, inject, vi } from 'vitest';
import type { CommandName } from '../../../src/cli/commands.js';
import { ALL_KINDS, createHarness, type Case } from '../support/e2e-harness.js';
import { runCli } from '../support/run-cli.js';
import { spawnServe } from '../support/spawn-serve.js';

const h = createHarness('gangplank-cli-e2e-machine-');
const { cli, dir, configPath, write, writeRunnable } = h;

export const MACHINE_CASES = {
  'local train run': async () => {
    write('local/training.yaml', ALL_KINDS.split('---')[0]!);
    write('local/more.yaml', `---${ALL_KINDS.split('---').slice(1).join('---')}`);
    const r = await cli(['local', 'train', 'run', '-d', 'local', '--id', 'wine', '--dry-run'], {
      env: { GANGPLANK_URL: '' },
    });
    expect(r.code, r.stderr).toBe(0);
    const plan = parse(r.stdout) as {
      training: { id: string };
      toolchain: { id: string };
      connections: { id: string }[];
    };
    expect(plan.training.id).toBe('wine');
    expect(plan.toolchain.id).toBe('mlflow');
    expect(plan.connections.map((c) => c.id)).toEqual(['repo', 'wine-data']);
    const missing = await cli(['local', 'train', 'run', '-f', 'local/training.yaml', '--dry-run'], {
      env: { GANGPLANK_URL: '' },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('connection repo, wine-data not found among the files');

    // A real run: the script pushes epochs to the real Pushgateway; the artifact lands in --output-dir.
    // The code folder is named relative to the manifest's folder, not the working directory.
    const manifest = writeRunnable('runnable', 'local-wine');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace(JSON.stringify(join(dir, 'runnable', 'code')), 'code'),
    );
    const gateway = inject('pushgatewayUrl');
    // Earlier runs of the same training stay on the gateway: the progress line shows this run's series only.
    const stale = ['local-earlier-1', 'local-earlier-2', 'local-earlier-3', 'local-earlier-4'];
    for (const runId of stale) {
      const body = ['epochs_count 7', 'target_epochs 7', 'loss 0.7777', 'accuracy 0.1111']
        .map((line) => `# TYPE gangplank_train_${line.split(' ')[0]} gauge\ngangplank_train_${line}\n`)
        .join('');
      const res = await fetch(`${gateway}/metrics/job/local-wine/run_id/${runId}/training/local-wine`, {
        method: 'PUT',
        body,
      });
      expect(res.status).toBeLessThan(300);
    }
    const run = await cli(['local', 'train', 'run', '-f', manifest, '--output-dir', 'out'], {
      env: { GANGPLANK_URL: '', GANGPLANK_PUSHGATEWAY_ADDR: gateway },
    });
    try {
      expect(run.stderr).not.toMatch(/epoch 7\/7|0\.7777/);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('epoch 3 done\n');
      expect(run.stdout).toMatch(
        /training local-wine succeeded; exit code 0; .*; artifact .*\/out\/wine-1\.0-.*\.zip/,
      );
      expect(run.stderr).toContain('local-wine: succeeded');
      expect(run.stderr).toMatch(/epoch 3\/3 {2}loss 0\.2500 {2}acc 0\.9000/);
      const artifact = /artifact (\S+\.zip)/.exec(run.stdout)![1]!;
      expect(readFileSync(join(artifact.replace(/\.zip$/, ''), 'model.txt'), 'utf8')).toBe('trained');
    } finally {
      await fetch(`${gateway}/metrics/job/local-wine`, { method: 'DELETE' });
      for (const runId of stale) {
        await fetch(`${gateway}/metrics/job/local-wine/run_id/${runId}/training/local-wine`, {
          method: 'DELETE',
        });
      }
    }
    const invalid = await cli(
      ['local', 'train', 'run', '-f', write('invalid.yaml', ALL_KINDS.replace('name: wine,', 'name: "",'))],
      {
        env: { GANGPLANK_URL: '' },
      },
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('Error: Validation of model training is failed: empty model.name');
  },
  serve: async () => {
    const { child, url, exited } = await spawnServe({
      args: ['--data-dir', join(dir, 'served'), '--pushgateway', inject('pushgatewayUrl')],
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, GANGPLANK_CLI_CONFIG: configPath },
    });
    try {
      // The served API runs trainings: edit --wait follows a run to success, with the epochs the script pushed to
      // the Pushgateway that serve handed it.
      const env = {
        GANGPLANK_URL: url,
        GANGPLANK_TOKEN: '',
        GANGPLANK_PUSHGATEWAY_ADDR: inject('pushgatewayUrl'),
      };
      const manifest = writeRunnable('served', 'served-wine');
      const created = await cli(['bulk', 'apply', manifest], { env });
      expect(created.code, created.stderr).toBe(0);
      const edited = await cli(['train', 'edit', '-f', manifest, '--wait', '--timeout', '60'], { env });
      expect(edited.code, edited.stderr).toBe(0);
      expect(edited.stdout).toMatch(/training served-wine succeeded; exit code 0; .*; artifact wine-1\.0-/);
      expect(edited.stderr).toMatch(
        /served-wine: succeeded {2}\d+s {2}epoch 3\/3 {2}loss 0\.2500 {2}acc 0\.9000/,
      );
      const logs = await cli(['train', 'logs', '--id', 'served-wine', '--follow'], { env });
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout.match(/epoch \d done/g)).toEqual(['epoch 1 done', 'epoch 2 done', 'epoch 3 done']);
      const runs = await cli(['train', 'runs', '--id', 'served-wine', '-o', 'jsonpath=$[*].state'], { env });
      expect(runs.stdout).toMatch(/^(failed|succeeded)\nsucceeded\n$/);

      // A failed run's --wait ends with the last lines of its error output and the command for its whole log.
      const broken = writeRunnable(
        'served-broken',
        'served-broken',
        `console.log('epoch 1 done');
for (let i = 1; i <= 12; i++) console.error('warning ' + i);
console.error('ERROR: data file /data/missing.csv not found');
process.exitCode = 3;
`,
      );
      expect((await cli(['conn', 'edit', '-f', broken], { env })).code).toBe(0);
      const failed = await cli(['train', 'create', '-f', broken, '--wait', '--timeout', '60'], { env });
      expect(failed.code, failed.stderr).toBe(1);
      const tail = [
        ...Array.from({ length: 9 }, (_, i) => `warning ${i + 4}`),
        'ERROR: data file /data/missing.csv not found',
      ];
      const outcome = new RegExp(
        '(?:^|\\n)Error: training served-broken failed; reason: Failed; exit code 3; the entry point exited with code 3; ' +
          `last lines of its error output:\\n${tail.join('\\n')}\\n` +
          'the whole log: gangplank train logs --id served-broken --run (\\S+)\\n$',
      );
      expect(failed.stderr).toMatch(outcome);
      const runId = outcome.exec(failed.stderr)![1]!;
      const whole = await cli(['train', 'logs', '--id', 'served-broken', '--run', runId], { env });
      expect(whole.code, whole.stderr).toBe(0);
      // stdout and stderr are read from two pipes: their lines keep their order within each stream only.
      expect(whole.stdout).toContain('epoch 1 done\n');
      expect(whole.stdout).toContain('warning 1\nwarning 2\nwarning 3\n');
      expect(whole.stdout).toContain(`${tail.join('\n')}\n`);

      // A cancelled run reads as cancelled, not as failed with the signal's exit code.
      const slow = writeRunnable(
        'served-slow',
        'served-slow',
        "console.log('waiting');\nsetTimeout(() => {}, 120_000);\n",
      );
      expect((await cli(['conn', 'edit', '-f', slow], { env })).code).toBe(0);
      expect((await cli(['train', 'create', '-f', slow], { env })).code).toBe(0);
      await vi.waitFor(
        async () =>
          expect((await cli(['train', 'logs', '--id', 'served-slow'], { env })).stdout).toContain(
            'waiting\n',
          ),
        { timeout: 30_000, interval: 200 },
      );
      const cancelled = await cli(
        ['train', 'cancel', '--id', 'served-slow', '--reason', 'wrong data', '--wait', '--timeout', '60'],
        { env },
      );
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(cancelled.stdout).toBe(
        'ModelTraining served-slow cancel requested (state: running)\ntraining served-slow cancelled; wrong data\n',
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  },
  'stack up': async () => {
    const stateDir = join(dir, 'stack');
    const ports = ['--prometheus-port', '0', '--pushgateway-port', '0', '--alertmanager-port', '0'];
    const up = await cli(['stack', 'up', '--state-dir', stateDir, ...ports, '--json']);
    expect(up.code, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout) as { services: Record<string, { url: string }> };
    expect((await fetch(`${info.services['pushgateway']!.url}/-/ready`)).status).toBe(200);
  },
  'stack status': async () => {
    const running = await cli(['stack', 'status', '--state-dir', join(dir, 'stack')]);
    expect(running.code, running.stdout).toBe(0);
    expect(running.stdout).toMatch(/pushgateway\s+running http/);
    expect((await cli(['stack', 'status', '--state-dir', join(dir, 'nothing')])).code).toBe(3);
  },
  'stack down': async () => {
    const down = await cli(['stack', 'down', '--state-dir', join(dir, 'stack')]);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/pushgateway\s+stopped \(pid \d+\)/);
    expect((await cli(['stack', 'status', '--state-dir', join(dir, 'stack')])).code).toBe(3);
  },
  completion: async () => {
    const bash = await cli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("['ti get']=");
    expect(spawnSync('bash', ['-n'], { input: bash.stdout }).status).toBe(0);
    // Completing `gangplank train cr` offers `create`; `gangplank conn get --de` offers `--decrypted`.
    const complete = (words: string) =>
      spawnSync(
        'bash',
        [
          '-c',
          `${bash.stdout}\nCOMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _gangplank; echo "\${COMPREPLY[@]}"`,
        ],
        {
          encoding: 'utf8',
        },
      ).stdout.trim();
    expect(complete('gangplank train cr')).toBe('create');
    expect(complete('gangplank conn get --de')).toBe('--decrypted');
    expect((await cli(['completion', 'zsh'])).stdout).toContain('bashcompinit');
    expect((await cli(['completion', 'fish'])).code).toBe(2);
  },
} satisfies Partial<Record<CommandName, Case | 'todo'>>;

export function setUp(): void {
  // Nothing listens on port 9 (discard): commands that must not need a server would fail loudly.
  h.baseEnv = { GANGPLANK_URL: 'http://127.0.0.1:9' };
}

export async function tearDown(): Promise<void> {
  await runCli(['stack', 'down', '--state-dir', join(dir, 'stack')]);
  h.cleanup();
}
