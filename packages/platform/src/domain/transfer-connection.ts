/**
 * What the transfer code needs to know about a connection: the Odahu connection `spec` with its secrets already
 * decoded (plain text, not base64), plus its id for messages. The dispatcher maps the store's `Connection` onto
 * this, so the transfer code never depends on the HTTP or store types. Not the store's `ConnectionSpec`
 * (`types.ts`), which has no id and carries the fields only the API shows (description, web UI link …).
 */
export interface TransferConnection {
  /** Connection id, used in error messages. */
  id: string;
  type: 's3' | 'gcs' | 'azureblob' | 'git' | 'local' | (string & {});
  /**
   * `s3://bucket/prefix`, `gs://bucket/prefix`, `https://account.blob.core.windows.net/container/prefix`,
   * a git URL (`https://…`, `ssh://…`, `git@host:path`, `file://…` or a local path), or a local folder.
   */
  uri: string;
  region?: string;
  username?: string;
  /** git over https: the token or password. Never placed in a process argument or a log. */
  password?: string;
  /** s3: access key id. */
  keyID?: string;
  /** s3: secret key; gcs: service-account JSON; azureblob: SAS token or `AccountKey=…`; git: SSH private key. */
  keySecret?: string;
  /** git: the server's SSH host key line(s) for `known_hosts`. */
  publicKey?: string;
  /** git: default branch, tag or commit. */
  reference?: string;
  /** s3/azureblob/gcs: a custom endpoint (s3rver, MinIO, azurite, fake-gcs-server). */
  endpoint?: string;
}
