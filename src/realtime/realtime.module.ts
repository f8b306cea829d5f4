import { Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventEntity } from './event.entity.js';
import { EventBus } from './event-bus.service.js';
import { EventStore } from './event-store.service.js';
import { EventStream } from './event-stream.service.js';
import { RealtimeController } from './realtime.controller.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { ConnectionLimits } from './connection-limits.js';
import { DeliveryCore } from './delivery/delivery-core.service.js';
import { PlainWsServer } from './plain-ws/plain-ws.server.js';
import { EventStreamController } from './sse/event-stream.controller.js';
import { RoomMessageLimits } from './room-message-limits.js';
import { RealtimeService } from './realtime.service.js';
import { SocketHub } from './socket-hub.service.js';
import { SocketStats } from './socket-stats.service.js';

/**
 * Domain events in, history rows and live updates out. Every process publishes
 * (EventBus); processes that serve clients follow the history (EventStream) and
 * deliver it through one core (DeliveryCore) to Socket.IO (SocketHub), plain
 * WebSocket (PlainWsServer: /ws, /ws/v2) and Server-Sent Events (EventStreamController).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([EventEntity])],
  controllers: [RealtimeController, EventStreamController],
  providers: [
    EventStore,
    EventBus,
    EventStream,
    SocketStats,
    SocketHub,
    RealtimeService,
    RoomMessageLimits,
    ConnectionLimits,
    DeliveryCore,
    PlainWsServer,
    RealtimeGateway,
  ],
  exports: [
    EventBus,
    EventStore,
    EventStream,
    SocketHub,
    SocketStats,
    ConnectionLimits,
    DeliveryCore,
    PlainWsServer,
  ],
})
export class RealtimeModule implements OnApplicationBootstrap {
  constructor(
    private readonly stream: EventStream,
    private readonly stats: SocketStats,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'worker') return;
    this.stats.start();
    await this.stream.start();
  }
}
