/**
 * The `yaml` library, loaded on first use. A server's start reads no YAML unless it has a config file, yet the CLI,
 * the config reader, the YAML body parser and the MLproject reader all need it: loaded by each at import (and by
 * `@fastify/swagger`, now built on first use, server/swagger-ui.ts), it was ~20 ms of every `gangplank serve`
 * start (bench/README.md). `yaml` is CommonJS under Node (its `node` export), so
 * `require` returns the one instance an `import` would.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let library: typeof Yaml | undefined;

export function yamlLibrary(): typeof Yaml {
  library ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return library;
}
