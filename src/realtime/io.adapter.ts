import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
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
    } as ServerOptions);
    server.adapter(
      createAdapter(this.redis.create('socket.io-pub'), this.redis.create('socket.io-sub'), {
        key: this.redis.key('socket.io'),
        requestsTimeout: 3_000,
      }),
    );
    return server;
  }
}
