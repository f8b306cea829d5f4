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
      jwtMaxSessionSeconds: 604_800,
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
    ['JWT_MAX_SESSION', 'always'],
    ['RATE_LIMIT_ENABLED', 'yes'],
    ['BODY_LIMIT', 'huge'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['CORS_ORIGINS', 'localhost:3000'],
    ['MAX_FILE_SIZE', '-1'],
    ['FILE_STORE', 'ftp'],
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
    const config = loadConfig({ CACHE_ENABLED: '0', TRUST_PROXY: '0', PORT: '' });
    expect(config.cacheEnabled).toBe(false);
    expect(config.trustProxy).toBe(false);
    expect(config.port).toBe(8000);
  });
});

describe('FILE_STORE=s3', () => {
  const s3 = { FILE_STORE: 's3', S3_BUCKET: 'subforge-files' };

  it('keeps the local store by default and reads no S3 variable then', () => {
    const config = loadConfig({ S3_ENDPOINT: 'not a url' });
    expect(config.fileStore).toBe('local');
    expect(config.s3).toBeUndefined();
  });

  it('gives the AWS defaults and normalises the prefix', () => {
    expect(loadConfig(s3).s3).toEqual({
      endpoint: undefined,
      region: 'us-east-1',
      bucket: 'subforge-files',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      forcePathStyle: false,
      prefix: '',
    });
    const minio = loadConfig({
      ...s3,
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'minioadmin',
      S3_SECRET_ACCESS_KEY: 'minioadmin',
      S3_PREFIX: '/prod/subforge/',
    }).s3;
    expect(minio).toMatchObject({ forcePathStyle: true, prefix: 'prod/subforge/' });
  });

  it.each([
    [{ FILE_STORE: 's3' }, 'S3_BUCKET'],
    [{ ...s3, S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET'],
    [{ ...s3, S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT'],
    [{ ...s3, S3_ENDPOINT: 'ftp://minio' }, 'S3_ENDPOINT'],
    [{ ...s3, S3_REGION: 'US East' }, 'S3_REGION'],
    [{ ...s3, S3_ACCESS_KEY_ID: 'only-the-id' }, 'S3_SECRET_ACCESS_KEY'],
    [{ ...s3, S3_SECRET_ACCESS_KEY: 'only-the-secret' }, 'S3_ACCESS_KEY_ID'],
    [{ ...s3, S3_FORCE_PATH_STYLE: 'yes' }, 'S3_FORCE_PATH_STYLE'],
    [{ ...s3, S3_PREFIX: 'a//b' }, 'S3_PREFIX'],
    [{ ...s3, S3_PREFIX: 'with space' }, 'S3_PREFIX'],
  ])('refuses %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});

describe('TRUST_PROXY', () => {
  it('takes a hop count, proxy addresses or CIDRs, or true, as Express does', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' }).trustProxy).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      '::1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow('TRUST_PROXY');
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow('TRUST_PROXY');
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
