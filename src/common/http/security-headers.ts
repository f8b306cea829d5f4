import type { NextFunction, Request, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** Helmet's options for answers served over TLS (`upgrade`) or plain HTTP. */
export function helmetOptions(upgrade: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        // Swagger UI and Bull Board load their own scripts, styles and images from this origin.
        'script-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'upgrade-insecure-requests': upgrade ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
    // Both mean nothing over plain HTTP (browsers ignore them there, COOP with an error).
    strictTransportSecurity: upgrade,
    crossOriginOpenerPolicy: upgrade,
  };
}

/**
 * The headers helmet sets with `options`, asked of helmet once. None of our directives
 * depends on the request (no nonces, no functions), so every answer gets the same ones;
 * helmet itself would build them again, header by header, on every request.
 */
export function helmetHeaders(options: HelmetOptions): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  helmet(options)({} as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw error as Error;
  });
  return headers;
}

/**
 * Helmet's headers. `upgrade-insecure-requests` only on answers served over TLS (directly, or
 * behind a proxy with TRUST_PROXY and `X-Forwarded-Proto: https`): over plain HTTP from any
 * host but localhost it would send the browser to https URLs that do not exist, and Swagger
 * UI and the socket console would stay blank.
 */
export function securityHeaders() {
  const secure = helmetHeaders(helmetOptions(true));
  const plain = helmetHeaders(helmetOptions(false));
  return (req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of req.secure ? secure : plain) res.setHeader(name, value);
    next();
  };
}
