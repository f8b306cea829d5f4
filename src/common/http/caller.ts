import type { Request } from 'express';

/**
 * What the common layer (rate limits, response cache) reads of the caller the
 * authentication guard put on the request. auth's `Principal` satisfies it; common
 * does not depend on auth.
 */
export interface Caller {
  kind: string;
  id: string;
  role: string;
  agentId: string | null;
}

export interface CallerRequest extends Request {
  principal?: Caller;
}
