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
  /** Set when a graceful shutdown starts: by when it must be over (ms since the epoch). */
  shutdownDeadline?: number;
}

/**
 * How long a shutdown step may wait: `capMs`, or less when the shutdown's budget
 * has less left once `reserveMs` is kept for the steps after it.
 */
export function shutdownWaitMs(runtime: Runtime, capMs: number, reserveMs = 0): number {
  if (runtime.shutdownDeadline === undefined) return capMs;
  return Math.max(0, Math.min(capMs, runtime.shutdownDeadline - Date.now() - reserveMs));
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
