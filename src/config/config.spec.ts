import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDurationSeconds, parseSizeBytes } from './config.js';

describe('loadConfig', () => {
  it('gives the contract defaults with an empty environment', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      role: 'all',
      databaseUrl: undefined,
      redisUrl: undefined,
      jwtExpiresInSeconds: 1800,
      corsOrigins: ['http://localhost:3000', 'http://localhost:3001'],
      trustProxy: false,
      rateLimitEnabled: true,
      cacheEnabled: true,
      uploadDir: '/srv/app/uploads',
      maxFileSize: 52_428_800,
      maxFilesPerUpload: 10,
      metricsIntervalSeconds: 30,
      agentOfflineAfterSeconds: 90,
      eventRetentionDays: 7,
      logLevel: 'info',
      logFormat: 'json',
      bodyLimitBytes: 5 * 1024 * 1024,
      dashboardPublicRead: false,
      subforgeRoot: '/srv/app',
      subforgeScanIntervalSeconds: 30,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['ROLE', 'scheduler'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'not a url'],
    ['ADMIN_API_KEY', 'short'],
    ['JWT_EXPIRES_IN', 'forever'],
    ['RATE_LIMIT_ENABLED', 'yes'],
    ['BODY_LIMIT', 'huge'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['CORS_ORIGINS', 'localhost:3000'],
    ['MAX_FILE_SIZE', '-1'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('reports every invalid variable at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ PORT: 'abc', ROLE: 'scheduler', BODY_LIMIT: 'huge', CORS_ORIGINS: 'x' });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error?.problems.map((problem) => problem.variable)).toEqual([
      'BODY_LIMIT',
      'CORS_ORIGINS',
      'PORT',
      'ROLE',
    ]);
    expect(error?.message).toMatch(/^Invalid configuration \(4 variables\):\n {2}BODY_LIMIT/);
  });

  it.each([
    ['10MB', 10 * 1024 ** 2],
    ['5mb', 5 * 1024 ** 2],
    ['512kb', 512 * 1024],
    ['1g', 1024 ** 3],
    ['1048576', 1_048_576],
  ])('reads MAX_FILE_SIZE and BODY_LIMIT=%s with the same size syntax', (value, bytes) => {
    const config = loadConfig({ MAX_FILE_SIZE: value, BODY_LIMIT: value });
    expect(config.maxFileSize).toBe(bytes);
    expect(config.bodyLimitBytes).toBe(bytes);
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('JWT_SECRET');
  });

  it('accepts 1/0 for booleans and treats empty values as unset', () => {
    const config = loadConfig({ CACHE_ENABLED: '0', TRUST_PROXY: '1', PORT: '' });
    expect(config.cacheEnabled).toBe(false);
    expect(config.trustProxy).toBe(true);
    expect(config.port).toBe(8000);
  });
});

describe('units', () => {
  it('parses durations and sizes', () => {
    expect(parseDurationSeconds('30m')).toBe(1800);
    expect(parseDurationSeconds('2h')).toBe(7200);
    expect(parseDurationSeconds('45')).toBe(45);
    expect(parseDurationSeconds('1w')).toBeUndefined();
    expect(parseSizeBytes('5mb')).toBe(5 * 1024 * 1024);
    expect(parseSizeBytes('512KB')).toBe(512 * 1024);
    expect(parseSizeBytes('12 parsecs')).toBeUndefined();
  });
});
