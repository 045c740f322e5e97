import { defineCommand } from '../../command.js';

export default defineCommand({
  examples: ['gangplank config path', 'GANGPLANK_CLI_CONFIG=./ci.yaml gangplank config path'],
  run(ctx) {
    ctx.print(ctx.configPath);
    return Promise.resolve();
  },
});
