import { collect, defineCommand, stringOpt, stringsOpt } from '../../command.js';
import {
  portOpt,
  ruleTimeScaleOpt,
  STACK_ORDER,
  stackStateDir,
  stateDirOption,
  targetsOpt,
} from '../../stack-options.js';

export default defineCommand({
  description:
    'Uses the Debian binaries (installed with apt-get when missing and running as root). No Docker.',
  examples: [
    'gangplank stack up',
    'gangplank stack up --pushgateway-port 0 --state-dir /tmp/stack --json',
    'gangplank stack up --deploy-dir ./deploy --target mnist=127.0.0.1:8561',
  ],
  options: (cmd) => {
    stateDirOption(cmd);
    cmd
      .option('--host <address>', 'address the services listen on', '127.0.0.1')
      .option('--prometheus-port <n>', 'default 9090; 0 picks a free port')
      .option('--pushgateway-port <n>', 'default 9091; 0 picks a free port')
      .option('--alertmanager-port <n>', 'default 9093; 0 picks a free port')
      .option('--scrape-interval <duration>', "e.g. 1s (default: deploy/prometheus/prometheus.yml's)")
      .option('--evaluation-interval <duration>', "e.g. 1s (default: deploy/prometheus/prometheus.yml's)")
      .option('--target <job=host:port>', 'scrape targets of a job (repeat for more)', collect)
      .option('--rule-time-scale <x>', 'multiply rule windows and for: by x, e.g. 0.1 for quick alerts')
      .option(
        '--deploy-dir <dir>',
        "where prometheus/ and alertmanager/ come from (default: the checkout's deploy/, or the copy inside " +
          'the installed @gangplank/stack)',
      )
      .option('--alertmanager-config <file>', 'instead of <deploy-dir>/alertmanager/alertmanager.yml')
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
      scrapeInterval: stringOpt(opts, 'scrapeInterval'),
      evaluationInterval: stringOpt(opts, 'evaluationInterval'),
      targets: targetsOpt(stringsOpt(opts, 'target')),
      ruleTimeScale: ruleTimeScaleOpt(opts),
      deployDir: stringOpt(opts, 'deployDir'),
      alertmanagerConfig: stringOpt(opts, 'alertmanagerConfig'),
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
