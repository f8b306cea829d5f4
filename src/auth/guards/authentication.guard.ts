import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../../common/decorators/public.decorator.js';
import { QUERY_TOKEN, type AuthenticatedRequest } from '../auth.decorator.js';
import { CredentialService } from '../credential.service.js';

/** The credential of a request: `Authorization: Bearer <token>` or `X-API-Key: <key>`. */
export function extractToken(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim()) return apiKey.trim();
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/**
 * First global guard: resolves who is calling and remembers a failure, without
 * refusing yet, so that the rate limiter (next) counts per credential or per IP and
 * every answer, 401 included, carries the rate-limit headers. AuthorizationGuard decides.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    const token = extractToken(request.headers) ?? this.queryToken(context, request);
    if (!token || isPublic) return true;
    try {
      request.principal = await this.credentials.authenticate(token);
    } catch (error) {
      request.authError = error as Error;
    }
    return true;
  }

  private queryToken(context: ExecutionContext, request: AuthenticatedRequest): string | undefined {
    if (!this.reflector.get<boolean>(QUERY_TOKEN, context.getHandler())) return undefined;
    const token = request.query.token;
    return typeof token === 'string' && token.trim() ? token.trim() : undefined;
  }
}
