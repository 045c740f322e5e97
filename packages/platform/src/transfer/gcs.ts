import { createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SignJWT, importPKCS8 } from 'jose';
import type { TransferConnection } from '../domain/transfer-connection.js';
import type { ObjectEntry, ObjectStore } from './object-store.js';

/**
 * Google Cloud Storage through its JSON API with `fetch`, authenticated with the service-account JSON in
 * `keySecret` (a signed JWT exchanged for an access token, cached until a minute before it expires). Chosen over
 * `@google-cloud/storage` to avoid its ~60 transitive packages for four calls. With a custom `endpoint` and no key
 * (fake-gcs-server) requests go unauthenticated.
 */
export class GcsObjectStore implements ObjectStore {
  readonly label: string;
  private readonly base: string;
  private token?: { value: string; expires: number };

  constructor(
    private readonly connection: TransferConnection,
    private readonly bucket: string,
  ) {
    this.label = `gs://${bucket}`;
    this.base = (connection.endpoint ?? 'https://storage.googleapis.com').replace(/\/$/, '');
  }

  async list(prefix: string): Promise<ObjectEntry[]> {
    const out: ObjectEntry[] = [];
    let pageToken: string | undefined;
    do {
      const url = new URL(`${this.base}/storage/v1/b/${encodeURIComponent(this.bucket)}/o`);
      url.searchParams.set('prefix', prefix);
      if (pageToken) url.searchParams.set('pageToken', pageToken);
      const res = await this.request(url);
      const body = (await res.json()) as {
        items?: { name: string; size?: string }[];
        nextPageToken?: string;
      };
      for (const item of body.items ?? []) out.push({ key: item.name, size: Number(item.size ?? 0) });
      pageToken = body.nextPageToken;
    } while (pageToken);
    return out;
  }

  async exists(key: string): Promise<boolean> {
    if (key === '') return false;
    const res = await this.request(this.objectUrl(key), {}, [404]);
    return res.status !== 404;
  }

  async download(key: string, file: string): Promise<void> {
    const url = this.objectUrl(key);
    url.searchParams.set('alt', 'media');
    const res = await this.request(url);
    if (!res.body) throw new Error(`${this.label}/${key}: empty response`);
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(file));
  }

  async upload(file: string, key: string): Promise<void> {
    const url = new URL(`${this.base}/upload/storage/v1/b/${encodeURIComponent(this.bucket)}/o`);
    url.searchParams.set('uploadType', 'media');
    url.searchParams.set('name', key);
    await this.request(url, {
      method: 'POST',
      body: readFileSync(file),
      headers: { 'content-type': 'application/octet-stream' },
    });
  }

  private objectUrl(key: string): URL {
    return new URL(
      `${this.base}/storage/v1/b/${encodeURIComponent(this.bucket)}/o/${encodeURIComponent(key)}`,
    );
  }

  private async request(url: URL, init: RequestInit = {}, allowed: number[] = []): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = await this.accessToken();
    if (token) headers.set('authorization', `Bearer ${token}`);
    const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(120_000) });
    if (!res.ok && !allowed.includes(res.status)) {
      const text = await res.text().catch(() => '');
      throw new Error(
        `${this.label}: ${init.method ?? 'GET'} ${url.pathname} answered ${res.status} ${text.slice(0, 200)}`,
      );
    }
    return res;
  }

  private async accessToken(): Promise<string | undefined> {
    if (!this.connection.keySecret) return undefined;
    if (this.token && this.token.expires > Date.now() + 60_000) return this.token.value;
    let key: { client_email?: string; private_key?: string; token_uri?: string };
    try {
      key = JSON.parse(this.connection.keySecret) as typeof key;
    } catch {
      throw new Error(`connection "${this.connection.id}": keySecret is not a service-account JSON`);
    }
    if (!key.client_email || !key.private_key) {
      throw new Error(`connection "${this.connection.id}": keySecret lacks client_email or private_key`);
    }
    const tokenUri = key.token_uri ?? 'https://oauth2.googleapis.com/token';
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: 'https://www.googleapis.com/auth/devstorage.read_write' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(key.client_email)
      .setAudience(tokenUri)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(await importPKCS8(key.private_key, 'RS256'));
    const res = await fetch(tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`connection "${this.connection.id}": token request answered ${res.status}`);
    const body = (await res.json()) as { access_token: string; expires_in?: number };
    this.token = { value: body.access_token, expires: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }
}
