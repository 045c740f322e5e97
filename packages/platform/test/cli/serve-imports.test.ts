/**
 * `gangplank serve` on the local executor must not load the Kubernetes client (nor the Slurm adapter): the built
 * CLI runs under a module-resolution hook that logs every URL it resolves, the server answers /health (so the
 * store, the dispatcher and the local executor are up), and the log is read. A control run of the package's index
 * under the same hook shows the hook does see `@kubernetes/client-node` when it is loaded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServe } from './support/spawn-serve.js';

const HOOK = fileURLToPath(new URL('./fixtures/record-resolutions.mjs', import.meta.url));
const INDEX = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gangplank-serve-imports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function resolved(log: string): string[] {
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('gangplank serve (local executor)', () => {
  it('answers /health without loading the Kubernetes client or the Slurm adapter', async () => {
    const log = join(dir, 'serve.log');
    const { child, url, exited } = await spawnServe({
      nodeArgs: ['--import', HOOK],
      args: ['--data-dir', join(dir, 'data')],
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, GANGPLANK_RESOLVED_LOG: log },
    });
    try {
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);

      const urls = resolved(log);
      // the hook ran, and the local executor was loaded by the dispatcher's wiring
      expect(urls.some((u) => u.includes('/node_modules/fastify/'))).toBe(true);
      expect(urls.some((u) => /\/dist\/executors\/local\.js$/.test(u))).toBe(true);
      expect(urls.filter((u) => u.includes('/@kubernetes/client-node/'))).toEqual([]);
      expect(urls.filter((u) => /\/dist\/executors\/(kubernetes|slurm)\//.test(u))).toEqual([]);
      // The cloud object-store SDKs load with the first s3/azureblob connection used (transfer/open-store.ts).
      expect(urls.filter((u) => /\/(@aws-sdk\/client-s3|@azure\/storage-blob)\//.test(u))).toEqual([]);
      // @gangplank/metrics loads with the first pushed run metrics, @gangplank/stack with a local run's launch.
      expect(urls.filter((u) => /\/(@gangplank|packages)\/(metrics|stack)\//.test(u))).toEqual([]);
      // The OpenAPI document and Swagger UI (with @fastify/static) are built on their first request (swagger-ui.ts).
      expect(urls.filter((u) => /\/@fastify\/(swagger|swagger-ui|static)\//.test(u))).toEqual([]);
      const swagger = await fetch(`${url}/swagger`);
      expect(swagger.status).toBe(200);
      expect(resolved(log).some((u) => u.includes('/@fastify/swagger-ui/'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    // PGlite's first open takes tens of seconds on a loaded two-core machine; this bounds the wait, asserts nothing.
  }, 180_000);

  it('control: the hook sees @kubernetes/client-node when the package index is imported', () => {
    const log = join(dir, 'index.log');
    const done = spawnSync(
      process.execPath,
      ['--import', HOOK, '--input-type=module', '-e', `await import(${JSON.stringify(INDEX)});`],
      { env: { PATH: process.env['PATH'] ?? '', GANGPLANK_RESOLVED_LOG: log }, encoding: 'utf8' },
    );
    expect(done.status, done.stderr).toBe(0);
    expect(resolved(log).some((u) => u.includes('/@kubernetes/client-node/'))).toBe(true);
  });
});
