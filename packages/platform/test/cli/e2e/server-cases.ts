/**
 * End-to-end cases of the commands that talk to the API: the built CLI against the real server (`createApp` on a
 * temp PGlite folder, bearer tokens on). Run in this order by `commands-server.test.ts`: later cases use what
 * earlier ones created.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expect, inject } from 'vitest';
import type { CommandName } from '../../../src/cli/commands.js';
import { GangplankClient } from '../../../src/index.js';
import { ADMIN, ALL_KINDS, VIEWER, createHarness, type Case } from '../support/e2e-harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';

const h = createHarness('gangplank-cli-e2e-api-');
const { cli, dir, configPath, write } = h;
let server: RealServer;
let client: GangplankClient;

export const SERVER_CASES = {
  login: async () => {
    const refused = await cli(['login', '--url', server.url, '--token', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: .+ \(status: 401\)\nHint: log in with gangplank login/);
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
      (await cli(['config', 'path'], { env: { GANGPLANK_CLI_CONFIG: '', XDG_CONFIG_HOME: '/xdg' } })).stdout,
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
    // kubectl's --output works as well as odahuflowctl's -o/--output-format.
    expect(JSON.parse((await cli(['ti', 'get', '--output', 'json'])).stdout)).toMatchObject([
      { id: 'mlflow' },
    ]);
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
    // A YAML number that reads as a whole one is sent as written, the string the API expects: 3.0, not 3.
    const three = ALL_KINDS.split('---')[0]!.replace('version: 1.10', 'version: 3.0');
    const v3 = await cli(['train', 'create', '-f', '-', '--id', 'wine-3'], { input: three });
    expect(v3, v3.stderr).toMatchObject({ code: 0, stdout: 'ModelTraining wine-3 created\n' });
    expect((await client.trainings.get('wine-3')).spec?.model?.version).toBe('3.0');
    await client.trainings.delete('wine-3');
    // A quantity no executor can honour is refused at the door, naming the field, the value and the unit to use.
    const tiny = three.replace('entrypoint: main', 'entrypoint: main\n  resources: {limits: {memory: 1Ki}}');
    expect(await cli(['train', 'create', '-f', '-', '--id', 'wine-tiny'], { input: tiny })).toMatchObject({
      code: 1,
      stderr:
        'Error: Validation of model training is failed: resources.limits.memory: "1Ki" is below 64Mi, too little ' +
        'for a process to start (units: 512Mi, 1Gi; a bare number is bytes) (status: 400)\n',
    });
    expect((await cli(['train', 'get', '--id', 'wine-tiny'])).code).toBe(1);
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
    // Something answers, but not the API: the Pushgateway's port, the usual mix-up, is named as such.
    const gateway = inject('pushgatewayUrl');
    expect(await cli(['train', 'get', '--url', gateway])).toMatchObject({
      code: 1,
      stderr:
        `Error: ${gateway} does not look like a Gangplank/Odahu API server (got 404 text/plain from GET ` +
        '/api/v1/model/training); is it the Pushgateway? The API listens on :5000 by default (status: 404)\n',
    });
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
  'train history': async () => {
    const table = await cli(['train', 'history', 'wine']);
    expect(table).toMatchObject({ code: 0, stdout: 'no history recorded yet\n' });
    const csv = await cli(['train', 'history', '--id', 'wine', '-o', 'csv']);
    expect(csv).toMatchObject({ code: 0, stdout: 'phase,name,step,time,value\n' });
    expect(JSON.parse((await cli(['train', 'history', 'wine', '-o', 'json'])).stdout)).toEqual({
      series: [],
    });
    expect((await cli(['train', 'history'])).code).toBe(2);
    expect((await cli(['train', 'history', 'wine', '-o', 'yaml'])).code).toBe(2);
    expect((await cli(['train', 'history', 'ghost'])).code).toBe(1);
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
} satisfies Partial<Record<CommandName, Case | 'todo'>>;

export async function setUp(): Promise<void> {
  server = await startRealServer({
    auth: {
      tokens: [
        { token: ADMIN, role: 'admin' },
        { token: VIEWER, role: 'viewer' },
      ],
    },
  });
  h.baseEnv = { GANGPLANK_URL: server.url, GANGPLANK_TOKEN: ADMIN };
  client = new GangplankClient({ url: server.url, token: ADMIN });
}

export async function tearDown(): Promise<void> {
  await server?.stop();
  h.cleanup();
}
