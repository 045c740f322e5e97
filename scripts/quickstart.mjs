#!/usr/bin/env node
// `npm run quickstart`: the README's main job, from a fresh clone. It installs what is missing (npm packages, a
// build, the Debian packages of Prometheus, the Pushgateway and Alertmanager), brings the monitoring stack up on
// 9090/9091/9093 (reusing the one an earlier quickstart left running), starts the Gangplank API server on 5000
// (replacing the one an earlier quickstart left running), applies examples/trainings/mnist.yaml to it and waits
// for the MNIST run while showing its progress, and ends with the run's page in the web app, the Prometheus URL
// of a graph of gangplank_train_val_loss, the artifact's path and how to stop everything.
//
//   npm run quickstart -- [--epochs 3] [--train-images N] [--state-dir .state/stack] [--api-port 5000]
//                         [--prometheus-port 9090] [--pushgateway-port 9091] [--alertmanager-port 9093]
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, ensureDebianPackages, ensureNpmPackages, root } from './lib/prepare.mjs';
import { startQuickstartServer, stopQuickstartServer } from './lib/quickstart-server.mjs';

const USAGE = `usage: npm run quickstart -- [options]

  --epochs <n>              training epochs (default 3; about 15-25 s each on 2 cores)
  --train-images <n>        train on fewer of the 8,100 training images (quicker)
  --state-dir <dir>         the stack's configs, data and logs (default: $GANGPLANK_STACK_DIR or .state/stack)
  --prometheus-port <n>     default 9090; 0 picks a free port (also for the two below)
  --pushgateway-port <n>    default 9091
  --alertmanager-port <n>   default 9093
  --api-port <n>            the Gangplank API server and web app (default 5000; 0 picks a free port)
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
        'api-port': { type: 'string' },
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
    apiPort: int('api-port', 5000, 0),
    stateDir: values['state-dir'] ?? process.env.GANGPLANK_STACK_DIR ?? join(root, '.state', 'stack'),
    ports: {
      prometheus: int('prometheus-port', 9090, 0),
      pushgateway: int('pushgateway-port', 9091, 0),
      alertmanager: int('alertmanager-port', 9093, 0),
    },
  };
}

const options = parse();
const show = (path) => {
  const shown = relative(process.cwd(), path);
  return shown === '' ? '.' : shown.startsWith('..') ? path : shown;
};
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

// The training runs through the platform's API server, the one the web app talks to: `gangplank serve` with its
// embedded PGlite store in .state/quickstart/server and the local executor, pushing to the stack's Pushgateway.
// The server resolves a local connection's path on its own, so the manifest goes in as a copy with the connection
// paths made absolute (and the epochs and image count set as the training's hyperparameters).
const outputDir = join(root, '.state', 'quickstart');
const serverDir = join(outputDir, 'server');
const cli = join(root, 'packages', 'platform', 'bin', 'gangplank.js');
const manifestFile = join(root, 'examples', 'trainings', 'mnist.yaml');
const manifest = join(outputDir, 'mnist.yaml');
const dependencies = join(outputDir, 'mnist-toolchain.yaml');
{
  const { parseAllDocuments, stringify } = await import('yaml');
  const docs = parseAllDocuments(readFileSync(manifestFile, 'utf8')).map((d) => d.toJS());
  const training = docs.find((d) => d?.kind === 'ModelTraining' && d.id === JOB);
  if (!training) fail(`${relative(root, manifestFile)} holds no ModelTraining "${JOB}"`);
  const params = { ...training.spec.hyperParameters, epochs: String(options.epochs) };
  if (options.trainImages !== undefined) params['train-images'] = String(options.trainImages);
  training.spec.hyperParameters = params;
  for (const d of docs) {
    if (d?.kind === 'Connection' && d.spec?.type === 'local' && !isAbsolute(d.spec.uri))
      d.spec.uri = resolve(dirname(manifestFile), d.spec.uri);
  }
  mkdirSync(outputDir, { recursive: true });
  const write = (file, list) =>
    writeFileSync(
      file,
      `# examples/trainings/mnist.yaml with the quickstart's options\n` +
        list.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'),
    );
  write(manifest, docs);
  write(
    dependencies,
    docs.filter((d) => d && d.kind !== 'ModelTraining'),
  );
}

