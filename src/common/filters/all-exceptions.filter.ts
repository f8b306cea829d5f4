import { ArgumentsHost, Catch, ExceptionFilter, Logger, NotFoundException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { mapError } from '../errors/error-mapper.js';
import { currentRequestId } from '../logging/request-context.js';

/** The one place where anything thrown during an HTTP request becomes the contract's error body. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    sendError(exception, http.getRequest<Request>(), http.getResponse<Response>(), this.logger);
  }
}

/** Writes `exception` as the contract's error body (also for requests no route took). */
export function sendError(
  exception: unknown,
  request: Request,
  response: Response,
  logger: Logger,
): void {
  const { status, body, unexpected } = mapError(exception);
  const requestId =
    currentRequestId() ?? (response.getHeader('X-Request-Id') as string | undefined);
  if (unexpected) {
    const error = exception instanceof Error ? exception : new Error(String(exception));
    logger.error(
      `${request.method} ${request.path} failed with ${status}: ${error.message}`,
      error.stack,
    );
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
  if (typeof body.retry_after === 'number') response.setHeader('Retry-After', body.retry_after);
  response.status(status).json({ ...body, request_id: requestId });
}

/**
 * Nest answers unknown paths under its global prefix only: everything else (`/nope`,
 * a malformed body sent to it) would get Express's HTML. Mounted after the routes.
 */
export function answerUnmatchedRequests(app: { use: (...handlers: unknown[]) => unknown }): void {
  const logger = new Logger('Errors');
  app.use((request: Request, response: Response) =>
    sendError(
      new NotFoundException(`Cannot ${request.method} ${request.path}`),
      request,
      response,
      logger,
    ),
  );
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) =>
    sendError(error, request, response, logger),
  );
}
