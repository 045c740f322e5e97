#!/usr/bin/env node
// `npm test`: everything the test suite needs, from a fresh clone: npm packages, a build, the Debian packages of
// the real services, type checks of tests and examples, lint (style, import direction, dead code), then the tests
// (which start and stop the services).
import { build, ensureDebianPackages, ensureNpmPackages, run, runOrExit } from './lib/prepare.mjs';

ensureNpmPackages();
build();
await ensureDebianPackages({
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-pushgateway': 'prometheus-pushgateway',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  git: 'git',
  // platform executor tests: limits (prlimit, taskset, setsid), artifact checks (unzip), dependency cache (venv)
  prlimit: 'util-linux',
  taskset: 'util-linux',
  setsid: 'util-linux',
  unzip: 'unzip',
  python3: 'python3-venv',
  // platform store tests: a real PostgreSQL (packages/platform/test/support/postgres.ts starts a private cluster)
  pg_ctlcluster: 'postgresql',
  // platform web page tests: a real headless browser (packages/platform/test/web)
  chromium: 'chromium',
});
runOrExit('npx', ['tsc', '-p', 'tsconfig.spec.json']);
runOrExit('npx', ['eslint', '.', '--max-warnings=0']);
// The import direction (docs/architecture.md): a new cycle or back-edge fails here, before any test runs.
runOrExit('npm', ['run', '--silent', 'lint:deps']);
// Unused files, exports and dependencies (knip.jsonc).
runOrExit('npm', ['run', '--silent', 'lint:dead']);
// What npm would publish: publint and arethetypeswrong on each packed package (scripts/check-packages.mjs).
runOrExit('node', ['scripts/check-packages.mjs']);
process.exit(run('npx', ['vitest', 'run', ...process.argv.slice(2)]));
