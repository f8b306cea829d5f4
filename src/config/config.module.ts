import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import type { AppConfig } from './config.js';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const RUNTIME = Symbol('RUNTIME');

/** What this process resolved at start-up, beside the static configuration. */
export interface Runtime {
  databaseUrl: string;
  redisUrl: string;
  /** Unique per process; names this instance in cluster-wide statistics. */
  instanceId: string;
  startedAt: Date;
  version: string;
}

export const InjectConfig = () => Inject(APP_CONFIG);
export const InjectRuntime = () => Inject(RUNTIME);

@Global()
@Module({})
export class ConfigModule {
  static register(config: AppConfig, runtime: Runtime): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: RUNTIME, useValue: runtime },
      ],
      exports: [APP_CONFIG, RUNTIME],
    };
  }
}
