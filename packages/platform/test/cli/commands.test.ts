/**
 * End-to-end: the built CLI as a child process against the real API server (`createApp` on a temp PGlite folder,
 * bearer tokens on) started here. The table is keyed by the command map, so adding a command without a case fails
 * `tsc` (style anchor 24). What the real server cannot be made to do on demand (a training that fails, a log
 * stream that drops) is in `failures.test.ts`, against an in-test fake of the same API.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName } from '../../src/cli/commands.js';
import { GangplankClient } from '../../src/index.js';
import { startRealServer, type RealServer } from './support/real-server.js';
import { runCli, type CliResult } from './support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gangplank-cli-e2e-'));
const configPath = join(dir, 'config.yaml');
let server: RealServer;
let client: GangplankClient;
const ADMIN = 'admin-token';
const VIEWER = 'viewer-token';

/** The CLI against the real server, as an admin. */
function cli(
  args: readonly string[],
  extra: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  return runCli(args, {
    cwd: dir,
    input: extra.input,
    env: { GANGPLANK_CONFIG: configPath, GANGPLANK_URL: server.url, GANGPLANK_TOKEN: ADMIN, ...extra.env },
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
  algorithmSource: {vcs: {connection: repo, reference: main}}
  data: [{connection: wine-data, localPath: data/}]
---
kind: ToolchainIntegration
id: mlflow
spec: {entrypoint: main, defaultImage: none}
---
kind: Connection
id: repo
spec: {type: git, uri: 'https://example.com/r.git', password: c2VjcmV0}
---
kind: Connection
id: wine-data
spec: {type: local, uri: /tmp/wine}
`;

type Case = () => Promise<void>;

const CASES: Record<CommandName, Case | 'todo'> = {
  login: async () => {
    const refused = await cli(['login', '--url', server.url, '--token', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: .+ \(status: 401\)\n$/);
    const ok = await cli(['login', '--url', server.url, '--token', ADMIN], { env: { GANGPLANK_TOKEN: '' } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(parse(readFileSync(configPath, 'utf8'))).toEqual({ url: server.url, token: ADMIN });
    // The saved URL and token serve later commands without flags or environment.
    expect((await cli(['train', 'get'], { env: { GANGPLANK_TOKEN: '', GANGPLANK_URL: '' } })).code).toBe(0);
  },
  logout: async () => {
    writeFileSync(configPath, `url: ${server.url}\ntoken: ${ADMIN}\n`);
    const r = await cli(['logout'], { env: { GANGPLANK_TOKEN: '' } });
    expect(r.code).toBe(0);
    expect(parse(readFileSync(configPath, 'utf8'))).toEqual({ url: server.url });
    expect((await cli(['logout'], { env: { GANGPLANK_TOKEN: '' } })).stdout).toBe('No saved token\n');
    expect((await cli(['train', 'get'], { env: { GANGPLANK_TOKEN: '' } })).code).toBe(1);
  },
  'config view': async () => {
    writeFileSync(configPath, 'token: t0\npushgatewayUrl: http://127.0.0.1:9091\n');
    const r = await cli(['config', 'view', '-o', 'table'], { env: { GANGPLANK_TOKEN: '' } });
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
    expect((await cli(['config', 'get', 'url'])).stdout).toBe(`${server.url}\n`);
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
  'toolchain-integration create': async () => {
    const r = await cli(['toolchain-integration', 'create', '-f', '-'], { input: ALL_KINDS });
    expect(r).toMatchObject({ code: 0, stdout: 'ToolchainIntegration mlflow created\n' });
    expect((await client.toolchains.get('mlflow')).spec).toMatchObject({
      entrypoint: 'main',
      defaultImage: 'none',
    });
  },
  'toolchain-integration get': async () => {
    expect(await cli(['ti', 'get', '-o', 'jsonpath=$[*].id'])).toMatchObject({ code: 0, stdout: 'mlflow\n' });
    expect((await cli(['ti', 'get', '-o', 'table'])).stdout).toMatch(
      /^ID\s+ENTRYPOINT\s+DEFAULT IMAGE\s+AGE\nmlflow\s+main\s+none/,
    );
  },
  'toolchain-integration edit': async () => {
    const file = write(
      'ti.json',
      JSON.stringify({
        kind: 'ToolchainIntegration',
        id: 'mlflow',
        spec: { entrypoint: 'run', defaultImage: 'none' },
      }),
    );
    expect(await cli(['ti', 'edit', '-f', file])).toMatchObject({
      code: 0,
      stdout: 'ToolchainIntegration mlflow updated\n',
    });
    expect((await client.toolchains.get('mlflow')).spec).toMatchObject({ entrypoint: 'run' });
  },
  'connection create': async () => {
    const r = await cli(['connection', 'create', '-f', write('all.yaml', ALL_KINDS)]);
    expect(r).toMatchObject({ code: 0, stdout: 'Connection repo created\nConnection wine-data created\n' });
    const bad = await cli([
      'conn',
      'create',
      '-f',
      write('bad-conn.yaml', 'kind: Connection\nid: Bad_Id\nspec: {type: zip, uri: x}\n'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^Error: Validation of connection is failed: .*unknown type: zip.* \(status: 400\)\n$/,
    );
  },
  'connection get': async () => {
    const masked = await cli(['conn', 'get', '--id', 'repo', '-o', 'jsonpath=$[0].spec.password']);
    expect(masked).toMatchObject({ code: 0, stdout: '*****\n' });
    const clear = await cli([
      'connection',
      'get',
      '--id',
      'repo',
      '--decrypted',
      '-o',
      'jsonpath=$[0].spec.password',
    ]);
    expect(clear).toMatchObject({ code: 0, stdout: 'c2VjcmV0\n' });
    const viewer = await cli(['conn', 'get', '--id', 'repo', '-d'], { env: { GANGPLANK_TOKEN: VIEWER } });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/\(status: 403\)\n$/);
    expect((await cli(['conn', 'get', '-o', 'table'])).stdout).toMatch(
      /repo\s+git\s+https:\/\/example.com\/r.git/,
    );
  },
  'connection edit': async () => {
    const r = await cli(['conn', 'edit', '-f', join(dir, 'all.yaml'), '--id', 'repo']);
    expect(r).toMatchObject({ code: 0, stdout: 'Connection repo updated\n' });
    const ghost = write('ghost.yaml', 'kind: Connection\nid: ghost\nspec: {type: local, uri: /tmp}\n');
    expect((await cli(['conn', 'edit', '-f', ghost])).stderr).toBe(
      'Error: entity "ghost" is not found (status: 404)\n',
    );
  },
  'train create': async () => {
    const file = join(dir, 'all.yaml');
    const r = await cli(['train', 'create', '-f', file]);
    expect(r).toMatchObject({ code: 0, stdout: 'ModelTraining wine created\n' });
    // Numbers keep their written form: odahuflowctl would have sent "1.1".
    expect((await client.trainings.get('wine')).spec?.model?.version).toBe('1.10');
    expect(await cli(['train', 'create', '-f', file])).toMatchObject({
      code: 1,
      stderr: 'Error: entity "wine" already exists (status: 409)\n',
    });
    expect((await cli(['train', 'create', '-f', file, '--ignore-if-exists'])).code).toBe(0);
    expect((await cli(['train', 'create', '-f', file, '--id', 'wine-2'])).stdout).toBe(
      'ModelTraining wine-2 created\n',
    );
    expect((await cli(['train', 'create'])).code).toBe(2);
    expect((await cli(['train', 'create', '-f', join(dir, 'none.yaml')])).code).toBe(2);
    expect((await cli(['train', 'create', '-f', file, '--wait', '--timeout', 'soon'])).code).toBe(2);
  },
  'train get': async () => {
    expect(await cli(['train', 'get', '-o', 'jsonpath=[*].id'])).toMatchObject({
      code: 0,
      stdout: 'wine\nwine-2\n',
    });
    const one = await cli(['train', 'get', '--id', 'wine', '-o', 'json']);
    expect(JSON.parse(one.stdout)).toMatchObject([
      { id: 'wine', spec: { model: { name: 'wine', version: '1.10' } } },
    ]);
    expect((await cli(['train', 'get', '--id', 'wine', '-o', 'jsonpath=$[0].status.state'])).stdout).toMatch(
      /^(scheduling|unknown)\n$/,
    );
    expect((await cli(['training', 'get', '-o', 'table'])).stdout).toMatch(
      /^ID\s+STATE\s+TOOLCHAIN\s+MODEL\s+VERSION/,
    );
    expect(parse((await cli(['train', 'get', '--model-name', 'nope'])).stdout)).toEqual([]);
    expect(await cli(['train', 'get', '--id', 'missing'])).toMatchObject({
      code: 1,
      stderr: 'Error: entity "missing" is not found (status: 404)\n',
    });
    expect((await cli(['train', 'get', '-o', 'xml'])).code).toBe(2);
    expect((await cli(['train', 'get', '-o', 'jsonpath=$[[['])).code).toBe(2);
    expect((await cli(['train', 'get', '--url', 'http://127.0.0.1:9'])).stderr).toMatch(
      /^Error: cannot reach the Gangplank API/,
    );
  },
  'train edit': async () => {
    const r = await cli(['train', 'edit', '-f', join(dir, 'all.yaml')]);
    expect(r).toMatchObject({ code: 0, stdout: 'ModelTraining wine updated (new run started)\n' });
    // An unchanged spec reruns too (Odahu #561).
    expect((await cli(['train', 'edit', '-f', join(dir, 'all.yaml')])).code).toBe(0);
    expect(await client.trainings.runs('wine')).toHaveLength(3);
    expect((await cli(['train', 'edit', '-f', join(dir, 'all.yaml'), '--id', 'ghost'])).code).toBe(1);
  },
  'train runs': async () => {
    const r = await cli(['train', 'runs', '--id', 'wine', '-o', 'jsonpath=$[*].seq']);
    expect(r).toMatchObject({ code: 0, stdout: '1\n2\n3\n' });
    expect((await cli(['train', 'runs', '--id', 'wine', '-o', 'table'])).stdout).toMatch(
      /^SEQ\s+RUN\s+STATE/,
    );
    expect((await cli(['train', 'runs'])).code).toBe(2);
    expect((await cli(['train', 'runs', '--id', 'ghost'])).code).toBe(1);
  },
  'train logs': async () => {
    const plain = await cli(['train', 'logs', '--id', 'wine']);
    expect(plain.code, plain.stderr).toBe(0);
    expect((await cli(['train', 'logs', '--id', 'ghost'])).stderr).toBe(
      'Error: entity "ghost" is not found (status: 404)\n',
    );
    expect((await cli(['train', 'logs'])).code).toBe(2);
  },
  'train cancel': async () => {
    const r = await cli(['train', 'cancel', '--id', 'wine', '--reason', 'wrong data']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ModelTraining wine cancel requested \(state: \w+\)\n$/);
    expect((await client.trainings.runs('wine')).at(-1)).toMatchObject({
      cancelRequested: true,
      cancelReason: 'wrong data',
    });
    expect((await cli(['train', 'cancel'])).code).toBe(2);
  },
  'train delete': async () => {
    expect(await cli(['train', 'delete', '--id', 'wine'])).toMatchObject({
      code: 0,
      stdout: 'Model training wine was deleted\n',
    });
    expect((await cli(['train', 'delete', '--id', 'wine'])).code).toBe(1);
    expect((await cli(['train', 'delete', '--id', 'wine', '--ignore-not-found'])).code).toBe(0);
    expect((await cli(['train', 'delete', '-f', join(dir, 'all.yaml'), '--id', 'x'])).code).toBe(2);
    expect((await cli(['train', 'delete'])).code).toBe(2);
    expect(
      await cli(['train', 'delete', '-f', write('w2.yaml', 'kind: ModelTraining\nid: wine-2\n')]),
    ).toMatchObject({
      code: 0,
      stdout: 'Model training wine-2 was deleted\n',
    });
  },
  'toolchain-integration delete': async () => {
    expect(await cli(['ti', 'delete', '-f', join(dir, 'all.yaml')])).toMatchObject({
      code: 0,
      stdout: 'ToolchainIntegration mlflow was deleted\n',
    });
  },
  'connection delete': async () => {
    expect((await cli(['conn', 'delete', '--id', 'wine-data'])).stdout).toBe(
      'Connection wine-data was deleted\n',
    );
    expect((await cli(['conn', 'delete', '--id', 'wine-data', '--ignore-not-found'])).stderr).toContain(
      'ignored',
    );
  },
  'bulk apply': async () => {
    // Trainings first in the file: bulk applies connections and toolchains before them anyway.
    const json = write(
      'bulk.json',
      JSON.stringify([
        {
          kind: 'ModelTraining',
          id: 'b1',
          spec: {
            model: { name: 'b', version: '1' },
            toolchain: 'tc',
            entrypoint: 'main',
            algorithmSource: { vcs: { connection: 'repo' } },
          },
        },
        { kind: 'ToolchainIntegration', id: 'tc', spec: { entrypoint: 'main', defaultImage: 'x' } },
        { kind: 'Connection', id: 'repo', spec: { type: 'git', uri: 'https://example.com/r.git' } },
      ]),
    );
    const r = await cli(['bulk', 'apply', json]);
    expect(r).toMatchObject({
      code: 0,
      stdout: 'Connection repo updated\nToolchainIntegration tc created\nModelTraining b1 created\n',
    });
    expect((await cli(['bulk', 'apply', json])).stdout).toBe(
      'Connection repo updated\nToolchainIntegration tc updated\nModelTraining b1 updated\n',
    );
    expect(await client.trainings.runs('b1')).toHaveLength(2);
    expect((await cli(['bulk', 'apply', write('odahu.yaml', 'kind: ModelRoute\nid: r\n')])).code).toBe(2);
  },
  'bulk delete': async () => {
    const r = await cli(['bulk', 'delete', join(dir, 'bulk.json')]);
    expect(r).toMatchObject({
      code: 0,
      stdout: 'ModelTraining b1 deleted\nToolchainIntegration tc deleted\nConnection repo deleted\n',
    });
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
  },
  serve: 'todo',
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
};

beforeAll(async () => {
  server = await startRealServer({
    auth: {
      tokens: [
        { token: ADMIN, role: 'admin' },
        { token: VIEWER, role: 'viewer' },
      ],
    },
  });
  client = new GangplankClient({ url: server.url, token: ADMIN });
});

afterAll(async () => {
  await server?.stop();
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
});
