#!/usr/bin/env node
// `npm run quickstart`: the README's main job, from a fresh clone. It installs what is missing (npm packages, a
// build, the Debian packages of Prometheus, the Pushgateway and Alertmanager), brings the monitoring stack up on
// 9090/9091/9093 (reusing the one an earlier quickstart left running), trains the MNIST convnet of
// examples/train for a few epochs through the platform (`gangplank local train run` of
// examples/trainings/mnist.yaml) while showing its progress, and ends with the Prometheus URL of a graph of
// gangplank_train_val_loss, the artifact's path and how to stop everything.
//
//   npm run quickstart -- [--epochs 3] [--train-images N] [--state-dir .state/stack]
//                         [--prometheus-port 9090] [--pushgateway-port 9091] [--alertmanager-port 9093]
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, ensureDebianPackages, ensureNpmPackages, root } from './lib/prepare.mjs';

const USAGE = `usage: npm run quickstart -- [options]

  --epochs <n>              training epochs (default 3; about 15-25 s each on 2 cores)
  --train-images <n>        train on fewer of the 8,100 training images (quicker)
  --state-dir <dir>         the stack's configs, data and logs (default: $GANGPLANK_STACK_DIR or .state/stack)
  --prometheus-port <n>     default 9090; 0 picks a free port (also for the two below)
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
      prometheus: int('prometheus-port', 9090, 0),
      pushgateway: int('pushgateway-port', 9091, 0),
      alertmanager: int('alertmanager-port', 9093, 0),
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

// The training runs through the platform: `gangplank local train run` with the embedded defaults (no API server),
// the same local executor as the server. Epochs and image count are the training's hyperparameters: when they
// differ from the checked-in manifest, a copy with them set (and its relative connection paths made absolute)
// is written next to the run's output.
const outputDir = join(root, '.state', 'quickstart');
const manifestFile = join(root, 'examples', 'trainings', 'mnist.yaml');
let manifest = manifestFile;
{
  const { parseAllDocuments, stringify } = await import('yaml');
  const docs = parseAllDocuments(readFileSync(manifestFile, 'utf8')).map((d) => d.toJS());
  const training = docs.find((d) => d?.kind === 'ModelTraining' && d.id === JOB);
  if (!training) fail(`${relative(root, manifestFile)} holds no ModelTraining "${JOB}"`);
  const params = { ...training.spec.hyperParameters, epochs: String(options.epochs) };
  if (options.trainImages !== undefined) params['train-images'] = String(options.trainImages);
  if (JSON.stringify(params) !== JSON.stringify(training.spec.hyperParameters)) {
    training.spec.hyperParameters = params;
    for (const d of docs) {
      if (d?.kind === 'Connection' && d.spec?.type === 'local' && !isAbsolute(d.spec.uri))
        d.spec.uri = resolve(dirname(manifestFile), d.spec.uri);
    }
    mkdirSync(outputDir, { recursive: true });
    manifest = join(outputDir, 'mnist.yaml');
    writeFileSync(
      manifest,
      `# examples/trainings/mnist.yaml with the quickstart's options\n` +
        docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'),
    );
  }
}
const cliArgs = [
  'packages/platform/bin/gangplank.js',
  ...['local', 'train', 'run', '-f', relative(root, manifest), '--id', JOB],
  ...['--output-dir', relative(root, outputDir)],
];
step(
  `Training the MNIST convnet for ${options.epochs} epoch(s) through the platform, pushing to ${pushgateway.url} as job="${JOB}":\n` +
    `  GANGPLANK_PUSHGATEWAY_ADDR=${pushgateway.url} node ${cliArgs.join(' ')}`,
);
const trainingStarted = Date.now();
let artifact;
const code = await new Promise((resolveCode) => {
  // The CLI reads the gateway for its live progress line (stderr, left on the terminal) and hands the address to
  // the run; stdout (the run's log, then the result line) is passed through and read for the artifact's path.
  const child = spawn(process.execPath, cliArgs, {
    cwd: root,
    stdio: ['inherit', 'pipe', 'inherit'],
    env: {
      ...process.env,
      GANGPLANK_PUSHGATEWAY_ADDR: pushgateway.url,
      GANGPLANK_PROMETHEUS_URL: prometheus.url,
    },
  });
  let tail = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-4096);
    artifact = /; artifact (.+?\.zip)(;|$)/m.exec(tail)?.[1] ?? artifact;
  });
  // Ctrl-C reaches the CLI too (same process group); it cancels the run, which pushes its state and stops.
  process.on('SIGINT', () => undefined);
  child.on('exit', (status, signal) => resolveCode(status ?? (signal ? 130 : 1)));
  child.on('error', (error) => {
    console.error(`quickstart: could not start the training: ${error.message}`);
    resolveCode(1);
  });
});

