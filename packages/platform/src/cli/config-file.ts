import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { yamlLibrary } from '../domain/yaml-library.js';
import { UsageError } from './errors.js';

/** Reads the YAML config file; a missing file is an empty config. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = yamlLibrary().parse(text);
  } catch (err) {
    throw new UsageError(`the config file ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`the config file ${path} must hold a mapping of settings`);
  }
  return parsed as Record<string, unknown>;
}

/** Writes the config file atomically, readable by the owner only (it may hold a token). */
export function writeConfigFile(path: string, config: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, yamlLibrary().stringify(config), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
