import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { CredentialService } from '../auth/credential.service.js';
import { ANONYMOUS_DASHBOARD_READER } from '../auth/principal.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig, InjectRuntime, Runtime } from '../config/config.module.js';
import { DeliveryCore } from '../realtime/delivery/delivery-core.service.js';
import { admitHandshakes, expireWithToken, guardMessages } from '../realtime/socket-auth.js';
import { type SocketData, SocketHub } from '../realtime/socket-hub.service.js';
import { SocketStats } from '../realtime/socket-stats.service.js';
import { FeedSockets } from './feed-sockets.service.js';

/**
 * Namespace /: the basic feed the existing SubForge dashboard listens to (no rooms,
 * no replay). With DASHBOARD_PUBLIC_READ=true it accepts clients without a
 * credential; otherwise like /v2 it needs one.
 */
@WebSocketGateway()
export class DashboardGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  constructor(
    private readonly credentials: CredentialService,
    private readonly hub: SocketHub,
    private readonly feed: FeedSockets,
    private readonly stats: SocketStats,
    private readonly core: DeliveryCore,
    @InjectConfig() private readonly config: AppConfig,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  afterInit(server: Server): void {
    // The gateway of the default namespace is handed the server itself.
    const namespace = server.of('/');
    this.hub.attachBasic(namespace);
    admitHandshakes(namespace, {
      authenticate: (token) => this.credentials.authenticate(token),
      admit: (connection, principal) => this.core.admit(connection, principal),
      instanceId: this.runtime.instanceId,
      anonymous: () => (this.config.dashboardPublicRead ? ANONYMOUS_DASHBOARD_READER : null),
    });
  }

  handleConnection(socket: Socket): void {
    // Same rules as /v2: a message budget per socket, and a JWT's socket ends with its token.
    guardMessages(socket, this.config.socketMessagesPerSecond);
    expireWithToken(socket, (socket.data as SocketData).principal.expiresAt);
    this.feed.open(socket);
    this.stats.setConnections(this.hub.localConnections());
  }

  handleDisconnect(socket: Socket): void {
    this.feed.close(socket.id);
    this.stats.setConnections(this.hub.localConnections());
  }

  @SubscribeMessage('ping')
  ping(): { event: string; data: { timestamp: string } } {
    this.stats.countReceived();
    return { event: 'pong', data: { timestamp: new Date().toISOString() } };
  }

  /** The dashboard sends these when a workflow page opens or closes; the basic feed has no rooms. */
  @SubscribeMessage('subscribe_workflow')
  subscribeWorkflow() {
    this.stats.countReceived();
    return { ok: true };
  }

  @SubscribeMessage('unsubscribe_workflow')
  unsubscribeWorkflow() {
    this.stats.countReceived();
    return { ok: true };
  }
}
