import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import {
  bool,
  type Env,
  int,
  invalid,
  oneOf,
  path,
  raw,
  size,
  str,
  trustProxy,
  url,
  type Values,
  parseDurationSeconds,
} from './env-reader.js';

import { named, originalRole, warnIgnored } from './original-names.js';

export { parseDurationSeconds, parseSizeBytes } from './env-reader.js';

export type Role = 'api' | 'worker' | 'all';
export type TrustProxy = boolean | number | string[];
export type LogLevelName = 'error' | 'warn' | 'info' | 'debug' | 'verbose';

export interface RateLimits {
  /** Requests per minute per client: `read` for GET routes and `write` for the others unless a route names its class. */
  read: number;
  write: number;
  bulk: number;
  upload: number;
  broadcast: number;
  replay: number;
  cleanup: number;
  login: number;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  role: Role;
  databaseUrl: string | undefined;
  /** Where the local PostgreSQL default is looked for when DATABASE_URL is unset. */
  databaseDefaultUrl: string;
  databasePoolSize: number;
  redisUrl: string | undefined;
  /** Where the local Redis default is looked for when REDIS_URL is unset. */
  redisDefaultUrl: string;
  redisServerBin: string;
  /** Namespaces every Redis key, Bull queue and pub/sub channel of this deployment. */
  redisKeyPrefix: string;
  dataDir: string;
  adminApiKey: string | undefined;
  jwtSecret: string | undefined;
  jwtExpiresInSeconds: number;
  /** Absolute lifetime of a sign-in session, counted from the login (refresh stops there). */
  jwtMaxSessionSeconds: number;
  corsOrigins: string[];
  /** Express's `trust proxy`: false, true (every hop), a hop count, or proxy addresses/CIDRs. */
  trustProxy: TrustProxy;
  rateLimitEnabled: boolean;
  rateLimits: RateLimits;
  cacheEnabled: boolean;
  /** TTL of cached routes that set none of their own. */
  cacheTtlSeconds: number;
  /** Where file contents live: `local` (under uploadDir) or `s3` (see `s3`). */
  fileStore: FileStoreKind;
  uploadDir: string;
  /** Set exactly when fileStore is `s3`. */
  s3: S3Config | undefined;
  maxFileSize: number;
  maxFilesPerUpload: number;
  metricsIntervalSeconds: number;
  agentOfflineAfterSeconds: number;
  eventRetentionDays: number;
  logLevel: LogLevelName;
  logFormat: 'json' | 'pretty';
  bodyLimitBytes: number;
  dashboardPublicRead: boolean;
  subforgeRoot: string;
  subforgeScanIntervalSeconds: number;
  subforgeIntegrationEnabled: boolean;
  socketPingIntervalMs: number;
  socketPingTimeoutMs: number;
  socketMessagesPerSecond: number;
  /** Live connections of this instance across Socket.IO, /ws, /ws/v2 and SSE; 0: unlimited. */
  socketMaxConnections: number;
  jobConcurrency: number;
  /** How long a worker holds a job before Bull deems it stalled and hands it to another worker. */
  jobLockDurationMs: number;
  shutdownTimeoutMs: number;
  /** Said once at start: the original backend's names in use, variables ignored. */
  warnings: readonly string[];
}

export type FileStoreKind = 'local' | 's3';

export interface S3Config {
  /** Empty for AWS (the SDK resolves the regional endpoint). */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** Both set, or both unset (the SDK's default credential chain). */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
  /** Prepended to every object key; empty or ending in `/`. */
  prefix: string;
}

/** Every invalid variable of the environment, reported at once. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; reason: string }[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0].variable} ${problems[0].reason}`
        : `Invalid configuration (${problems.length} variables):\n${problems
            .map((problem) => `  ${problem.variable} ${problem.reason}`)
            .join('\n')}`,
    );
  }

  /** The first invalid variable. */
  get variable(): string {
    return this.problems[0].variable;
  }
}

