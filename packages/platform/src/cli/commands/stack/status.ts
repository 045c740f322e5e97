import { defineCommand } from '../../command.js';
import { STACK_ORDER, stackStateDir, stateDirOption } from '../../stack-options.js';

/** Same as the stack's own CLI: 3 when not every service is running (not an error, a state). */
const EXIT_NOT_RUNNING = 3;

export default defineCommand({
  description: 'Exit code 0 when all three services run, 3 otherwise.',
  examples: ['gangplank stack status', 'gangplank stack status --json'],
  options: stateDirOption,
  async run(ctx, { opts }) {
    const { stackStatus } = await import('@gangplank/stack');
    const status = await stackStatus(stackStateDir(opts, ctx.io));
    if (opts['json'] === true) ctx.print(JSON.stringify(status, null, 2));
    else {
      ctx.print(`gangplank stack (state folder ${status.stateDir}):`);
      for (const name of STACK_ORDER) {
        const s = status.services.find((x) => x.name === name);
        if (!s) continue;
        const where = s.url !== undefined ? ` ${s.url} pid ${s.pid ?? '?'}` : '';
        ctx.print(`  ${name.padEnd(13)} ${s.state}${where}${s.detail ? ` (${s.detail})` : ''}`);
      }
    }
    return status.running ? 0 : EXIT_NOT_RUNNING;
  },
});
