import { bool, type Env, raw } from './env-reader.js';

/** CONTRACT §1: the original backend's configuration names, read when ours are unset. */
export const ORIGINAL_CONFIG_NAMES = {
  RATE_LIMIT_ENABLED: 'ENABLE_RATE_LIMITING',
  CACHE_ENABLED: 'ENABLE_CACHING',
  CACHE_TTL_SECONDS: 'CACHE_TTL_DEFAULT',
  SOCKET_MAX_CONNECTIONS: 'MAX_WEBSOCKET_CONNECTIONS',
} as const;

/** Variables of the original that mean nothing here. */
const IGNORED = { CELERY_BROKER_URL: 'jobs run on Bull, in the Redis of REDIS_URL' };

/**
 * The variable to read for one of ours: ours when set; else the original's, with one
 * warning naming ours (its value is checked under its own name, so errors name it).
 */
export function named(env: Env, ours: keyof typeof ORIGINAL_CONFIG_NAMES): string {
  const original = ORIGINAL_CONFIG_NAMES[ours];
  if (raw(env, original) === undefined) return ours;
  if (raw(env, ours) !== undefined) {
    env.warnings.push(
      `${original} is ignored: ${ours} is set (${original} is the original backend's name for it)`,
    );
    return ours;
  }
  env.warnings.push(
    `${original} is the original backend's name: read as ${ours}; set ${ours} instead`,
  );
  return original;
}

/** `ENABLE_BACKGROUND_TASKS=false` means `ROLE=api` when ROLE is unset. */
export function originalRole(env: Env): 'api' | undefined {
  if (raw(env, 'ENABLE_BACKGROUND_TASKS') === undefined) return undefined;
  if (raw(env, 'ROLE') !== undefined) {
    env.warnings.push('ENABLE_BACKGROUND_TASKS is ignored: ROLE is set');
    return undefined;
  }
  const enabled = bool(env, 'ENABLE_BACKGROUND_TASKS', true);
  env.warnings.push(
    `ENABLE_BACKGROUND_TASKS is the original backend's name: read as ROLE=${enabled ? 'all' : 'api'}; set ROLE instead`,
  );
  return enabled ? undefined : 'api';
}

/** One warning for each variable of the original that is set but means nothing here. */
export function warnIgnored(env: Env): void {
  for (const [name, why] of Object.entries(IGNORED))
    if (raw(env, name) !== undefined) env.warnings.push(`${name} is ignored: ${why}`);
}
