/**
 * Odahu's permission matrix (its OPA policies, `helms/odahu-flow-core/policies/api/*.rego`): `admin` may do
 * everything; `data_scientist` may use every method on trainings (and packaging, deployment) and GET on
 * connections (not `/decrypted`), toolchain and packaging integrations, configuration and user; `viewer` may GET
 * what a data scientist may. Pure.
 */

import type { Role } from '../domain/role.js';

const DATA_SCIENTIST_ALL = /^\/api\/v1\/model\/(deployment|packaging|training)/;
const READABLE = [
  DATA_SCIENTIST_ALL,
  /^\/api\/v1\/model\/route/,
  /^\/api\/v1\/configuration/,
  /^\/api\/v1\/connection\/*[a-zA-Z0-9-]*\/*$/,
  /^\/api\/v1\/packaging\/integration/,
  /^\/api\/v1\/user/,
  /^\/api\/v1\/toolchain\/integration/,
];

/** Whether any of `roles` may call `method path` (path without the query string). */
export function isAllowed(roles: readonly Role[], method: string, path: string): boolean {
  if (roles.includes('admin')) return true;
  const read = method === 'GET' || method === 'HEAD';
  if (roles.includes('data_scientist')) {
    if (DATA_SCIENTIST_ALL.test(path)) return true;
    if (read && READABLE.some((r) => r.test(path))) return true;
  }
  if (roles.includes('viewer') && read && READABLE.some((r) => r.test(path))) return true;
  return false;
}

/** Routes anyone may call (Odahu: `/`, `/swagger*`, `/health`; Gangplank adds `/metrics` for Prometheus). */
export function isPublic(path: string): boolean {
  return path === '/' || path === '/health' || path === '/metrics' || path.startsWith('/swagger');
}