/** The S3 variables, read and checked only when FILE_STORE=s3. */
function s3Config(env: Env, fileStore: FileStoreKind): S3Config | undefined {
  if (fileStore !== 's3') return undefined;
  const bucket = raw(env, 'S3_BUCKET');
  if (bucket === undefined) return invalid(env, 'S3_BUCKET', 'is required when FILE_STORE=s3');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    invalid(
      env,
      'S3_BUCKET',
      `must be a bucket name (3-63 lowercase letters, digits, dots, hyphens); got "${bucket}"`,
    );
  }
  const region = str(env, 'S3_REGION', 'us-east-1');
  if (!/^[a-z0-9-]{1,64}$/.test(region)) {
    invalid(env, 'S3_REGION', `must be a region name such as us-east-1; got "${region}"`);
  }
  const accessKeyId = raw(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = raw(env, 'S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    invalid(
      env,
      accessKeyId === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY',
      'must be set together with ' +
        (accessKeyId === undefined ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'),
    );
  }
  const prefix = str(env, 'S3_PREFIX', '').replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9!_.*'()/-]{0,512}$/.test(prefix) || prefix.includes('//')) {
    invalid(
      env,
      'S3_PREFIX',
      `must be a key prefix of letters, digits and !_.*'()/- without empty segments; got "${prefix}"`,
    );
  }
  return Object.freeze({
    endpoint: url(env, 'S3_ENDPOINT', ['http:', 'https:']),
    region,
    bucket,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', false),
    prefix: prefix ? `${prefix}/` : '',
  });
}

/**
 * Builds the typed configuration from the environment, once, at boot.
 * Throws one ConfigError naming every invalid variable.
 */
