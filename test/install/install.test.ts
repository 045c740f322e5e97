/**
 * The packages as a user gets them: each workspace packed with `npm pack`, then used outside this repository (in
 * the OS temp folder). The metrics tarball is installed into a fresh project and loaded both as an ES module and
 * with `require()` (engines: ^20.19.0 || >=22.12.0, where require(esm) needs no flag). The platform tarball is
 * installed globally into a temporary prefix with only its two sibling tarballs, and its `gangplank` command
 * shows its help, starts and stops the monitoring stack from the configs packed into @gangplank/stack, and serves
 * the API that runs one training to success on the local executor.
 *
 * npm resolves the third-party dependencies from its cache where it can (`--prefer-offline`; CI's `npm ci` fills
 * it). The platform and metrics are packed with `--ignore-scripts`: their dist/ (web app bundle included) is
 * what `npm test` built, and the platform's prepack would rebuild dist/webapp under the feet of the web page
 * tests running beside this one. The stack is packed with its prepack, which copies the deploy/ configs in.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, npm, run, type Result } from './npm.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'gangplank-install-'));
const packDir = join(root, 'pack');
const appDir = join(root, 'app');
const prefix = join(root, 'prefix');
const home = join(root, 'home');
const gangplank = join(prefix, 'bin', 'gangplank');
/** Where the installed CLI runs: outside any checkout, with its own HOME (no user config is read). */
const userEnv = cleanEnv({ HOME: home, GANGPLANK_CLI_CONFIG: join(home, 'cli.yaml') });
const cli = (args: readonly string[]): Promise<Result> =>
  run(gangplank, args, { cwd: home, env: userEnv, timeoutMs: 180_000 });

const tarballs: Record<'metrics' | 'stack' | 'platform', string> = { metrics: '', stack: '', platform: '' };
const listings: Record<string, string[]> = {};
let appInstall: Result;
let globalInstall: Result;

beforeAll(async () => {
  mkdirSync(packDir);
  mkdirSync(appDir);
  mkdirSync(home);
  const pack = async (workspace: string, extra: readonly string[]): Promise<void> => {
    const r = await npm(['pack', '--pack-destination', packDir, '-w', workspace, ...extra], repo);
    if (r.code !== 0) throw new Error(`npm pack -w ${workspace} failed: ${r.stderr}`);
  };
  await pack('@gangplank/metrics', ['--ignore-scripts']);
  await pack('@gangplank/platform', ['--ignore-scripts']);
  await pack('@gangplank/stack', []);
  for (const file of readdirSync(packDir)) {
    const name = /^gangplank-(metrics|stack|platform)-.*\.tgz$/.exec(file)?.[1] as keyof typeof tarballs;
    tarballs[name] = join(packDir, file);
    const tar = await run('tar', ['-tzf', join(packDir, file)], { cwd: packDir });
    listings[name] = tar.stdout.split('\n').filter(Boolean);
  }

  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true }));
  // The two installs share npm's cache (safe for concurrent use) and are independent: run them side by side.
  [appInstall, globalInstall] = await Promise.all([
    npm(['install', tarballs.metrics], appDir),
    npm(['install', '-g', '--prefix', prefix, tarballs.metrics, tarballs.stack, tarballs.platform], root),
  ]);
}, 400_000);

afterAll(async () => {
  // Idempotent: a stack the test already stopped reports "was not running".
  await cli(['stack', 'down', '--state-dir', join(root, 'stack')]);
  rmSync(root, { recursive: true, force: true });
});

