/** Connection specs on the wire: secrets base64-encoded, and masked as `*****` except on the decrypted route. */
import { encodeBase64 } from './base64.js';
import type { Connection, ConnectionSpec } from './types.js';
import { SECRET_FIELDS } from './types.js';
import { maskUriSecrets } from './uri-credentials.js';
import { SECRET_MASK } from './validate-connection.js';

/**
 * The wire form of a stored connection. `decrypted: false` masks `password`, `keySecret`, `keyID` and any password or
 * credential query parameter left in `uri`.
 */
export function connectionToWire(connection: Connection, decrypted: boolean): Connection {
  const spec: ConnectionSpec = { ...connection.spec };
  for (const key of SECRET_FIELDS) {
    const value = spec[key];
    if (value === undefined) continue;
    spec[key] = decrypted ? encodeBase64(value) : SECRET_MASK;
  }
  if (spec.publicKey !== undefined) spec.publicKey = encodeBase64(spec.publicKey);
  // Connections stored before passwords left the uri may still hold one there.
  if (!decrypted) spec.uri = maskUriSecrets(spec.uri);
  return { ...connection, spec };
}
