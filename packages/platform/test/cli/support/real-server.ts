/**
 * The API engineer's real server for the CLI e2e tests: `createStore` on a temp PGlite folder and `createApp`
 * listening on a free loopback port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp, createStore, type AppOptions } from '../../../src/index.js';

export interface RealServer {
  url: string;
  stop(): Promise<void>;
}

export async function startRealServer(options: Partial<AppOptions> = {}): Promise<RealServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gangplank-cli-server-'));
  const store = await createStore({ dataDir, secretKey: Buffer.alloc(32, 7).toString('base64') });
  const app = await createApp({ store, logPollMs: 50, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    async stop() {
      await app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
