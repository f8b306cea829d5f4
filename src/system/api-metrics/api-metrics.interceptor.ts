import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../../auth/auth.decorator.js';
import { MetricsRegistry } from '../prometheus/metrics-registry.service.js';
import { ApiMetricsRecorder, CredentialKind } from './api-metrics.recorder.js';

/** Recorded for requests whose client went away before the response ended (as nginx does). */
export const CLIENT_CLOSED_REQUEST = 499;

function credentialOf(request: AuthenticatedRequest): CredentialKind {
  const principal = request.principal;
  if (!principal) return 'none';
  if (principal.kind === 'api_key') return principal.role === 'agent' ? 'agent_key' : 'api_key';
  return principal.kind;
}

/** The route template Express matched (`/api/v2/agents/:id`); never the raw URL. */
export function routeTemplate(request: { route?: { path?: unknown } }): string {
  const path = request.route?.path;
  return typeof path === 'string' ? path : '(unmatched)';
}

/**
 * Times every HTTP request that reaches a handler, cached answers and errors
 * included: registered as the outermost interceptor, it records when the response
 * has been written (status final, error filter done) into the API metrics and the
 * Prometheus histogram. Requests refused earlier by a guard (401, 403, 429) never
 * reach interceptors and are not counted here.
 */
@Injectable()
export class ApiMetricsInterceptor implements NestInterceptor {
  constructor(
    private readonly recorder: ApiMetricsRecorder,
    private readonly prometheus: MetricsRegistry,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const started = performance.now();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const status = response.writableFinished ? response.statusCode : CLIENT_CLOSED_REQUEST;
      const durationMs = performance.now() - started;
      const route = routeTemplate(request);
      this.recorder.record({
        method: request.method,
        route,
        status,
        durationMs,
        credential: credentialOf(request),
      });
      this.prometheus.observeHttp(request.method, route, status, durationMs);
    };
    response.once('finish', record);
    response.once('close', record);
    return next.handle();
  }
}
