import { DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { BullModule } from '@nestjs/bull';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from './config/config.js';
import { ConfigModule, Runtime } from './config/config.module.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { createValidationPipe } from './common/validation/validation-pipe.js';
import { dataSourceOptions } from './database/data-source.js';
import { ENTITIES } from './entities.js';
import { AgentsModule } from './agents/agents.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ResponseCacheModule } from './common/cache/cache.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { FilesModule } from './files/files.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { BackupModule } from './backup/backup.module.js';
import { DEFAULT_JOB_OPTIONS } from './jobs/queues.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { RedisModule } from './redis/redis.module.js';
import { RedisService } from './redis/redis.service.js';
import { SubforgeModule } from './subforge/subforge.module.js';
import { SystemModule } from './system/system.module.js';
import { TasksModule } from './tasks/tasks.module.js';
import { WorkflowsModule } from './workflows/workflows.module.js';
import { OrchestrationModule } from './orchestration/orchestration.module.js';

@Module({})
export class AppModule {
  /** `extra`: modules added by an embedding program (the benchmark's job type). */
  static register(
    config: AppConfig,
    runtime: Runtime,
    extra: NonNullable<ModuleMetadata['imports']> = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config, runtime),
        RedisModule,
        TypeOrmModule.forRoot({
          ...dataSourceOptions({
            url: runtime.databaseUrl,
            poolSize: config.databasePoolSize,
            applicationName: `subforge-${config.role}`,
            entities: ENTITIES,
          }),
          // Entities are listed in src/entities.ts; feature modules use forFeature.
          autoLoadEntities: false,
          retryAttempts: 3,
          retryDelay: 1_000,
        }),
        BullModule.forRootAsync({
          inject: [RedisService],
          useFactory: (redis: RedisService) => ({
            prefix: redis.key('bull'),
            defaultJobOptions: DEFAULT_JOB_OPTIONS,
            createClient: (type) =>
              type === 'client'
                ? redis.create('bull-client', { maxRetriesPerRequest: 3 })
                : redis.create(`bull-${type}`, {
                    maxRetriesPerRequest: null,
                    enableReadyCheck: false,
                  }),
          }),
        }),
        ResponseCacheModule,
        MetricsModule,
        AuthModule,
        RealtimeModule,
        JobsModule,
        FilesModule,
        HealthModule,
        TelemetryModule,
        AnalyticsModule,
        BackupModule,
        SystemModule,
        AgentsModule,
        TasksModule,
        DashboardModule,
        WorkflowsModule,
        OrchestrationModule,
        SubforgeModule,
        ...extra,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
