import { defineCommand } from '../../command.js';
import { isSettingKey, SETTING_KEYS } from '../../config.js';
import { UsageError } from '../../errors.js';

export default defineCommand({
  args: '<key>',
  description: `Keys: ${SETTING_KEYS.join(', ')}. Prints the effective value (flag, env, file or default).`,
  examples: ['gangplank config get url', 'GANGPLANK_URL=http://10.0.0.5:5000 gangplank config get url'],
  run(ctx, { args }) {
    const key = String(args[0]);
    if (!isSettingKey(key)) throw new UsageError(`unknown setting ${key}; one of ${SETTING_KEYS.join(', ')}`);
    const value = ctx.settings().settings[key];
    if (value !== undefined) ctx.print(value);
    return Promise.resolve();
  },
});
