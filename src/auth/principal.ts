import type { Role } from './roles.js';

/** Who is calling: resolved once per request or socket from a JWT or an API key. */
export interface Principal {
  kind: 'user' | 'api_key' | 'anonymous';
  /** User id or API key id; `anonymous` for public dashboard reads. */
  id: string;
  role: Role;
  /** For agent-bound keys: the agent they act for. */
  agentId: string | null;
  /** The user behind a JWT, or the creator of nothing: null for keys. */
  userId: string | null;
  name: string;
  /** For JWTs: when the token stops being valid (ms since epoch). */
  expiresAt: number | null;
  /** For JWTs: the sign-in session the token belongs to. */
  session?: { version: number; startedAt: number };
}

export const ANONYMOUS_DASHBOARD_READER: Principal = Object.freeze({
  kind: 'anonymous',
  id: 'anonymous',
  role: 'viewer',
  agentId: null,
  userId: null,
  name: 'anonymous dashboard reader',
  expiresAt: null,
});
