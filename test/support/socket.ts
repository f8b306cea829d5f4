import { io, Socket } from 'socket.io-client';
import { checkSocketAck, checkSocketEvent } from './contract/asyncapi-contract.js';

export interface Received {
  event: string;
  payload: any;
}

export interface SocketOptions {
  namespace?: '/v2' | '/';
  token?: string;
  rooms?: string[];
  lastEventId?: string;
}

/** A socket.io-client with a log of everything it received, for assertions. */
export class TestSocket {
  readonly received: Received[] = [];
  private waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];

  constructor(
    readonly socket: Socket,
    readonly namespace: string = '/v2',
  ) {
    socket.onAny((event: string, payload: unknown) => {
      checkSocketEvent(this.namespace, event, payload);
      const entry = { event, payload };
      this.received.push(entry);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(entry)) return true;
        waiter.resolve(entry);
        return false;
      });
    });
  }

  get id(): string {
    return this.socket.id!;
  }

  /** Events of one name received so far. */
  events(event: string): any[] {
    return this.received.filter((entry) => entry.event === event).map((entry) => entry.payload);
  }

  /** Resolves with the first (already received or future) event matching. */
  waitFor(
    event: string,
    predicate: (payload: any) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<any> {
    const match = (entry: Received) => entry.event === event && predicate(entry.payload);
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen.payload);
    return new Promise((resolveWait, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${event} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (entry) => {
          clearTimeout(timer);
          resolveWait(entry.payload);
        },
      });
    });
  }

  /** Emits with an acknowledgement and resolves with the ack. */
  async ack(event: string, payload?: unknown, timeoutMs = 5_000): Promise<any> {
    const reply: unknown = await this.socket.timeout(timeoutMs).emitWithAck(event, payload);
    checkSocketAck(this.namespace, event, reply);
    return reply;
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** Connects over WebSocket; rejects with the `connect_error` message when refused. */
export function connectSocket(url: string, options: SocketOptions = {}): Promise<TestSocket> {
  const auth: Record<string, unknown> = {};
  if (options.token) auth.token = options.token;
  if (options.rooms) auth.rooms = options.rooms;
  if (options.lastEventId !== undefined) auth.last_event_id = options.lastEventId;
  const socket = io(url + (options.namespace ?? '/v2'), {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5_000,
  });
  // Record from the first packet: replayed events may arrive right after connecting.
  const testSocket = new TestSocket(socket, options.namespace ?? '/v2');
  return new Promise((resolveConnect, reject) => {
    socket.once('connect', () => resolveConnect(testSocket));
    socket.once('connect_error', (error: Error) => {
      socket.disconnect();
      reject(error);
    });
  });
}
