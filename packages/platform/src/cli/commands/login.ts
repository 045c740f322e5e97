import { GangplankClient } from '../../client/index.js';
import { defineCommand } from '../command.js';
import { normalizeUrl } from '../config.js';
import { readConfigFile, writeConfigFile } from '../config-file.js';

export default defineCommand({
  description:
    'Calls GET /health with the token (as odahuflowctl does) and, if the server answers, saves the URL and token ' +
    'in the config file. Environment variables and flags still override the file.',
  examples: [
    'gangplank login --url http://127.0.0.1:5000',
    'gangplank login --url https://gangplank.example.com --token "$TOKEN"',
  ],
  async run(ctx) {
    const { settings } = ctx.settings();
    const url = normalizeUrl(settings.url);
    await new GangplankClient({ url, token: settings.token, retries: 0 }).health();
    const file = readConfigFile(ctx.configPath);
    file['url'] = url;
    if (settings.token) file['token'] = settings.token;
    else delete file['token'];
    writeConfigFile(ctx.configPath, file);
    ctx.print(
      `Logged in to ${url}${settings.token ? ' with a token' : ''}; settings saved in ${ctx.configPath}`,
    );
  },
});
