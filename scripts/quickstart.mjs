#!/usr/bin/env node
// `npm run quickstart`: the README's main job, from a fresh clone. It installs what is missing (npm packages, a
// build, the Debian packages of Prometheus, the Pushgateway and Alertmanager), brings the monitoring stack up on
// 9090/9091/9093 (reusing the one an earlier quickstart left running), trains the MNIST convnet of
// examples/train for a few epochs while showing its progress, and ends with the Prometheus URL of a graph of
// gangplank_train_val_loss and how to stop everything.
//
//   npm run quickstart -- [--epochs 3] [--train-images N] [--state-dir .state/stack]
//                         [--prometheus-port 9090] [--pushgateway-port 9091] [--alertmanager-port 9093]
import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { build, ensureDebianPackages, ensureNpmPackages, root } from './lib/prepare.mjs';

const USAGE = `usage: npm run quickstart -- [options]

  --epochs <n>              training epochs (default 3; about 15-25 s each on 2 cores)
  --train-images <n>        train on fewer of the 8,100 training images (quicker)
  --state-dir <dir>         the stack's configs, data and logs (default: $GANGPLANK_STACK_DIR or .state/stack)
  --prometheus-port <n>     default 9090
  --pushgateway-port <n>    default 9091
  --alertmanager-port <n>   default 9093
  -h, --help                this text`;

const JOB = 'mnist';

function fail(message, code = 1) {
  console.error(`quickstart: ${message}`);
  process.exit(code);
}

function parse() {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        epochs: { type: 'string' },
        'train-images': { type: 'string' },
        'state-dir': { type: 'string' },
        'prometheus-port': { type: 'string' },
        'pushgateway-port': { type: 'string' },
        'alertmanager-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${error.message}\n\n${USAGE}`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name, fallback, min) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      fail(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`, 2);
    return n;
  };
  return {
    epochs: int('epochs', 3, 1),
    trainImages: int('train-images', undefined, 64),
    stateDir: values['state-dir'] ?? process.env.GANGPLANK_STACK_DIR ?? join(root, '.state', 'stack'),
    ports: {
      prometheus: int('prometheus-port', 9090, 1),
      pushgateway: int('pushgateway-port', 9091, 1),
      alertmanager: int('alertmanager-port', 9093, 1),
    },
  };
}

const options = parse();
const started = Date.now();
const step = (text) => console.log(`\n▶ ${text}`);

step('Preparing (npm packages, build, Debian packages of the monitoring stack)');
ensureNpmPackages();
build();
await ensureDebianPackages({
  prometheus: 'prometheus',
  'prometheus-pushgateway': 'prometheus-pushgateway',
  'prometheus-alertmanager': 'prometheus-alertmanager',
});

step('Starting Prometheus, the Pushgateway and Alertmanager (no Docker)');
const stack = await import(join(root, 'packages/stack/dist/index.js'));
let info;
try {
  info = await stack.startStack({
    stateDir: options.stateDir,
    ports: options.ports,
    log: (line) => console.log(`  ${line.replace(/^gangplank stack: /, '')}`),
  });
} catch (error) {
  fail(error.message);
}
const { prometheus, pushgateway, alertmanager } = info.services;
for (const s of [prometheus, pushgateway, alertmanager]) {
  console.log(
    `  ${s.name.padEnd(13)} ${s.url.padEnd(24)} ${s.origin === 'reused' ? 'already running, reused' : 'started'}`,
  );
}

// One run id, handed to the training through the environment the exporter reads, so the URL below can name it.
const runId = `quickstart-${new Date()
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z')}`;
step(
  `Training the MNIST convnet for ${options.epochs} epoch(s), pushing to ${pushgateway.url} as job="${JOB}", run_id="${runId}"`,
);
const trainArgs = ['--import', 'tsx', 'examples/train/train.ts', '--epochs', String(options.epochs)];
trainArgs.push('--pushgateway', new URL(pushgateway.url).host, '--job', JOB);
if (options.trainImages !== undefined) trainArgs.push('--train-images', String(options.trainImages));
const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, trainArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, GANGPLANK_RUN_ID: runId },
  });
  // Ctrl-C reaches the child too (same process group); it stops after the current batch and pushes its state.
  process.on('SIGINT', () => undefined);
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 130 : 1)));
  child.on('error', (error) => {
    console.error(`quickstart: could not start the training: ${error.message}`);
    resolve(1);
  });
});

const selector = `{job="${JOB}",run_id="${runId}"}`;
if (code === 0) {
  // Prometheus scrapes the gateway every 5 s: wait until it holds the last epoch, so the graph is complete.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const q = encodeURIComponent(`gangplank_train_epochs_count${selector}`);
      const res = await fetch(`${prometheus.url}/api/v1/query?query=${q}`, {
        signal: AbortSignal.timeout(2000),
      });
      const body = await res.json();
      if (Number(body?.data?.result?.[0]?.value?.[1]) >= options.epochs) break;
    } catch {
      // Prometheus may be busy starting up; try again.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const graph = (expr) =>
  `${prometheus.url}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=15m`;
const shown = relative(process.cwd(), info.stateDir);
const stateDir = shown === '' ? '.' : shown.startsWith('..') ? info.stateDir : shown;
const downCommand =
  info.stateDir === join(root, '.state', 'stack')
    ? 'node packages/stack/dist/cli.js down'
    : `node packages/stack/dist/cli.js down --state-dir ${stateDir}`;
console.log(`
${code === 0 ? '✔ Training done' : `✖ Training ended with exit code ${code}`} (quickstart took ${((Date.now() - started) / 1000).toFixed(0)} s).

Validation loss of the job in Prometheus (this run and any earlier ones, one line per run_id):
  ${graph(`gangplank_train_val_loss{job="${JOB}"}`)}
Just this run:
  ${graph(`gangplank_train_val_loss${selector}`)}

Pushgateway:   ${pushgateway.url}   (curl -s ${pushgateway.url}/metrics | grep gangplank_train)
Alertmanager:  ${alertmanager.url}
The best model is in examples/models/mnist_convnet; try the other examples (examples/README.md), e.g.
  npx tsx examples/test/test.ts

Stop everything with:
  ${downCommand}`);
process.exit(code);
