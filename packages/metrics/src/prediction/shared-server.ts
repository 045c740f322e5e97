/**
 * Standalone servers shared by the models of one registry. Several `PrometheusModel`s on one registry asking for
 * the same `port` (and host) get the one server that already serves that registry, instead of the second failing
 * with EADDRINUSE; the server closes when the last of them closes. Port 0 always starts a server of its own.
 */
import type { AnyRegistry } from '../serve/exposition.js';
import { startMetricsServer } from '../serve/server.js';
import type { MetricsServer } from '../serve/server.js';

interface Shared {
  readonly registry: AnyRegistry;
  readonly server: Promise<MetricsServer>;
  refs: number;
}

const shared = new Map<string, Shared>();

/** A lease on a server: `server` as `startMetricsServer` gives it, and `release` to let go of it. */
export interface ServerLease {
  readonly server: Promise<MetricsServer>;
  release(): Promise<void>;
}

export function leaseServer(
  registry: AnyRegistry,
  host: string,
  port: number,
  onError: (error: unknown) => void,
): ServerLease {
  const key = `${host}\u0000${port}`;
  let entry = port === 0 ? undefined : shared.get(key);
  if (entry === undefined || entry.registry !== registry) {
    const server = startMetricsServer({ registry, port, host, onError });
    entry = { registry, server, refs: 0 };
    if (port !== 0) {
      const mine = entry;
      shared.set(key, mine);
      // A server that failed to start is not shared: the next model gets a fresh attempt (and its own error).
      server.catch(() => {
        if (shared.get(key) === mine) shared.delete(key);
      });
    }
  }
  const lease = entry;
  lease.refs++;
  let released = false;
  return {
    server: lease.server,
    release: async () => {
      if (released) return;
      released = true;
      if (--lease.refs > 0) return;
      if (shared.get(key) === lease) shared.delete(key);
      const server = await lease.server.catch(() => undefined);
      await server?.close();
    },
  };
}
