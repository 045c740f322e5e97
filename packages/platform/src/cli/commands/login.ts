import { GangplankClient } from '../../client/index.js';
import { defineCommand } from '../command.js';
import { normalizeUrl } from '../config.js';
import { readConfigFile, writeConfigFile } from '../config-file.js';

export default defineCommand({
  description:
    'Calls GET /health (as odahuflowctl does) and a one-item read that needs the token, then saves the URL and token ' +
    'in the config file. Environment variables and flags still override the file.',
  examples: [
    'gangplank login --url http://127.0.0.1:5000',
    'gangplank login --url https://gangplank.example.com --token "$TOKEN"',
  ],
  async run(ctx) {
    const { settings } = ctx.settings();
    const url = normalizeUrl(settings.url);
    const client = new GangplankClient({ url, token: settings.token, retries: 0 });
    await client.health();
    // /health is open to all (as in Odahu), so it proves nothing about the token: a one-item read does.
    await client.trainings.list({ size: 1 });
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