// The platform names the run (`run_id`, a grouping label with `training`): the newest training group of the job
// on the gateway pushed after this run started is this run.
let runId;
try {
  const res = await fetch(`${pushgateway.url}/api/v1/metrics`, { signal: AbortSignal.timeout(5000) });
  const groups = (await res.json())?.data ?? [];
  let newest = 0;
  for (const g of groups) {
    const pushed = Number(g.push_time_seconds?.metrics?.[0]?.value) * 1000;
    if (g.labels?.job !== JOB || g.labels?.training !== JOB || !g.gangplank_train_val_loss) continue;
    if (pushed >= trainingStarted && pushed > newest) [newest, runId] = [pushed, g.labels.run_id];
  }
} catch {
  // No run id: the URLs below select the job only.
}
const selector = `{job="${JOB}",training="${JOB}"${runId ? `,run_id="${runId}"` : ''}}`;
if (code === 0 && runId) {
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

// The other examples load the model from examples/models/mnist_convnet: put this run's best model there.
const outputFolder = artifact?.replace(/\.zip$/, '');
const savedModel = outputFolder && join(outputFolder, 'mnist_convnet');
const modelDir = join(root, 'examples', 'models', 'mnist_convnet');
let modelCopied = false;
if (code === 0 && savedModel && existsSync(savedModel)) {
  rmSync(modelDir, { recursive: true, force: true });
  cpSync(savedModel, modelDir, { recursive: true });
  modelCopied = true;
}

const graph = (expr) =>
  `${prometheus.url}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=15m`;
const show = (path) => {
  const shown = relative(process.cwd(), path);
  return shown === '' ? '.' : shown.startsWith('..') ? path : shown;
};
const stateDir = show(info.stateDir);
const downCommand =
  info.stateDir === join(root, '.state', 'stack')
    ? 'node packages/stack/dist/cli.js down'
    : `node packages/stack/dist/cli.js down --state-dir ${stateDir}`;
console.log(`
${code === 0 ? '✔ Training done' : `✖ Training ended with exit code ${code}`} (quickstart took ${((Date.now() - started) / 1000).toFixed(0)} s).

Validation loss of the job in Prometheus (this run and any earlier ones, one line per run_id):
  ${graph(`gangplank_train_val_loss{job="${JOB}"}`)}
${runId ? 'Just this run' : 'This training'} (run_id ${runId ?? 'not found on the gateway'}):
  ${graph(`gangplank_train_val_loss${selector}`)}

Pushgateway:   ${pushgateway.url}   (curl -s ${pushgateway.url}/metrics | grep gangplank_train)
Alertmanager:  ${alertmanager.url}
Artifact (the run's output folder, zipped): ${artifact ? show(artifact) : 'none'}${
  modelCopied
    ? `
The best model is also in examples/models/mnist_convnet; try the other examples (examples/README.md), e.g.
  npx tsx examples/test/test.ts`
    : ''
}

Stop everything with:
  ${downCommand}`);
process.exit(code);
