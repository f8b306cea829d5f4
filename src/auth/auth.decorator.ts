import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { CallerRequest } from '../common/http/caller.js';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../common/http/swagger.js';
import type { Principal } from './principal.js';
import type { UserRole } from './roles.js';

export const AUTH_REQUIREMENT = 'subforge:auth';
export const DASHBOARD_READ = 'subforge:dashboard-read';
export const QUERY_TOKEN = 'subforge:query-token';

/**
 * The route also takes its credential from `?token=` (CONTRACT §2: only the streams, for
 * clients that cannot send headers, such as a browser EventSource).
 */
export function AcceptsQueryToken() {
  return SetMetadata(QUERY_TOKEN, true);
}

/**
 * What agent-bound keys may do on a route:
 * - `read`: read it, like a viewer;
 * - `own-agent`: act on it when the route's `:id` is their agent;
 * - `own-task`: act on it; the service checks the task is assigned to their agent.
 * Without it, agent keys get 403.
 */
export type AgentAccess = 'read' | 'own-agent' | 'own-task';

export interface AuthRequirement {
  role: UserRole;
  agent?: AgentAccess;
}

/** Requires a credential with at least `role`; documents the requirement in Swagger. */
export function Auth(role: UserRole, options: { agent?: AgentAccess } = {}) {
  const agentNote = options.agent ? `; agent keys: ${options.agent}` : '';
  return applyDecorators(
    SetMetadata(AUTH_REQUIREMENT, { role, agent: options.agent } satisfies AuthRequirement),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiExtension('x-required-role', role),
    ApiUnauthorizedResponse({
      description: 'No credential, or an invalid, expired or revoked one',
    }),
    ApiForbiddenResponse({ description: `Requires role ${role} or higher${agentNote}` }),
  );
}

/**
 * A read route of the existing dashboard: with DASHBOARD_PUBLIC_READ=true it also
 * accepts clients without a credential (read-only).
 */
export function DashboardRead() {
  return applyDecorators(Auth('viewer', { agent: 'read' }), SetMetadata(DASHBOARD_READ, true));
}

export interface AuthenticatedRequest extends CallerRequest {
  principal?: Principal;
  authError?: Error;
}

/** The caller, as resolved by the authentication guard. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    return context.switchToHttp().getRequest<AuthenticatedRequest>().principal!;
  },
);
