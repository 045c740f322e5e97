/**
 * Shared set-up of the CLI end-to-end cases: a temp folder with a CLI config file, manifest writers, and the built
 * CLI run as a child process with a base environment the case module sets (server URL, token).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from './run-cli.js';

export type Case = () => Promise<void>;

export const ADMIN = 'admin-token';
export const VIEWER = 'viewer-token';

export const ALL_KINDS = `kind: ModelTraining
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

export interface Harness {
  dir: string;
  configPath: string;
  /** Environment every `cli` call starts from (the case module fills in the server URL and token). */
  baseEnv: Record<string, string>;
  cli: (
    args: readonly string[],
    extra?: { env?: Record<string, string>; input?: string },
  ) => Promise<CliResult>;
  write: (name: string, text: string) => string;
  /** A training that really runs: three epochs and a model file, or `script` as its `train.mjs`. */
  writeRunnable: (folder: string, id: string, script?: string) => string;
  cleanup: () => void;
}

export function createHarness(prefix: string): Harness {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const configPath = join(dir, 'config.yaml');
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const h: Harness = {
    dir,
    configPath,
    baseEnv: {},
    cli: (args, extra = {}) =>
      runCli(args, {
        cwd: dir,
        input: extra.input,
        env: { GANGPLANK_CLI_CONFIG: configPath, ...h.baseEnv, ...extra.env },
      }),
    write,
    writeRunnable: (folder, id, script) => writeRunnable(dir, write, folder, id, script),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return h;
}

/**
 * A training that really runs: a `command` toolchain (this Node), code from a `local` connection, three "epochs"
 * pushed to the gateway named by the platform's environment, and a model file in the output folder.
 */
function writeRunnable(
  dir: string,
  write: (name: string, text: string) => string,
  folder: string,
  id: string,
  script?: string,
): string {
  write(
    `${folder}/code/train.mjs`,
    script ??
      `import { mkdirSync, writeFileSync } from 'node:fs';
const addr = process.env.GANGPLANK_PUSHGATEWAY_ADDR;
for (let epoch = 1; epoch <= 3; epoch++) {
  if (addr) {
    // Typed as gauges: the shared gateway refuses a type that differs from another group's for the same name.
    const gauges = { gangplank_train_epochs_count: epoch, gangplank_train_target_epochs: 3,
      gangplank_train_loss: 1 / (epoch + 1), gangplank_train_accuracy: 0.9 };
    const body = Object.entries(gauges).map(([n, v]) => '# TYPE ' + n + ' gauge\\n' + n + ' ' + v + '\\n').join('');
    const url = (addr.startsWith('http') ? addr : 'http://' + addr) + '/metrics/job/' + process.env.GANGPLANK_JOB +
      '/run_id/' + process.env.GANGPLANK_RUN_ID;
    await fetch(url, { method: 'PUT', body });
  }
  console.log('epoch ' + epoch + ' done');
}
const out = process.env.GANGPLANK_OUTPUT_DIR ?? 'output';
mkdirSync(out, { recursive: true });
writeFileSync(out + '/model.txt', 'trained');
`,
  );
  return write(
    `${folder}/manifest.yaml`,
    `kind: ToolchainIntegration
id: node
spec: {entrypoint: node, defaultImage: none, kind: command, command: [${JSON.stringify(process.execPath)}]}
---
kind: Connection
id: code
spec: {type: local, uri: ${JSON.stringify(join(dir, folder, 'code'))}}
---
kind: ModelTraining
id: ${id}
spec:
  model: {name: wine, version: 1.0}
  toolchain: node
  entrypoint: train.mjs
  algorithmSource: {objectStorage: {connection: code}}
`,
  );
}
