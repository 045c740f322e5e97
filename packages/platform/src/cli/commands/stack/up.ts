import { defineCommand } from '../../command.js';
import { portOpt, STACK_ORDER, stackStateDir, stateDirOption } from '../../stack-options.js';

export default defineCommand({
  description:
    'Uses the Debian binaries (installed with apt-get when missing and running as root). No Docker.',
  examples: ['gangplank stack up', 'gangplank stack up --pushgateway-port 0 --state-dir /tmp/stack --json'],
  options: (cmd) => {
    stateDirOption(cmd);
    cmd
      .option('--host <address>', 'address the services listen on', '127.0.0.1')
      .option('--prometheus-port <n>', 'default 9090; 0 picks a free port')
      .option('--pushgateway-port <n>', 'default 9091; 0 picks a free port')
      .option('--alertmanager-port <n>', 'default 9093; 0 picks a free port')
      .option('--scrape-interval <duration>', "e.g. 1s (default: deploy/prometheus/prometheus.yml's)")
      .option('--no-install', 'never run apt-get; only say what to install');
  },
  async run(ctx, { opts }) {
    const ports = {
      prometheus: portOpt(opts, 'prometheusPort', 'prometheus-port'),
      pushgateway: portOpt(opts, 'pushgatewayPort', 'pushgateway-port'),
      alertmanager: portOpt(opts, 'alertmanagerPort', 'alertmanager-port'),
    };
    const { startStack } = await import('@gangplank/stack');
    const info = await startStack({
      stateDir: stackStateDir(opts, ctx.io),
      host: typeof opts['host'] === 'string' ? opts['host'] : undefined,
      ports: Object.fromEntries(Object.entries(ports).filter(([, v]) => v !== undefined)),
      scrapeInterval: typeof opts['scrapeInterval'] === 'string' ? opts['scrapeInterval'] : undefined,
      install: opts['install'] === false ? false : undefined,
      log: (line) => ctx.note(line),
    });
    if (opts['json'] === true) {
      ctx.print(JSON.stringify(info, null, 2));
      return;
    }
    ctx.print(`gangplank stack is up (state folder ${info.stateDir}):`);
    for (const name of STACK_ORDER) {
      const s = info.services[name];
      ctx.print(`  ${name.padEnd(13)} ${s.url.padEnd(24)} pid ${String(s.pid).padEnd(8)} ${s.origin}`);
    }
    ctx.print(`Live training progress: gangplank config set pushgatewayUrl ${info.services.pushgateway.url}`);
  },
});
