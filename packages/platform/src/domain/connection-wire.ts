/** Connection specs on the wire: secrets base64-encoded, and masked as `*****` except on the decrypted route. */
import { encodeBase64 } from './base64.js';
import type { Connection, ConnectionSpec } from './types.js';
import { SECRET_FIELDS } from './types.js';
import { SECRET_MASK } from './validate-connection.js';

/** The wire form of a stored connection. `decrypted: false` masks `password`, `keySecret`, `keyID`. */
export function connectionToWire(connection: Connection, decrypted: boolean): Connection {
  const spec: ConnectionSpec = { ...connection.spec };
  for (const key of SECRET_FIELDS) {
    const value = spec[key];
    if (value === undefined) continue;
    spec[key] = decrypted ? encodeBase64(value) : SECRET_MASK;
  }
  if (spec.publicKey !== undefined) spec.publicKey = encodeBase64(spec.publicKey);
  return { ...connection, spec };
}
