import { defineCommand } from '../../command.js';
import { SETTING_KEYS } from '../../config.js';
import { outputFormatOpt, outputOption } from '../../options.js';
import { renderObject, renderOutput } from '../../output.js';

interface Row {
  key: string;
  value: string | undefined;
  source: string;
}

export default defineCommand({
  description:
    'Precedence: flag, then environment, then the config file, then the default. The token is masked.',
  examples: ['gangplank config view', 'gangplank config view -o table'],
  options: (cmd) => {
    outputOption(cmd);
    cmd.option('--show-token', 'print the token in clear');
  },
  run(ctx, { opts }) {
    const format = outputFormatOpt(opts);
    const { settings, sources } = ctx.settings();
    const rows: Row[] = SETTING_KEYS.map((key) => {
      const value = settings[key];
      const shown = key === 'token' && value && opts['showToken'] !== true ? '*****' : value;
      return { key, value: shown, source: sources[key] ?? 'unset' };
    });
    if (format.kind === 'table') {
      ctx.print(
        renderOutput(rows, format, [
          { header: 'KEY', get: (r) => r.key },
          { header: 'VALUE', get: (r) => r.value },
          { header: 'SOURCE', get: (r) => r.source },
        ]),
      );
    } else {
      const obj: Record<string, string> = { configFile: ctx.configPath };
      for (const r of rows) if (r.value !== undefined) obj[r.key] = r.value;
      ctx.print(renderObject(obj, format));
    }
    return Promise.resolve();
  },
});
