import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../../common/decorators/public.decorator.js';
import { ForbiddenError, UnauthorizedError } from '../../common/errors/app-errors.js';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig } from '../../config/config.module.js';
import {
  AUTH_REQUIREMENT,
  AuthenticatedRequest,
  AuthRequirement,
  DASHBOARD_READ,
} from '../auth.decorator.js';
import { ANONYMOUS_DASHBOARD_READER } from '../principal.js';
import { roleSatisfies } from '../roles.js';

/** Routes that forgot to declare a requirement are admin-only: secure by default. */
const DEFAULT_REQUIREMENT: AuthRequirement = { role: 'admin' };

/** Last global guard: 401 without a valid credential, 403 without the role. */
@Injectable()
export class AuthorizationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.principal;
    if (!principal) {
      const dashboardRead = this.reflector.getAllAndOverride<boolean>(DASHBOARD_READ, targets);
      if (dashboardRead && this.config.dashboardPublicRead && !request.authError) {
        request.principal = ANONYMOUS_DASHBOARD_READER;
        return true;
      }
      throw request.authError ?? new UnauthorizedError();
    }
    const requirement =
      this.reflector.getAllAndOverride<AuthRequirement>(AUTH_REQUIREMENT, targets) ??
      DEFAULT_REQUIREMENT;
    if (principal.role === 'agent') {
      if (!requirement.agent) throw new ForbiddenError('Agent keys may not use this route');
      if (requirement.agent === 'own-agent' && request.params.id !== principal.agentId) {
        throw new ForbiddenError('Agent keys may act only for their own agent');
      }
      return true;
    }
    if (!roleSatisfies(principal.role, requirement.role)) {
      throw new ForbiddenError(
        `This requires the ${requirement.role} role; you have ${principal.role}`,
      );
    }
    return true;
  }
}
