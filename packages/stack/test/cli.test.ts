import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stopStack } from '@gangplank/stack';
import { processesMentioning } from './support.js';

// The built CLI, as the quickstart and `gangplank stack` run it.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'gangplank-cli-test-'));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(async () => {
  await stopStack(stateDir);
  expect(processesMentioning(stateDir)).toEqual([]);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('node packages/stack/dist/cli.js', () => {
  it('up prints the three URLs and how to stop; status exits 0; down stops; status then exits 3', () => {
    const free = ['--prometheus-port', '0', '--pushgateway-port', '0', '--alertmanager-port', '0'];
    const up = run('up', '--state-dir', stateDir, ...free);
    expect(up.status, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/Prometheus +http:\/\/127\.0\.0\.1:\d+ +pid \d+ +started/);
    expect(up.stdout).toMatch(/Pushgateway +http:\/\/127\.0\.0\.1:\d+/);
    expect(up.stdout).toMatch(/Alertmanager +http:\/\/127\.0\.0\.1:\d+/);
    expect(up.stdout).toContain(`node packages/stack/dist/cli.js down --state-dir ${stateDir}`);

    const status = run('status', '--state-dir', stateDir, '--json');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true });

    const down = run('down', '--state-dir', stateDir);
    expect(down.status).toBe(0);
    expect(down.stdout.match(/stopped \(pid \d+\)/g)).toHaveLength(3);
    expect(processesMentioning(stateDir)).toEqual([]);

    const after = run('status', '--state-dir', stateDir);
    expect(after.status).toBe(3);
    expect(after.stdout).toMatch(/Prometheus +stopped/);
    expect(run('down', '--state-dir', stateDir).stdout).toMatch(/Prometheus +was not running/);
  });

  it('bad usage exits 2 with the reason and the usage', () => {
    const bad = run('up', '--prometheus-port', 'ninety');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--prometheus-port must be a port number');
    expect(bad.stderr).toContain('Usage: node packages/stack/dist/cli.js <up|down|status>');
  });

  it('--help prints the usage', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--rule-time-scale');
  });
});
