/**
 * GCS through its JSON API. No real GCS emulator runs here (fake-gcs-server is a Go binary, not in Debian or npm),
 * so this test serves the four JSON API calls the store uses, plus an OAuth token endpoint that checks the signed
 * service-account assertion, from an in-test HTTP server. It checks our side of the protocol, not Google's.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadDataBinding } from '../../src/transfer/data-binding.js';
import { openStore } from '../../src/transfer/open-store.js';
import type { TransferConnection } from '../../src/domain/transfer-connection.js';
import { tempDir } from '../fixtures/specs.js';

const root = tempDir('gp-gcs-');
const objects = new Map<string, Buffer>([
  ['data/a.csv', Buffer.from('a\n1\n')],
  ['data/sub/b.csv', Buffer.from('b\n2\n')],
]);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const authorizations: string[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = await new Promise<Buffer>((r) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => r(Buffer.concat(chunks)));
      });
      if (url.pathname === '/token') {
        const assertion = new URLSearchParams(body.toString()).get('assertion') ?? '';
        const { payload } = await jwtVerify(assertion, await importSPKI(spki, 'RS256'), {
          audience: `${base}/token`,
        });
        expect(payload.iss).toBe('trainer@project.iam.gserviceaccount.com');
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: 'tok-1', expires_in: 3600 }));
        return;
      }
      authorizations.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== 'Bearer tok-1') return void res.writeHead(401).end();
      const list = /^\/storage\/v1\/b\/bucket\/o$/.exec(url.pathname);
      const one = /^\/storage\/v1\/b\/bucket\/o\/(.+)$/.exec(url.pathname);
      if (list) {
        const prefix = url.searchParams.get('prefix') ?? '';
        const items = [...objects]
          .filter(([k]) => k.startsWith(prefix))
          .map(([name, b]) => ({ name, size: String(b.length) }));
        // two pages, to exercise the page token
        const page = url.searchParams.get('pageToken') ? items.slice(1) : items.slice(0, 1);
        const next = !url.searchParams.get('pageToken') && items.length > 1 ? { nextPageToken: 'p2' } : {};
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ items: page, ...next }));
      }
      if (one) {
        const object = objects.get(decodeURIComponent(one[1]!));
        if (!object) return void res.writeHead(404).end('{}');
        if (url.searchParams.get('alt') === 'media') return void res.writeHead(200).end(object);
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ size: object.length }));
      }
      if (url.pathname === '/upload/storage/v1/b/bucket/o' && req.method === 'POST') {
        objects.set(url.searchParams.get('name') ?? '', body);
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
      res.writeHead(404).end();
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

const connection = (): TransferConnection => ({
  id: 'gcs-data',
  type: 'gcs',
  uri: 'gs://bucket/data/',
  region: 'us-central1',
  endpoint: base,
  keySecret: JSON.stringify({
    type: 'service_account',
    client_email: 'trainer@project.iam.gserviceaccount.com',
    private_key: pem,
    token_uri: `${base}/token`,
  }),
});

describe('GCS object store', () => {
  it('authenticates with the service account, lists all pages, downloads and uploads', async () => {
    const { store, basePath } = openStore(connection());
    expect(basePath).toBe('data');
    expect((await store.list('data/')).map((e) => e.key)).toEqual(['data/a.csv', 'data/sub/b.csv']);
    expect(await store.exists('data/a.csv')).toBe(true);
    expect(await store.exists('data/none')).toBe(false);
    const file = join(root, 'up.bin');
    writeFileSync(file, Buffer.alloc(5000, 3));
    await store.upload(file, 'models/m.zip');
    expect(objects.get('models/m.zip')?.length).toBe(5000);
    expect(authorizations.every((a) => a === 'Bearer tok-1')).toBe(true);
  });

  it('downloads a data binding from the connection path', async () => {
    const ws = join(root, 'ws');
    await downloadDataBinding({ connection: connection(), localPath: 'in/' }, 0, ws, () => {});
    expect(readFileSync(join(ws, 'in', 'sub', 'b.csv'), 'utf8')).toBe('b\n2\n');
  });

  it('names the connection when the key is not a service-account JSON', async () => {
    const { store } = openStore({ ...connection(), keySecret: 'not json' });
    await expect(store.list('')).rejects.toThrow(
      'connection "gcs-data": keySecret is not a service-account JSON',
    );
  });
});
