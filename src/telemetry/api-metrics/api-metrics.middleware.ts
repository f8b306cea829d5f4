import type { NextFunction, Request, Response } from 'express';
import type { AuthenticatedRequest } from '../../auth/auth.decorator.js';
import { MetricsRegistry } from '../../metrics/metrics-registry.service.js';
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
 * Times every HTTP request, from its arrival to the end of its response: refused
 * ones (401, 403, 429), cached answers, errors and unknown routes included. Records
 * once the response is written (or the client went away) into the API metrics and
 * the Prometheus histogram: in-process counters, no I/O on the request path.
 */
export function apiMetricsMiddleware(recorder: ApiMetricsRecorder, prometheus: MetricsRegistry) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const status = response.writableFinished ? response.statusCode : CLIENT_CLOSED_REQUEST;
      const durationMs = performance.now() - started;
      const route = routeTemplate(request);
      recorder.record({
        method: request.method,
        route,
        status,
        durationMs,
        credential: credentialOf(request as AuthenticatedRequest),
      });
      prometheus.observeHttp(request.method, route, status, durationMs);
    };
    response.once('finish', record);
    response.once('close', record);
    next();
  };
}
