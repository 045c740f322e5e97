/**
 * End-to-end: the built CLI as a child process against a server started here. The table is keyed by the command
 * map, so adding a command without a case fails `tsc` (style anchor 24).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, type CommandName } from '../../src/cli/commands.js';
import { FakeApi } from './support/fake-api.js';
import { runCli, type CliResult } from './support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gangplank-cli-e2e-'));
const configPath = join(dir, 'config.yaml');
const api = new FakeApi();

function cli(
  args: readonly string[],
  extra: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  return runCli(args, {
    cwd: dir,
    input: extra.input,
    env: { GANGPLANK_CONFIG: configPath, GANGPLANK_URL: api.url, ...extra.env },
  });
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const ALL_KINDS = `kind: ModelTraining
id: wine
spec:
  model: {name: wine, version: 1.10}
  toolchain: mlflow
  entrypoint: main
  algorithmSource: {vcs: {connection: repo}}
  data: [{connection: wine-data, localPath: data/}]
---
kind: ToolchainIntegration
id: mlflow
spec: {entrypoint: main, defaultImage: none}
---
kind: Connection
id: repo
spec: {type: git, uri: 'https://example.com/r.git'}
---
kind: Connection
id: wine-data
spec: {type: local, uri: /tmp/wine}
`;

type Case = () => Promise<void>;

const CASES: Record<CommandName, Case | 'todo'> = {
  login: async () => {
    api.token = 'secret';
    try {
      const refused = await cli(['login', '--url', api.url, '--token', 'wrong']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe('Error: a valid bearer token is required (status: 401)\n');
      const ok = await cli(['login', '--url', api.url, '--token', 'secret']);
      expect(ok.code).toBe(0);
      expect(parse(readFileSync(configPath, 'utf8'))).toEqual({ url: api.url, token: 'secret' });
      // The saved token is sent by later commands.
      expect((await cli(['train', 'get'])).code).toBe(0);
    } finally {
      api.token = undefined;
    }
  },
  logout: async () => {
    writeFileSync(configPath, `url: ${api.url}\ntoken: abc\n`);
    const r = await cli(['logout']);
    expect(r.code).toBe(0);
    expect(parse(readFileSync(configPath, 'utf8'))).toEqual({ url: api.url });
    expect((await cli(['logout'])).stdout).toBe('No saved token\n');
  },
  'config view': async () => {
    writeFileSync(configPath, 'token: t0\npushgatewayUrl: http://127.0.0.1:9091\n');
    const r = await cli(['config', 'view', '-o', 'table']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/url\s+http:\/\/127\.0\.0\.1:\d+\s+env:GANGPLANK_URL/);
    expect(r.stdout).toMatch(/token\s+\*\*\*\*\*\s+file/);
    const flag = await cli(['--url', 'http://flag:1', 'config', 'view', '-o', 'json']);
    expect(JSON.parse(flag.stdout)).toMatchObject({
      url: 'http://flag:1',
      token: '*****',
      configFile: configPath,
    });
  },
  'config get': async () => {
    expect((await cli(['config', 'get', 'url'])).stdout).toBe(`${api.url}\n`);
    expect(
      (await cli(['config', 'get', 'url'], { env: { GANGPLANK_URL: '', API_URL: 'http://odahu:5000' } }))
        .stdout,
    ).toBe('http://odahu:5000\n');
    expect((await cli(['config', 'get', 'colour'])).code).toBe(2);
  },
  'config set': async () => {
    writeFileSync(configPath, '');
    expect((await cli(['config', 'set', 'pushgatewayUrl', '127.0.0.1:9091'])).code).toBe(0);
    expect(parse(readFileSync(configPath, 'utf8'))).toEqual({ pushgatewayUrl: 'http://127.0.0.1:9091' });
    expect((await cli(['config', 'set', 'nope', 'x'])).code).toBe(2);
    expect((await cli(['config', 'set', 'url'])).code).toBe(2);
  },
  'config unset': async () => {
    writeFileSync(configPath, 'url: http://a:1\ntoken: t\n');
    expect((await cli(['config', 'unset', 'url'])).code).toBe(0);
    expect(parse(readFileSync(configPath, 'utf8'))).toEqual({ token: 't' });
    writeFileSync(configPath, '');
  },
  'config path': async () => {
    expect((await cli(['config', 'path'])).stdout).toBe(`${configPath}\n`);
    expect(
      (await cli(['config', 'path'], { env: { GANGPLANK_CONFIG: '', XDG_CONFIG_HOME: '/xdg' } })).stdout,
    ).toBe('/xdg/gangplank/config.yaml\n');
  },
  'train create': async () => {
    const file = write('all.yaml', ALL_KINDS);
    const r = await cli(['train', 'create', '-f', file]);
    expect(r).toMatchObject({ code: 0, stdout: 'ModelTraining wine created\n' });
    // Only the training was sent; kind stripped, numbers kept as written.
    expect(api.requests.filter((q) => q.startsWith('POST'))).toEqual(['POST /api/v1/model/training']);
    expect(api.training('wine')!.spec).toMatchObject({ model: { version: '1.10' } });
    expect(await cli(['train', 'create', '-f', file])).toMatchObject({
      code: 1,
      stderr: 'Error: entity "wine" already exists (status: 409)\n',
    });
    expect((await cli(['train', 'create', '-f', file, '--ignore-if-exists'])).code).toBe(0);
    expect((await cli(['train', 'create'])).code).toBe(2);
    expect((await cli(['train', 'create', '-f', join(dir, 'none.yaml')])).code).toBe(2);

    api.stateScript.set('ok', ['running', 'succeeded']);
    const waited = await cli(['train', 'create', '-f', file, '--id', 'ok', '--wait']);
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain('training ok succeeded');
    expect(waited.stderr).toContain('ok: running');

    api.stateScript.set('bad', ['running', 'failed']);
    const failed = await cli(['train', 'create', '-f', file, '--id', 'bad', '--wait']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Error: training bad failed; reason: Error; exit code 3; loss was NaN');

    const timeout = await cli(['train', 'create', '-f', file, '--id', 'slow', '--wait', '--timeout', '0.5']);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toContain('did not finish within');
  },
  'train get': async () => {
    const ids = await cli(['train', 'get', '-o', 'jsonpath=[*].id']);
    expect(ids).toMatchObject({ code: 0, stdout: 'bad\nok\nslow\nwine\n' });
    const names = await cli(['train', 'get', '--id', 'wine', '-o', 'jsonpath=[*].spec.model.name']);
    expect(names).toMatchObject({ code: 0, stdout: 'wine\n' });
    expect((await cli(['train', 'get', '--state', 'failed', '-o', 'jsonpath=[*].id'])).stdout).toBe('bad\n');
    const one = await cli(['train', 'get', '--id', 'wine', '-o', 'json']);
    expect(JSON.parse(one.stdout)).toMatchObject([{ id: 'wine', spec: { model: { version: '1.10' } } }]);
    expect((await cli(['training', 'get', '-o', 'table'])).stdout).toMatch(/^ID\s+STATE\s+TOOLCHAIN/);
    expect(await cli(['train', 'get', '--id', 'missing'])).toMatchObject({
      code: 1,
      stderr: 'Error: entity "missing" is not found (status: 404)\n',
    });
    expect((await cli(['train', 'get', '-o', 'xml'])).code).toBe(2);
    expect((await cli(['train', 'get', '--url', 'http://127.0.0.1:9'])).stderr).toMatch(
      /^Error: cannot reach the Gangplank API/,
    );
  },
  'train edit': async () => {
    const r = await cli(['train', 'edit', '-f', join(dir, 'all.yaml')]);
    expect(r).toMatchObject({ code: 0, stdout: 'ModelTraining wine updated (new run started)\n' });
    expect(api.runs.get('wine')).toHaveLength(2);
    expect((await cli(['train', 'edit', '-f', join(dir, 'all.yaml'), '--id', 'ghost'])).code).toBe(1);
  },
  'train runs': async () => {
    const r = await cli(['train', 'runs', '--id', 'wine', '-o', 'jsonpath=$[*].id']);
    expect(r).toMatchObject({ code: 0, stdout: 'wine-run-1\nwine-run-2\n' });
    expect((await cli(['train', 'runs', '--id', 'wine', '-o', 'table'])).stdout).toMatch(/^RUN\s+STATE/);
    expect((await cli(['train', 'runs'])).code).toBe(2);
  },
  'train logs': async () => {
    const log = Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join('');
    api.logs.set('wine', log);
    expect(await cli(['train', 'logs', '--id', 'wine'])).toMatchObject({ code: 0, stdout: log });
    // The follow stream drops every few bytes; the CLI reconnects and prints every line exactly once.
    api.dropFollowAfterBytes = 10;
    api.stateScript.set('wine', ['running', 'running', 'running', 'succeeded']);
    try {
      const followed = await cli(['train', 'logs', '--id', 'wine', '--follow']);
      expect(followed).toMatchObject({ code: 0, stdout: log });
    } finally {
      api.dropFollowAfterBytes = undefined;
    }
    expect((await cli(['train', 'logs'])).code).toBe(2);
  },
  'train cancel': async () => {
    const r = await cli(['train', 'cancel', '--id', 'wine', '--reason', 'wrong data']);
    expect(r).toMatchObject({ code: 0, stdout: 'ModelTraining wine cancel requested (state: failed)\n' });
    expect(api.runs.get('wine')!.at(-1)).toMatchObject({ state: 'failed', reason: 'wrong data' });
  },
  'train delete': async () => {
    expect(await cli(['train', 'delete', '--id', 'wine'])).toMatchObject({
      code: 0,
      stdout: 'Model training wine was deleted\n',
    });
    expect((await cli(['train', 'delete', '--id', 'wine'])).code).toBe(1);
    expect((await cli(['train', 'delete', '--id', 'wine', '--ignore-not-found'])).code).toBe(0);
    expect((await cli(['train', 'delete', '-f', join(dir, 'all.yaml'), '--id', 'ok'])).code).toBe(2);
    expect((await cli(['train', 'delete'])).code).toBe(2);
  },
  'toolchain-integration create': async () => {
    const r = await cli(['toolchain-integration', 'create', '-f', '-'], { input: ALL_KINDS });
    expect(r).toMatchObject({ code: 0, stdout: 'ToolchainIntegration mlflow created\n' });
  },
  'toolchain-integration get': async () => {
    const r = await cli(['ti', 'get', '-o', 'jsonpath=$[*].id']);
    expect(r).toMatchObject({ code: 0, stdout: 'mlflow\n' });
  },
  'toolchain-integration edit': async () => {
    const r = await cli(['ti', 'edit', '-f', join(dir, 'all.yaml')]);
    expect(r).toMatchObject({ code: 0, stdout: 'ToolchainIntegration mlflow updated\n' });
  },
  'toolchain-integration delete': async () => {
    expect(await cli(['ti', 'delete', '-f', join(dir, 'all.yaml')])).toMatchObject({
      code: 0,
      stdout: 'ToolchainIntegration mlflow was deleted\n',
    });
  },
  'connection create': async () => {
    const r = await cli(['connection', 'create', '-f', join(dir, 'all.yaml')]);
    expect(r).toMatchObject({ code: 0, stdout: 'Connection repo created\nConnection wine-data created\n' });
  },
  'connection get': async () => {
    const masked = await cli(['conn', 'get', '--id', 'repo', '-o', 'json']);
    expect(JSON.parse(masked.stdout)[0].spec.keySecret).toBeUndefined();
    const clear = await cli([
      'connection',
      'get',
      '--id',
      'repo',
      '--decrypted',
      '-o',
      'jsonpath=$[0].spec.keySecret',
    ]);
    expect(clear).toMatchObject({ code: 0, stdout: 'c2VjcmV0\n' });
  },
  'connection edit': async () => {
    const r = await cli(['conn', 'edit', '-f', join(dir, 'all.yaml'), '--id', 'repo']);
    expect(r).toMatchObject({ code: 0, stdout: 'Connection repo updated\n' });
  },
  'connection delete': async () => {
    expect((await cli(['conn', 'delete', '--id', 'wine-data'])).stdout).toBe(
      'Connection wine-data was deleted\n',
    );
  },
  'bulk apply': async () => {
    const json = write(
      'bulk.json',
      JSON.stringify([
        { kind: 'ModelTraining', id: 'b1', spec: { toolchain: 'tc' } },
        { kind: 'ToolchainIntegration', id: 'tc', spec: { defaultImage: 'x' } },
        { kind: 'Connection', id: 'repo', spec: { type: 'git', uri: 'u' } },
      ]),
    );
    api.requests.length = 0;
    const r = await cli(['bulk', 'apply', json]);
    expect(r).toMatchObject({
      code: 0,
      stdout: 'Connection repo updated\nToolchainIntegration tc created\nModelTraining b1 created\n',
    });
    expect(api.requests.filter((q) => !q.startsWith('GET'))).toEqual([
      'PUT /api/v1/connection',
      'POST /api/v1/toolchain/integration',
      'POST /api/v1/model/training',
    ]);
    expect((await cli(['bulk', 'apply', write('odahu.yaml', 'kind: ModelRoute\nid: r\n')])).code).toBe(2);
  },
  'bulk delete': async () => {
    const r = await cli(['bulk', 'delete', join(dir, 'bulk.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'ModelTraining b1 deleted\nToolchainIntegration tc deleted\nConnection repo deleted\n',
    );
    expect((await cli(['bulk', 'delete', join(dir, 'bulk.json')])).stdout).toContain(
      'ModelTraining b1 not found, skipped',
    );
  },
  'local train run': async () => {
    write('local/training.yaml', ALL_KINDS.split('---')[0]!);
    write('local/more.yaml', `---${ALL_KINDS.split('---').slice(1).join('---')}`);
    const r = await cli(['local', 'train', 'run', '-d', 'local', '--id', 'wine', '--dry-run'], {
      env: { GANGPLANK_URL: '' },
    });
    expect(r.code).toBe(0);
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
  },
  serve: 'todo',
  'stack up': async () => {
    const stateDir = join(dir, 'stack');
    const ports = ['--prometheus-port', '0', '--pushgateway-port', '0', '--alertmanager-port', '0'];
    const up = await cli(['stack', 'up', '--state-dir', stateDir, ...ports, '--json']);
    expect(up.code).toBe(0);
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
    // Completing `gangplank train cr` offers `create`.
    const script = `${bash.stdout}\nCOMP_WORDS=(gangplank train cr); COMP_CWORD=2; _gangplank; echo "\${COMPREPLY[@]}"`;
    expect(spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout.trim()).toBe('create');
    expect((await cli(['completion', 'zsh'])).stdout).toContain('bashcompinit');
    expect((await cli(['completion', 'fish'])).code).toBe(2);
  },
};

beforeAll(async () => {
  await api.start();
});

afterAll(async () => {
  await api.stop();
  await runCli(['stack', 'down', '--state-dir', join(dir, 'stack')]);
  rmSync(dir, { recursive: true, force: true });
});

describe('gangplank commands (built CLI, child process)', () => {
  // Cases run in the table's order: later ones use what earlier ones created.
  for (const name of Object.keys(CASES) as CommandName[]) {
    const test = CASES[name];
    if (test === 'todo') it.todo(name);
    else it(name, test);
  }

  it('every command has --help with examples', async () => {
    for (const name of COMMAND_NAMES) {
      const r = await cli([...name.split(' '), '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toContain('Examples:\n  $ gangplank');
    }
  });
});
