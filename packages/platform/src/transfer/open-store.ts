import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransferConnection } from '../domain/transfer-connection.js';
import { lazyObjectStore } from './lazy-object-store.js';
import { LocalFolderObjectStore } from './local-folder.js';
import type { ObjectStore } from './object-store.js';
import { joinKey } from './object-store.js';

// The cloud adapters are imported when first used (lazy-object-store.ts); each label is the adapter's own.
const s3Store = (connection: TransferConnection, bucket: string): ObjectStore =>
  lazyObjectStore(
    `s3://${bucket}`,
    async () => new (await import('./s3.js')).S3ObjectStore(connection, bucket),
  );
const gcsStore = (connection: TransferConnection, bucket: string): ObjectStore =>
  lazyObjectStore(
    `gs://${bucket}`,
    async () => new (await import('./gcs.js')).GcsObjectStore(connection, bucket),
  );
const azureStore = (
  connection: TransferConnection,
  serviceUrl: string,
  container: string,
  account: string,
): ObjectStore =>
  lazyObjectStore(
    `${serviceUrl.replace(/\?.*$/, '')}/${container}`,
    async () =>
      new (await import('./azure-blob.js')).AzureBlobObjectStore(connection, serviceUrl, container, account),
  );

export interface StorageLocation {
  store: ObjectStore;
  /** Key prefix the connection URI points at (no leading slash; may be empty). */
  basePath: string;
}

/**
 * Opens the object store a connection names. URIs: `s3://bucket/prefix` (or `http(s)://host:port/bucket/prefix`
 * for an S3-compatible endpoint), `gs://bucket/prefix`, `https://<account>.blob.core.windows.net/<container>/prefix`
 * (or a path-style emulator URL `http://host:port/<account>/<container>/prefix`), and for `local` a folder path or
 * `file://` URL.
 */
export function openStore(connection: TransferConnection): StorageLocation {
  const uri = connection.uri.trim();
  switch (connection.type) {
    case 's3': {
      if (/^https?:\/\//.test(uri)) {
        const url = new URL(uri);
        const [bucket = '', ...rest] = url.pathname.split('/').filter(Boolean);
        if (!bucket) throw new Error(`connection "${connection.id}": no bucket in ${uri}`);
        return {
          store: s3Store({ ...connection, endpoint: connection.endpoint ?? url.origin }, bucket),
          basePath: joinKey(...rest),
        };
      }
      const { host, path } = bucketUri(connection, uri, ['s3:', 's3a:', 's3n:']);
      return { store: s3Store(connection, host), basePath: path };
    }
    case 'gcs': {
      const { host, path } = bucketUri(connection, uri, ['gs:', 'gcs:', 'gsc:']);
      return { store: gcsStore(connection, host), basePath: path };
    }
    case 'azureblob': {
      const url = new URL(uri);
      const parts = url.pathname.split('/').filter(Boolean);
      const accountInHost = /\.blob\./.test(url.hostname);
      const account = accountInHost ? url.hostname.split('.')[0]! : (parts.shift() ?? '');
      const container = parts.shift();
      if (!container) throw new Error(`connection "${connection.id}": no container in ${uri}`);
      const serviceUrl = accountInHost ? url.origin : `${url.origin}/${account}`;
      return {
        store: azureStore(connection, serviceUrl, container, account),
        basePath: joinKey(...parts.map(decodeURIComponent)),
      };
    }
    case 'local': {
      const folder = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
      if (!isAbsolute(folder))
        throw new Error(`connection "${connection.id}": a local uri must be an absolute path`);
      return { store: new LocalFolderObjectStore(resolve(folder)), basePath: '' };
    }
    default:
      throw new Error(
        `connection "${connection.id}" has type ${connection.type}; object storage supports s3, gcs, azureblob and local`,
      );
  }
}

function bucketUri(
  connection: TransferConnection,
  uri: string,
  schemes: string[],
): { host: string; path: string } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`connection "${connection.id}": "${uri}" is not a URI like ${schemes[0]}//bucket/path`);
  }
  if (!schemes.includes(url.protocol) || !url.hostname) {
    throw new Error(`connection "${connection.id}": "${uri}" is not a URI like ${schemes[0]}//bucket/path`);
  }
  return { host: url.hostname, path: joinKey(decodeURIComponent(url.pathname)) };
}
