import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardGateway } from './dashboard.gateway.js';
import { DashboardFeedService } from './dashboard-feed.service.js';
import { DashboardQuery } from './dashboard.query.js';
import { DashboardService } from './dashboard.service.js';
import { FeedSockets } from './feed-sockets.service.js';

/**
 * What the existing SubForge dashboard reads (REST) and its live feed: namespace /
 * (DashboardGateway, FeedSockets: the history mapped and paced) and `dashboard_update`.
 */
@Module({
  imports: [AgentsModule, TasksModule, TelemetryModule],
  controllers: [DashboardController],
  providers: [
    DashboardQuery,
    DashboardService,
    DashboardFeedService,
    FeedSockets,
    DashboardGateway,
  ],
})
export class DashboardModule {}
