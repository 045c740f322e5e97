import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunError } from '../../src/domain/run-error.js';
import type { TransferConnection } from '../../src/domain/transfer-connection.js';
import { downloadDataBinding } from '../../src/transfer/data-binding.js';
import { openStore } from '../../src/transfer/open-store.js';
import {
  azureConnection,
  azuriteBlobService,
  s3Client,
  s3Connection,
  startAzurite,
  startS3rver,
  type Emulator,
} from '../fixtures/emulators.js';
import { tempDir } from '../fixtures/specs.js';

const work = tempDir('gp-data-');
const emulators: Emulator[] = [];
const backends: { name: string; connection: (path?: string) => TransferConnection }[] = [];

beforeAll(async () => {
  const [s3, azure] = await Promise.all([startS3rver(), startAzurite()]);
  emulators.push(s3, azure);
  const client = s3Client(s3.url);
  await client.send(new CreateBucketCommand({ Bucket: 'training-data' }));
  const blob = azuriteBlobService(azure.url);
  await blob.getContainerClient('training-data').create();
  const localRoot = join(work, 'bucket');
  mkdirSync(localRoot, { recursive: true });
  backends.push(
    { name: 's3 (s3rver)', connection: (p = '') => s3Connection(s3.url, 'training-data', p, 'wine-s3') },
    {
      name: 'azureblob (azurite)',
      connection: (p = '') => azureConnection(azure.url, 'training-data', p, 'wine-az'),
    },
    { name: 'local folder', connection: () => ({ id: 'wine-local', type: 'local', uri: localRoot }) },
  );
  // Same content in every backend: a folder with a nested file, a single file, a 3 MB file.
  const big = Buffer.alloc(3 << 20, 9);
  for (const b of backends) {
    const { store } = openStore(b.connection());
    const files: Record<string, Buffer | string> = {
      'wine/2011/red.csv': 'a,b\n1,2\n',
      'wine/2011/white/white.csv': 'a,b\n3,4\n',
      'single/quality.csv': 'q\n5\n',
      'big/blob.bin': big,
    };
    for (const [key, content] of Object.entries(files)) {
      const file = join(work, 'upload.tmp');
      writeFileSync(file, content);
      await store.upload(file, key);
    }
  }
});

afterAll(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
  rmSync(work, { recursive: true, force: true });
});

function workspace(): string {
  const dir = join(tempDir('gp-ws-'));
  return dir;
}

describe.each([0, 1, 2])('data bindings, backend #%i', (i) => {
  const backend = () => backends[i]!;
  const log: string[] = [];

  it('lists, checks and round-trips objects byte-exactly', async () => {
    const { store } = openStore(backend().connection());
    const keys = (await store.list('wine/')).map((e) => e.key).sort();
    expect(keys).toEqual(['wine/2011/red.csv', 'wine/2011/white/white.csv']);
    expect(await store.exists('single/quality.csv')).toBe(true);
    expect(await store.exists('single')).toBe(false);
    const file = join(work, `down-${i}.bin`);
    await store.download('big/blob.bin', file);
    expect(readFileSync(file).equals(Buffer.alloc(3 << 20, 9))).toBe(true);
  });

  it('copies a remote folder into a local folder, keeping the tree', async () => {
    const ws = workspace();
    const binding = { connection: backend().connection(), localPath: 'data/', remotePath: 'wine/2011/' };
    const summary = await downloadDataBinding(binding, 0, ws, (t) => log.push(t));
    expect(summary.objects).toBe(2);
    expect(readFileSync(join(ws, 'data', 'red.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(readFileSync(join(ws, 'data', 'white', 'white.csv'), 'utf8')).toBe('a,b\n3,4\n');
  });

  it('copies a remote file to a local file name, or into a local folder', async () => {
    const ws = workspace();
    await downloadDataBinding(
      { connection: backend().connection(), localPath: 'q.csv', remotePath: 'single/quality.csv' },
      0,
      ws,
      () => {},
    );
    expect(readFileSync(join(ws, 'q.csv'), 'utf8')).toBe('q\n5\n');
    await downloadDataBinding(
      { connection: backend().connection(), localPath: 'dir/', remotePath: 'single/quality.csv' },
      1,
      ws,
      () => {},
    );
    expect(readFileSync(join(ws, 'dir', 'quality.csv'), 'utf8')).toBe('q\n5\n');
  });

  it('uses the connection path when remotePath is absent', async () => {
    if (backend().name === 'local folder') return; // a local connection's uri is the folder itself
    const ws = workspace();
    await downloadDataBinding(
      { connection: backend().connection('single/'), localPath: 'x/' },
      0,
      ws,
      () => {},
    );
    expect(existsSync(join(ws, 'x', 'quality.csv'))).toBe(true);
  });

  it('refuses a remote folder onto a local file, with Odahu’s text and the binding named', async () => {
    const ws = workspace();
    writeFileSync(join(ws, 'taken'), 'x');
    const error = await downloadDataBinding(
      { connection: backend().connection(), localPath: 'taken', remotePath: 'wine/2011' },
      2,
      ws,
      () => {},
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).reason).toBe('DataError');
    expect((error as Error).message).toMatch(
      /^data binding #3 \(connection "wine-[a-z0-9]+"\): local path \(.*taken\) points to a file, but remote path \(wine\/2011\) points to a dir$/,
    );
  });

  it('fails on a missing remote path with a message naming the binding', async () => {
    const ws = workspace();
    const error = await downloadDataBinding(
      { connection: backend().connection(), localPath: 'data/', remotePath: 'no/such/path' },
      0,
      ws,
      () => {},
    ).catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain('data binding #1 (connection "wine-');
    expect((error as Error).message).toContain('remote path (no/such/path) does not exist');
  });

  it('refuses a local path that escapes the work folder', async () => {
    const ws = workspace();
    for (const localPath of ['../outside', '/etc/passwd', 'a/../../b']) {
      const error = await downloadDataBinding(
        { connection: backend().connection(), localPath, remotePath: 'single/quality.csv' },
        0,
        ws,
        () => {},
      ).catch((e: unknown) => e as Error);
      expect((error as Error).message).toContain('escapes the work folder');
    }
  });
});

describe('bad connections', () => {
  it('names the binding when the endpoint does not answer', async () => {
    const ws = workspace();
    const connection: TransferConnection = { ...s3Connection('http://127.0.0.1:1', 'b'), id: 'dead' };
    const error = await downloadDataBinding(
      { connection, localPath: 'd/', remotePath: 'x/' },
      0,
      ws,
      () => {},
    ).catch((e: unknown) => e as RunError);
    expect((error as RunError).reason).toBe('DataError');
    expect((error as Error).message).toMatch(/^data binding #1 \(connection "dead"\): /);
  });

  it('refuses an unsupported connection type', () => {
    expect(() => openStore({ id: 'g', type: 'git', uri: 'https://example.com/r.git' })).toThrow(
      /object storage supports/,
    );
  });
});
