import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { WebSocket, WebSocketServer } from 'ws';
import { extractToken } from '../../auth/guards/authentication.guard.js';
import { CredentialService } from '../../auth/credential.service.js';
import { ANONYMOUS_DASHBOARD_READER, type Principal } from '../../auth/principal.js';
import type { AppConfig } from '../../config/config.js';
import { InjectConfig } from '../../config/config.module.js';
import { DeliveryCore } from '../delivery/delivery-core.service.js';
import { MAX_SOCKET_MESSAGE_BYTES } from '../io.adapter.js';
import type { FeedRegistry } from '../feed-client.js';
import { SocketStats } from '../socket-stats.service.js';
import { CLOSE } from './frames.js';
import { WsFeedSession } from './ws-feed.session.js';
import { WsV2Session } from './ws-v2.session.js';

/** Where Socket.IO takes its own upgrades. */
const SOCKET_IO_PATH = '/socket.io/';

/**
 * The plain WebSocket endpoints on the API's HTTP server: `/ws/v2` (rooms, auth, history)
 * and `/ws` (the basic feed). Upgrades are routed by path: Socket.IO keeps `/socket.io/`
 * (and is told to leave the others alone), anything else is answered 404.
 */
@Injectable()
export class PlainWsServer {
  private readonly logger = new Logger('PlainWebSocket');
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_SOCKET_MESSAGE_BYTES,
    perMessageDeflate: false,
  });

  constructor(
    private readonly core: DeliveryCore,
    private readonly stats: SocketStats,
    private readonly credentials: CredentialService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** The dashboard's feed, registered by the dashboard module; `/ws` waits for it. */
  private feed: FeedRegistry = { open: () => undefined, close: () => undefined };

  useFeed(feed: FeedRegistry): void {
    this.feed = feed;
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname.startsWith(SOCKET_IO_PATH)) return;
      const path = url.pathname.replace(/\/+$/, '');
      if (path !== '/ws' && path !== '/ws/v2') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      socket.on('error', () => undefined);
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        const token = url.searchParams.get('token')?.trim() || extractToken(request.headers);
        if (path === '/ws/v2') this.openV2(ws, url, token);
        else void this.openFeed(ws, token);
      });
    });
  }

  /** Ends every plain WebSocket of this instance (shutdown). */
  closeAll(): void {
    for (const client of this.wss.clients) client.close(CLOSE.goingAway, 'server shutting down');
  }

  private openV2(ws: WebSocket, url: URL, token: string | undefined): void {
    const rooms = (url.searchParams.get('rooms') ?? '')
      .split(',')
      .map((room) => room.trim())
      .filter(Boolean);
    const lastEventId = url.searchParams.get('last_event_id') ?? undefined;
    new WsV2Session(
      ws,
      {
        core: this.core,
        credentials: this.credentials,
        stats: this.stats,
        messagesPerSecond: this.config.socketMessagesPerSecond,
        logger: this.logger,
      },
      {
        token,
        rooms,
        lastEventId: lastEventId && /^\d{1,19}$/.test(lastEventId) ? lastEventId : undefined,
      },
    );
  }

  /** `/ws`: a credential, or none when DASHBOARD_PUBLIC_READ=true (read-only, as on namespace /). */
  private async openFeed(ws: WebSocket, token: string | undefined): Promise<void> {
    let principal: Principal;
    if (!token) {
      if (!this.config.dashboardPublicRead) return ws.close(CLOSE.unauthenticated, 'unauthorized');
      principal = ANONYMOUS_DASHBOARD_READER;
    } else {
      try {
        principal = await this.credentials.authenticate(token);
      } catch {
        return ws.close(CLOSE.unauthenticated, 'unauthorized');
      }
    }
    const releases: (() => void)[] = [];
    const refusal = await this.core.admit(
      { key: `ws:${randomUUID()}`, onClose: (release) => releases.push(release) },
      principal,
    );
    if (refusal)
      return ws.close(
        refusal.status === 429 ? CLOSE.rateLimited : CLOSE.tryAgainLater,
        refusal.message,
      );
    const release = () => releases.splice(0).forEach((done) => done());
    // It may have gone while its credential was checked.
    if (ws.readyState !== WebSocket.OPEN) return release();
    new WsFeedSession(
      ws,
      principal,
      {
        core: this.core,
        feed: this.feed,
        stats: this.stats,
        messagesPerSecond: this.config.socketMessagesPerSecond,
        logger: this.logger,
      },
      release,
    );
  }
}
