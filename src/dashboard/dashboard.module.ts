import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { SystemModule } from '../system/system.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardFeedService } from './dashboard-feed.service.js';
import { DashboardQuery } from './dashboard.query.js';
import { DashboardService } from './dashboard.service.js';

/** What the existing SubForge dashboard reads (REST) and its `dashboard_update` feed. */
@Module({
  imports: [AgentsModule, TasksModule, SystemModule],
  controllers: [DashboardController],
  providers: [DashboardQuery, DashboardService, DashboardFeedService],
})
export class DashboardModule {}
