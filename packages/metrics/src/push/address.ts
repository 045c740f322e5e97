/** Parsing of Pushgateway addresses: `127.0.0.1:9091`, `http://host:9091`, `https://host/prefix`, `http://user:pw@host`. */

/** A parsed gateway address. */
export interface GatewayAddress {
  /** `http:` or `https:`. */
  protocol: 'http:' | 'https:';
  host: string;
  /** Numeric port (80/443 when the address gives none). */
  port: number;
  /** Path prefix without a trailing `/` (`''` when none), e.g. `/pushgateway` for a gateway behind a proxy. */
  pathPrefix: string;
  /** Basic-auth credentials given in the address (`http://user:pw@host`), if any. */
  username?: string;
  password?: string;
}

/** Thrown for an address that cannot be used; the message says what a valid one looks like. */
export class InvalidGatewayAddressError extends Error {
  override name = 'InvalidGatewayAddressError';
}

/**
 * Parses a Pushgateway address. An address without a scheme gets `http://` (as Python's client does), so
 * `127.0.0.1:9091` and `http://127.0.0.1:9091` are the same gateway.
 */
export function parseGatewayAddress(address: string): GatewayAddress {
  const raw = address.trim();
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidGatewayAddressError(
      `invalid Pushgateway address "${address}": expected host:port or http(s)://host:port[/prefix], e.g. 127.0.0.1:9091`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidGatewayAddressError(
      `invalid Pushgateway address "${address}": the scheme must be http or https, not ${url.protocol}`,
    );
  }
  if (url.hostname === '')
    throw new InvalidGatewayAddressError(`invalid Pushgateway address "${address}": no host`);
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidGatewayAddressError(
      `invalid Pushgateway address "${address}": a query or fragment is not allowed`,
    );
  }
  const protocol = url.protocol;
  const port = url.port !== '' ? Number(url.port) : protocol === 'https:' ? 443 : 80;
  const out: GatewayAddress = {
    protocol,
    // URL keeps IPv6 hosts in brackets; node:http wants them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    pathPrefix: url.pathname.replace(/\/+$/, ''),
  };
  if (url.username !== '') {
    out.username = decodeURIComponent(url.username);
    out.password = decodeURIComponent(url.password);
  }
  return out;
}

/** The address as a URL string without credentials, for messages. */
export function formatGatewayAddress(a: GatewayAddress): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${a.protocol}//${host}:${a.port}${a.pathPrefix}`;
}
