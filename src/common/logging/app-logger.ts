import { ConsoleLogger, LogLevel } from '@nestjs/common';
import type { AppConfig, LogLevelName } from '../../config/config.js';
import { LogOutput, processLogOutput } from './log-output.js';
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

/** Longer lines go through Nest's serializer, which truncates past 1,000,000 characters. */
const FAST_LINE_LIMIT = 100_000;

/** A value JSON.stringify writes as Nest's safe serializer would: no cycles, no toJSON. */
function isPlain(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return Number.isFinite(value);
    default:
      return value === null;
  }
}

/** A log object of plain fields, and plain objects (`params`) of plain fields one level down. */
function isFlat(entry: Record<string, unknown>): boolean {
  for (const key in entry) {
    const value = entry[key];
    if (isPlain(value)) continue;
    if (Object.getPrototypeOf(value) !== Object.prototype) return false;
    for (const inner in value as Record<string, unknown>)
      if (!isPlain((value as Record<string, unknown>)[inner])) return false;
  }
  return true;
}

/**
 * Nest's console logger, in JSON or pretty form, with the request id on every line.
 * JSON lines go through `LogOutput` (stdout written once per event-loop turn), and a
 * line of plain fields (the access line) skips the guarded serializer Nest keeps for
 * arbitrary objects; redaction happens before either.
 */
export class AppLogger extends ConsoleLogger {
  constructor(
    config: Pick<AppConfig, 'logFormat' | 'logLevel'>,
    private readonly output: LogOutput = processLogOutput,
  ) {
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

  protected override printAsJson(
    message: unknown,
    options: Parameters<ConsoleLogger['printAsJson']>[1],
  ): void {
    if (this.options.colors || this.inspectOptions.compact !== true || this.options.forceConsole) {
      this.output.flush();
      return super.printAsJson(message, options);
    }
    const entry = this.getJsonLogObject(message, options);
    let line = isFlat(entry) ? JSON.stringify(entry) : undefined;
    // Nest's serializer also truncates huge records: leave those to it.
    if (line === undefined || line.length > FAST_LINE_LIMIT)
      line = this.stringifyJsonLogObject(entry);
    this.output.write(options.writeStreamType ?? 'stdout', `${line}\n`);
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
