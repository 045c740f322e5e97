/** The roles of Odahu's permission matrix (see server/permissions.ts for what each may do). */
export type Role = 'admin' | 'data_scientist' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'data_scientist', 'viewer'];
