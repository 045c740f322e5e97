import { defineCommand } from '../../command.js';
import { isSettingKey, SETTING_KEYS } from '../../config.js';
import { readConfigFile, writeConfigFile } from '../../config-file.js';
import { UsageError } from '../../errors.js';

export default defineCommand({
  args: '<key>',
  examples: ['gangplank config unset pushgatewayUrl'],
  run(ctx, { args }) {
    const key = String(args[0]);
    if (!isSettingKey(key)) throw new UsageError(`unknown setting ${key}; one of ${SETTING_KEYS.join(', ')}`);
    const file = readConfigFile(ctx.configPath);
    delete file[key];
    writeConfigFile(ctx.configPath, file);
    ctx.print(`${key} removed from ${ctx.configPath}`);
    return Promise.resolve();
  },
});
