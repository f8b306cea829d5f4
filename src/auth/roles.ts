/** Human roles, each including the one before. */
export const USER_ROLES = ['viewer', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** API keys may also be bound to one agent. */
export const API_KEY_ROLES = [...USER_ROLES, 'agent'] as const;
export type Role = (typeof API_KEY_ROLES)[number];

const RANK: Record<UserRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** True when `role` grants at least `required` (the agent role grants none of the human ranks). */
export function roleSatisfies(role: Role, required: UserRole): boolean {
  return role !== 'agent' && RANK[role] >= RANK[required];
}
