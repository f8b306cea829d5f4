import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { JwtService } from '@nestjs/jwt';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { parse as parseCookie } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import { extractToken } from '../auth/guards/authentication.guard.js';
import { CredentialService } from '../auth/credential.service.js';
import { currentRequestId } from '../common/logging/request-context.js';
import { JobQueues } from './job-queues.service.js';

export const BOARD_PATH = '/admin/queues';
export const BOARD_COOKIE = 'subforge_board';
export const BOARD_SESSION_SECONDS = 15 * 60;

interface BoardClaims {
  sub: string;
  typ: 'board';
}

/** The `cookie` parser keeps a value it cannot decode as it is, where decodeURIComponent throws. */
function readCookie(header: string | undefined, name: string): string | undefined {
  return header ? parseCookie(header)[name] : undefined;
}

/** A short-lived cookie that lets an admin's browser open the queue board. */
export async function issueBoardSession(jwt: JwtService, adminId: string): Promise<string> {
  return jwt.signAsync({ sub: adminId, typ: 'board' } satisfies BoardClaims, {
    expiresIn: BOARD_SESSION_SECONDS,
    algorithm: 'HS256',
  });
}

/**
 * Bull Board at /admin/queues, for admins only: an admin credential in the headers
 * (API clients) or the session cookie issued by POST /api/v2/background-tasks/board-session
 * (browsers).
 */
export function mountQueueBoard(app: NestExpressApplication): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: app
      .get(JobQueues)
      .all()
      .map((queue) => new BullAdapter(queue)),
    serverAdapter,
  });
  const credentials = app.get(CredentialService);
  const jwt = app.get(JwtService);

  const refuse = (res: Response, status: 401 | 403, message: string) => {
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(status).json({
      status_code: status,
      error: status === 401 ? 'Unauthorized' : 'Forbidden',
      message,
      request_id: currentRequestId(),
    });
  };

  const guard = (req: Request, res: Response, next: NextFunction) => {
    const token = extractToken(req.headers);
    const cookie = readCookie(req.headers.cookie, BOARD_COOKIE);
    const check = async (): Promise<401 | 403 | 200> => {
      if (token) {
        const principal = await credentials.authenticate(token).catch(() => null);
        if (!principal) return 401;
        return principal.role === 'admin' ? 200 : 403;
      }
      if (cookie) {
        const claims = await jwt
          .verifyAsync<BoardClaims>(cookie, { algorithms: ['HS256'] })
          .catch(() => null);
        if (claims?.typ !== 'board') return 401;
        // The session lives only as long as its admin stays an active admin.
        const user = await credentials.findUser(claims.sub).catch(() => null);
        if (user) return user.isActive && user.role === 'admin' ? 200 : 403;
        const key = await credentials.authenticateKeyId(claims.sub).catch(() => null);
        return key?.role === 'admin' ? 200 : 401;
      }
      return 401;
    };
    check().then(
      (status) => {
        if (status === 200) return next();
        refuse(
          res,
          status,
          status === 401
            ? 'Sign in as an admin to open the queue board'
            : 'The queue board is for admins only',
        );
      },
      () => refuse(res, 401, 'Sign in as an admin to open the queue board'),
    );
  };
  app.use(BOARD_PATH, guard, serverAdapter.getRouter());
}
