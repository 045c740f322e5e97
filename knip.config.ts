// Unused files, exports and dependencies, checked by `npm run lint:dead` (and by `npm test` before vitest).
// Entries are what is run or imported from outside: each package's index and CLI, the tests, examples, benches
// and scripts. An export used only by a test of its own package is still reported: tests reach internals by path,
// so such an export is either used by the package or is dead.
import type { KnipConfig } from 'knip';

const config: KnipConfig = {
  workspaces: {
    '.': {
      entry: ['scripts/*.mjs', 'bench/*.ts', 'test/**/*.ts', 'deploy/test/**/*.ts'],
      project: ['scripts/**/*.mjs', 'bench/**/*.ts', 'test/**/*.ts', 'deploy/test/**/*.ts'],
    },
    'packages/platform': {
      entry: ['src/cli/main.ts', 'src/cli/commands/**/*.ts', 'bin/*.js', 'test/**/*.ts'],
      project: ['src/**/*.ts', 'test/**/*.ts'],
    },
    'packages/metrics': {
      entry: ['test/**/*.ts'],
      project: ['src/**/*.ts', 'test/**/*.ts'],
    },
    'packages/stack': {
      entry: ['src/cli.ts', 'test/**/*.ts'],
      project: ['src/**/*.ts', 'test/**/*.ts'],
    },
    examples: {
      entry: ['**/*.ts'],
      project: ['**/*.ts'],
    },
  },
  ignoreExportsUsedInFile: true,
  // Debian programs the code and tests call (installed by scripts/test.mjs and the stack), not npm binaries.
  ignoreBinaries: ['apt-get', 'apt-cache', 'runuser', 'sinfo', 'script', 'promtool', 'nvidia-smi'],
};

export default config;
