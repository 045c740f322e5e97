import type { ServerConfigInput } from '../../config/server-config.js';
import { defineCommand, stringOpt } from '../command.js';
import { UsageError } from '../errors.js';

export default defineCommand({
  description:
    'Serves the Odahu-compatible REST API (/api/v1), Swagger UI (/swagger), the web page (/ui/) and /metrics, and ' +
    'runs trainings with the local executor, or Slurm or Kubernetes (--executor). Settings: flags, then GANGPLANK_* environment variables, then the server config file ' +
    '(~/.config/gangplank/server.yaml). Stops cleanly on Ctrl-C or SIGTERM; running trainings are re-attached ' +
    'on the next start.',
  examples: [
    'gangplank serve',
    'gangplank serve --port 5001 --data-dir ./data',
    'gangplank serve --database-url postgres://postgres@127.0.0.1/gangplank',
    'GANGPLANK_TOKENS=admin:s3cret gangplank serve --host 0.0.0.0',
    'gangplank serve --executor slurm --server-config server.yaml   # slurm: {workRoot: /shared/gangplank}',
  ],
  options: (cmd) => {
    cmd
      .option('--host <address>', 'listen address (default 127.0.0.1)')
      .option('--port <n>', "listen port (default 5000, odahuflowctl's; 0 picks a free one)")
      .option(
        '--data-dir <dir>',
        'PGlite data and run folders (default $GANGPLANK_DATA_DIR or ~/.local/share/gangplank)',
      )
      .option('--database-url <url>', 'PostgreSQL URL instead of the embedded PGlite')
      .option('--pushgateway <address>', 'Pushgateway handed to runs (env GANGPLANK_PUSHGATEWAY_ADDR)')
      .option('--prometheus <url>', "Prometheus read by the web page's plots (env GANGPLANK_PROMETHEUS_URL)")
      .option('--server-config <file>', 'server configuration file (YAML)')
      .option('--no-dispatcher', 'accept trainings but do not run them')
      .option('--executor <kind>', 'local (default), slurm or kubernetes (env GANGPLANK_EXECUTOR)')
      .option(
        '--worker-id <id>',
        'lease identity, unique per server on one database (default <hostname>/<executor>; <hostname>:<port>/<executor> with --database-url)',
      )
      .option(
        '--run-as-user <name>',
        'user a root server runs local trainings as (default gangplank-run, created when missing; "" keeps root)',
      )
      .option('--log-level <level>', 'fastify log level, or silent');
  },
  async run(ctx, { opts }) {
    // Loaded here, not at the top: fastify, PGlite and the executors are needed by `serve` only. The composition
    // root and the config reader, not the package's index: that one would load every executor adapter.
    const [{ ConfigError, resolveServerConfig }, { startServer }] = await Promise.all([
      import('../../config/server-config.js'),
      import('../../server/start.js'),
    ]);
    const port = stringOpt(opts, 'port');
    if (port !== undefined && !/^\d+$/.test(port))
      throw new UsageError(`--port must be a number, got ${port}`);
    const flags: ServerConfigInput = {
      host: stringOpt(opts, 'host'),
      port,
      dataDir: stringOpt(opts, 'dataDir'),
      databaseUrl: stringOpt(opts, 'databaseUrl'),
      pushgatewayAddr: stringOpt(opts, 'pushgateway'),
      prometheusUrl: stringOpt(opts, 'prometheus'),
      logLevel: stringOpt(opts, 'logLevel'),
      executor: stringOpt(opts, 'executor'),
      workerId: stringOpt(opts, 'workerId'),
      runAsUser: stringOpt(opts, 'runAsUser'),
      // commander sets dispatcher=true unless --no-dispatcher; pass only the explicit "off".
      dispatcher: opts['dispatcher'] === false ? false : undefined,
    };
    const configFile = stringOpt(opts, 'serverConfig');
    let config;
    try {
      config = await resolveServerConfig({ flags, ...(configFile ? { configFile } : {}) });
    } catch (err) {
      // A bad flag, variable or file value is a usage error (exit 2), like a bad flag of any command.
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    // Parsed: no later child of the server inherits them. /proc/<pid>/environ still shows the environment the
    // process started with (the kernel keeps that copy); only another uid is kept from reading it.
    for (const name of ['GANGPLANK_TOKENS', 'GANGPLANK_SECRET_KEY', 'GANGPLANK_DATABASE_URL'])
      Reflect.deleteProperty(process.env, name);
    let server;
    try {
      server = await startServer(config);
    } catch (err) {
      // An executor the configuration cannot build (no Slurm work folder, no namespace) is a usage error too.
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    ctx.print(
      `Gangplank API listening on ${server.url} (web page ${server.url}/ui/, Swagger UI ${server.url}/swagger)`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    ctx.note('Stopping…');
    await server.close();
    return 0;
  },
});
