/**
 * The built CLI against an in-test fake of the API, for what the real server cannot be made to do on demand: a run
 * that succeeds or fails while `--wait` watches, one that never ends, a log stream that keeps dropping.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApi } from './support/fake-api.js';
import { BIN, runCli, type CliResult } from './support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gangplank-cli-fake-'));
const api = new FakeApi();
const file = join(dir, 'training.yaml');

function cli(args: readonly string[]): Promise<CliResult> {
  return runCli(args, {
    cwd: dir,
    env: { GANGPLANK_CLI_CONFIG: join(dir, 'config.yaml'), GANGPLANK_URL: api.url },
  });
}

beforeAll(async () => {
  await api.start();
  writeFileSync(
    file,
    'kind: ModelTraining\nid: wine\nspec: {toolchain: mlflow, model: {name: wine, version: "1"}}\n',
  );
});
afterAll(async () => {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('--wait', () => {
  it('exits 0 with the outcome on stdout when the run succeeds, progress on stderr', async () => {
    api.stateScript.set('ok', ['running', 'succeeded']);
    const r = await cli(['train', 'create', '-f', file, '--id', 'ok', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ModelTraining ok created\ntraining ok succeeded\n');
    expect(r.stderr).toContain('ok: running');
  });

  it('exits 1 with the reason, exit code and message when the run fails', async () => {
    api.stateScript.set('bad', ['running', 'failed']);
    const r = await cli(['train', 'create', '-f', file, '--id', 'bad', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: training bad failed; reason: Error; exit code 3; loss was NaN');
  });

  it('exits 1 after --timeout and says the training keeps running', async () => {
    const r = await cli(['train', 'create', '-f', file, '--id', 'slow', '--wait', '--timeout', '0.5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not finish within');
    expect(r.stderr).toContain('it keeps running');
  });

  it('redraws one progress line on a terminal', async () => {
    // util-linux `script` gives the CLI a pseudo-terminal, so stderr.isTTY is true as for a person at a shell.
    api.stateScript.set('tty', ['running', 'running', 'succeeded']);
    const command = [process.execPath, BIN, 'train', 'create', '-f', file, '--id', 'tty', '--wait']
      .map((a) => `'${a}'`)
      .join(' ');
    // Asynchronously: the fake API answers from this process.
    const r = await new Promise<{ status: number; stdout: string }>((resolve) => {
      const env = {
        PATH: process.env['PATH'] ?? '',
        GANGPLANK_CLI_CONFIG: join(dir, 'config.yaml'),
        GANGPLANK_URL: api.url,
      };
      execFile('script', ['-qefc', command, '/dev/null'], { env }, (error, stdout) =>
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('\r\x1b[2Ktty: running  ');
    expect(r.stdout).toContain('\r\x1b[2Ktty: succeeded  ');
    expect(r.stdout).toContain('training tty succeeded');
  });

  it('waits on edit too', async () => {
    api.stateScript.set('ok', ['succeeded']);
    const r = await cli(['train', 'edit', '-f', file, '--id', 'ok', '--wait']);
    expect(r).toMatchObject({
      code: 0,
      stdout: 'ModelTraining ok updated (new run started)\ntraining ok succeeded\n',
    });
  });
});

describe('train cancel --wait', () => {
  it('waits for the cancelled run to end and exits 0: failing is what was asked', async () => {
    await cli(['train', 'create', '-f', file, '--id', 'to-cancel']);
    const r = await cli(['train', 'cancel', '--id', 'to-cancel', '--wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'ModelTraining to-cancel cancel requested (state: cancelled)\ntraining to-cancel cancelled\n',
    );
  });
});

describe('train logs --follow', () => {
  it('prints every line exactly once while the stream keeps dropping', async () => {
    await cli(['train', 'create', '-f', file]);
    const log = Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join('');
    api.logs.set('wine', log);
    expect(await cli(['train', 'logs', '--id', 'wine'])).toMatchObject({ code: 0, stdout: log });
    api.dropFollowAfterBytes = 10;
    api.stateScript.set('wine', ['running', 'running', 'running', 'succeeded']);
    try {
      expect(await cli(['train', 'logs', '--id', 'wine', '--follow'])).toMatchObject({
        code: 0,
        stdout: log,
      });
    } finally {
      api.dropFollowAfterBytes = undefined;
    }
  });
});
