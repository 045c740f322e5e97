import { defineCommand } from '../command.js';
import { readConfigFile, writeConfigFile } from '../config-file.js';

export default defineCommand({
  examples: ['gangplank logout'],
  run(ctx) {
    const file = readConfigFile(ctx.configPath);
    if ('token' in file) {
      delete file['token'];
      writeConfigFile(ctx.configPath, file);
      ctx.print(`Token removed from ${ctx.configPath}`);
    } else {
      ctx.print('No saved token');
    }
    if (ctx.io.env['GANGPLANK_TOKEN'] || ctx.io.env['API_TOKEN']) {
      ctx.note('Note: a token is still set in the environment (GANGPLANK_TOKEN or API_TOKEN)');
    }
    return Promise.resolve();
  },
});
