import { defineCommand } from '../../command.js';
import { isSettingKey, normalizeUrl, SETTING_KEYS } from '../../config.js';
import { readConfigFile, writeConfigFile } from '../../config-file.js';
import { UsageError } from '../../errors.js';

export default defineCommand({
  args: '<key> <value>',
  description: `Keys: ${SETTING_KEYS.join(', ')}.`,
  examples: [
    'gangplank config set url http://127.0.0.1:5000',
    'gangplank config set pushgatewayUrl 127.0.0.1:9091',
  ],
  run(ctx, { args }) {
    const key = String(args[0]);
    const value = String(args[1]);
    if (!isSettingKey(key)) throw new UsageError(`unknown setting ${key}; one of ${SETTING_KEYS.join(', ')}`);
    if (key !== 'token' && value && !URL.canParse(normalizeUrl(value)))
      throw new UsageError(`${key} must be a URL, got ${value}`);
    const file = readConfigFile(ctx.configPath);
    file[key] = key === 'token' ? value : normalizeUrl(value);
    writeConfigFile(ctx.configPath, file);
    ctx.print(`${key} saved in ${ctx.configPath}`);
    return Promise.resolve();
  },
});
