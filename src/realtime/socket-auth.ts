import type { Namespace, Socket } from 'socket.io';
import { extractToken } from '../auth/guards/authentication.guard.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from '../common/errors/app-errors.js';
import type { Refusal } from './delivery/delivery-core.service.js';
import type { Admission } from './delivery/subscriber.js';
import type { SocketData } from './socket-hub.service.js';
import { ackError } from './ws-ack.js';

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

/** Error whose message Socket.IO clients see in `connect_error` when the connection is refused by a limit. */
export function refusedConnection(refusal: Refusal): Error & { data: { status_code: number } } {
  return Object.assign(new Error(refusal.message), { data: { status_code: refusal.status } });
}

/** A socket as the connection limits see it. */
export function socketAdmission(socket: Socket): Admission {
  return {
    key: `${socket.nsp.name}:${socket.id}`,
    onClose: (release) => socket.once('disconnect', release),
  };
}

export interface HandshakeRules {
  authenticate(token: string): Promise<Principal>;
  admit(connection: Admission, principal: Principal): Promise<Refusal | null>;
  instanceId: string;
  /** Who a client without a credential is, where the namespace lets one in. */
  anonymous?: () => Principal | null;
}

/**
 * A namespace's handshake: the credential authenticated (401 without one, unless the
 * namespace admits anonymous readers), the connection admitted under the limits (429/503),
 * and who it is kept on `socket.data`.
 */
export function admitHandshakes(namespace: Namespace, rules: HandshakeRules): void {
  namespace.use((socket, next) => {
    const accept = async (principal: Principal) => {
      const refusal = await rules.admit(socketAdmission(socket), principal);
      if (refusal) return next(refusedConnection(refusal));
      socket.data = {
        principal,
        connectedAt: new Date().toISOString(),
        instanceId: rules.instanceId,
      } satisfies SocketData;
      next();
    };
    const token = handshakeToken(socket);
    if (token) return void rules.authenticate(token).then(accept, () => next(unauthorized()));
    const anonymous = rules.anonymous?.();
    if (anonymous) void accept(anonymous);
    else next(unauthorized());
  });
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

/**
 * Every namespace's per-socket message budget: a message over it is dropped, and answered
 * with a 429 acknowledgement when it asked for one.
 */
export function guardMessages(socket: Socket, perSecond: number, onMessage?: () => void): void {
  const budget = new MessageBudget(perSecond);
  socket.use((packet, next) => {
    onMessage?.();
    if (budget.take()) return next();
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function')
      (ack as (reply: unknown) => void)(
        ackError(new AppError(429, 'Too many messages; slow down')),
      );
  });
}

const expiryTimers = new WeakMap<Socket, NodeJS.Timeout>();

/**
 * A socket authenticated by a JWT lives as long as its token: it is told and disconnected
 * when the token expires (a later call, after `reauth`, moves the moment).
 */
export function expireWithToken(socket: Socket, expiresAt: number | null): void {
  clearTimeout(expiryTimers.get(socket));
  expiryTimers.delete(socket);
  if (!expiresAt) return;
  const timer = setTimeout(
    () => {
      socket.emit('system_notification', { event: 'token_expired' });
      socket.disconnect(true);
    },
    Math.max(0, Math.min(expiresAt - Date.now(), 2_147_000_000)),
  );
  timer.unref();
  expiryTimers.set(socket, timer);
  if (watched.has(socket)) return;
  watched.add(socket);
  socket.once('disconnect', () => {
    clearTimeout(expiryTimers.get(socket));
    expiryTimers.delete(socket);
  });
}

const watched = new WeakSet<Socket>();
