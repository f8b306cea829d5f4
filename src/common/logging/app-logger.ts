import { ConsoleLogger, LogLevel } from '@nestjs/common';
import type { AppConfig, LogLevelName } from '../../config/config.js';
import { currentRequestId } from './request-context.js';

const LEVELS: Record<LogLevelName, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Keys whose values never reach a log line, at any depth. */
export const REDACTED_KEYS = [
  'password',
  'token',
  'access_token',
  'authorization',
  'key',
  'api_key',
  'x-api-key',
  'secret',
  'cookie',
];

/**
 * Nest's route-map contexts: they print controller paths before the global prefix's
 * exclusions and the URI version apply. The start-up logs the real map instead
 * (see `mappedRoutes`).
 */
const NEST_ROUTE_MAP_CONTEXTS = new Set(['RoutesResolver', 'RouterExplorer']);

/** Nest's console logger, in JSON or pretty form, with the request id on every line. */
export class AppLogger extends ConsoleLogger {
  constructor(config: Pick<AppConfig, 'logFormat' | 'logLevel'>) {
    super({
      json: config.logFormat === 'json',
      logLevels: LEVELS[config.logLevel],
      prefix: 'SubForge',
      redact: REDACTED_KEYS,
    });
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (NEST_ROUTE_MAP_CONTEXTS.has(optionalParams.at(-1) as string)) return;
    super.log(message, ...optionalParams);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const entry = super.getJsonLogObject(message, options);
    const requestId = currentRequestId();
    return requestId ? { ...entry, request_id: requestId } : entry;
  }
}
