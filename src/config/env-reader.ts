import { isAbsolute, resolve } from 'node:path';
import { isIP } from 'node:net';
import type { TrustProxy } from './config.js';

/**
 * Reading the environment, one variable at a time: each reader returns the value or its
 * default and records what was wrong (`invalid`), so that every problem is reported at once.
 */

export type Values = Record<string, string | undefined>;

/** The environment being read, and what was wrong in it so far. */
export interface Env {
  values: Values;
  problems: { variable: string; reason: string }[];
  /** Said once at start (the original backend's names). */
  warnings: string[];
}

/** Records a problem; the caller goes on with its default so that every variable is checked. */
export function invalid<T = undefined>(env: Env, name: string, reason: string, fallback?: T): T {
  env.problems.push({ variable: name, reason });
  return fallback as T;
}

/** Reads one variable; empty strings count as unset so that `FOO=` in a .env file means "default". */
export function raw(env: Env, name: string): string | undefined {
  const value = env.values[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function str(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value))
    return invalid(env, name, `must be an integer, got "${value}"`, fallback);
  const parsed = Number(value);
  if (parsed < min || parsed > max)
    return invalid(env, name, `must be between ${min} and ${max}, got ${parsed}`, fallback);
  return parsed;
}

/** A size in bytes: `5mb`, `512kb`, `1gb` or a plain number of bytes (every size variable). */
export function size(env: Env, name: string, fallback: number, min: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = parseSizeBytes(value);
  if (parsed === undefined || parsed < min)
    return invalid(
      env,
      name,
      `must be a size of at least ${min} bytes such as 5mb, 512kb or 1048576; got "${value}"`,
      fallback,
    );
  return parsed;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return invalid(env, name, `must be one of true, false, 1, 0; got "${value}"`, fallback);
}

/** `false`/`0`, `true`, a hop count, or a comma list of proxy IPs and CIDRs (CONTRACT §1). */
export function trustProxy(env: Env, name: string): TrustProxy {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 100) return invalid(env, name, `hop count must be at most 100, got ${hops}`, false);
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const version = isIP(address);
    const maxBits = version === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (!version || !bitsOk || rest.length) {
      return invalid(
        env,
        name,
        `must be true, false, a hop count or a comma list of IPs/CIDRs; "${entry}" is none`,
        false,
      );
    }
  }
  return entries;
}

export function oneOf<T extends string>(
  env: Env,
  name: string,
  fallback: T,
  allowed: readonly T[],
): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    return invalid(env, name, `must be one of ${allowed.join(', ')}; got "${value}"`, fallback);
  return value as T;
}

export function url(env: Env, name: string, protocols: string[]): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return invalid(env, name, 'must be a URL', undefined);
  }
  if (!protocols.includes(parsed.protocol))
    return invalid(
      env,
      name,
      `must use ${protocols.join(' or ')}; got ${parsed.protocol}`,
      undefined,
    );
  return value;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `30m`, `12h`, `7d`, `45s` or a plain number of seconds. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS[match[2] || 's'];
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  k: 1024,
  mb: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  g: 1024 ** 3,
};

/** `5mb`, `512kb`, `10MB`, `1g`, `1048576` (units are powers of 1024, any case). */
export function parseSizeBytes(value: string): number | undefined {
  const match = /^(\d+)\s*(b|kb|mb|gb|k|m|g)?$/i.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()];
}

export function path(env: Env, name: string, fallback: string, cwd: string): string {
  const value = str(env, name, fallback);
  return isAbsolute(value) ? value : resolve(cwd, value);
}
