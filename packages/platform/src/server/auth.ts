/**
 * Bearer-token authentication: static tokens from configuration, and JWTs verified against an OIDC issuer's keys
 * (JWKS) with `jose`. Roles come from the token: static tokens carry one; a JWT's `realm_access.roles` (Keycloak,
 * as Odahu reads them) are mapped `odahu_admin → admin`, `odahu_data_scientist → data_scientist`,
 * `odahu_viewer → viewer` (plain role names work too).
 */
import { timingSafeEqual } from 'node:crypto';
import type * as Jose from 'jose';
import type { JWTPayload } from 'jose';
import { ApiError, ForbiddenError, UnauthorizedError } from '../domain/errors.js';
import { toError } from '../domain/to-error.js';
import type { OidcOptions, StaticToken } from '../domain/auth-options.js';
import { ROLES, type Role } from '../domain/role.js';
import { isAllowed, isPublic } from './permissions.js';

type RemoteKeys = ReturnType<typeof Jose.createRemoteJWKSet>;
let jose: Promise<typeof Jose> | undefined;
/** jose loads with the first JWT to judge: a server with static tokens or no auth never needs it (~10 MiB). */
const loadJose = (): Promise<typeof Jose> => (jose ??= import('jose'));

export interface AuthOptions {
  tokens?: readonly StaticToken[];
  oidc?: OidcOptions;
}

export interface Principal {
  subject: string;
  roles: Role[];
  claims?: JWTPayload;
}

const DEFAULT_ROLE_MAPPING: Record<string, Role> = {
  odahu_admin: 'admin',
  odahu_data_scientist: 'data_scientist',
  odahu_viewer: 'viewer',
  admin: 'admin',
  data_scientist: 'data_scientist',
  viewer: 'viewer',
};

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function claimAt(claims: JWTPayload, path: string): unknown {
  let value: unknown = claims;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export interface Authenticator {
  /** Throws 401/403 `ApiError`s; returns `undefined` for public routes. */
  check(method: string, path: string, authorization: string | undefined): Promise<Principal | undefined>;
}

/**
 * 503, not 401: the issuer's keys could not be read, so the token was not judged. A 401 would make clients such as
 * the CLI throw the token away and ask for a new login that cannot help.
 */
function issuerUnreachable(issuer: string, error: unknown): ApiError {
  const why = toError(error).message;
  return new ApiError(
    503,
    `cannot verify the token: the keys of the OIDC issuer ${issuer} could not be read (${why}); try again later`,
  );
}

export function createAuthenticator(options: AuthOptions): Authenticator {
  const tokens = options.tokens ?? [];
  for (const token of tokens) {
    if (!ROLES.includes(token.role)) throw new Error(`unknown role "${token.role}": use ${ROLES.join(', ')}`);
    if (token.token.length < 8) throw new Error('static tokens must be at least 8 characters long');
  }
  const oidc = options.oidc;
  let jwks: RemoteKeys | undefined;
  async function keys(): Promise<RemoteKeys> {
    if (jwks) return jwks;
    if (!oidc) throw new UnauthorizedError('invalid token');
    let uri = oidc.jwksUri;
    if (uri === undefined) {
      const discovery = `${oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(discovery, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`OIDC discovery ${discovery} answered ${response.status}`);
      uri = ((await response.json()) as { jwks_uri?: string }).jwks_uri;
      if (!uri) throw new Error(`OIDC discovery ${discovery} has no jwks_uri`);
    }
    jwks = (await loadJose()).createRemoteJWKSet(new URL(uri));
    return jwks;
  }

  async function principal(token: string): Promise<Principal> {
    const match = tokens.find((t) => sameSecret(t.token, token));
    if (match) return { subject: match.subject ?? 'static token', roles: [match.role] };
    if (!oidc || token.split('.').length !== 3)
      throw new UnauthorizedError('invalid token: not a known token');
    const { decodeJwt, decodeProtectedHeader, jwtVerify } = await loadJose();
    // Judge what needs no keys first: a token that is not a JWT, or one from another issuer, is a 401 even while
    // the issuer is unreachable.
    try {
      decodeProtectedHeader(token);
      if (decodeJwt(token).iss !== oidc.issuer) throw new Error('unexpected "iss" claim value');
    } catch (error) {
      throw new UnauthorizedError(`invalid token: ${(error as Error).message}`);
    }
    let keySet: Awaited<ReturnType<typeof keys>>;
    try {
      keySet = await keys();
    } catch (error) {
      throw issuerUnreachable(oidc.issuer, error);
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keySet, {
        issuer: oidc.issuer,
        ...(oidc.audience !== undefined ? { audience: oidc.audience } : {}),
      }));
    } catch (error) {
      // jose's own errors (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, …) judge the token; anything else,
      // and a JWKS fetch that timed out, means the keys could not be read: the token may well be valid.
      const code = (error as { code?: unknown }).code;
      const judged = typeof code === 'string' && code.startsWith('ERR_J') && code !== 'ERR_JWKS_TIMEOUT';
      if (!judged) throw issuerUnreachable(oidc.issuer, error);
      throw new UnauthorizedError(`invalid token: ${(error as Error).message}`);
    }
    const mapping = oidc.roleMapping ?? DEFAULT_ROLE_MAPPING;
    const raw = claimAt(claims, oidc.rolesClaim ?? 'realm_access.roles');
    const roles = (Array.isArray(raw) ? raw : [])
      .map((r) => (typeof r === 'string' ? mapping[r] : undefined))
      .filter((r): r is Role => r !== undefined);
    const subject =
      typeof claims.preferred_username === 'string' ? claims.preferred_username : (claims.sub ?? 'token');
    return { subject, roles: [...new Set(roles)], claims };
  }

  return {
    async check(method, path, authorization) {
      if (isPublic(path)) return undefined;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match?.[1]) {
        throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>"');
      }
      const who = await principal(match[1]);
      if (!isAllowed(who.roles, method, path)) {
        const roles = who.roles.length > 0 ? `roles ${who.roles.join(', ')}` : 'no Gangplank role';
        throw new ForbiddenError(`${who.subject} (${roles}) is not allowed to ${method} ${path}`);
      }
      return who;
    },
  };
}
