// The import direction of packages/*/src, checked by `npm run lint:deps` (and by `npm test` before vitest).
// docs/architecture.md has the folder map these rules encode; docs/adr/0040-layout-and-import-direction.md why.
//
//   cli → client | server(start) | dispatcher(run-locally) | config
//   server (the composition root) → dispatcher | store | executors | config | web
//   dispatcher → store | executors
//   executors → transfer | toolchains | artifacts
//   everything → domain; domain → nothing of the platform
const SRC = '^packages/platform/src/';

/** A folder of the platform may import, besides itself and domain/, only the folders listed. */
const ALLOWED = {
  domain: [],
  client: [],
  config: [],
  store: [],
  web: [],
  toolchains: [],
  // git.ts quotes its shell words with the toolchains' quoting (one helper, no cycle)
  transfer: ['toolchains'],
  // the artifact zip is uploaded through the transfer clients
  artifacts: ['transfer'],
  executors: ['transfer', 'toolchains', 'artifacts'],
  dispatcher: ['store', 'executors'],
  server: ['dispatcher', 'store', 'executors', 'config', 'web'],
  cli: ['client', 'config', 'server', 'dispatcher'],
};

const folderRules = Object.entries(ALLOWED).map(([from, to]) => ({
  name: `platform-${from}-direction`,
  comment: `${from}/ may import ${[from, 'domain', ...to].join(', ')} of the platform, nothing else (docs/architecture.md)`,
  severity: 'error',
  from: { path: `${SRC}${from}/` },
  to: { path: SRC, pathNot: `${SRC}(${[from, 'domain', ...to].join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle ties modules together so neither can change or load alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...folderRules,
    {
      name: 'platform-index-is-for-users',
      comment:
        "index.ts is the package's surface and loads every executor adapter: nothing inside the package imports it.",
      severity: 'error',
      from: { path: SRC },
      to: { path: `${SRC}index\\.ts$` },
    },
    {
      name: 'cli-server-only-through-start',
      comment: '`gangplank serve` reaches the server through its composition root only.',
      severity: 'error',
      from: { path: `${SRC}cli/` },
      to: { path: `${SRC}server/`, pathNot: `${SRC}server/start\\.ts$` },
    },
    {
      name: 'cli-dispatcher-only-run-locally',
      comment: '`gangplank local train run` is the one CLI command that runs the pipeline itself.',
      severity: 'error',
      from: { path: `${SRC}cli/` },
      to: { path: `${SRC}dispatcher/`, pathNot: `${SRC}dispatcher/run-locally\\.ts$` },
    },
    {
      name: 'executor-adapters-load-lazily',
      comment:
        'The server imports an executor adapter only when the configuration picks it (await import), so a local ' +
        'server never loads the Kubernetes client; type imports cost nothing at run time.',
      severity: 'error',
      from: { path: `${SRC}(server|cli)/` },
      to: {
        path: `${SRC}executors/(local\\.ts|slurm/|kubernetes/)`,
        dependencyTypesNot: ['dynamic-import', 'type-only', 'type-import'],
      },
    },
    {
      name: 'metrics-never-imports-platform',
      comment:
        '@gangplank/metrics is the library trainings use; the platform depends on it, never the reverse.',
      severity: 'error',
      from: { path: '^packages/metrics/' },
      to: { path: '^(packages/platform/|node_modules/@gangplank/platform/)' },
    },
    {
      name: 'stack-stands-alone',
      comment:
        '@gangplank/stack runs the monitoring services; it knows nothing of the platform or the library.',
      severity: 'error',
      from: { path: '^packages/stack/' },
      to: { path: '^(packages/(platform|metrics)/|node_modules/@gangplank/(platform|metrics)/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    // type-only imports are edges of the design too (a cycle through types is still a cycle)
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.d.ts'],
    },
  },
};
