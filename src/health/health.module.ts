import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { FilesModule } from '../files/files.module.js';
import { HealthController } from './health.controller.js';
import { CoreHealthIndicators } from './health.indicators.js';
import { InfoController } from './info.controller.js';
import { SystemHealthService } from './system-health.service.js';

@Module({
  imports: [
    FilesModule,
    TerminusModule.forRoot({ errorLogStyle: 'json', gracefulShutdownTimeoutMs: 0 }),
  ],
  controllers: [InfoController, HealthController],
  providers: [CoreHealthIndicators, SystemHealthService],
  exports: [CoreHealthIndicators, SystemHealthService, TerminusModule],
})
export class HealthModule {}
