/**
 * The object-storage port used for algorithm sources, data bindings and artifacts. A store is bound to one bucket
 * (S3, GCS), container (Azure) or folder (`local`); keys use `/` and never start with one.
 */
export interface ObjectEntry {
  key: string;
  size: number;
}

export interface ObjectStore {
  /** Human-readable location for messages, e.g. `s3://bucket`. Never contains secrets. */
  readonly label: string;
  /** Every object whose key starts with `prefix` (all pages). */
  list(prefix: string): Promise<ObjectEntry[]>;
  /** Whether an object with exactly this key exists. */
  exists(key: string): Promise<boolean>;
  /** Writes the object to `file` (its folder exists). */
  download(key: string, file: string): Promise<void>;
  /** Stores `file` under `key`. */
  upload(file: string, key: string): Promise<void>;
}

/** Joins key parts with single slashes, without leading slash. */
export function joinKey(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}
