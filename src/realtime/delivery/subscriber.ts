import type { Principal } from '../../auth/principal.js';
import type { EventEnvelope } from '../event.entity.js';

/** The transports that share the delivery core. */
export type Transport = 'socket.io' | 'ws' | 'ws/v2' | 'sse';

/**
 * A connection of a transport other than Socket.IO (whose sockets live in its own
 * adapter) that the delivery core hands events to: plain WebSocket `/ws/v2` and SSE.
 */
export interface Subscriber {
  readonly id: string;
  readonly transport: Transport;
  principal: Principal;
  readonly rooms: Set<string>;
  readonly connectedAt: string;
  /** A live event of one of its rooms. */
  deliver(event: EventEnvelope): void;
  /** A missed event (reconnect or replay), in order, before the live ones. */
  replayed(event: EventEnvelope): void;
  /** More was missed than can be replayed: refetch from `oldestId`. */
  truncated(oldestId: string): void;
  /** A notice to this connection only (rooms left, token expired). */
  notice(payload: { event: string; [field: string]: unknown }): void;
  /** Ends the connection (4401 unauthenticated, 4403 refused, 1001 going away). */
  close(code: number, reason: string): void;
}

/** What the core needs to replay to a connection of any transport. */
export interface ReplayTarget {
  readonly id: string;
  join(rooms: string[]): Promise<void> | void;
  replayed(event: EventEnvelope): void;
  truncated(oldestId: string): void;
  /** A live event held back during the replay, now due. */
  deliver(event: EventEnvelope): void;
}

/** What connection limits need of a connection: a key and a hook for when it ends. */
export interface Admission {
  readonly key: string;
  onClose(release: () => void): void;
}
