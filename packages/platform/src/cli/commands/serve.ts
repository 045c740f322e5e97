import { defineCommand } from '../command.js';
import { CliFailure } from '../errors.js';

export default defineCommand({
  description:
    'Serves the Odahu-compatible REST API (/api/v1), Swagger UI (/swagger) and /metrics, and runs trainings with ' +
    'the local executor. Stops on SIGINT/SIGTERM.',
  examples: [
    'gangplank serve',
    'gangplank serve --port 5001 --data-dir ./data',
    'gangplank serve --database-url postgres://postgres@127.0.0.1/gangplank',
  ],
  options: (cmd) => {
    cmd
      .option('--host <address>', 'listen address (default 127.0.0.1)')
      .option('--port <n>', "listen port (default 5000, odahuflowctl's)")
      .option(
        '--data-dir <dir>',
        'PGlite data folder (default $GANGPLANK_DATA_DIR or ~/.local/share/gangplank)',
      )
      .option('--database-url <url>', 'PostgreSQL URL instead of the embedded PGlite')
      .option('--server-config <file>', 'server configuration file (YAML)')
      .option('--no-dispatcher', 'accept trainings but do not run them');
  },
  async run() {
    const platform = (await import('../../index.js')) as unknown as Record<string, unknown>;
    if (typeof platform['startServer'] !== 'function')
      throw new CliFailure('this build has no API server yet (startServer)');
    throw new CliFailure('serve is not wired yet');
  },
});
