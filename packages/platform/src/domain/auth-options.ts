/**
 * How the API server authenticates callers: static bearer tokens and OpenID Connect. Shapes only, shared by the
 * server config reader (config/) and the authenticator (server/auth.ts), so neither imports the other.
 */
import type { Role } from './role.js';

export interface StaticToken {
  token: string;
  role: Role;
  /** Shown in logs and in 403 messages. @default "static token" */
  subject?: string;
}

export interface OidcOptions {
  /** The `iss` the tokens carry, e.g. `https://keycloak.example.com/realms/odahu`. */
  issuer: string;
  /** @default discovered from `<issuer>/.well-known/openid-configuration` */
  jwksUri?: string;
  /** Required `aud`, if any. */
  audience?: string | string[];
  /** Dotted path of the roles array in the claims. @default "realm_access.roles" */
  rolesClaim?: string;
  /** Claim role → Gangplank role. @default odahu_admin, odahu_data_scientist, odahu_viewer and the plain names */
  roleMapping?: Record<string, Role>;
}
