import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PortInUseError,
  StackStartError,
  isRunning,
  isPortInUse,
  stackStatus,
  startStack,
  stopStack,
  type StackInfo,
} from '@gangplank/stack';
import { processesMentioning } from './support.js';

const FREE = { prometheus: 0, pushgateway: 0, alertmanager: 0 };
const stateDirs: string[] = [];
function newStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gangplank-stack-test-'));
  stateDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of stateDirs) await stopStack(dir);
  // Nothing a test started may outlive the file.
  for (const dir of stateDirs) expect(processesMentioning(dir)).toEqual([]);
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

describe('startStack, stackStatus, stopStack', () => {
  const stateDir = newStateDir();
  let info: StackInfo;
  const job = `stack-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    info = await startStack({ stateDir, ports: FREE, scrapeInterval: '1s', evaluationInterval: '1s' });
  });

  it('brings up all three services on free ports, each ready, with pid files', async () => {
    for (const name of ['prometheus', 'pushgateway', 'alertmanager'] as const) {
      const service = info.services[name];
      expect(service.origin).toBe('started');
      expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
      expect((await fetch(`${service.url}/-/ready`)).status).toBe(200);
      expect(readFileSync(join(stateDir, `${name}.pid`), 'utf8').trim()).toBe(String(service.pid));
    }
  });

  it('gives Prometheus the rendered config: its ports, honor_labels, the rules and the Alertmanager', async () => {
    const prom = info.services.prometheus.url;
    const body = (await (await fetch(`${prom}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    const config = parse(body.data.yaml);
    const pgw = config.scrape_configs.find((j: { job_name: string }) => j.job_name === 'pushgateway');
    expect(pgw.honor_labels).toBe(true);
    expect(pgw.static_configs[0].targets).toEqual([`127.0.0.1:${info.services.pushgateway.port}`]);
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual([
      `127.0.0.1:${info.services.alertmanager.port}`,
    ]);
    const rules = (await (await fetch(`${prom}/api/v1/rules`)).json()) as {
      data: { groups: { name: string }[] };
    };
    expect(rules.data.groups.map((g) => g.name).sort()).toEqual([
      'gangplank-drift',
      'gangplank-prediction',
      'gangplank-training',
    ]);
    const am = (await (await fetch(`${info.services.alertmanager.url}/api/v2/status`)).json()) as {
      config: { original: string };
    };
    expect(am.config.original).toContain('receiver: gangplank');
  });

  it('status reports the three running', async () => {
    const status = await stackStatus(stateDir);
    expect(status.running).toBe(true);
    expect(status.services.map((s) => [s.name, s.state, s.pid])).toEqual([
      ['pushgateway', 'running', info.services.pushgateway.pid],
      ['alertmanager', 'running', info.services.alertmanager.pid],
      ['prometheus', 'running', info.services.prometheus.pid],
    ]);
  });

  it('a second up reuses the running services', async () => {
    const again = await startStack({ stateDir, scrapeInterval: '1s', evaluationInterval: '1s' });
    for (const name of ['prometheus', 'pushgateway', 'alertmanager'] as const) {
      expect(again.services[name].origin).toBe('reused');
      expect(again.services[name].pid).toBe(info.services[name].pid);
    }
  });

  it('refuses to move a running service to another explicit port', async () => {
    await expect(startStack({ stateDir, ports: { prometheus: 1 } })).rejects.toThrow(/run `down` first/);
  });

  it('keeps pushed groups across down and up (Pushgateway persistence)', async () => {
    const put = await fetch(`${info.services.pushgateway.url}/metrics/job/${job}`, {
      method: 'PUT',
      body: 'gangplank_train_loss 0.25\n',
    });
    expect(put.status).toBe(200);
    await stopStack(stateDir);
    expect(existsSync(join(stateDir, 'pushgateway.data'))).toBe(true);
    info = await startStack({ stateDir, ports: FREE, scrapeInterval: '1s', evaluationInterval: '1s' });
    const groups = (await (await fetch(`${info.services.pushgateway.url}/api/v1/metrics`)).json()) as {
      data: { labels: { job: string } }[];
    };
    expect(groups.data.map((g) => g.labels.job)).toContain(job);
  });

  it('down stops all three, and a second down is harmless', async () => {
    const pids = Object.values(info.services).map((s) => s.pid);
    const first = await stopStack(stateDir);
    expect(first.map((r) => [r.name, r.outcome])).toEqual([
      ['prometheus', 'stopped'],
      ['alertmanager', 'stopped'],
      ['pushgateway', 'stopped'],
    ]);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect(existsSync(join(stateDir, 'prometheus.pid'))).toBe(false);
    const second = await stopStack(stateDir);
    expect(second.map((r) => r.outcome)).toEqual(['not-running', 'not-running', 'not-running']);
    const status = await stackStatus(stateDir);
    expect(status.running).toBe(false);
    expect(status.services.map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('down and status on a folder that never held a stack are harmless', async () => {
    const never = join(tmpdir(), `gangplank-never-${process.pid}-${Date.now()}`);
    expect((await stopStack(never)).map((r) => r.outcome)).toEqual([
      'not-running',
      'not-running',
      'not-running',
    ]);
    expect((await stackStatus(never)).running).toBe(false);
    expect(existsSync(never)).toBe(false);
  });
});

describe('two up calls at once on one state folder', () => {
  it('take turns: one starts the services, the other reuses them', async () => {
    const stateDir = newStateDir();
    const [a, b] = await Promise.all([
      startStack({ stateDir, ports: FREE }),
      startStack({ stateDir, ports: FREE }),
    ]);
    for (const name of ['prometheus', 'pushgateway', 'alertmanager'] as const) {
      expect(b.services[name].pid).toBe(a.services[name].pid);
      expect([a.services[name].origin, b.services[name].origin].sort()).toEqual(['reused', 'started']);
    }
    await stopStack(stateDir);
    expect(processesMentioning(stateDir)).toEqual([]);
  });
});

describe('services the launcher did not start', () => {
  let server: Server;
  let heldPort: number;

  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    heldPort = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('a port held by a foreign process is reported with its pid; nothing starts and the holder lives on', async () => {
    const stateDir = newStateDir();
    const error = await startStack({ stateDir, ports: { ...FREE, prometheus: heldPort } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as Error).message).toContain(
      `port ${heldPort} (prometheus) on 127.0.0.1 is in use by pid ${process.pid}`,
    );
    expect((error as Error).message).toContain('--prometheus-port');
    expect(await isPortInUse(heldPort)).toBe(true);
    expect(processesMentioning(stateDir)).toEqual([]);
    expect((await stackStatus(stateDir)).services.map((s) => s.state)).toEqual([
      'stopped',
      'stopped',
      'stopped',
    ]);
  });

  it('down leaves alone a recorded pid that now belongs to another program', async () => {
    const stateDir = newStateDir();
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = other.pid!;
      writeFileSync(
        join(stateDir, 'stack.json'),
        JSON.stringify({
          version: 1,
          services: {
            prometheus: {
              pid,
              port: 9,
              url: 'http://127.0.0.1:9',
              commandLine: `/usr/bin/prometheus --config.file=${stateDir}/prometheus.yml`,
              logFile: join(stateDir, 'prometheus.log'),
              startedAt: new Date(0).toISOString(),
            },
          },
        }),
      );
      const status = await stackStatus(stateDir);
      expect(status.services.find((s) => s.name === 'prometheus')).toMatchObject({
        state: 'stopped',
        detail: `pid ${pid} now runs another program`,
      });
      const results = await stopStack(stateDir);
      expect(results.find((r) => r.name === 'prometheus')).toEqual({
        name: 'prometheus',
        pid,
        outcome: 'left-alone',
      });
      expect(isRunning(pid)).toBe(true);
      expect(other.exitCode).toBeNull();
    } finally {
      other.kill();
    }
  });

  it('a service that fails to start is reported with its log, and what started with it is stopped', async () => {
    const stateDir = newStateDir();
    const badConfig = join(stateDir, 'bad-alertmanager.yml');
    writeFileSync(badConfig, 'route:\n  receiver: nobody\nreceivers: []\n');
    const error = await startStack({ stateDir, ports: FREE, alertmanagerConfig: badConfig }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StackStartError);
    expect((error as Error).message).toMatch(/alertmanager did not start/);
    expect((error as Error).message).toContain('last lines of the log');
    expect((error as Error).message).toContain('nobody');
    expect(processesMentioning(stateDir)).toEqual([]);
    expect((await stackStatus(stateDir)).services.map((s) => s.state)).toEqual([
      'stopped',
      'stopped',
      'stopped',
    ]);
  });
});