export function loadConfig(values: Values = process.env, cwd: string = process.cwd()): AppConfig {
  const env: Env = { values, problems: [], warnings: [] };
  warnIgnored(env);
  const nodeEnv = oneOf(env, 'NODE_ENV', 'development', ['development', 'production', 'test']);

  const adminApiKey = raw(env, 'ADMIN_API_KEY');
  if (adminApiKey !== undefined && !/^[\x21-\x7e]{16,}$/.test(adminApiKey)) {
    invalid(env, 'ADMIN_API_KEY', 'must be at least 16 printable characters without spaces');
  }

  const jwtSecret = raw(env, 'JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    invalid(env, 'JWT_SECRET', 'must be at least 32 characters');
  }
  if (nodeEnv === 'production' && jwtSecret === undefined) {
    invalid(env, 'JWT_SECRET', 'is required when NODE_ENV=production');
  }
  const jwtExpiresIn = str(env, 'JWT_EXPIRES_IN', '30m');
  const jwtExpiresInSeconds = parseDurationSeconds(jwtExpiresIn);
  if (!jwtExpiresInSeconds) {
    invalid(
      env,
      'JWT_EXPIRES_IN',
      `must be a duration such as 30m, 12h or 3600; got "${jwtExpiresIn}"`,
    );
  }
  const jwtMaxSession = str(env, 'JWT_MAX_SESSION', '7d');
  const jwtMaxSessionSeconds = parseDurationSeconds(jwtMaxSession);
  if (!jwtMaxSessionSeconds) {
    invalid(
      env,
      'JWT_MAX_SESSION',
      `must be a duration such as 12h, 7d or 86400; got "${jwtMaxSession}"`,
    );
  }

  const bodyLimitBytes = size(env, 'BODY_LIMIT', 5 * 1024 ** 2, 1);

  const corsOrigins = str(env, 'CORS_ORIGINS', 'http://localhost:3000,http://localhost:3001')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      invalid(
        env,
        'CORS_ORIGINS',
        `has an invalid origin "${origin}" (expected scheme://host[:port])`,
      );
    }
  }

  const redisKeyPrefix = str(env, 'REDIS_KEY_PREFIX', 'subforge');
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(redisKeyPrefix)) {
    invalid(env, 'REDIS_KEY_PREFIX', 'must be 1-32 characters of letters, digits, _ or -');
  }

  const fileStore = oneOf<FileStoreKind>(env, 'FILE_STORE', 'local', ['local', 's3']);

  const subforgeRoot = path(env, 'SUBFORGE_ROOT', cwd, cwd);
  const integrationDefault = existsSync(resolve(subforgeRoot, '.subforge'));

  const perMinute = (name: string, fallback: number) => int(env, name, fallback, 1, 100_000_000);

  const config: AppConfig = Object.freeze({
    nodeEnv,
    port: int(env, 'PORT', 8000, 0, 65535),
    host: str(env, 'HOST', '0.0.0.0'),
    role: originalRole(env) ?? oneOf<Role>(env, 'ROLE', 'all', ['api', 'worker', 'all']),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseDefaultUrl:
      url(env, 'DATABASE_DEFAULT_URL', ['postgres:', 'postgresql:']) ??
      'postgres://postgres@127.0.0.1:5432/subforge',
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisDefaultUrl:
      url(env, 'REDIS_DEFAULT_URL', ['redis:', 'rediss:']) ?? 'redis://127.0.0.1:6379',
    redisServerBin: str(env, 'REDIS_SERVER_BIN', 'redis-server'),
    redisKeyPrefix,
    dataDir: path(env, 'DATA_DIR', '.data', cwd),
    adminApiKey,
    jwtSecret,
    jwtExpiresInSeconds: jwtExpiresInSeconds ?? 1800,
    jwtMaxSessionSeconds: jwtMaxSessionSeconds ?? 7 * 86_400,
    corsOrigins,
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    rateLimitEnabled: bool(env, named(env, 'RATE_LIMIT_ENABLED'), true),
    rateLimits: Object.freeze({
      read: perMinute('RATE_LIMIT_READ', 200),
      write: perMinute('RATE_LIMIT_WRITE', 50),
      bulk: perMinute('RATE_LIMIT_BULK', 10),
      upload: perMinute('RATE_LIMIT_UPLOAD', 20),
      broadcast: perMinute('RATE_LIMIT_BROADCAST', 30),
      replay: perMinute('RATE_LIMIT_REPLAY', 10),
      cleanup: perMinute('RATE_LIMIT_CLEANUP', 5),
      login: perMinute('RATE_LIMIT_LOGIN', 10),
    }),
    cacheEnabled: bool(env, named(env, 'CACHE_ENABLED'), true),
    cacheTtlSeconds: int(env, named(env, 'CACHE_TTL_SECONDS'), 300, 1, 31_536_000),
    fileStore,
    uploadDir: path(env, 'UPLOAD_DIR', './uploads', cwd),
    s3: s3Config(env, fileStore),
    maxFileSize: size(env, 'MAX_FILE_SIZE', 52_428_800, 1),
    maxFilesPerUpload: int(env, 'MAX_FILES_PER_UPLOAD', 10, 1, 1000),
    metricsIntervalSeconds: int(env, 'METRICS_INTERVAL_SECONDS', 30, 1, 86_400),
    agentOfflineAfterSeconds: int(env, 'AGENT_OFFLINE_AFTER_SECONDS', 90, 1, 86_400),
    eventRetentionDays: int(env, 'EVENT_RETENTION_DAYS', 7, 1, 3650),
    logLevel: oneOf<LogLevelName>(env, 'LOG_LEVEL', 'info', [
      'error',
      'warn',
      'info',
      'debug',
      'verbose',
    ]),
    logFormat: oneOf(env, 'LOG_FORMAT', 'json', ['json', 'pretty']),
    bodyLimitBytes,
    dashboardPublicRead: bool(env, 'DASHBOARD_PUBLIC_READ', false),
    subforgeRoot,
    subforgeScanIntervalSeconds: int(env, 'SUBFORGE_SCAN_INTERVAL_SECONDS', 30, 1, 86_400),
    subforgeIntegrationEnabled: bool(env, 'SUBFORGE_INTEGRATION_ENABLED', integrationDefault),
    socketPingIntervalMs: int(env, 'SOCKET_PING_INTERVAL_MS', 25_000, 1_000, 600_000),
    socketPingTimeoutMs: int(env, 'SOCKET_PING_TIMEOUT_MS', 20_000, 1_000, 600_000),
    socketMessagesPerSecond: int(env, 'SOCKET_MESSAGES_PER_SECOND', 50, 1, 100_000),
    socketMaxConnections: int(env, named(env, 'SOCKET_MAX_CONNECTIONS'), 0, 0, 10_000_000),
    jobConcurrency: int(env, 'JOB_CONCURRENCY', 10, 1, 1000),
    jobLockDurationMs: int(env, 'JOB_LOCK_DURATION_MS', 30_000, 1_000, 600_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 1_000, 600_000),
    warnings: Object.freeze([...env.warnings]),
  });
  if (env.problems.length) throw new ConfigError(env.problems);
  return config;
}
