import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import {
  catchError,
  defer,
  EMPTY,
  filter,
  finalize,
  type Observable,
  type Subscription,
} from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { AppConfig } from '../config/config.js';
import { RedisService } from '../redis/redis.service.js';

/** Largest message a client may send (bytes). */
export const MAX_SOCKET_MESSAGE_BYTES = 1_000_000;

/**
 * One Socket.IO server on the HTTP server, with the Redis adapter so that room
 * operations and management calls reach the sockets of every instance.
 */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      path: '/socket.io',
      pingInterval: this.config.socketPingIntervalMs,
      pingTimeout: this.config.socketPingTimeoutMs,
      maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
      cors: {
        origin: this.config.corsOrigins.includes('*') ? true : this.config.corsOrigins,
        credentials: true,
      },
      serveClient: false,
      // Upgrades of other paths are the plain WebSocket endpoints' (/ws, /ws/v2).
      destroyUpgrade: false,
    } as ServerOptions);
    server.adapter(
      createAdapter(this.redis.create('socket.io-pub'), this.redis.create('socket.io-sub'), {
        key: this.redis.key('socket.io'),
        requestsTimeout: 3_000,
      }),
    );
    return server;
  }

  /**
   * The gateways' message handlers as plain listeners. Nest's own binding keeps an
   * RxJS pipeline per handler per socket for the socket's whole life; with ten
   * handlers on `/v2` that was most of an idle connection's memory. Here the
   * pipeline exists only while a message is handled; the semantics are Nest's: the
   * last argument is the acknowledgement, a `{event, data}` result is emitted, any
   * other result acknowledges, and a failing handler is logged, not fatal.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    // Replies in progress when the socket goes are dropped, as Nest's binding does.
    const inProgress = new Set<Subscription>();
    socket.once('disconnect', () => {
      for (const subscription of inProgress) subscription.unsubscribe();
      inProgress.clear();
    });
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        // As RxJS's fromEvent, which Nest's binding reads messages with, passes them on.
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        let subscription: Subscription | undefined = undefined;
        subscription = defer(() => transform(callback(data, ack)))
          .pipe(
            filter((response) => response !== null && response !== undefined),
            catchError((error: unknown) => {
              this.logger.error(error);
              return EMPTY;
            }),
            // (A reply given at once finalizes before `subscription` is assigned.)
            finalize(() => subscription && inProgress.delete(subscription)),
          )
          .subscribe((response) => {
            const reply = response as { event?: string; data?: unknown };
            if (reply.event) socket.emit(reply.event, reply.data);
            else if (!isAckHandledManually && typeof ack === 'function') ack(response);
          });
        if (!subscription.closed) inProgress.add(subscription);
      });
    }
  }
}
