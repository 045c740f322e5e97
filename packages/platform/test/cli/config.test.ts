import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFilePath, DEFAULT_URL, resolveSettings } from '../../src/cli/config.js';
import { readConfigFile, writeConfigFile } from '../../src/cli/config-file.js';

describe('resolveSettings precedence', () => {
  const file = { url: 'http://file:5000', token: 'file-token', pushgatewayUrl: '127.0.0.1:9091' };

  it('prefers flag over env over file over default', () => {
    const env = { GANGPLANK_URL: 'http://env:5000', API_TOKEN: 'odahu-token' };
    const r = resolveSettings({ flags: { url: 'http://flag:5000' }, env, file });
    expect(r.settings.url).toBe('http://flag:5000');
    expect(r.sources.url).toBe('flag');
    expect(r.settings.token).toBe('odahu-token');
    expect(r.sources.token).toBe('env:API_TOKEN');
    expect(r.settings.pushgatewayUrl).toBe('127.0.0.1:9091');
    expect(r.sources.pushgatewayUrl).toBe('file');
  });

  it("takes Gangplank's variable before Odahu's, and ignores empty values", () => {
    const r = resolveSettings({
      flags: { url: '' },
      env: { GANGPLANK_URL: '', API_URL: 'http://odahu:5000' },
      file: {},
    });
    expect(r.settings.url).toBe('http://odahu:5000');
    const both = resolveSettings({ flags: {}, env: { GANGPLANK_TOKEN: 'g', API_TOKEN: 'o' }, file: {} });
    expect(both.settings.token).toBe('g');
  });

  it('falls back to the default URL and adds a scheme to host:port', () => {
    expect(resolveSettings({ flags: {}, env: {}, file: {} }).settings.url).toBe(DEFAULT_URL);
    expect(resolveSettings({ flags: { url: '10.0.0.1:5000' }, env: {}, file: {} }).settings.url).toBe(
      'http://10.0.0.1:5000',
    );
    expect(resolveSettings({ flags: {}, env: {}, file: { url: 42 } }).sources.url).toBe('default');
  });

  it('finds the config file through GANGPLANK_CLI_CONFIG, XDG_CONFIG_HOME, then ~/.config', () => {
    expect(configFilePath({ GANGPLANK_CLI_CONFIG: '/c.yaml', XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe(
      '/c.yaml',
    );
    expect(configFilePath({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/gangplank/config.yaml');
    expect(configFilePath({}, '/home/u')).toBe('/home/u/.config/gangplank/config.yaml');
  });
});

describe('config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gangplank-cli-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips settings, creates folders and keeps the file private', () => {
    const path = join(dir, 'nested', 'config.yaml');
    expect(readConfigFile(path)).toEqual({});
    writeConfigFile(path, { url: 'http://x:1', token: 't' });
    expect(readConfigFile(path)).toEqual({ url: 'http://x:1', token: 't' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('url: http://x:1');
  });

  it('explains a broken file instead of crashing', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'url: [oops\n');
    expect(() => readConfigFile(path)).toThrow(/not valid YAML/);
    writeFileSync(path, '- a list\n');
    expect(() => readConfigFile(path)).toThrow(/must hold a mapping/);
  });
});
