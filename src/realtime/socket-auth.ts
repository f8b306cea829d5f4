import type { Socket } from 'socket.io';
import { extractToken } from '../auth/guards/authentication.guard.js';

/** The credential a client offers at the handshake: `auth.token`, or the HTTP headers. */
export function handshakeToken(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string' && auth.token.trim())
    return auth.token.trim().replace(/^Bearer\s+/i, '');
  return extractToken(socket.handshake.headers);
}

/** Error whose message Socket.IO clients see in `connect_error`. */
export function unauthorized(): Error & { data: { status_code: number } } {
  return Object.assign(new Error('unauthorized'), { data: { status_code: 401 } });
}

/** A token bucket: `perSecond` messages a second, bursts up to twice that. */
export class MessageBudget {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond * 2;
  }

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(
      this.perSecond * 2,
      this.tokens + ((now - this.last) / 1000) * this.perSecond,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
