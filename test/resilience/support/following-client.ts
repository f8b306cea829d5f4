import { io, Socket } from 'socket.io-client';

/**
 * A dashboard-like Socket.IO client: it reconnects on its own and, each time, asks
 * for what it missed (`last_event_id` = the newest event it has). It keeps the ids of
 * every event it got, live or replayed, to compare with the history.
 */
export class FollowingClient {
  readonly ids: string[] = [];
  readonly truncations: unknown[] = [];
  reconnects = 0;
  private readonly socket: Socket;

  constructor(url: string, token: string, rooms: string[], events: string[]) {
    this.socket = io(`${url}/v2`, {
      transports: ['websocket'],
      reconnectionDelay: 200,
      reconnectionDelayMax: 1_000,
      timeout: 5_000,
      // Called before every (re)connection: the newest id so far.
      auth: (send) =>
        send({ token, rooms, ...(this.ids.length ? { last_event_id: this.lastId } : {}) }),
    });
    for (const event of [...events, 'event_history'])
      this.socket.on(event, (payload: { id: string }) => this.ids.push(payload.id));
    this.socket.on('replay_truncated', (payload: unknown) => this.truncations.push(payload));
    this.socket.io.on('reconnect', () => this.reconnects++);
  }

  get lastId(): string | undefined {
    return this.ids[this.ids.length - 1];
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolveConnected) => this.socket.once('connect', () => resolveConnected()));
  }

  close(): void {
    this.socket.disconnect();
  }
}
