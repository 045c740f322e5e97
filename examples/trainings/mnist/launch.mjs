// The algorithm source of the `mnist` training (examples/trainings/mnist.yaml). The local executor copies this
// folder into the run's work folder and runs `node launch.mjs <args>` there. This launcher runs the repository's
// examples/train/train.ts in place, under tsx, so the script finds the repository's node_modules without a copy
// of them: it looks for the repository in the folders above the work folder (which lies under --output-dir).
// Arguments, the working folder, the environment (GANGPLANK_*) and the exit code pass through unchanged.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SCRIPT = join('examples', 'train', 'train.ts');

function findRepository(start) {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, SCRIPT)) && existsSync(join(dir, 'node_modules', 'tsx'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

const repo = findRepository(process.cwd());
if (!repo) {
  console.error(
    `launch.mjs: no Gangplank checkout (with ${SCRIPT} and node_modules/tsx) above ${process.cwd()}. ` +
      'The run works in a folder under --output-dir: pick one inside the repository, e.g. --output-dir .state/mnist',
  );
  process.exit(1);
}
const tsx = pathToFileURL(createRequire(join(repo, 'package.json')).resolve('tsx')).href;
const child = spawn(process.execPath, ['--import', tsx, join(repo, SCRIPT), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// A cancel signals the whole process group: the script stops after its current batch and pushes its last state;
// the launcher waits for it and exits with its code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => undefined);
child.on('error', (error) => {
  console.error(`launch.mjs: cannot start ${SCRIPT}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