step('Starting the Gangplank API server (embedded PGlite store, local executor)');
const replaced = await stopQuickstartServer(serverDir, cli);
if (replaced) console.log(`  stopped the server an earlier quickstart left running (pid ${replaced})`);
let server;
try {
  server = await startQuickstartServer({
    dir: serverDir,
    cli,
    cwd: root,
    port: options.apiPort,
    pushgateway: pushgateway.url,
    prometheus: prometheus.url,
  });
} catch (error) {
  fail(error.message);
}
console.log(
  `  ${'API server'.padEnd(13)} ${server.url.padEnd(24)} pid ${server.pid}, log ${show(server.log)}`,
);

const gangplank = (args, stdio = 'inherit') =>
  new Promise((resolveCode) => {
    const child = spawn(process.execPath, [cli, '--url', server.url, ...args], { cwd: root, stdio });
    child.on('exit', (status, signal) => resolveCode(status ?? (signal ? 130 : 1)));
    child.on('error', (error) => {
      console.error(`quickstart: could not start the CLI: ${error.message}`);
      resolveCode(1);
    });
  });
const api = async (path) => {
  const res = await fetch(`${server.url}/api/v1${path}`, { signal: AbortSignal.timeout(5000) });
  return res.ok ? res.json() : undefined;
};

step(
  `Applying the toolchain and the connection: node packages/platform/bin/gangplank.js bulk apply ${relative(root, dependencies)}`,
);
if ((await gangplank(['bulk', 'apply', relative(root, dependencies)])) !== 0) fail('bulk apply failed');

// The first quickstart creates the training; a later one updates it, which reruns it (earlier runs stay listed).
const exists = (await api(`/model/training/${JOB}`)) !== undefined;
const trainArgs = [
  'train',
  exists ? 'edit' : 'create',
  '-f',
  relative(root, manifest),
  '--id',
  JOB,
  '--wait',
];
step(
  `Training the MNIST convnet for ${options.epochs} epoch(s) on the server, pushing to ${pushgateway.url} as job="${JOB}":\n` +
    `  node packages/platform/bin/gangplank.js --url ${server.url} ${trainArgs.join(' ')}`,
);
// Ctrl-C reaches the CLI too (same process group): it stops waiting; the run goes on on the server.
process.on('SIGINT', () => undefined);
const code = await gangplank(trainArgs);

const runs = (await api(`/model/training/${JOB}/runs`).catch(() => undefined)) ?? [];
const run = runs[runs.length - 1];
const runId = run?.id;
// The run's artifact (the zipped output folder) is named in its status; the server keeps it under its data folder.
function findArtifact(dir, finished) {
  const name = finished?.artifacts?.[0]?.artifactName;
  if (!name) return undefined;
  const walk = (folder, depth) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isFile() && entry.name === name) return path;
      if (entry.isDirectory() && depth > 0) {
        const found = walk(path, depth - 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(dir, 4);
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
const artifact = findArtifact(serverDir, run);
// The server zips the run's folder <run>/output into <run>/artifacts/ and keeps the folder.
const outputFolder = artifact && join(dirname(dirname(artifact)), 'output');
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
const stateDir = show(info.stateDir);
const downCommand =
  info.stateDir === join(root, '.state', 'stack')
    ? 'node packages/stack/dist/cli.js down'
    : `node packages/stack/dist/cli.js down --state-dir ${stateDir}`;
console.log(`
${code === 0 ? '✔ Training done' : `✖ Training ended with exit code ${code}`} (quickstart took ${((Date.now() - started) / 1000).toFixed(0)} s).

Validation loss of the job in Prometheus (this run and any earlier ones, one line per run_id):
  ${graph(`gangplank_train_val_loss{job="${JOB}"}`)}
${runId ? 'Just this run' : 'This training'} (run_id ${runId ?? 'not found on the server'}):
  ${graph(`gangplank_train_val_loss${selector}`)}
The run in the web app (its charts, logs and artifact):
  ${runId ? `${server.url}/ui/#/training/${JOB}/${runId}` : `${server.url}/ui/`}

Pushgateway:   ${pushgateway.url}   (curl -s ${pushgateway.url}/metrics | grep gangplank_train)
Alertmanager:  ${alertmanager.url}
Artifact (the run's output folder, zipped): ${artifact ? show(artifact) : 'none'}${
  modelCopied
    ? `
The best model is also in examples/models/mnist_convnet; try the other examples (examples/README.md), e.g.
  npx tsx examples/test/test.ts`
    : ''
}

The API server keeps running for you to look (pid ${server.pid}; the next quickstart replaces it).
Stop everything with:
  kill ${server.pid}            # the API server
  ${downCommand}`);
process.exit(code);
