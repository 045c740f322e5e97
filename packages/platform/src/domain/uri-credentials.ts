/**
 * Secrets written into a connection's URI (`https://user:token@host/repo.git`, `…?sig=…`). The URI is stored in
 * clear and shown to every role, so a password in it moves to the sealed field the connection type reads it from
 * (git over http(s): `keySecret`; docker: `password`), and anything else is refused with a message naming the
 * field it belongs in. Pure.
 */
import type { ConnectionSpec } from './types.js';

/** What Odahu puts in place of a secret on reads (also used inside URIs). */
const MASK = '*****';

/** Query parameters that carry a credential (SAS and signed URLs, tokens). */
const SECRET_QUERY =
  /^(?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|token|access_token|private_token|password|passwd|secret|client_secret|api_key|apikey)$/i;

export interface UriCredentials {
  /** The URI without its user info when that held a password; otherwise as given. */
  uri: string;
  /** The user of a user info that held a password (percent-decoded). */
  username?: string;
  /** The password of the user info (percent-decoded); `*****` when a masked URI was sent back. */
  password?: string;
  /** Names of query parameters that carry a credential. */
  secretQuery: string[];
  /** Set when the user info is not valid percent-encoding. */
  problem?: string;
}

interface Authority {
  /** Index of the first character of the user info in the URI. */
  start: number;
  /** The user info (before the last `@` of the authority), or undefined without one. */
  userinfo?: string;
}

function authorityOf(uri: string): Authority | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri);
  if (!scheme) return undefined;
  const start = scheme[0].length;
  const end = uri.slice(start).search(/[/?#]/);
  const authority = end === -1 ? uri.slice(start) : uri.slice(start, start + end);
  const at = authority.lastIndexOf('@');
  return at === -1 ? { start } : { start, userinfo: authority.slice(0, at) };
}

/** Finds a password in the user info and credentials in the query of `uri`. */
export function findUriCredentials(uri: string): UriCredentials {
  const secretQuery = [...queryNames(uri)].filter((name) => SECRET_QUERY.test(name));
  const authority = authorityOf(uri);
  const userinfo = authority?.userinfo;
  if (authority === undefined || userinfo === undefined || !userinfo.includes(':'))
    return { uri, secretQuery };
  const colon = userinfo.indexOf(':');
  const clean = uri.slice(0, authority.start) + uri.slice(authority.start + userinfo.length + 1);
  try {
    const username = decodeURIComponent(userinfo.slice(0, colon));
    const password = decodeURIComponent(userinfo.slice(colon + 1));
    return { uri: clean, ...(username ? { username } : {}), password, secretQuery };
  } catch {
    return { uri: clean, secretQuery, problem: 'the user info of uri is not valid percent-encoding' };
  }
}

function queryNames(uri: string): string[] {
  const q = uri.indexOf('?');
  if (q === -1) return [];
  const query = uri.slice(q + 1).split('#')[0] ?? '';
  return query
    .split('&')
    .map((pair) => pair.split('=')[0] ?? '')
    .filter((name) => name !== '');
}

/** Where each connection type keeps the secret it would otherwise find in its URI. */
function secretFieldFor(spec: ConnectionSpec): 'keySecret' | 'password' | undefined {
  if (spec.type === 'git' && /^https?:\/\//i.test(spec.uri)) return 'keySecret';
  if (spec.type === 'docker') return 'password';
  return undefined;
}

function refusal(spec: ConnectionSpec): string {
  switch (spec.type) {
    case 'git':
      return 'git over ssh takes a private key in keySecret (and the host key in publicKey), not a password in uri';
    case 's3':
    case 'ecr':
      return `${spec.type} credentials go in keyID (access key id) and keySecret (secret access key), not in uri`;
    case 'gcs':
      return 'gcs credentials go in keySecret (the service-account JSON), not in uri';
    case 'azureblob':
      return 'azureblob credentials go in keySecret (the HTTP endpoint with its SAS token), not in uri';
    default:
      return `a ${spec.type} connection takes no password in uri`;
  }
}

/**
 * Moves the credentials `found` in the URI into `spec` (whose `uri` is already the cleaned one): the password to the
 * sealed field of the type, the user to `username`. `stored` is the current spec on a PUT, so a masked URI sent back
 * keeps the stored secret. Returns the problems (conflicts, types that take no password in a URI).
 */
export function placeUriCredentials(
  spec: ConnectionSpec,
  found: UriCredentials,
  stored?: ConnectionSpec,
): string[] {
  const problems: string[] = [];
  if (found.problem) problems.push(found.problem);
  if (found.secretQuery.length > 0) {
    const names = found.secretQuery.join(', ');
    problems.push(
      `uri holds a credential in its query (${names}), and uri is shown to every role; ${refusal(spec)}`,
    );
  }
  if (found.password === undefined) return problems;
  const field = secretFieldFor(spec);
  if (!field) {
    problems.push(`uri holds a password, and uri is shown to every role; ${refusal(spec)}`);
    return problems;
  }
  if (found.username !== undefined) {
    if (spec.username !== undefined && spec.username !== found.username) {
      problems.push(`uri names the user "${found.username}" but username is "${spec.username}"; send one`);
    } else spec.username = found.username;
  }
  if (found.password === MASK) {
    // A masked URI sent back (GET → PUT): keep the stored secret, as for the masked fields.
    const kept = spec[field] ?? stored?.[field];
    if (kept === undefined) {
      problems.push(
        `uri holds the password "${MASK}" but no stored ${field} exists to keep; send it in ${field}`,
      );
    } else spec[field] = kept;
    return problems;
  }
  if (spec[field] !== undefined && spec[field] !== found.password) {
    problems.push(`uri holds a password and ${field} holds another one; send the password in ${field} only`);
  } else spec[field] = found.password;
  return problems;
}

/** The URI with any password in its user info and any credential in its query replaced by `*****`, for reads. */
export function maskUriSecrets(uri: string): string {
  let masked = uri;
  const authority = authorityOf(uri);
  const userinfo = authority?.userinfo;
  if (authority !== undefined && userinfo !== undefined && userinfo.includes(':')) {
    const user = userinfo.slice(0, userinfo.indexOf(':'));
    masked = `${uri.slice(0, authority.start)}${user}:${MASK}${uri.slice(authority.start + userinfo.length)}`;
  }
  return masked.replace(/([?&])([^=&#]+)=([^&#]*)/g, (all, sep: string, name: string) =>
    SECRET_QUERY.test(name) ? `${sep}${name}=${MASK}` : all,
  );
}