describe('packed packages', () => {
  it.each(['metrics', 'stack', 'platform'])(
    '%s: LICENSE, no build info, every source map with its source',
    (name) => {
      const files = listings[name]!.map((f) => f.replace(/^package\//, ''));
      expect(files).toContain('LICENSE');
      expect(files).toContain('package.json');
      expect(files.filter((f) => f.includes('tsbuildinfo'))).toEqual([]);
      // tsc writes dist/<path>.js.map (and .d.ts.map) with `sources: ["../src/<path>.ts"]`.
      const missing = files
        .filter((f) => /^dist\/.*\.(js|d\.ts)\.map$/.test(f))
        .map((f) => f.replace(/^dist\//, 'src/').replace(/\.(js|d\.ts)\.map$/, '.ts'))
        .filter((source) => !files.includes(source));
      expect(missing).toEqual([]);
    },
  );

  it('@gangplank/stack carries the configs `stack up` renders', () => {
    expect(listings['stack']).toEqual(
      expect.arrayContaining([
        'package/deploy/prometheus/prometheus.yml',
        'package/deploy/alertmanager/alertmanager.yml',
        expect.stringMatching(/^package\/deploy\/prometheus\/rules\/.+\.yml$/),
      ]),
    );
  });
});

describe('@gangplank/metrics in a fresh project', () => {
  it('installs from its tarball alone', () => {
    expect(appInstall.code, appInstall.stderr).toBe(0);
  });

  it('loads as an ES module and with require()', async () => {
    const names = ['TrainTestExporter', 'PrometheusModel', 'PushgatewayClient', 'metricsHandler'];
    writeFileSync(
      join(appDir, 'esm.mjs'),
      `import * as m from '@gangplank/metrics';\nconsole.log(${JSON.stringify(names)}.map((n) => typeof m[n]).join(' '));\n`,
    );
    writeFileSync(
      join(appDir, 'cjs.cjs'),
      `const m = require('@gangplank/metrics');\nconsole.log(${JSON.stringify(names)}.map((n) => typeof m[n]).join(' '));\n`,
    );
    const expected = names.map(() => 'function').join(' ');
    const esm = await run(process.execPath, ['esm.mjs'], { cwd: appDir });
    expect(esm, esm.stderr).toMatchObject({ code: 0, stdout: `${expected}\n` });
    const cjs = await run(process.execPath, ['cjs.cjs'], { cwd: appDir });
    expect(cjs, cjs.stderr).toMatchObject({ code: 0, stdout: `${expected}\n` });
  });
});

describe('gangplank installed globally', () => {
  it('installs with only its two sibling tarballs', () => {
    expect(globalInstall.code, globalInstall.stderr).toBe(0);
  });

  it('shows its help', async () => {
    const help = await cli(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^ {2}serve /m);
    expect(help.stdout).toMatch(/^ {2}stack /m);
  });

  let pushgatewayUrl = '';

  it('starts the stack on free ports, with the packed rules loaded', async () => {
    const up = await cli([
      'stack',
      'up',
      '--state-dir',
      join(root, 'stack'),
      '--prometheus-port',
      '0',
      '--pushgateway-port',
      '0',
      '--alertmanager-port',
      '0',
      '--no-install',
      '--json',
    ]);
    expect(up.code, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout) as { services: Record<string, { url: string }> };
    pushgatewayUrl = info.services['pushgateway']!.url;
    expect((await fetch(`${pushgatewayUrl}/-/ready`)).status).toBe(200);
    expect((await fetch(`${info.services['alertmanager']!.url}/-/ready`)).status).toBe(200);
    const rules = (await (await fetch(`${info.services['prometheus']!.url}/api/v1/rules`)).json()) as {
      data: { groups: unknown[] };
    };
    expect(rules.data.groups.length).toBeGreaterThan(0);
  });

  it('serves the API, which runs a training to success', async () => {
    const { setup, training } = writeTraining(join(root, 'training'));
    const serve = spawn(
      gangplank,
      ['serve', '--port', '0', '--data-dir', join(root, 'data'), '--log-level', 'silent'].concat(
        pushgatewayUrl ? ['--pushgateway', pushgatewayUrl] : [],
      ),
      { cwd: home, env: userEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => serve.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const read = (d: Buffer): void => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+) /.exec(out);
          if (m) resolve(m[1]!);
        };
        serve.stdout.on('data', read);
        serve.stderr.on('data', read);
        void exited.then((code) => reject(new Error(`gangplank serve exited with ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/ui/`)).status).toBe(200);
      const env = { ...userEnv, GANGPLANK_URL: url };
      const applied = await run(gangplank, ['bulk', 'apply', setup], { cwd: home, env });
      expect(applied.code, applied.stderr).toBe(0);
      const created = await run(
        gangplank,
        ['train', 'create', '-f', training, '--wait', '--timeout', '120'],
        {
          cwd: home,
          env,
          timeoutMs: 180_000,
        },
      );
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/training installed-check succeeded; exit code 0/);
      if (pushgatewayUrl) {
        const pushed = await (await fetch(`${pushgatewayUrl}/metrics`)).text();
        expect(pushed).toMatch(/^gangplank_train_epochs_count\{.*\} 2$/m);
      }
    } finally {
      serve.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('stops the stack', async () => {
    const down = await cli(['stack', 'down', '--state-dir', join(root, 'stack')]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/prometheus +stopped/);
  });
});

/**
 * A training the local executor can run: a `command` toolchain (this Node), code from a `local` connection, a
 * script that pushes its epoch count to the gateway the server hands it and writes a model file.
 */
function writeTraining(dir: string): { setup: string; training: string } {
  mkdirSync(join(dir, 'code'), { recursive: true });
  writeFileSync(
    join(dir, 'code', 'train.mjs'),
    `import { mkdirSync, writeFileSync } from 'node:fs';
const addr = process.env.GANGPLANK_PUSHGATEWAY_ADDR;
for (let epoch = 1; epoch <= 2; epoch++) {
  if (addr) {
    const base = addr.startsWith('http') ? addr : 'http://' + addr;
    const body = '# TYPE gangplank_train_epochs_count gauge\\ngangplank_train_epochs_count ' + epoch + '\\n';
    await fetch(base + '/metrics/job/' + process.env.GANGPLANK_JOB + '/run_id/' + process.env.GANGPLANK_RUN_ID,
      { method: 'PUT', body });
  }
  console.log('epoch ' + epoch);
}
const out = process.env.GANGPLANK_OUTPUT_DIR ?? 'output';
mkdirSync(out, { recursive: true });
writeFileSync(out + '/model.txt', 'trained');
`,
  );
  const setup = join(dir, 'setup.yaml');
  writeFileSync(
    setup,
    `kind: ToolchainIntegration
id: node
spec: {entrypoint: node, defaultImage: none, kind: command, command: [${JSON.stringify(process.execPath)}]}
---
kind: Connection
id: code
spec: {type: local, uri: ${JSON.stringify(join(dir, 'code'))}}
`,
  );
  const training = join(dir, 'training.yaml');
  writeFileSync(
    training,
    `kind: ModelTraining
id: installed-check
spec:
  model: {name: installed, version: 1.0}
  toolchain: node
  entrypoint: train.mjs
  algorithmSource: {objectStorage: {connection: code}}
`,
  );
  return { setup, training };
}
