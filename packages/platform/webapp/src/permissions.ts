/**
 * Which actions the caller may take, so the page shows only those. Mirrors the server's matrix
 * (server/permissions.ts, Odahu's policies): admin and data_scientist may change trainings, viewer may only read;
 * with authentication off everyone may. Learned from `GET /api/v1/user/info`. Pure.
 */
export interface Access {
  /** Whether the server asks for a token at all. */
  auth: boolean;
  /** Roles of the current token (empty: none, or no valid token). */
  roles: readonly string[];
}

export function canChangeTrainings(access: Access): boolean {
  return !access.auth || access.roles.includes('admin') || access.roles.includes('data_scientist');
}
