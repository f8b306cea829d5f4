import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { requestContext } from '../logging/request-context.js';

const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const accessLog = new Logger('HTTP');

/**
 * Gives every request an id (the client's `X-Request-Id` when well-formed, else a
 * new UUID), echoes it, runs the rest of the request inside its context, and writes
 * one access-log line when the response is finished.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.headers['x-request-id'];
  const requestId =
    typeof incoming === 'string' && ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const path = req.originalUrl.split('?')[0];
    requestContext.run({ requestId }, () =>
      accessLog.log(`${req.method} ${path} ${res.statusCode}`, {
        method: req.method,
        path,
        status: res.statusCode,
        duration_ms: Math.round(durationMs * 100) / 100,
      }),
    );
  });
  requestContext.run({ requestId }, next);
}
