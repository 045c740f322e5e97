import type { ObjectEntry, ObjectStore } from './object-store.js';

/**
 * An object store whose adapter module (and the cloud SDK it imports) loads on first use: `gangplank serve` then
 * starts without the AWS and Azure SDKs (about 2 s and 50 MiB on 2 vCPU, bench/README.md), which only a run
 * with an s3/gcs/azureblob connection needs. A failure to build the adapter surfaces at that first call.
 */
export function lazyObjectStore(label: string, load: () => Promise<ObjectStore>): ObjectStore {
  let loaded: Promise<ObjectStore> | undefined;
  const store = (): Promise<ObjectStore> => (loaded ??= load());
  return {
    label,
    list: async (prefix: string): Promise<ObjectEntry[]> => (await store()).list(prefix),
    exists: async (key: string): Promise<boolean> => (await store()).exists(key),
    download: async (key: string, file: string): Promise<void> => (await store()).download(key, file),
    upload: async (file: string, key: string): Promise<void> => (await store()).upload(file, key),
  };
}
