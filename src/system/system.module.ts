import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module.js';
import { HealthModule } from '../health/health.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { MaintenanceService } from './maintenance.service.js';
import { SystemV1Controller } from './system-v1.controller.js';
import { SystemController } from './system.controller.js';

/**
 * The `/api/v1|v2/system/*` routes: live metrics, deep health, API metrics, analytics,
 * snapshots and v1 maintenance, each answered by the module that owns it.
 */
@Module({
  imports: [TelemetryModule, AnalyticsModule, HealthModule],
  controllers: [SystemController, SystemV1Controller],
  providers: [MaintenanceService],
})
export class SystemModule {}
