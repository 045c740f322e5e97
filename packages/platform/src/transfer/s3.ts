import { createReadStream, createWriteStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import type { TransferConnection } from '../domain/transfer-connection.js';
import type { ObjectEntry, ObjectStore } from './object-store.js';

/** S3 and S3-compatible stores (custom `endpoint`: MinIO, s3rver, Ceph) through `@aws-sdk/client-s3`. */
export class S3ObjectStore implements ObjectStore {
  readonly label: string;
  private readonly client: S3Client;

  constructor(
    connection: TransferConnection,
    private readonly bucket: string,
  ) {
    this.label = `s3://${bucket}`;
    this.client = new S3Client({
      region: connection.region || 'us-east-1',
      ...(connection.endpoint ? { endpoint: connection.endpoint, forcePathStyle: true } : {}),
      ...(connection.keyID && connection.keySecret
        ? { credentials: { accessKeyId: connection.keyID, secretAccessKey: connection.keySecret } }
        : {}),
      // The SDK's default sends stream bodies as aws-chunked with a trailing checksum, which s3rver (and some
      // S3-compatible stores) save verbatim as the object's content: a 10,000-byte file came back as 10,044 bytes.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async list(prefix: string): Promise<ObjectEntry[]> {
    const out: ObjectEntry[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key !== undefined) out.push({ key: o.Key, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async exists(key: string): Promise<boolean> {
    if (key === '') return false;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey')
        return false;
      throw error;
    }
  }

  async download(key: string, file: string): Promise<void> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!res.Body) throw new Error(`${this.label}/${key}: empty response`);
    await pipeline(res.Body as Readable, createWriteStream(file));
  }

  async upload(file: string, key: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: statSync(file).size,
      }),
    );
  }
}
