import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { mapError } from '../errors/error-mapper.js';
import { currentRequestId } from '../logging/request-context.js';

/** The one place where anything thrown during an HTTP request becomes the contract's error body. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const { status, body, unexpected } = mapError(exception);
    const requestId =
      currentRequestId() ?? (response.getHeader('X-Request-Id') as string | undefined);
    if (unexpected) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(
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
}
