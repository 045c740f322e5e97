import { defineCommand } from '../../command.js';
import { STACK_ORDER, stackStateDir, stateDirOption } from '../../stack-options.js';

export default defineCommand({
  description: 'Stops only the processes this state folder recorded (a reused pid is left alone).',
  examples: ['gangplank stack down', 'gangplank stack down --state-dir /tmp/stack'],
  options: stateDirOption,
  async run(ctx, { opts }) {
    const { stopStack } = await import('@gangplank/stack');
    const results = await stopStack(stackStateDir(opts, ctx.io));
    if (opts['json'] === true) {
      ctx.print(JSON.stringify(results, null, 2));
      return;
    }
    for (const name of STACK_ORDER) {
      const r = results.find((x) => x.name === name);
      if (!r) continue;
      const what =
        r.outcome === 'stopped'
          ? `stopped (pid ${r.pid ?? '?'})`
          : r.outcome === 'left-alone'
            ? `not stopped: pid ${r.pid ?? '?'} now belongs to another program`
            : 'was not running';
      ctx.print(`  ${name.padEnd(13)} ${what}`);
    }
  },
});
