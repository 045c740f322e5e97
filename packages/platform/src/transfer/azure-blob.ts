import { statSync } from 'node:fs';
import {
  AnonymousCredential,
  BlobServiceClient,
  StorageSharedKeyCredential,
  type ContainerClient,
} from '@azure/storage-blob';
import type { TransferConnection } from '../domain/transfer-connection.js';
import type { ObjectEntry, ObjectStore } from './object-store.js';

/**
 * Azure Blob storage through `@azure/storage-blob`. Credentials, from `keySecret` (Odahu: "HTTP endpoint with SAS
 * token"): a connection string (`DefaultEndpointsProtocol=…` / `BlobEndpoint=…`), a SAS URL or bare SAS token
 * (`sv=…`), or an account key when `keyID` holds the account name.
 */
export class AzureBlobObjectStore implements ObjectStore {
  readonly label: string;
  private readonly container: ContainerClient;

  constructor(connection: TransferConnection, serviceUrl: string, containerName: string, account: string) {
    this.label = `${serviceUrl.replace(/\?.*$/, '')}/${containerName}`;
    const secret = connection.keySecret ?? '';
    let service: BlobServiceClient;
    if (/(^|;)\s*(DefaultEndpointsProtocol|BlobEndpoint|AccountName)=/i.test(secret)) {
      service = BlobServiceClient.fromConnectionString(secret);
    } else if (/^https?:\/\//.test(secret)) {
      service = new BlobServiceClient(secret);
    } else if (/^\??(sv|sig|se|sp)=/.test(secret) || secret.includes('&sig=')) {
      service = new BlobServiceClient(`${serviceUrl}?${secret.replace(/^\?/, '')}`);
    } else if (secret) {
      service = new BlobServiceClient(
        serviceUrl,
        new StorageSharedKeyCredential(connection.keyID || account, secret),
      );
    } else {
      service = new BlobServiceClient(serviceUrl, new AnonymousCredential());
    }
    this.container = service.getContainerClient(containerName);
  }

  async list(prefix: string): Promise<ObjectEntry[]> {
    const out: ObjectEntry[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) {
      out.push({ key: blob.name, size: blob.properties.contentLength ?? 0 });
    }
    return out;
  }

  exists(key: string): Promise<boolean> {
    if (key === '') return Promise.resolve(false);
    return this.container.getBlobClient(key).exists();
  }

  async download(key: string, file: string): Promise<void> {
    await this.container.getBlobClient(key).downloadToFile(file);
  }

  async upload(file: string, key: string): Promise<void> {
    const size = statSync(file).size;
    const blob = this.container.getBlockBlobClient(key);
    await blob.uploadFile(file, { blockSize: Math.max(4 << 20, Math.ceil(size / 50_000)) });
  }
}
